import Foundation
import GRDB
import RecurTrain

/// The read path of an SQLite study that a commit takes: the best complete trial, without
/// decoding every trial.
extension StudyStorage {
    /// The complete trial with the lowest value (the lowest number among ties), as
    /// `StudyRunner.bestTrial` chooses, by one indexed query.
    static func bestComplete(_ db: Database) throws -> (number: Int, value: Double)? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT number, value FROM trial WHERE state = 'complete' AND value IS NOT NULL ORDER BY value, number LIMIT 1
            """) else { return nil }
        return (row[0], row[1])
    }
}
