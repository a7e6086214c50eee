import Foundation
import GRDB
@testable import RecurDashboard
@testable import RecurTune
import XCTest

/// The dashboard never writes to a study and never waits for a worker.
final class ReadOnlyTests: XCTestCase {
    var fixture: DashboardFixture!

    override func setUpWithError() throws { fixture = try DashboardFixture() }
    override func tearDown() { fixture = nil }

    func digest(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    func testReadingChangesNoByteOfTheStudy() throws {
        let storage = try fixture.writeStudy()
        _ = storage  // keep the writer open, as a running worker would
        let d = try fixture.dashboard()
        // Checkpoint so that every byte is in the main file, then read through every route.
        let before = try digest(fixture.studyPath)
        let wal = fixture.studyPath + "-wal"
        let walBefore = FileManager.default.contents(atPath: wal)
        for target in ["/", "/studies/tiny", "/api/studies", "/api/studies/tiny", "/api/studies/tiny?after=0"] {
            let parts = target.split(separator: "?").map(String.init)
            XCTAssertEqual(d.handle(method: "GET", path: parts[0], query: parts.count > 1 ? parts[1] : nil).status, 200, target)
        }
        XCTAssertEqual(try digest(fixture.studyPath), before, "the database file is unchanged")
        XCTAssertEqual(FileManager.default.contents(atPath: wal), walBefore, "nothing was appended to the write-ahead log")
    }

    func testASchemaOneFileIsReadAsItIsAndNotMigrated() throws {
        // A study written before the change counter: only the v1 migration.
        let queue = try DatabaseQueue(path: fixture.studyPath)
        try StudyStorage.migrator.migrate(queue, upTo: "v1")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO study (id, name, config_hash, config_json, objective, sampler, seed, max_evals, best_package, created_at)
                VALUES (1, 'tiny', 'h', '{}', 'val_loss', 'tpe', 1, 3, '/nowhere', 0);
                INSERT INTO trial (number, state, params_json, value, started_at, seed) VALUES (0, 'complete', '{"a": 1}', 0.5, 0, 0);
                """)
        }
        try queue.close()
        let before = try digest(fixture.studyPath)
        let readout = try StudyReader(storage: fixture.studyPath).read(changedAfter: 0)
        XCTAssertNil(readout.change, "no counter in a schema-1 file")
        XCTAssertFalse(readout.incremental, "so the answer holds every trial")
        XCTAssertEqual(readout.trials.count, 1)
        XCTAssertEqual(try digest(fixture.studyPath), before, "not migrated by a reader")
        // A writer migrates it; the counter starts after the existing trials.
        let storage = try StudyStorage.open(path: fixture.studyPath, create: false)
        XCTAssertEqual(try StudyReader(storage: fixture.studyPath).read(changedAfter: nil).change, 1)
        _ = storage
    }

    func testAReadDoesNotWaitForAWriteTransactionInProgress() throws {
        let storage = try fixture.writeStudy()
        let reader = StudyReader(storage: fixture.studyPath)
        _ = try reader.read(changedAfter: nil)
        // Inside a worker's write transaction (uncommitted trial 6), the reader answers with the
        // committed state at once; were it to wait for the writer it would wait for itself and
        // fail with SQLITE_BUSY after its timeout.
        let seen = try storage.pool.write { db -> Int in
            try db.execute(sql: "INSERT INTO trial (number, state, params_json, started_at, seed) VALUES (6, 'running', '{}', 0, 0)")
            return try reader.read(changedAfter: nil).trials.count
        }
        XCTAssertEqual(seen, 6, "the uncommitted trial is not seen")
        XCTAssertEqual(try reader.read(changedAfter: nil).trials.count, 7, "and the committed one is, next time")
    }
}
