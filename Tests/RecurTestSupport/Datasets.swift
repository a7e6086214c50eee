import Foundation
import XCTest

/// The shared data sets, `../shared/datasets` beside the package root, found from this file's
/// place in the repository (not from the working directory). Input only: tests never write there.
public enum Datasets {
    /// The package root: the folder of `Package.swift`.
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/datasets` beside the package root (it may be absent).
    public static let folder = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/datasets")

    /// The data sets folder, or a skip saying where it was looked for.
    public static func requireFolder() throws -> URL {
        guard FileManager.default.fileExists(atPath: folder.path) else {
            throw XCTSkip("../shared/datasets is absent (looked for \(folder.standardizedFileURL.path)); the shared data sets are not on this machine")
        }
        return folder
    }

    /// The URL of the data set `name`, or a skip when it is absent.
    public static func url(_ name: String) throws -> URL {
        let url = try requireFolder().appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("../shared/datasets/\(name) is absent (looked for \(url.standardizedFileURL.path))")
        }
        return url
    }

    /// The path of the data set `name`, or a skip when it is absent.
    public static func path(_ name: String) throws -> String { try url(name).path }
}
