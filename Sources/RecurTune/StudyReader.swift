import Foundation
import GRDB
import RecurTrain

/// Reading a study without ever writing to it, for watchers (the dashboard): one short read
/// transaction per call, so a reader never holds a lock a worker waits for. The SQLite reader
/// is `StudyReader`; a PostgreSQL one will implement the same protocol.
public protocol StudyReading: Sendable {
    /// The storage as the user gave it (a path or URL), for display.
    var storage: String { get }
    /// The study as it is now: every trial (`changedAfter` nil), or only the trials changed
    /// since the storage's change counter was `changedAfter`.
    func read(changedAfter: Int?) throws -> StudyReadout
}

/// One consistent look at a study (everything from one read transaction).
public struct StudyReadout: Sendable {
    public var study: StudyRecord
    /// Every trial, or the changed ones (`incremental`), by number.
    public var trials: [StoredTrial]
    /// The storage's change counter now: pass it back as `changedAfter` to get what changes
    /// next. Nil when the storage has none (a study file no worker has migrated yet).
    public var change: Int?
    /// Whether `trials` holds only the changed trials (false: all of them, even when changes
    /// were asked for, because the storage has no counter).
    public var incremental: Bool
    /// Trials by state, over the whole study.
    public var counts: [TrialState: Int]
    /// The best complete trial (lowest value, then lowest number), over the whole study.
    public var best: (number: Int, value: Double)?
    /// The latest start or finish of any trial, seconds since 1970; nil without trials.
    public var lastUpdate: Double?

    /// Trials in the whole study.
    public var total: Int { counts.values.reduce(0, +) }
}

/// Reads an SQLite study file through a read-only connection (GRDB `Configuration.readonly`):
/// it never creates, migrates or writes the file, and under WAL (which the writers set) its
/// reads neither block nor wait for the workers' writes.
public final class StudyReader: StudyReading, @unchecked Sendable {
    public let storage: String
    /// The file read.
    public let path: String
    private let lock = NSLock()
    private var queue: DatabaseQueue?

    /// A reader of the study file at `path` (or `sqlite:PATH`). Opens nothing yet: the file may
    /// appear later (a dashboard started before the study).
    public init(storage: String) {
        self.storage = storage
        self.path = storage.hasPrefix("sqlite:") ? String(storage.dropFirst("sqlite:".count)) : storage
    }

    /// - Throws: `TuneError.noStudy` (no file), `.notAStudy` (not a study, or no study in it
    ///   yet), `.newerSchema`, `.storage`.
    public func read(changedAfter: Int?) throws -> StudyReadout {
        lock.lock()
        defer { lock.unlock() }
        let queue = try openedQueue()
        do {
            return try queue.read { db in try Self.readout(db, path: path, changedAfter: changedAfter) }
        } catch let error as TuneError {
            throw error
        } catch let error as DatabaseError {
            self.queue = nil  // reopen next time (a file replaced under us)
            throw TuneError.storage(path: path, reason: error.message ?? error.description)
        }
    }

    private func openedQueue() throws -> DatabaseQueue {
        if let queue { return queue }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw TuneError.noStudy(path: path) }
        if isDirectory.boolValue { throw TuneError.notAStudy(path: path, reason: "it is a folder") }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        configuration.label = "recur.study-reader"
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            self.queue = queue
            return queue
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw TuneError.notAStudy(path: path, reason: "it is not an SQLite database")
        } catch let error as DatabaseError {
            throw TuneError.storage(path: path, reason: "cannot open read-only: \(error.message ?? error.description)")
        }
    }

    static func readout(_ db: Database, path: String, changedAfter: Int?) throws -> StudyReadout {
        let tables = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
        guard tables.contains("study_meta"), tables.contains("trial"), tables.contains("study") else {
            throw TuneError.notAStudy(path: path, reason: tables.isEmpty ? "no study has been written to it yet" : "it holds no Recur study")
        }
        var meta: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT key, value FROM study_meta") { meta[row["key"]] = row["value"] }
        guard meta["format"] == StudyStorage.formatName else { throw TuneError.notAStudy(path: path, reason: "it holds no Recur study") }
        let version = Int(meta["schema_version"] ?? "") ?? 0
        if version > StudyStorage.schemaVersion {
            throw TuneError.newerSchema(path: path, found: version, supported: StudyStorage.schemaVersion)
        }
        guard let study = try StudyStorage.study(db, path: path) else { throw TuneError.notAStudy(path: path, reason: "it holds no study yet") }
        let change: Int? = tables.contains("trial_change_counter")
            ? try Int.fetchOne(db, sql: "SELECT seq FROM trial_change_counter WHERE id = 1") ?? 0 : nil
        let incremental = changedAfter != nil && change != nil
        let trials = try StudyStorage.trials(db, changedAfter: incremental ? changedAfter : nil, path: path)
        var counts: [TrialState: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM trial GROUP BY state") {
            counts[try StoredValue.state(row["state"], storage: path, row: "a trial"), default: 0] += row["n"] as Int
        }
        let bestRow = try Row.fetchOne(db, sql: """
            SELECT number, value FROM trial WHERE state = 'complete' AND value IS NOT NULL ORDER BY value, number LIMIT 1
            """)
        let best = bestRow.map { (number: $0["number"] as Int, value: $0["value"] as Double) }
        let last = try Double.fetchOne(db, sql: "SELECT MAX(COALESCE(MAX(started_at), 0), COALESCE(MAX(finished_at), 0)) FROM trial")
        return StudyReadout(study: study, trials: trials, change: change, incremental: incremental, counts: counts, best: best,
                            lastUpdate: counts.isEmpty ? nil : last)
    }
}
