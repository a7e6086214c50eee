import Foundation
import RecurTrain
@testable import RecurTune
import XCTest

/// `PrettyJSON` (the writer of `recur study show --json` / `study export --format json`) reads
/// back as what JSONSerialization wrote before, times as ISO8601DateFormatter's, metrics as
/// their JSON encoding.
final class PrettyJSONTests: XCTestCase {
    func parse(_ text: String) throws -> NSObject {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) as? NSObject, text)
    }

    func testTheTextReadsBackAsJSONSerializationsDid() throws {
        typealias J = PrettyJSON.Value
        let s = "quote \" backslash \\ newline \n tab \t bell \u{07} slash / ünï 🚀"
        let typed: J = .object([
            "s": .string(s), "empty": .object([:]), "none": .array([]), "n": .int(3), "u": .uint(.max), "d": .number(0.30000000000000004),
            "big": .number(1e300), "tiny": .number(5e-324), "neg": .number(-2.5), "whole": .number(50), "one": .number(1), "zero": .number(0),
            "t": .bool(true), "f": .bool(false), "null": .null, "nan": .number(.nan),
            "nested": .object(["b": .array([.int(1), .number(2.5), .string("x"), .null, .object(["k": .bool(false)])]),
                               "a": .object(["10": .number(1), "2": .number(0.5)])]),
        ])
        let plain: [String: Any] = [
            "s": s, "empty": [String: Any](), "none": [Any](), "n": 3, "u": UInt64.max, "d": 0.30000000000000004,
            "big": 1e300, "tiny": 5e-324, "neg": -2.5, "whole": 50, "one": 1, "zero": 0, "t": true, "f": false, "null": NSNull(), "nan": NSNull(),
            "nested": ["b": [1, 2.5, "x", NSNull(), ["k": false] as [String: Any]] as [Any], "a": ["10": 1, "2": 0.5] as [String: Any]] as [String: Any],
        ]
        let text = PrettyJSON.text(typed)
        let before = try JSONSerialization.data(withJSONObject: plain, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        XCTAssertEqual(try parse(text), try parse(String(decoding: before, as: UTF8.self)))
        XCTAssertTrue(text.hasPrefix("{\n  \"big\" : 1e+300,\n  \"d\" : 0.30000000000000004,"), text)
        XCTAssertTrue(text.contains("\"t\" : true,") && text.contains("\"one\" : 1,") && text.contains("\"zero\" : 0\n}"), text)
    }

    func testTimesAreWrittenAsISO8601DateFormatterWritesThem() {
        let iso = ISO8601DateFormatter()
        for t in [0, 1, 59.999, 951_782_400, 1_700_000_000.75, 4_102_444_799, 1_764_648_000 + 0.5] as [Double] {
            XCTAssertEqual(PrettyJSON.time(t), iso.string(from: Date(timeIntervalSince1970: t)), "\(t)")
        }
    }

    func testMetricsReadBackAsTheirJSONEncoding() throws {
        var full = MetricSet(rmse: 1.25, mae: 0.5, r2: 0.75, maxError: 3, mape: 2.5, smape: 2.25, mase: 0.875, count: 120)
        full.intervals = ["80": IntervalMetrics(level: 0.8, coverage: 0.79, meanWidth: 1.5, pinball: 0.125, count: 120)]
        let sparse = MetricSet(rmse: 1, mae: 1, r2: nil, maxError: 2, mape: nil, smape: 1, mase: nil, count: 3)
        for m in [full, sparse] {
            let encoded = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(m)) as? NSObject
            XCTAssertEqual(try parse(PrettyJSON.text(PrettyJSON.metrics(m))), encoded)
        }
        XCTAssertEqual(PrettyJSON.text(PrettyJSON.metrics(MetricSet(rmse: .nan, mae: 1, r2: nil, maxError: 1, mape: nil, smape: 1, mase: nil, count: 1))), "null")
        XCTAssertEqual(PrettyJSON.text(PrettyJSON.metrics(nil)), "null")
    }
}
