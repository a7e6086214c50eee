import RecurTrain
import XCTest

/// `search.heartbeat_seconds` (> 0, default 10) and `search.max_retries` (≥ 0, default 2).
final class SearchLeaseConfigTests: XCTestCase {
    func config(_ search: String) throws -> RecurConfig {
        try RecurConfig.parse("""
            {"data": {"path": "x.csv", "datetime_column": "time", "target": "t"}, "window": {"n_past_steps": 4}, "model": {"layers": [{"type": "lstm", "units": 4}]},
             "training": {"epochs": 1, "optimizer": {"name": "adam"}},
             "search": {"space": {"training.epochs": {"int": [1, 2]}}\(search)}}
            """, file: "lease.json")
    }

    func testDefaultsAndGivenValues() throws {
        let defaults = try XCTUnwrap(try config("").search)
        XCTAssertEqual(defaults.heartbeatSeconds, 10)
        XCTAssertEqual(defaults.maxRetries, 2)
        let given = try XCTUnwrap(try config(", \"heartbeat_seconds\": 0.5, \"max_retries\": 0").search)
        XCTAssertEqual(given.heartbeatSeconds, 0.5)
        XCTAssertEqual(given.maxRetries, 0)
    }

    func testOutOfRangeValuesNameTheirKey() {
        for (text, key) in [(", \"heartbeat_seconds\": 0", "search.heartbeat_seconds"), (", \"heartbeat_seconds\": -1", "search.heartbeat_seconds"),
                            (", \"max_retries\": -1", "search.max_retries"), (", \"max_retries\": 1.5", "search.max_retries")] {
            XCTAssertThrowsError(try config(text), text) { error in
                XCTAssertEqual((error as? ConfigError)?.keyPath, key, "\(error)")
            }
        }
    }
}
