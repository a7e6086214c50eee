import Foundation
import RecurTestSupport
import XCTest

/// Ensembles end to end on the built binary: `search.ensemble` in `recur tune` (one package of
/// K networks, read by predict and evaluate from the package alone; kept on a resumed run) and
/// the bad inputs of `training.ensemble` and `search.ensemble` (exit 2 naming the key).
final class EnsembleCLITests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try temporaryFolder("recur-ensemble-cli")
    }

    func writeConfig(training: String = "", search: String = "\"ensemble\": 3") throws -> String {
        let data = dir.appendingPathComponent("series.csv")
        try SmallModel.series(hours: 300).write(to: data, atomically: true, encoding: .utf8)
        let text = """
        {
          "data": {"path": "\(data.path)", "date_column": "date", "hour_column": "hr", "target": "temp"},
          "window": {"n_past_steps": 4, "horizon": 2},
          "model": {"layers": [{"type": "lstm", "units": 4}]},
          "training": {"epochs": 2, "batch_size": 16, "checkpoint": false\(training)},
          "output": {"directory": "runs"},
          "search": {"max_evals": 2, "startup_trials": 2, \(search),
                     "space": {"training.optimizer.learning_rate": {"log_uniform": [0.001, 0.05]}}}
        }
        """
        let url = dir.appendingPathComponent("tiny.json")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func json(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text, file: file, line: line)
    }

    func testTuneTrainsTheBestTrialsSettingsAsAnEnsembleThatPredictAndEvaluateRead() throws {
        let config = try writeConfig()
        let r = try CLIRunner.run(["tune", config, "--json", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try json(r.stdout)
        let best = try XCTUnwrap(object["best"] as? [String: Any])
        let ensemble = try XCTUnwrap(object["ensemble"] as? [String: Any], r.stdout)
        XCTAssertEqual(ensemble["trial"] as? Int, best["number"] as? Int)
        XCTAssertEqual(ensemble["members"] as? Int, 3)
        XCTAssertEqual(ensemble["reused"] as? Bool, false)
        let path = try XCTUnwrap(ensemble["package"] as? String)
        XCTAssertEqual(path, dir.appendingPathComponent("runs/tiny.study.ensemble").path)
        for file in ["manifest.json", "weights.safetensors", "weights-member-2.safetensors", "weights-member-3.safetensors"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(file)), file)
        }
        let manifest = try json(try String(contentsOfFile: (path as NSString).appendingPathComponent("manifest.json"), encoding: .utf8))
        let members = try XCTUnwrap((manifest["ensemble"] as? [String: Any])?["members"] as? [[String: Any]])
        let seeds = members.compactMap { $0["seed"] as? Int }
        XCTAssertEqual(seeds.count, 3)
        XCTAssertEqual(seeds, [seeds[0], seeds[0] + 1, seeds[0] + 2])
        let validation = try XCTUnwrap(ensemble["validation"] as? [String: Any])
        XCTAssertEqual(validation["rmse"] as? Double, ((manifest["metrics"] as? [String: Any])?["validation"] as? [String: Any])?["rmse"] as? Double)

        // Predict and evaluate read the ensemble from its package alone.
        let data = dir.appendingPathComponent("series.csv").path
        let p = try CLIRunner.run(["predict", path, "--input", data, "--steps", "2"])
        XCTAssertEqual(p.status, 0, p.stderr)
        XCTAssertEqual(p.stdout.split(separator: "\n").first.map(String.init), "timestamp,value,lower_80,upper_80,lower_95,upper_95")
        let e = try CLIRunner.run(["evaluate", path, "--input", data, "--json"])
        XCTAssertEqual(e.status, 0, e.stderr)

        // A resumed study keeps the ensemble it already trained.
        let again = try CLIRunner.run(["tune", config, "--json", "--quiet"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual((try json(again.stdout)["ensemble"] as? [String: Any])?["reused"] as? Bool, true)
    }

    func testBadEnsembleSettingsExitTwoNamingTheKey() throws {
        let zero = try writeConfig(search: "\"ensemble\": 0")
        var r = try CLIRunner.run(["tune", zero, "--quiet"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("search.ensemble"), r.stderr)

        let inTrials = try writeConfig(training: ", \"ensemble\": 2", search: "\"ensemble\": 1")
        r = try CLIRunner.run(["tune", inTrials, "--quiet"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("training.ensemble") && r.stderr.contains("search.ensemble"), r.stderr)

        r = try CLIRunner.run(["train", inTrials, "--set", "training.ensemble=101", "--quiet"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("training.ensemble"), r.stderr)
        XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr)
    }
}
