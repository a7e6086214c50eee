import Foundation
import GRDB
import RecurTrain

/// The read paths of an SQLite study that a claim and a commit take: the sampler's view of
/// every trial (no metrics, times or worker) and the best complete trial, without decoding
/// every trial in full.
extension StudyStorage {
    /// Number, parameters, state, value and per-epoch values of every trial, by number.
    static func samplerRecords(_ db: Database) throws -> [TrialRecord] {
        var intermediate: [Int: [Int: Double]] = [:]
        let values = try Row.fetchCursor(db, sql: "SELECT trial, epoch, value FROM intermediate")
        while let row = try values.next() {
            intermediate[row[0], default: [:]][row[1]] = row[2]
        }
        var records: [TrialRecord] = []
        let rows = try Row.fetchCursor(db, sql: "SELECT number, state, params_json, value FROM trial ORDER BY number")
        while let row = try rows.next() {
            let number: Int = row[0]
            let state: String = row[1]
            records.append(TrialRecord(number: number, params: try FlatJSON.params(row[2]), state: TrialState(rawValue: state) ?? .failed,
                                       value: row[3], intermediate: intermediate[number] ?? [:]))
        }
        return records
    }

    /// The complete trial with the lowest value (the lowest number among ties), as
    /// `StudyRunner.bestTrial` chooses, by one indexed query.
    static func bestComplete(_ db: Database) throws -> (number: Int, value: Double)? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT number, value FROM trial WHERE state = 'complete' AND value IS NOT NULL ORDER BY value, number LIMIT 1
            """) else { return nil }
        return (row[0], row[1])
    }
}
