import Foundation
import RecurTestSupport
import XCTest

/// Issue 11 on the built binary: window scaling beats persistence on a trending series where
/// MinMax cannot, `inspect` advises it, the honesty guard speaks up, and the bad inputs of
/// calendar features and window scaling exit 2 naming the key.
final class ForecastingCLITests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try temporaryFolder("recur-forecasting")
    }

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    func testRMSE(_ o: [String: Any], _ part: String = "test") -> Double? {
        ((o["metrics"] as? [String: Any])?[part] as? [String: Any])?["rmse"] as? Double
    }

    func persistenceRMSE(_ o: [String: Any]) -> Double? {
        (((o["baselines"] as? [String: Any])?["persistence"] as? [String: Any])?["test"] as? [String: Any])?["rmse"] as? Double
    }

    /// `recur synth --trend --days 40` into the temp folder; returns the config's path.
    func synthTrend() throws -> String {
        let r = try CLIRunner.run(["synth", "--trend", "--days", "40", "--output", dir.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        return dir.appendingPathComponent("synthetic-trend.json").path
    }

    func train(_ config: String, _ name: String, _ sets: [String]) throws -> (CLIRunner.Result, [String: Any]) {
        let small = ["--set", "training.epochs=10", "--set", "model.layers[0].units=16"]
        let r = try CLIRunner.run(["train", config, "--json", "--output", dir.appendingPathComponent(name).path]
                                  + small + sets.flatMap { ["--set", $0] })
        XCTAssertEqual(r.status, 0, r.stderr)
        return (r, try json(r.stdout))
    }

    func testWindowAndAutoScalingBeatPersistenceOnATrendWhereMinMaxCannot() throws {
        let config = try synthTrend()
        let (_, window) = try train(config, "window", ["scaling=window"])
        let persistence = try XCTUnwrap(persistenceRMSE(window))
        XCTAssertLessThan(try XCTUnwrap(testRMSE(window)), 0.9 * persistence)
        XCTAssertEqual(window["worse_than_persistence"] as? Bool, false)

        let (_, auto) = try train(config, "auto", ["scaling=auto"])
        XCTAssertLessThan(try XCTUnwrap(testRMSE(auto)), 0.9 * persistence)
        XCTAssertEqual((auto["scaling_choice"] as? [String: Any])?["chosen"] as? String, "window")
        let manifest = try json(String(contentsOfFile: dir.appendingPathComponent("auto/manifest.json").path, encoding: .utf8))
        XCTAssertEqual((manifest["scaling_choice"] as? [String: Any])?["chosen"] as? String, "window")

        // The same network scaled by MinMax leaves its range and loses to persistence; the
        // honesty guard says so on stderr, in --json and in the package.
        let (r, minmax) = try train(config, "minmax", ["scaling=minmax"])
        XCTAssertGreaterThan(try XCTUnwrap(testRMSE(minmax)), persistence)
        XCTAssertEqual(minmax["worse_than_persistence"] as? Bool, true)
        XCTAssertTrue(r.stderr.contains("WARNING: the model is worse than persistence on the validation part"), r.stderr)
        XCTAssertTrue(r.stderr.contains("outside the training part's range"), r.stderr)
        XCTAssertTrue(r.stderr.contains("\"scaling\": \"window\""), r.stderr)
        let bad = try json(String(contentsOfFile: dir.appendingPathComponent("minmax/manifest.json").path, encoding: .utf8))
        XCTAssertEqual(bad["worse_than_persistence"] as? Bool, true)

        // predict reads the window transform from the package alone.
        let data = dir.appendingPathComponent("synthetic-trend.csv").path
        let p = try CLIRunner.run(["predict", dir.appendingPathComponent("window").path, "--input", data, "--steps", "3"])
        XCTAssertEqual(p.status, 0, p.stderr)
        let values = p.stdout.split(separator: "\n").dropFirst().compactMap { Double($0.split(separator: ",")[1]) }
        XCTAssertEqual(values.count, 3)
        // The series ends near 10 + 0.2 × 40 = 18 plus its daily cycle; MinMax could not reach it.
        XCTAssertTrue(values.allSatisfy { $0 > 12 && $0 < 25 }, "\(values)")
    }

    func testMelbourneCalendarExampleBeatsARWithFourierTerms() throws {
        let repo = Datasets.packageRoot
        _ = try Datasets.requireFolder()
        let config = repo.appendingPathComponent("examples/melbourne-calendar.json").path
        let r = try CLIRunner.run(["train", config, "--json", "--quiet", "--output", dir.appendingPathComponent("mel").path,
                                   "--set", "output.directory=\(dir.path)"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let o = try json(r.stdout)
        // AR(14) with annual Fourier terms: 2.303 (DESIGN.md section 3); measured 2.2754.
        XCTAssertLessThanOrEqual(try XCTUnwrap(testRMSE(o)), 2.30)
        XCTAssertEqual(o["worse_than_persistence"] as? Bool, false)
        let manifest = try json(String(contentsOfFile: dir.appendingPathComponent("mel/manifest.json").path, encoding: .utf8))
        let calendar = ((manifest["data"] as? [String: Any])?["calendar"] as? [String: Any])?["features"] as? [String]
        XCTAssertEqual(calendar, ["day_of_year"])
    }

    func testInspectAdvisesWindowScalingOnATrend() throws {
        _ = try synthTrend()
        let r = try CLIRunner.run(["inspect", dir.appendingPathComponent("synthetic-trend.csv").path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("a trend or level shift"), r.stdout)
        XCTAssertTrue(r.stdout.contains("\"scaling\": \"window\""), r.stdout)
        let j = try CLIRunner.run(["inspect", dir.appendingPathComponent("synthetic-trend.csv").path, "--json"])
        XCTAssertEqual((try json(j.stdout)["level_shift"] as? [String: Any])?["detected"] as? Bool, true)
    }

    func testTuneReportsABestTrialWorseThanPersistence() throws {
        _ = try synthTrend()
        let config = dir.appendingPathComponent("tune.json").path
        try """
        {
          "data": {"path": "synthetic-trend.csv", "datetime_column": "time", "target": "value"},
          "window": {"n_past_steps": 12},
          "model": {"layers": [{"type": "lstm", "units": 4}]},
          "training": {"epochs": 1, "batch_size": 64, "optimizer": {"name": "adam", "learning_rate": 0.0001}, "checkpoint": false},
          "output": {"directory": "runs/"},
          "search": {"max_evals": 2, "sampler": "grid", "space": {"model.layers[0].units": {"choice": [2, 4]}}}
        }
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let r = try CLIRunner.run(["tune", config, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("WARNING: the best trial's model is worse than persistence"), r.stdout)
        let j = try CLIRunner.run(["tune", config, "--json", "--quiet"])
        XCTAssertEqual(j.status, 0, j.stderr)
        XCTAssertEqual((try json(j.stdout)["best"] as? [String: Any])?["worse_than_persistence"] as? Bool, true, j.stdout)
    }

    /// A daily `date,value` CSV with `days` rows from 2016-01-01; `constant` makes the first 70 rows equal.
    func writeDaily(days: Int = 100, constant: Bool = false) throws -> String {
        var lines = ["date,value"]
        for i in 0..<days {
            let v = constant && i < 70 ? 5 : 5 + sin(Double(i) / 3)
            lines.append("\(String(format: "2016-%02d-%02d", 1 + i / 28, 1 + i % 28)),\(String(format: "%.3f", v))")
        }
        let path = dir.appendingPathComponent("daily.csv").path
        try lines.joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func writeConfig(data: String, calendar: String = "", scaling: String = "window") throws -> String {
        let text = """
        {
          "data": {"path": "\(data)", "datetime_column": "date", "target": "value", "cleaning": {"gaps": "keep_rows", "detect_sentinels": false}\(calendar)},
          "window": {"n_past_steps": 4},
          "scaling": "\(scaling)",
          "model": {"layers": [{"type": "lstm", "units": 4}]},
          "training": {"epochs": 1, "batch_size": 16}
        }
        """
        let path = dir.appendingPathComponent("config.json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func assertExit2(_ arguments: [String], mentions fragments: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let package = dir.appendingPathComponent("pkg").path
        let r = try CLIRunner.run(arguments + ["--output", package, "--quiet"])
        XCTAssertEqual(r.status, 2, r.stderr, file: file, line: line)
        for f in fragments { XCTAssertTrue(r.stderr.contains(f), "stderr should mention '\(f)': \(r.stderr)", file: file, line: line) }
        XCTAssertFalse(r.stderr.contains("Fatal error") || r.stderr.contains("Stack dump"), r.stderr, file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: package), "no package may be left", file: file, line: line)
    }

    func testCalendarTheFrequencyCannotCarryExits2() throws {
        let config = try writeConfig(data: try writeDaily(), calendar: ", \"calendar\": [\"day_of_year\", \"hour_of_day\"]")
        try assertExit2(["train", config], mentions: ["data.calendar", "hour_of_day", "remove it"])
        let unknown = try writeConfig(data: try writeDaily(), calendar: ", \"calendar\": [\"hour\"]")
        try assertExit2(["train", unknown], mentions: ["data.calendar[0]", "hour_of_day"])
    }

    func testWindowScalingOfAConstantTrainingPartExits2() throws {
        let config = try writeConfig(data: try writeDaily(constant: true))
        try assertExit2(["train", config], mentions: ["'scaling'", "never changes", "\"minmax\""])
    }
}
