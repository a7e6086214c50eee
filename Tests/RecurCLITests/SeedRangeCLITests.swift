import Foundation
import RecurTestSupport
import XCTest

/// Seeds from 0 to 2^64 − 1, as `--seed` promises: seeds too large for a JSON number's 53-bit
/// mantissa train, are told apart (2^64 − 1 and 2^64 − 2 are one double), and are recorded in
/// the package exactly (as a decimal string).
final class SeedRangeCLITests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try temporaryFolder("recur-seed-range")
    }

    func writeConfig() throws -> String {
        let data = dir.appendingPathComponent("series.csv")
        try SmallModel.series(hours: 200).write(to: data, atomically: true, encoding: .utf8)
        let config = dir.appendingPathComponent("config.json")
        try """
        {"data": {"path": "\(data.path)", "date_column": "date", "hour_column": "hr", "target": "temp"},
         "window": {"n_past_steps": 4}, "model": {"layers": [{"type": "lstm", "units": 4}]},
         "training": {"epochs": 1, "batch_size": 16, "checkpoint": false}, "output": {"directory": "\(dir.path)"}}
        """.write(to: config, atomically: true, encoding: .utf8)
        return config.path
    }

    func train(_ config: String, _ name: String, _ extra: [String]) throws -> (manifest: [String: Any], weights: Data) {
        let package = dir.appendingPathComponent(name)
        let r = try CLIRunner.run(["train", config, "--output", package.path, "--quiet"] + extra)
        XCTAssertEqual(r.status, 0, r.stderr)
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: package.appendingPathComponent("manifest.json"))) as? [String: Any]
        return (try XCTUnwrap(manifest), try Data(contentsOf: package.appendingPathComponent("weights.safetensors")))
    }

    /// `training.seed` of the config the package records (`config.document`, JSON text).
    func trainingSeed(_ manifest: [String: Any]) -> Any? {
        guard let text = (manifest["config"] as? [String: Any])?["document"] as? String,
              let document = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return nil }
        return (document["training"] as? [String: Any])?["seed"]
    }

    func testSeedsAbove2To53TrainAreToldApartAndAreRecordedExactly() throws {
        let config = try writeConfig()
        let top = try train(config, "top", ["--seed", "18446744073709551615"])
        let again = try train(config, "again", ["--seed", "18446744073709551615"])
        let below = try train(config, "below", ["--seed", "18446744073709551614"])
        XCTAssertEqual(top.weights, again.weights, "the same seed gives the same model, bit for bit")
        XCTAssertNotEqual(top.weights, below.weights, "2^64 - 1 and 2^64 - 2 are different seeds")
        XCTAssertEqual(trainingSeed(top.manifest) as? String, "18446744073709551615", "\(top.manifest["config"] ?? "no config")")
        // A seed written as a decimal string in a config is the same seed.
        let quoted = try train(config, "quoted", ["--set", "training.seed=\"18446744073709551615\""])
        XCTAssertEqual(quoted.weights, top.weights)
        // Small seeds stay JSON numbers.
        let small = try train(config, "small", ["--seed", "7"])
        XCTAssertEqual(trainingSeed(small.manifest) as? Int, 7)
    }

    func testALargeSeedWrittenAsANumberIsRefusedWithTheFix() throws {
        let config = try writeConfig()
        let r = try CLIRunner.run(["train", config, "--set", "training.seed=18446744073709551615", "--quiet"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("`training.seed`") && r.stderr.contains("\"18446744073709551615\""), r.stderr)
        let bad = try CLIRunner.run(["train", config, "--set", "training.seed=\"18446744073709551616\"", "--quiet"])
        XCTAssertEqual(bad.status, 2, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("`training.seed`") && bad.stderr.contains("2^64"), bad.stderr)
    }
}
