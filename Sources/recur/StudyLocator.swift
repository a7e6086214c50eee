import Foundation
import RecurTrain
import RecurTune
import RecurTunePostgres

/// Opens a study by what the user typed: an SQLite file (a path or `sqlite:PATH`) or a
/// PostgreSQL database (`postgresql://USER@HOST:PORT/DB`, the study chosen by name).
enum StudyLocator {
    static func isPostgres(_ storage: String) -> Bool { PostgresURL.isPostgres(storage) }

    static func sqlitePath(_ storage: String) -> String {
        storage.hasPrefix("sqlite:") ? String(storage.dropFirst("sqlite:".count)) : storage
    }

    /// The study at `storage`; `name` picks one in a database (optional when it holds one).
    static func open(_ storage: String, name: String?, create: Bool) throws -> any StudyStore {
        guard isPostgres(storage) else { return try StudyStorage.open(path: sqlitePath(storage), create: create) }
        let url = try PostgresURL(storage)
        if let name { return try PostgresStudyStore(url: url, name: name, create: create) }
        let studies = try PostgresStudyStore.list(url: url)
        guard studies.count == 1 else {
            throw UsageError(studies.isEmpty ? "\(url.display) holds no study yet"
                : "\(url.display) holds \(studies.count) studies (\(studies.map(\.name).joined(separator: ", "))): name one with --study NAME")
        }
        return try PostgresStudyStore(url: url, name: studies[0].name, create: create)
    }

    /// The studies at `storage` with their trial counts.
    static func list(_ storage: String) throws -> [(name: String, trials: Int)] {
        if isPostgres(storage) { return try PostgresStudyStore.list(url: try PostgresURL(storage)) }
        let store = try StudyStorage.open(path: sqlitePath(storage), create: false)
        guard let record = try store.study() else { return [] }
        return [(record.name, try store.trials().count)]
    }

    /// Writes the study's best package into the new folder `destination`.
    static func exportBest(_ store: any StudyStore, record: StudyRecord, to destination: String) throws {
        if FileManager.default.fileExists(atPath: destination) {
            throw UsageError("--export \(destination) exists: name a new folder for the package")
        }
        if let pg = store as? PostgresStudyStore {
            guard let (_, artifact) = try pg.bestArtifact() else {
                throw UsageError("the study \(record.name) at \(store.location) holds no package yet")
            }
            try artifact.extract(to: destination)
            return
        }
        guard record.bestTrial != nil, FileManager.default.fileExists(atPath: record.bestPackage + "/manifest.json") else {
            throw UsageError("the study at \(store.location) holds no package yet")
        }
        let temp = destination + ".partial-\(getpid())"
        try? FileManager.default.removeItem(atPath: temp)
        try FileManager.default.copyItem(atPath: record.bestPackage, toPath: temp)
        try FileManager.default.moveItem(atPath: temp, toPath: destination)
    }

    /// `--params` JSON, checked against the study's search space.
    static func parseParams(_ text: String, record: StudyRecord) throws -> [String: SearchValue] {
        let values: [String: SearchValue]
        do { values = try ParamsJSON.decode(text) } catch {
            throw UsageError("--params: expected one JSON object of parameter names to numbers, strings or booleans, got \(text)")
        }
        let space = (try? RecurConfig.parse(record.configJSON).search?.space) ?? []
        let names = Set(space.map(\.name))
        let unknown = values.keys.filter { !names.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw UsageError("--params: \(unknown.joined(separator: ", ")) \(unknown.count == 1 ? "is" : "are") not in the study's search space (\(names.sorted().joined(separator: ", ")))")
        }
        return values
    }
}
