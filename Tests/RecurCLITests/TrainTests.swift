import Foundation
import RecurTestSupport
import XCTest

/// `recur train` end to end on the built binary: results, packages, reproducibility, and every
/// bad input of the workflow issue (exit 2, one clear message, no partial package).
final class TrainTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try temporaryFolder("recur-train")
    }

    static var repo: URL { Datasets.packageRoot }

    /// An hourly synthetic CSV `date,hr,temp` (daily cycle), `days` days long.
    func writeSeries(_ name: String = "data.csv", days: Int = 20, transform: (Int, String) -> String? = { $1 }) throws -> URL {
        var lines = ["station,date,hr,temp"]
        for d in 0..<days {
            for h in 0..<24 {
                let i = d * 24 + h
                let v = 20 + 5 * sin(Double(i) * 2 * .pi / 24) + Double(i % 7) * 0.1
                let date = String(format: "2020-01-%02d", 1 + d % 28).replacingOccurrences(of: "2020-01", with: d < 28 ? "2020-01" : "2020-02")
                if let line = transform(i, "A1,\(date),\(h),\(String(format: "%.2f", v))") { lines.append(line) }
            }
        }
        let url = dir.appendingPathComponent(name)
        try lines.joined(separator: "\n").appending("\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func writeConfig(data: String, extra: String = "", training: String = "\"epochs\": 2, \"batch_size\": 16", name: String = "config.json") throws -> URL {
        let text = """
        // test config
        {
          "data": {"path": "\(data)", "date_column": "date", "hour_column": "hr", "target": "temp",
                   "station_column": "station", "station": "A1"\(extra)},
          "window": {"n_past_steps": 6},
          "model": {"layers": [{"type": "lstm", "units": 8}]},
          "training": {\(training)}
        }
        """
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    var packagePath: String { dir.appendingPathComponent("pkg").path }

    /// Runs `recur train` expecting exit 2 with `fragments` in the message and no package.
    func assertBadInput(_ arguments: [String], mentions fragments: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try CLIRunner.run(["train"] + arguments + ["--output", packagePath, "--quiet"])
        XCTAssertEqual(r.status, 2, "exit status; stderr: \(r.stderr)", file: file, line: line)
        for f in fragments {
            XCTAssertTrue(r.stderr.contains(f), "stderr should mention '\(f)': \(r.stderr)", file: file, line: line)
        }
        XCTAssertFalse(r.stderr.contains("Fatal error") || r.stderr.contains("Stack dump"), r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("error:") || r.stderr.contains("error:"), r.stderr, file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: packagePath), "no package may be left behind", file: file, line: line)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("pkg") }
        XCTAssertEqual(leftovers, [], "no partial package may be left behind", file: file, line: line)
    }

    func testTrainJSONReportsModelBesideBaselinesAndWritesALoadablePackage() throws {
        let csv = try writeSeries()
        let config = try writeConfig(data: csv.path)
        let r = try CLIRunner.run(["train", config.path, "--output", packagePath, "--json", "--seed", "3"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], r.stdout)
        XCTAssertEqual(object["package"] as? String, packagePath)
        XCTAssertEqual(object["epochs_run"] as? Int, 2)
        XCTAssertGreaterThan(object["train_samples"] as? Int ?? 0, 100)
        XCTAssertNotNil(object["train_seconds"] as? Double)
        let metrics = try XCTUnwrap(object["metrics"] as? [String: Any])
        for part in ["train", "validation", "test"] {
            let m = try XCTUnwrap(metrics[part] as? [String: Any], part)
            for key in ["rmse", "mae", "r2"] { XCTAssertNotNil(m[key] as? Double, "\(part).\(key)") }
        }
        let baselines = try XCTUnwrap(object["baselines"] as? [String: Any])
        for b in ["persistence", "seasonal_naive"] {
            let test = try XCTUnwrap((baselines[b] as? [String: Any])?["test"] as? [String: Any], b)
            XCTAssertNotNil(test["rmse"] as? Double)
            XCTAssertNotNil(test["mae"] as? Double)
        }
        for file in ["manifest.json", "weights.safetensors", "history.csv", "predictions_test.csv"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: packagePath + "/" + file), file)
        }
        let manifest = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: packagePath + "/manifest.json"))) as? [String: Any])
        XCTAssertEqual(manifest["format_version"] as? Int, 1)
        XCTAssertEqual((manifest["training"] as? [String: Any])?["seed"] as? Int, 3)
    }

    func testOutputFolderIsCreatedWhenMissing() throws {
        let csv = try writeSeries()
        let config = try writeConfig(data: csv.path)
        let nested = dir.appendingPathComponent("not/yet/there/pkg").path
        let r = try CLIRunner.run(["train", config.path, "--output", nested, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: nested + "/manifest.json"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("not/yet/there").path)
        XCTAssertEqual(leftovers.sorted(), ["pkg", "results.csv"], "the checkpoint beside the package is removed after success; the results table goes beside the package")
    }

    func testSameConfigAndSeedGiveBitIdenticalWeights() throws {
        let csv = try writeSeries()
        let config = try writeConfig(data: csv.path)
        var weights: [Data] = []
        for k in 0..<2 {
            let out = dir.appendingPathComponent("run\(k)").path
            let r = try CLIRunner.run(["train", config.path, "--output", out, "--quiet", "--seed", "11"])
            XCTAssertEqual(r.status, 0, r.stderr)
            weights.append(try Data(contentsOf: URL(fileURLWithPath: out + "/weights.safetensors")))
        }
        XCTAssertEqual(weights[0], weights[1])
        let other = dir.appendingPathComponent("run-other").path
        XCTAssertEqual(try CLIRunner.run(["train", config.path, "--output", other, "--quiet", "--seed", "12"]).status, 0)
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: other + "/weights.safetensors")), weights[0])
    }

    func testMissingDataFile() throws {
        let config = try writeConfig(data: dir.appendingPathComponent("nope.csv").path)
        try assertBadInput([config.path], mentions: ["nope.csv"])
    }

    func testMissingConfigFile() throws {
        try assertBadInput([dir.appendingPathComponent("absent.json").path], mentions: ["absent.json"])
    }

    func testEmptyFileAndHeaderOnly() throws {
        let empty = dir.appendingPathComponent("empty.csv")
        try "".write(to: empty, atomically: true, encoding: .utf8)
        try assertBadInput([try writeConfig(data: empty.path).path], mentions: ["empty.csv"])
        let header = dir.appendingPathComponent("header.csv")
        try "station,date,hr,temp\n".write(to: header, atomically: true, encoding: .utf8)
        try assertBadInput([try writeConfig(data: header.path, name: "c2.json").path], mentions: ["header.csv"])
    }

    func testMissingColumnListsTheColumnsThatExist() throws {
        let csv = try writeSeries()
        let config = try writeConfig(data: csv.path)
        try assertBadInput([config.path, "--set", "data.target=temperature"], mentions: ["temperature", "station, date, hr, temp"])
    }

    func testTemplateAgainstA620NamesTheMissingColumn() throws {
        let template = try Datasets.url("seed-config-template.json")
        let a620 = try Datasets.path("a620-hourly-temperature.csv")
        try assertBadInput([template.path, "--set", "input_csv=\(a620)"], mentions: ["temperature", "numeric_var", "inme, date, hr, temp"])
    }

    func testNonNumericCellUnderTheErrorPolicyNamesFileLineAndColumn() throws {
        let csv = try writeSeries { i, line in i == 30 ? "A1,2020-01-02,6,warm" : line }
        let config = try writeConfig(data: csv.path, extra: ", \"cleaning\": {\"non_numeric\": \"error\"}")
        try assertBadInput([config.path], mentions: ["data.csv", "line 32", "temp", "warm"])
    }

    func testUnknownStationListsThePresentOnes() throws {
        let csv = try writeSeries()
        let config = try writeConfig(data: csv.path)
        try assertBadInput([config.path, "--set", "data.station=B9"], mentions: ["B9", "A1"])
    }

    func testAllValuesMissing() throws {
        let csv = try writeSeries { _, line in line.split(separator: ",").prefix(3).joined(separator: ",") + "," }
        let config = try writeConfig(data: csv.path)
        try assertBadInput([config.path], mentions: ["data.csv", "temp"])
    }

    func testTooFewRowsForTheWindow() throws {
        let csv = try writeSeries(days: 1)
        let config = try writeConfig(data: csv.path)
        try assertBadInput([config.path, "--set", "window.n_past_steps=30"], mentions: ["n_past_steps"])
    }

    func testUnparseableDate() throws {
        let csv = try writeSeries { i, line in i == 5 ? "A1,2020-13-45,5,20.0" : line }
        let config = try writeConfig(data: csv.path)
        try assertBadInput([config.path], mentions: ["data.csv", "line 7", "2020-13-45"])
    }

    func testConfigValuesOfWrongTypeOrOutOfRange() throws {
        let csv = try writeSeries()
        let config = try writeConfig(data: csv.path)
        try assertBadInput([config.path, "--set", "training.epochs=-5"], mentions: ["training.epochs"])
        try assertBadInput([config.path, "--set", "training.epochs=\"many\""], mentions: ["training.epochs"])
        try assertBadInput([config.path, "--set", "model.layers[0].dropout=1.5"], mentions: ["dropout", "1.5"])
        try assertBadInput([config.path, "--set", "split={\"train\": 0.7, \"validation\": 0.2, \"test\": 0.2}"], mentions: ["sum to 1"])
        try assertBadInput([config.path, "--set", "training.epocs=3"], mentions: ["training.epocs", "training.epochs"])
    }

    func testMelbourneExampleReproducesTheSeedResult() throws {
        _ = try Datasets.requireFolder()
        let config = Self.repo.appendingPathComponent("examples/melbourne-seed.json").path
        let r = try CLIRunner.run(["train", config, "--output", packagePath, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let test = try XCTUnwrap((object["metrics"] as? [String: Any])?["test"] as? [String: Any])
        let rmse = try XCTUnwrap(test["rmse"] as? Double)
        XCTAssertLessThanOrEqual(rmse, 2.47, "the seed lesson's test RMSE is 2.451")
        let persistence = try XCTUnwrap(((object["baselines"] as? [String: Any])?["persistence"] as? [String: Any])?["test"] as? [String: Any])
        XCTAssertEqual(persistence["rmse"] as? Double ?? 0, 2.652, accuracy: 0.01, "DESIGN.md: persistence 2.652")
        XCTAssertEqual(object["train_samples"] as? Int, 1997)
    }

    func testTemplateTrainsOnA620WithTheTargetOverride() throws {
        let template = try Datasets.url("seed-config-template.json")
        let a620 = try Datasets.path("a620-hourly-temperature.csv")
        let r = try CLIRunner.run(["train", template.path, "--set", "numeric_var=temp", "--set", "input_csv=\(a620)",
                                   "--set", "epochs=1", "--since", "2016-04-01", "--until", "2016-06-30",
                                   "--output", packagePath, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["units"] as? [Int], [24, 48, 96, 192], "the template's documented width rule")
        XCTAssertNotNil(((object["baselines"] as? [String: Any])?["persistence"] as? [String: Any])?["test"])
        // April-May 2016 holds hundreds of 0.0 readings: detected, recorded, never trained on.
        let manifest = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: packagePath + "/manifest.json"))) as? [String: Any])
        let cleaning = try XCTUnwrap((manifest["data"] as? [String: Any])?["cleaning"] as? [String: Any])
        XCTAssertEqual(cleaning["sentinels"] as? [Double], [0.0], "0.0 detected as a sentinel and recorded for predict")
        let predictions = try String(contentsOfFile: packagePath + "/predictions_test.csv", encoding: .utf8)
        let actuals = predictions.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[2] }
        XCTAssertFalse(actuals.contains("0.0"), "no sentinel among the actual values")
    }
}
