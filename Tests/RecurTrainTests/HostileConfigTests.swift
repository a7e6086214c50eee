import Foundation
@testable import RecurTrain
import XCTest

/// Configs that used to crash the process (issue 9, items 5 and 6): each must be a `ConfigError`
/// naming where the problem is.
final class HostileConfigTests: XCTestCase {
    /// The error `text` (with `overrides`) raises; fails the test when there is none.
    func error(_ text: String, overrides: [String] = [], file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        configError(text, overrides: overrides, file: file, line: line)
    }

    func testDeeplyNestedDocumentIsALocatedErrorNotAStackOverflow() throws {
        // 10,000 levels overflowed the recursive parser's stack (SIGSEGV).
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let text = "{\"description\": \(deep)}"
        let e = try XCTUnwrap(error(text))
        XCTAssertEqual(e.kind, .syntax)
        XCTAssertTrue(e.message.contains("nested more than \(ConfigParser.maxDepth) levels"), e.message)
        // The bracket that goes one level too deep: the object is level 1, so the 64th '['.
        XCTAssertEqual(e.location, SourceLocation(line: 1, column: 17 + ConfigParser.maxDepth - 1))
        XCTAssertTrue(e.description.hasPrefix("bad.json:1:"), e.description)
        // Nesting up to the limit is still read.
        let ok = String(repeating: "[", count: ConfigParser.maxDepth - 1) + String(repeating: "]", count: ConfigParser.maxDepth - 1)
        XCTAssertNoThrow(try ConfigParser.parse("{\"a\": \(ok)}"))
    }

    func testDeeplyNestedOverrideValueIsAnError() throws {
        let deep = String(repeating: "{\"a\":", count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        let e = try XCTUnwrap(error(minimalNative, overrides: ["description=" + deep]))
        XCTAssertEqual(e.kind, .override)
        XCTAssertTrue(e.message.contains("--set description=…"), e.message)
        XCTAssertTrue(e.message.contains("nested more than"), e.message)
        XCTAssertLessThan(e.description.count, 600, "the 50 kB value is not echoed whole")
    }

    func testHugeLayerIsRefusedBeforeAllocationNamingTheKey() throws {
        let text = minimalNative.replacingOccurrences(of: "\"training\"", with: """
            "model": {"layers": [{"type": "lstm", "units": 16}, {"type": "gru", "units": 100000000}]}, "training"
            """)
        let e = try XCTUnwrap(error(text))
        XCTAssertEqual(e.keyPath, "model.layers[1].units")
        XCTAssertNotNil(e.location)
        XCTAssertTrue(e.message.contains("100000000 units"), e.message)
        XCTAssertTrue(e.message.contains("needs about"), e.message)
        XCTAssertTrue(e.message.contains("PiB") || e.message.contains("TiB") || e.message.contains("EiB"), e.message)
        XCTAssertTrue(e.message.contains(ModelMemory.limitVariable), e.message)
    }

    func testHugeTemplateMultiplierIsRefusedNamingTheTemplateKey() throws {
        let template = """
        {"input_csv": "x.csv", "date_col": "date", "numeric_var": "temp", "n_past_steps": 12, "epochs": 2,
         "base_config": {"first_layer": {"mult": 100000, "dropout_rate": 0.1}, "last_layer": {"mult": 2, "dropout_rate": 0.1}},
         "mid_layers_config": {"mult": 2, "dropout_rate": 0.1, "n_layers": 1}}
        """
        let e = try XCTUnwrap(error(template))
        XCTAssertEqual(e.keyPath, "base_config.first_layer.mult")
        XCTAssertTrue(e.message.contains("too large"), e.message)
        // A multiplier whose product does not fit an Int used to trap in the conversion.
        let e2 = try XCTUnwrap(error(template.replacingOccurrences(of: "100000", with: "1e300")))
        XCTAssertEqual(e2.keyPath, "base_config.first_layer.mult")
    }

    func testTooManyMiddleLayersIsRefused() throws {
        let text = minimalNative.replacingOccurrences(of: "\"training\"", with: """
            "model": {"width_rule": {"middle": {"count": 1000000000}}}, "training"
            """)
        let e = try XCTUnwrap(error(text))
        XCTAssertEqual(e.keyPath, "model.width_rule.middle.count")
    }

    func testMemoryEstimateSaturatesAndTheLimitParses() {
        let arch = ModelArchitecture(inputSteps: 12, inputFeatures: 1, layers: [
            LayerSpec(type: "lstm", name: "lstm_1", inputSize: 1, units: 1 << 40),
            LayerSpec(type: "dense", name: "dense_1", inputSize: 1 << 40, units: 1),
        ])
        let m = ModelMemory(arch, batchSize: 32)
        XCTAssertEqual(m.totalBytes, Int.max)
        let small = ModelMemory(ModelArchitecture(inputSteps: 1, inputFeatures: 3, layers: [
            LayerSpec(type: "lstm", name: "lstm_1", inputSize: 3, units: 4),
            LayerSpec(type: "dense", name: "dense_1", inputSize: 4, units: 1),
        ]), batchSize: 1)
        XCTAssertEqual(small.parameterCount, 4 * 4 * (3 + 4 + 1) + 5)  // Keras: LSTM(4) on 3 inputs, Dense(1)
        XCTAssertEqual(ModelMemory.parseBytes("64G"), 64 << 30)
        XCTAssertEqual(ModelMemory.parseBytes("1000"), 1000)
        XCTAssertNil(ModelMemory.parseBytes("lots"))
        XCTAssertNil(ModelMemory.parseBytes("-5"))
        XCTAssertThrowsError(try arch.build(seed: 1)) { error in
            XCTAssertTrue("\(error)".contains("fits in memory"), "\(error)")
        }
    }

    func testAHugeUnknownKeyIsNotEchoedWhole() throws {
        let key = String(repeating: "k", count: 1_000_000)
        let e = try XCTUnwrap(error(minimalNative.replacingOccurrences(of: "\"training\"", with: "\"\(key)\": 1, \"training\"")))
        XCTAssertEqual(e.kind, .unknownKey)
        XCTAssertLessThan(e.description.count, 1000)
    }

    func testAFeatureListedTwiceIsRefused() throws {
        let text = minimalNative.replacingOccurrences(of: #""target": "value""#, with: #""target": "value", "features": ["hum", "wind", "hum"]"#)
        let e = try XCTUnwrap(error(text))
        XCTAssertEqual(e.keyPath, "data.features")
        XCTAssertTrue(e.hint?.contains("positions 1 and 3") == true, e.description)
    }
}
