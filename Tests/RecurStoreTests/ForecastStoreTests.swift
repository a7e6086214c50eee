import Foundation
@testable import RecurStore
import RecurTestSupport
import XCTest

/// The forecast store's upsert: idempotent, keyed by (station, target, model, valid_at), the
/// latest issue wins; interval columns; refusing what is not a store.
final class ForecastStoreTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try temporaryFolder("recur-store")
    }

    func rows(issued: String, model: String = "m", station: String = "S1", values: [Double], start: Int = 0,
              intervals: [IntervalBounds] = []) -> [StoredForecast] {
        values.enumerated().map { k, v in
            StoredForecast(station: station, target: "temp", model: model, modelVersion: "v-\(issued)", issuedAt: issued,
                           validAt: ISOTime.format(Int64(start + k) * 3600), horizonStep: k + 1, value: v, intervals: intervals)
        }
    }

    func testUpsertIsIdempotentAndTheLatestIssueWins() throws {
        let store = try ForecastStores.open(url: "sqlite:\(dir.path)/f.sqlite")
        let a = rows(issued: "2026-01-01T00:00:00.000Z", values: [1, 2, 3])
        try store.write(a)
        try store.write(a)
        XCTAssertEqual(try store.read(station: nil, since: nil), a)

        // A later issue overlapping two valid times replaces those and adds one.
        let b = rows(issued: "2026-01-01T01:00:00.000Z", values: [20, 30, 40], start: 1)
        try store.write(b)
        let now = try store.read(station: nil, since: nil)
        XCTAssertEqual(now.map(\.value), [1, 20, 30, 40])
        XCTAssertEqual(now.map(\.issuedAt), [a[0].issuedAt] + b.map(\.issuedAt))

        // An earlier issue arriving late changes nothing it overlaps.
        try store.write(rows(issued: "2025-12-31T00:00:00.000Z", values: [7, 7, 7, 7, 7]))
        XCTAssertEqual(try store.read(station: nil, since: nil).map(\.value), [1, 20, 30, 40, 7])

        // Other stations and models are other keys.
        try store.write(rows(issued: "2026-01-01T00:00:00.000Z", model: "other", values: [5]))
        try store.write(rows(issued: "2026-01-01T00:00:00.000Z", station: "S2", values: [6]))
        XCTAssertEqual(try store.read(station: nil, since: nil).count, 7)
        XCTAssertEqual(try store.read(station: "S2", since: nil).map(\.value), [6])
        XCTAssertEqual(try store.read(station: "S1", since: ISOTime.format(3 * 3600)).map(\.value), [40, 7])
    }

    func testIntervalLevelsGetAColumnPairAndANewerIssueWithoutThemClearsThem() throws {
        let store = try SQLiteForecastStore(path: dir.appendingPathComponent("f.sqlite").path)
        let bounds = [IntervalBounds(level: 0.8, lower: 0.5, upper: 1.5), IntervalBounds(level: 0.975, lower: 0, upper: 2)]
        try store.write(rows(issued: "2026-01-01T00:00:00.000Z", values: [1], intervals: bounds))
        XCTAssertEqual(try store.read(station: nil, since: nil).first?.intervals, bounds)
        XCTAssertEqual(IntervalBounds.columns(0.8).lower, "lower_80")
        XCTAssertEqual(IntervalBounds.columns(0.975).upper, "upper_97_5")
        try store.write(rows(issued: "2026-01-02T00:00:00.000Z", values: [2]))
        XCTAssertEqual(try store.read(station: nil, since: nil).first?.intervals, [])
    }

    func testWhatIsNotAStoreIsRefused() throws {
        let text = dir.appendingPathComponent("notes.txt")
        try "hello".write(to: text, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ForecastStores.open(url: "sqlite:\(text.path)")) { XCTAssertTrue("\($0)".contains("not an SQLite"), "\($0)") }
        XCTAssertThrowsError(try ForecastStores.open(url: "sqlite:\(dir.path)/missing.sqlite", create: false)) { XCTAssertTrue("\($0)".contains("does not exist"), "\($0)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(dir.path)/missing.sqlite"))
        XCTAssertThrowsError(try ForecastStores.open(url: "mysql://x")) { XCTAssertEqual($0 as? StoreError, .invalidURL("mysql://x")) }
        XCTAssertThrowsError(try ForecastStores.open(url: "postgresql://localhost/db")) { XCTAssertTrue("\($0)".contains("PostgreSQL"), "\($0)") }
        XCTAssertThrowsError(try ForecastStores.open(url: "sqlite:")) { XCTAssertEqual($0 as? StoreError, .invalidURL("sqlite:")) }
    }

    func testIssueTimesOrderAsText() {
        XCTAssertEqual(ISOTime.format(0), "1970-01-01T00:00:00Z")
        XCTAssertEqual(ISOTime.issued(Date(timeIntervalSince1970: 1.5)), "1970-01-01T00:00:01.500Z")
        XCTAssertEqual(ISOTime.issued(Date(timeIntervalSince1970: 86_400.007)), "1970-01-02T00:00:00.007Z")
    }
}
