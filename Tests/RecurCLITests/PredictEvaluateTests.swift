import Foundation
import RecurTestSupport
import XCTest

/// `recur predict` and `recur evaluate` end to end on the built binary: output on stdout and
/// into forecast files, and every bad input (exit 2, one clear message, no output file).
final class PredictEvaluateTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try temporaryFolder("recur-predict")
    }

    static var repo: URL { Datasets.packageRoot }

    /// An hourly `date,hr,temp` CSV with a daily cycle, `hours` hours from 2020-01-01 (`SmallModel.series`).
    func writeSeries(_ name: String = "data.csv", hours: Int = 240, header: String = "date,hr,temp") throws -> String {
        let path = dir.appendingPathComponent(name).path
        try SmallModel.series(hours: hours, header: header).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Trains a small package on `data` with `recur train` (`SmallModel`).
    func train(_ data: String) throws -> String {
        try SmallModel.train(data: data, in: dir, output: dir.appendingPathComponent("pkg").path)
    }

    func rows(_ csv: String) -> [(String, Double)] {
        csv.split(separator: "\n").dropFirst().map { line in
            let cells = line.split(separator: ",")
            return (String(cells[0]), Double(cells[1])!)
        }
    }

    func testPredictPrintsForecastCSVAndJSON() throws {
        let data = try writeSeries()
        let package = try train(data)
        let r = try CLIRunner.run(["predict", package, "--input", data, "--steps", "5"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n")
        XCTAssertEqual(lines.first, "timestamp,value,lower_80,upper_80,lower_95,upper_95")
        XCTAssertEqual(rows(r.stdout).map(\.0), ["2020-01-11 00:00:00", "2020-01-11 01:00:00", "2020-01-11 02:00:00",
                                                  "2020-01-11 03:00:00", "2020-01-11 04:00:00"])
        XCTAssertTrue(rows(r.stdout).allSatisfy { $0.1 > 5 && $0.1 < 35 }, r.stdout)

        let j = try CLIRunner.run(["predict", package, "--input", data, "--steps", "3", "--json"])
        XCTAssertEqual(j.status, 0, j.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["last_observation"] as? String, "2020-01-10 23:00:00")
        XCTAssertEqual(object["steps"] as? Int, 3)
        let forecasts = try XCTUnwrap(object["forecasts"] as? [[String: Any]])
        XCTAssertEqual(forecasts.count, 3)
        XCTAssertEqual(forecasts.map { $0["value"] as? Double }, rows(r.stdout).prefix(3).map { $0.1 })
    }

    func testPredictIntoAnExistingFileUpdatesRowsOfTheSameTimestamps() throws {
        let data = try writeSeries()
        let package = try train(data)
        let output = dir.appendingPathComponent("forecasts.csv").path
        let first = try CLIRunner.run(["predict", package, "--input", data, "--steps", "3", "--output", output])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(first.stdout, "")
        XCTAssertEqual(rows(try String(contentsOfFile: output, encoding: .utf8)).count, 3)

        let before = rows(try String(contentsOfFile: output, encoding: .utf8))

        // A corrected last observation, then 5 steps from the same point: the same timestamps, new values.
        var lines = try String(contentsOfFile: data, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[lines.count - 1] = "2020-01-10,23,30.00"
        let corrected = dir.appendingPathComponent("corrected.csv").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: corrected, atomically: true, encoding: .utf8)
        let stdout = try CLIRunner.run(["predict", package, "--input", corrected, "--steps", "5"])
        let second = try CLIRunner.run(["predict", package, "--input", corrected, "--steps", "5", "--output", output])
        XCTAssertEqual(second.status, 0, second.stderr)
        let merged = rows(try String(contentsOfFile: output, encoding: .utf8))
        XCTAssertEqual(merged.count, 5)
        XCTAssertEqual(Set(merged.map(\.0)).count, 5)
        XCTAssertEqual(merged.map(\.0), merged.map(\.0).sorted())
        XCTAssertEqual(merged.map(\.1), rows(stdout.stdout).map(\.1))
        XCTAssertEqual(Array(merged.map(\.0).prefix(3)), before.map(\.0))
        XCTAssertNotEqual(Array(merged.map(\.1).prefix(3)), before.map(\.1))

        // Rows of other timestamps are kept: a hand-edited older row survives.
        var edited = try String(contentsOfFile: output, encoding: .utf8)
        let header = "timestamp,value,lower_80,upper_80,lower_95,upper_95\n"
        XCTAssertTrue(edited.hasPrefix(header), edited)
        edited = edited.replacingOccurrences(of: header, with: header + "2020-01-09 00:00:00,1.5,,,,\n")
        try edited.write(toFile: output, atomically: true, encoding: .utf8)
        XCTAssertEqual(try CLIRunner.run(["predict", package, "--input", data, "--steps", "2", "--output", output]).status, 0)
        let kept = rows(try String(contentsOfFile: output, encoding: .utf8))
        XCTAssertEqual(kept.count, 6)
        XCTAssertEqual(kept.first?.0, "2020-01-09 00:00:00")
        XCTAssertEqual(kept.first?.1, 1.5)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }

    /// Runs `recur predict` expecting exit 2, one line on stderr mentioning `fragments`, and no output file.
    func assertBadInput(_ arguments: [String], mentions fragments: [String], output: String? = nil, file: StaticString = #filePath,
                        line: UInt = #line) throws {
        let out = output ?? dir.appendingPathComponent("out.csv").path
        let r = try CLIRunner.run(["predict"] + arguments + ["--output", out])
        XCTAssertEqual(r.status, 2, "exit status; stderr: \(r.stderr)", file: file, line: line)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.hasPrefix("error: "), r.stderr, file: file, line: line)
        for f in fragments { XCTAssertTrue(r.stderr.contains(f), "\(f) not in: \(r.stderr)", file: file, line: line) }
        XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr, file: file, line: line)
        if output == nil { XCTAssertFalse(FileManager.default.fileExists(atPath: out), "output file left behind", file: file, line: line) }
        XCTAssertEqual(r.stdout, "", file: file, line: line)
    }

    func testBadInputsExitTwoWithOneMessageAndNoOutput() throws {
        let data = try writeSeries()
        let package = try train(data)
        try assertBadInput([dir.appendingPathComponent("nope").path, "--input", data, "--steps", "3"],
                           mentions: ["not a Recur model package", "no such file"])
        try assertBadInput([dir.path, "--input", data, "--steps", "3"], mentions: ["not a Recur model package", "manifest.json"])
        let noTemp = try writeSeries("wrong.csv", header: "date,hr,temperature")
        try assertBadInput([package, "--input", noTemp, "--steps", "3"], mentions: ["'temp'", "temperature", "wrong.csv"])
        let short = try writeSeries("short.csv", hours: 4)
        try assertBadInput([package, "--input", short, "--steps", "3"], mentions: ["short.csv", "n_past_steps (6)"])
        try assertBadInput([package, "--input", data, "--steps", "0"], mentions: ["--steps 0"])
        try assertBadInput([package, "--input", dir.appendingPathComponent("absent.csv").path, "--steps", "2"], mentions: ["absent.csv"])
        let notForecast = dir.appendingPathComponent("notes.csv").path
        try "name,score\nada,3\n".write(toFile: notForecast, atomically: true, encoding: .utf8)
        try assertBadInput([package, "--input", data, "--steps", "2"], mentions: ["notes.csv", "not a forecast file", "timestamp,value"],
                           output: notForecast)
        XCTAssertEqual(try String(contentsOfFile: notForecast, encoding: .utf8), "name,score\nada,3\n")
        let r = try CLIRunner.run(["evaluate", package, "--input", noTemp])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("temperature"), r.stderr)
    }

    func testEvaluateReportsModelBesideBaselines() throws {
        let data = try writeSeries()
        let package = try train(data)
        let r = try CLIRunner.run(["evaluate", package, "--input", data, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["steps"] as? Int, 240)
        XCTAssertEqual(object["windows"] as? Int, 240 - 6 - 1)
        let metrics = try XCTUnwrap(object["metrics"] as? [String: Any])
        for key in ["rmse", "mae", "r2", "max_error", "mape", "smape", "mase"] { XCTAssertNotNil(metrics[key], key) }
        let baselines = try XCTUnwrap(object["baselines"] as? [String: [String: Any]])
        XCTAssertNotNil(baselines["persistence"]?["rmse"])
        // The daily cycle repeats exactly; the weekly term (i % 7) · 0.1 does not: each error is
        // 0.1 · (i % 7 - (i - 24) % 7), ±0.3 or 0.4, about 0.35 in RMSE. Computed here from the
        // file's values over the windows evaluate scores (first target steps 24...238 with
        // n_past_steps 6 and horizon 2, those whose seasonal lag lies in the series).
        let values = try String(contentsOfFile: data, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { Double($0.split(separator: ",")[2])! }
        var squares = 0.0, count = 0
        for t in 24...238 { for k in 0..<2 { squares += pow(values[t + k] - values[t + k - 24], 2); count += 1 } }
        let expected = (squares / Double(count)).squareRoot()
        XCTAssertEqual(expected, 0.35, accuracy: 0.01)
        XCTAssertEqual(baselines["seasonal_naive"]?["rmse"] as? Double ?? 1, expected, accuracy: 1e-5)
        let text = try CLIRunner.run(["evaluate", package, "--input", data])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("persistence") && text.stdout.contains("seasonal naive") && text.stdout.contains("MASE"), text.stdout)
    }

    func testEvaluateOnMelbourneWithTheSeedPackage() throws {
        let melbourne = try Datasets.path("melbourne-daily-min-temperatures.csv")
        let package = dir.appendingPathComponent("melbourne").path
        let trained = try CLIRunner.run(["train", Self.repo.appendingPathComponent("examples/melbourne-seed.json").path,
                                         "--output", package, "--quiet",
                                         "--set", "output.directory=\"\(dir.path)\""])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let r = try CLIRunner.run(["evaluate", package, "--input", melbourne, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["steps"] as? Int, 3650)
        let model = try XCTUnwrap((object["metrics"] as? [String: Any])?["rmse"] as? Double)
        let persistence = try XCTUnwrap(((object["baselines"] as? [String: [String: Any]])?["persistence"])?["rmse"] as? Double)
        XCTAssertLessThan(model, 2.7)
        XCTAssertLessThan(model, persistence)
        let p = try CLIRunner.run(["predict", package, "--input", melbourne, "--steps", "3"])
        XCTAssertEqual(p.status, 0, p.stderr)
        XCTAssertEqual(rows(p.stdout).map(\.0), ["1991-01-01", "1991-01-02", "1991-01-03"])
    }
}
