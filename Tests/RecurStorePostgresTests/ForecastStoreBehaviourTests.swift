import Foundation
import PostgresNIO
import RecurStore
import RecurStorePostgres
import RecurTunePostgres
import RecurTestSupport
import XCTest

/// One set of forecast store behaviour tests, run against `SQLiteForecastStore` and against
/// `PostgresForecastStore` on a real server (scripts/pg-test-server.sh): the idempotent upsert
/// keyed by (station, target, model, valid_at) where the latest issue wins, interval column
/// pairs, readers that never create, and a bad or unreachable server named by host:port.
final class ForecastStoreBehaviourTests: PostgresTestCase {
    var dir: URL!

    override func setUpWithError() throws { dir = try temporaryFolder("recur-store-pg") }

    /// A new empty store of each kind: an SQLite file, and a new database on the server (so
    /// tests never see each other's rows).
    func stores() throws -> [(String, any ForecastStore)] {
        let sqlite = try ForecastStoreURL.open("sqlite:\(dir.path)/f.sqlite")
        let server = try requireServer()
        let database = "f_" + UUID().uuidString.prefix(8).lowercased()
        try createDatabase(database, on: server)
        let url = "postgresql://\(server.user)@\(server.host):\(server.port)/\(database)"
        return [("sqlite", sqlite), ("postgresql", try ForecastStoreURL.open(url))]
    }

    func rows(issued: String, model: String = "m", station: String = "S1", values: [Double], start: Int = 0,
              intervals: [IntervalBounds] = []) -> [StoredForecast] {
        values.enumerated().map { k, v in
            StoredForecast(station: station, target: "temp", model: model, modelVersion: "v-\(issued)", issuedAt: issued,
                           validAt: ISOTime.format(Int64(start + k) * 3600), horizonStep: k + 1, value: v, intervals: intervals)
        }
    }

    func testUpsertIsIdempotentAndTheLatestIssueWins() throws {
        for (kind, store) in try stores() {
            let a = rows(issued: "2026-01-01T00:00:00.000Z", values: [1, 2, 3])
            try store.write(a)
            try store.write(a)
            XCTAssertEqual(try store.read(station: nil, since: nil), a, kind)
            let b = rows(issued: "2026-01-01T01:00:00.000Z", values: [20, 30, 40], start: 1)
            try store.write(b)
            let now = try store.read(station: nil, since: nil)
            XCTAssertEqual(now.map(\.value), [1, 20, 30, 40], kind)
            XCTAssertEqual(now.map(\.issuedAt), [a[0].issuedAt] + b.map(\.issuedAt), kind)
            // An earlier issue arriving late changes nothing it overlaps.
            try store.write(rows(issued: "2025-12-31T00:00:00.000Z", values: [7, 7, 7, 7, 7]))
            XCTAssertEqual(try store.read(station: nil, since: nil).map(\.value), [1, 20, 30, 40, 7], kind)
            try store.write(rows(issued: "2026-01-01T00:00:00.000Z", model: "other", values: [5]))
            try store.write(rows(issued: "2026-01-01T00:00:00.000Z", station: "S2", values: [6]))
            XCTAssertEqual(try store.read(station: nil, since: nil).count, 7, kind)
            XCTAssertEqual(try store.read(station: "S2", since: nil).map(\.value), [6], kind)
            XCTAssertEqual(try store.read(station: "S1", since: ISOTime.format(3 * 3600)).map(\.value), [40, 7], kind)
        }
    }

    func testIntervalLevelsGetAColumnPairAndANewerIssueWithoutThemClearsThem() throws {
        for (kind, store) in try stores() {
            let bounds = [IntervalBounds(level: 0.8, lower: 0.5, upper: 1.5), IntervalBounds(level: 0.975, lower: 0, upper: 2)]
            try store.write(rows(issued: "2026-01-01T00:00:00.000Z", values: [1], intervals: bounds))
            XCTAssertEqual(try store.read(station: nil, since: nil).first?.intervals, bounds, kind)
            try store.write(rows(issued: "2026-01-02T00:00:00.000Z", values: [2]))
            XCTAssertEqual(try store.read(station: nil, since: nil).first?.intervals, [], kind)
            XCTAssertEqual(try store.read(station: nil, since: nil).first?.value, 2, kind)
        }
    }

    func testAReaderNeverCreatesAndABadServerIsNamed() throws {
        let server = try requireServer()
        let database = "r_" + UUID().uuidString.prefix(8).lowercased()
        try createDatabase(database, on: server)
        let url = "postgresql://\(server.user)@\(server.host):\(server.port)/\(database)"
        XCTAssertThrowsError(try ForecastStoreURL.open(url, create: false)) { XCTAssertTrue("\($0)".contains("no forecasts table"), "\($0)") }
        XCTAssertNoThrow(try ForecastStoreURL.open(url))
        XCTAssertNoThrow(try ForecastStoreURL.open(url, create: false))
        // Port 1 on loopback: nothing listens there.
        XCTAssertThrowsError(try ForecastStoreURL.open("postgresql://\(server.user)@127.0.0.1:1/x")) {
            XCTAssertTrue("\($0)".contains("127.0.0.1:1"), "\($0)")
        }
        XCTAssertThrowsError(try ForecastStoreURL.open("postgresql://127.0.0.1:5432/x?study=a")) { XCTAssertTrue("\($0)".contains("bad PostgreSQL URL"), "\($0)") }
    }

    func createDatabase(_ name: String, on server: PostgresTestServer) throws {
        try PostgresPool.shared(for: try PostgresURL(server.url)).run { try $0.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)")) }
    }
}
