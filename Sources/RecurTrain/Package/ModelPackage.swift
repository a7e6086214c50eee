import Foundation
import RecurNN
import RecurTensor

/// A trained model on disk: a folder holding `manifest.json` (`PackageManifest`),
/// `weights.safetensors` (every parameter, `<layer>/<param>`, readable by the `safetensors`
/// Python package), for an ensemble (`training.ensemble`) one more weights file per further member
/// (`weights-member-<n>.safetensors`, `Ensemble.weightsFile`), and optional extras
/// (`history.csv`, `predictions_test.csv`).
///
/// Packages are written atomically: everything goes into a temporary folder beside the
/// destination (`.<name>.partial-<pid>`), which is renamed into place only when complete, or
/// swapped with the package it replaces in one step (`AtomicReplace`), so a failed or killed
/// run leaves no partial package at the path and a reader always finds a whole one.
public struct ModelPackage {
    public static let manifestFile = "manifest.json"
    public static let weightsFile = "weights.safetensors"
    public static let historyFile = "history.csv"
    public static let testPredictionsFile = "predictions_test.csv"

    /// The package folder.
    public let path: String
    public let manifest: PackageManifest
    /// The network with its trained weights (an ensemble's first member).
    public var model: Sequential { members[0] }
    /// The networks whose forecasts are averaged: one unless the manifest records an ensemble.
    public let members: [Sequential]

    /// Loads a package: checks the format and version, rebuilds the network, loads the weights.
    /// - Throws: `PackageError` naming the path and the problem.
    public static func load(_ path: String) throws -> ModelPackage {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PackageError.notAPackage(path: path, reason: "no such file or folder")
        }
        guard isDirectory.boolValue else { throw PackageError.notAPackage(path: path, reason: "it is a file, not a folder") }
        let manifestPath = (path as NSString).appendingPathComponent(manifestFile)
        guard let data = FileManager.default.contents(atPath: manifestPath) else {
            throw PackageError.notAPackage(path: path, reason: "it has no \(manifestFile)")
        }
        let manifest = try PackageManifest.decode(data, path: manifestPath)
        var members: [Sequential] = []
        for index in 0..<(manifest.ensemble?.members.count ?? 1) {
            let file = Ensemble.weightsFile(member: index)
            guard index == 0 || FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(file)) else {
                throw PackageError.corrupt(path: path, reason: "its manifest records an ensemble of \(manifest.ensemble!.members.count) members, but member \(index + 1)'s weights (\(file)) are missing")
            }
            do {
                let model = try manifest.architecture.build(seed: manifest.training.seed, initializeWeights: false)
                _ = try model.loadWeights(from: (path as NSString).appendingPathComponent(file))
                members.append(model)
            } catch let error as NNError {
                throw PackageError.corrupt(path: path, reason: error.description)
            }
        }
        return ModelPackage(path: path, manifest: manifest, members: members)
    }

    /// Writes a package atomically to `path`, replacing a package there: a reader of `path`
    /// sees the old package or the new one at every moment (`AtomicReplace`).
    /// - Parameters:
    ///   - extras: further files, by name, with their contents.
    ///   - claimed: `path` may be an empty folder (a name `PackageTarget` claimed for this run).
    /// - Throws: `PackageError.io`; nothing is left beside `path` on failure.
    public static func write(to path: String, manifest: PackageManifest, model: Sequential, extras: [String: Data] = [:],
                             claimed: Bool = false) throws {
        try write(to: path, manifest: manifest, members: [model], extras: extras, claimed: claimed)
    }

    /// Writes an ensemble's package (`members` in order, as many as `manifest.ensemble` records,
    /// or one without it), atomically as `write(to:manifest:model:)` does.
    public static func write(to path: String, manifest: PackageManifest, members: [Sequential], extras: [String: Data] = [:],
                             claimed: Bool = false) throws {
        precondition(members.count == (manifest.ensemble?.members.count ?? 1), "the manifest's ensemble and the members differ")
        try TemporaryPaths.writing { try writeUnguarded(to: path, manifest: manifest, members: members, extras: extras, claimed: claimed) }
    }

    private static func writeUnguarded(to path: String, manifest: PackageManifest, members: [Sequential], extras: [String: Data],
                                       claimed: Bool) throws {
        let fm = FileManager.default
        let destination = URL(fileURLWithPath: path).standardizedFileURL
        let parent = destination.deletingLastPathComponent()
        let staging = URL(fileURLWithPath: OwnedLeftovers.path(for: destination.path, .partial))
        let registration = TemporaryPaths.register(staging.path)
        defer { TemporaryPaths.unregister(registration) }
        do {
            try fm.createDirectory(at: parent, withIntermediateDirectories: true)
            try? fm.removeItem(at: staging)
            try fm.createDirectory(at: staging, withIntermediateDirectories: false)
            for (index, model) in members.enumerated() {
                try model.saveWeights(to: staging.appendingPathComponent(Ensemble.weightsFile(member: index)).path,
                                      metadata: ["format": PackageManifest.formatName, "recur_version": manifest.recurVersion])
            }
            try PackageManifest.encoder.encode(manifest).write(to: staging.appendingPathComponent(manifestFile))
            for (name, data) in extras { try data.write(to: staging.appendingPathComponent(name)) }
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: destination.path, isDirectory: &isDirectory) {
                let contents = isDirectory.boolValue ? ((try? fm.contentsOfDirectory(atPath: destination.path)) ?? []) : []
                guard contents.contains(manifestFile) || (claimed && isDirectory.boolValue && contents.isEmpty) else {
                    throw PackageError.io(path: path, reason: "exists and is not a model package; choose another output path or remove it")
                }
            }
            try AtomicReplace.replace(destination.path, with: staging.path)
        } catch let error as PackageError {
            try? fm.removeItem(at: staging)
            throw error
        } catch {
            try? fm.removeItem(at: staging)
            throw PackageError.io(path: path, reason: "cannot write the model package: \(describe(error))")
        }
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, context):
            return "missing `\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))`"
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context),
             let DecodingError.dataCorrupted(context):
            return "`\(context.codingPath.map(\.stringValue).joined(separator: "."))`: \(context.debugDescription)"
        case let e as CustomStringConvertible:
            return e.description
        default:
            return FileErrorText.describe(error)
        }
    }
}
