import Foundation
import RecurTrain
@testable import RecurTune
import XCTest

/// `FlatJSON.params` (the study loads' parameter decoding) gives what `ParamsJSON.decode` gives
/// on every text `ParamsJSON.encode` writes, and hands anything else to it.
final class FlatJSONTests: XCTestCase {
    func testTheScanAgreesWithJSONDecoderOnEncodedParameters() throws {
        var rng = SystemRandomNumberGenerator()
        var cases: [[String: SearchValue]] = [
            [:],
            ["a": .number(0)], ["a": .number(-0.0)], ["b": .number(1e-300)], ["c": .number(-1.7976931348623157e308)],
            ["d": .number(0.1 + 0.2)], ["e": .number(5e-324)], ["f": .number(123456789012345678)],
            ["g": .string("")], ["h": .string("größe ünd 日本 🚀")], ["i": .string("a/b")], ["j": .bool(true), "k": .bool(false)],
            ["model.width_rule.first.mult": .number(2), "model.layers.0.type": .string("lstm"), "training.optimizer.learning_rate": .number(0.00123)],
        ]
        for _ in 0..<500 {
            var p: [String: SearchValue] = [:]
            for k in 0..<Int.random(in: 1...6, using: &rng) {
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: p["n\(k)"] = .number(Double.random(in: -1e6...1e6, using: &rng))
                case 1: p["n\(k)"] = .number(exp(Double.random(in: -700...700, using: &rng)))
                case 2: p["s\(k)"] = .string(String(Int.random(in: 0...1_000_000, using: &rng), radix: 36))
                default: p["b\(k)"] = .bool(Bool.random(using: &rng))
                }
            }
            cases.append(p)
        }
        for p in cases {
            let text = ParamsJSON.encode(p)
            XCTAssertNotNil(FlatJSON.scan(text), "the scan reads \(text) itself")
            XCTAssertEqual(try FlatJSON.params(text), try ParamsJSON.decode(text), text)
            XCTAssertEqual(try FlatJSON.params(text), p, text)
        }
    }

    func testTextTheScanDoesNotExpectGoesToJSONDecoder() throws {
        // Escapes, spaces and nesting: JSONDecoder decides, as before.
        XCTAssertNil(FlatJSON.scan(#"{"a":"x\"y"}"#))
        XCTAssertEqual(try FlatJSON.params(#"{"a":"x\"y"}"#), ["a": .string("x\"y")])
        XCTAssertEqual(try FlatJSON.params(#" { "a" : 1 , "b" : true } "#), ["a": .number(1), "b": .bool(true)])
        XCTAssertNil(FlatJSON.scan(#"{"a":1e999}"#))
        XCTAssertNil(FlatJSON.scan(#"{"a":1"#))
        XCTAssertNil(FlatJSON.scan(#"{"a":1}x"#))
        XCTAssertNil(FlatJSON.scan(#"{"a":[1]}"#))
        XCTAssertThrowsError(try FlatJSON.params(#"{"a":null}"#))
        XCTAssertThrowsError(try FlatJSON.params(#"{"a":[1]}"#))
        XCTAssertThrowsError(try FlatJSON.params("not json"))
    }
}
