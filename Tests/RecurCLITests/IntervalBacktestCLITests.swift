import Foundation
import RecurTestSupport
import XCTest

/// Prediction intervals (`train --json`, `predict` columns and `--levels`) and `recur backtest`
/// end to end on the built binary, on tiny data (1-2 epochs).
final class IntervalBacktestCLITests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try temporaryFolder("recur-intervals")
    }

    /// An hourly `date,hr,temp` CSV with a daily cycle and some noise, `hours` hours from 2020-01-01.
    func writeSeries(hours: Int = 480) throws -> String {
        var lines = ["date,hr,temp"]
        var state: UInt64 = 12345
        for i in 0..<hours {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let noise = Double(state >> 40) / Double(1 << 24) - 0.5
            let v = 20 + 5 * sin(Double(i) * 2 * .pi / 24) + noise
            let day = i / 24
            lines.append(String(format: "2020-%02d-%02d,%d,%.3f", 1 + day / 31, 1 + day % 31, i % 24, v))
        }
        let path = dir.appendingPathComponent("data.csv").path
        try lines.joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func writeConfig(_ data: String, loss: String = "\"mse\"", intervals: String = "", epochs: Int = 2) throws -> String {
        let config = dir.appendingPathComponent("config.json")
        try """
        {
          "data": {"path": "\(data)", "date_column": "date", "hour_column": "hr", "target": "temp"},
          "window": {"n_past_steps": 6, "horizon": 2},
          "model": {"layers": [{"type": "lstm", "units": 4}]},
          "training": {"epochs": \(epochs), "batch_size": 16, "checkpoint": false, "loss": \(loss)}\(intervals),
          "output": {"directory": "\(dir.path)"}
        }
        """.write(to: config, atomically: true, encoding: .utf8)
        return config.path
    }

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    func testTrainReportsIntervalsAndPredictWritesTheirColumns() throws {
        let data = try writeSeries()
        let config = try writeConfig(data)
        let package = dir.appendingPathComponent("pkg").path
        let t = try CLIRunner.run(["train", config, "--output", package, "--json"])
        XCTAssertEqual(t.status, 0, t.stderr)
        let outcome = try json(t.stdout)
        let metrics = try XCTUnwrap(outcome["metrics"] as? [String: Any])
        for part in ["train", "validation", "test"] {
            let intervals = try XCTUnwrap((metrics[part] as? [String: Any])?["intervals"] as? [String: [String: Any]], part)
            XCTAssertEqual(Set(intervals.keys), ["80", "95"])
            for (_, i) in intervals {
                let coverage = try XCTUnwrap(i["coverage"] as? Double)
                XCTAssertTrue(coverage >= 0 && coverage <= 1)
                XCTAssertGreaterThan(try XCTUnwrap(i["mean_width"] as? Double), 0)
                XCTAssertNotNil(i["pinball"] as? Double)
            }
        }
        // Calibrated on validation, so coverage there is at least nominal (finite-sample rank).
        let validation = try XCTUnwrap((metrics["validation"] as? [String: Any])?["intervals"] as? [String: [String: Any]])
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(validation["80"]?["coverage"] as? Double), 0.8)
        let persistence = try XCTUnwrap((outcome["baselines"] as? [String: Any])?["persistence"] as? [String: Any])
        let pTest = try XCTUnwrap((persistence["test"] as? [String: Any])?["intervals"] as? [String: [String: Any]])
        XCTAssertNotNil(pTest["80"]?["coverage"] as? Double)
        XCTAssertNotNil(pTest["95"]?["mean_width"] as? Double)

        // predict: one pair of columns per level, lower <= value <= upper on the horizon, empty beyond it.
        let p = try CLIRunner.run(["predict", package, "--input", data, "--steps", "3"])
        XCTAssertEqual(p.status, 0, p.stderr)
        let lines = p.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
        XCTAssertEqual(lines.first, "timestamp,value,lower_80,upper_80,lower_95,upper_95")
        XCTAssertEqual(lines.count, 4)
        for line in lines[1...2] {
            let c = line.split(separator: ",", omittingEmptySubsequences: false).dropFirst().map { Double($0)! }
            XCTAssertTrue(c[3] <= c[1] && c[1] <= c[0] && c[0] <= c[2] && c[2] <= c[4], line)
        }
        XCTAssertTrue(lines[3].hasSuffix(",,,,"), "step 3 is beyond the horizon of 2: \(lines[3])")

        let subset = try CLIRunner.run(["predict", package, "--input", data, "--steps", "2", "--levels", "0.8"])
        XCTAssertEqual(subset.status, 0, subset.stderr)
        XCTAssertTrue(subset.stdout.hasPrefix("timestamp,value,lower_80,upper_80\n"), subset.stdout)
        let none = try CLIRunner.run(["predict", package, "--input", data, "--steps", "2", "--levels", "none"])
        XCTAssertTrue(none.stdout.hasPrefix("timestamp,value\n"), none.stdout)

        let j = try CLIRunner.run(["predict", package, "--input", data, "--steps", "2", "--json"])
        let first = try XCTUnwrap((try json(j.stdout)["forecasts"] as? [[String: Any]])?.first)
        let band = try XCTUnwrap((first["intervals"] as? [String: [String: Double]])?["95"])
        XCTAssertLessThan(try XCTUnwrap(band["lower"]), try XCTUnwrap(band["upper"]))

        // Levels the package was not calibrated for, and malformed ones: exit 2, one line, no file.
        let out = dir.appendingPathComponent("out.csv").path
        for (levels, fragment) in [("0.9", "retrain with intervals.levels including 0.9"), ("1.5", "open interval (0, 1)"), ("abc", "--levels abc")] {
            let r = try CLIRunner.run(["predict", package, "--input", data, "--steps", "2", "--levels", levels, "--output", out])
            XCTAssertEqual(r.status, 2, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("error: ") && r.stderr.contains(fragment), r.stderr)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }

        // evaluate scores the package's intervals beside persistence's.
        let e = try CLIRunner.run(["evaluate", package, "--input", data, "--json"])
        XCTAssertEqual(e.status, 0, e.stderr)
        let eo = try json(e.stdout)
        XCTAssertNotNil(((eo["metrics"] as? [String: Any])?["intervals"] as? [String: Any])?["80"])
        XCTAssertNotNil((((eo["baselines"] as? [String: Any])?["persistence"] as? [String: Any])?["intervals"] as? [String: Any])?["95"])
    }

    func testQuantileModelGivesOrderedQuantilesAndItsOwnIntervals() throws {
        let data = try writeSeries()
        let config = try writeConfig(data, loss: "{\"quantile\": [0.1, 0.5, 0.9]}", intervals: ", \"intervals\": {\"levels\": [0.8], \"method\": \"quantile\"}")
        let package = dir.appendingPathComponent("q").path
        let t = try CLIRunner.run(["train", config, "--output", package, "--json"])
        XCTAssertEqual(t.status, 0, t.stderr)
        let calibration = try XCTUnwrap(try json(t.stdout)["intervals"] as? [String: Any])
        XCTAssertEqual(calibration["kind"] as? String, "quantile")
        let p = try CLIRunner.run(["predict", package, "--input", data, "--steps", "2"])
        XCTAssertEqual(p.status, 0, p.stderr)
        let lines = p.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "timestamp,value,lower_80,upper_80")
        for line in lines.dropFirst() {
            let c = line.split(separator: ",").dropFirst().map { Double($0)! }
            XCTAssertTrue(c[1] <= c[0] && c[0] <= c[2], "quantiles cross: \(line)")
        }
        let r = try CLIRunner.run(["predict", package, "--input", data, "--steps", "2", "--levels", "0.95"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("calibrated: 0.8"), r.stderr)
    }

    func testBadQuantileAndLevelConfigsExit2() throws {
        let data = try writeSeries(hours: 100)
        for (loss, intervals, fragment) in [("{\"quantile\": [0.5, 1.2]}", "", "training.loss.quantile[1]"),
                                            ("{\"quantile\": [0.1, 0.5, 0.1]}", "", "repeated"),
                                            ("\"mse\"", ", \"intervals\": {\"levels\": [0]}", "intervals.levels[0]")] {
            let config = try writeConfig(data, loss: loss, intervals: intervals)
            let r = try CLIRunner.run(["train", config, "--output", dir.appendingPathComponent("never").path])
            XCTAssertEqual(r.status, 2, r.stderr)
            XCTAssertTrue(r.stderr.contains(fragment), "\(fragment) not in: \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("never").path))
        }
    }

    func testBacktestJSONShapeAndReproducibilityAcrossJobs() throws {
        let data = try writeSeries(hours: 720)
        let config = try writeConfig(data, epochs: 1)
        func run(_ jobs: Int) throws -> [String: Any] {
            let out = dir.appendingPathComponent("bt-\(jobs)").path
            let r = try CLIRunner.run(["backtest", config, "--folds", "3", "--jobs", "\(jobs)", "--json", "--output", out])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/backtest.svg"))
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/fold-3/manifest.json"))
            return try json(r.stdout)
        }
        let one = try run(1), two = try run(2)
        let folds = try XCTUnwrap(one["folds"] as? [[String: Any]])
        XCTAssertEqual(folds.count, 3)
        var origins: [Int] = []
        for f in folds {
            XCTAssertNotNil(f["origin"] as? String)
            origins.append(try XCTUnwrap(f["origin_step"] as? Int))
            XCTAssertNotNil((f["metrics"] as? [String: Any])?["rmse"] as? Double)
            let baselines = try XCTUnwrap(f["baselines"] as? [String: [String: Any]])
            XCTAssertNotNil(baselines["persistence"]?["rmse"] as? Double)
            XCTAssertNotNil(baselines["seasonal_naive"]?["rmse"] as? Double)
            // Expanding window: train ends where validation starts, validation ends at the origin.
            let train = try XCTUnwrap(f["train"] as? [Int]), validation = try XCTUnwrap(f["validation"] as? [Int])
            XCTAssertEqual(train[0], 0)
            XCTAssertEqual(train[1], validation[0])
            XCTAssertEqual(validation[1], f["origin_step"] as? Int)
        }
        // 720 steps, test part 144: 3 blocks of 48 at the end.
        XCTAssertEqual(origins, [576, 624, 672])
        let overall = try XCTUnwrap(one["overall"] as? [String: Any])
        XCTAssertNotNil(((overall["model"] as? [String: Any])?["rmse"] as? [String: Any])?["mean"] as? Double)
        XCTAssertNotNil(overall["folds_ahead_of_persistence"] as? Int)
        // Same seed, same folds, whatever --jobs.
        let a = folds.map { ($0["metrics"] as? [String: Any])?["rmse"] as? Double }
        let b = (two["folds"] as? [[String: Any]])?.map { ($0["metrics"] as? [String: Any])?["rmse"] as? Double }
        XCTAssertEqual(a, b)
        XCTAssertEqual(try String(contentsOfFile: dir.appendingPathComponent("bt-1/fold-2/weights.safetensors").path, encoding: .isoLatin1),
                       try String(contentsOfFile: dir.appendingPathComponent("bt-2/fold-2/weights.safetensors").path, encoding: .isoLatin1))

        // --refit once: one model, the same origins.
        let once = try CLIRunner.run(["backtest", config, "--folds", "3", "--refit", "once", "--json", "--output", dir.appendingPathComponent("once").path])
        XCTAssertEqual(once.status, 0, once.stderr)
        let onceFolds = try XCTUnwrap(try json(once.stdout)["folds"] as? [[String: Any]])
        XCTAssertEqual(onceFolds.compactMap { $0["origin_step"] as? Int }, origins)
        XCTAssertEqual(Set(onceFolds.compactMap { ($0["train"] as? [Int])?[1] }).count, 1)
    }

    /// `scaling: "auto"` trains each fold on the fold's own parts, not the config's split.
    func testBacktestWithAutoScalingKeepsTheFoldSplit() throws {
        let data = try writeSeries(hours: 480)
        let config = try writeConfig(data, epochs: 1)
        let out = dir.appendingPathComponent("auto").path
        let r = try CLIRunner.run(["backtest", config, "--folds", "2", "--set", "scaling=\"auto\"", "--json", "--output", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        let folds = try XCTUnwrap(try json(r.stdout)["folds"] as? [[String: Any]])
        for (k, fold) in folds.enumerated() {
            let manifest = try json(try String(contentsOfFile: out + "/fold-\(k + 1)/manifest.json", encoding: .utf8))
            let split = try XCTUnwrap((manifest["data"] as? [String: Any])?["split"] as? [String: Any])
            XCTAssertEqual(split["train"] as? [Int], fold["train"] as? [Int], "fold \(k + 1)")
            XCTAssertEqual(split["validation"] as? [Int], fold["validation"] as? [Int], "fold \(k + 1)")
        }
    }

    func testBacktestBadFoldsExit2() throws {
        let data = try writeSeries(hours: 240)
        let config = try writeConfig(data, epochs: 1)
        for (args, fragment) in [(["--folds", "0"], "--folds 0"), (["--folds", "3", "--step", "60"], "use at most"),
                                 (["--step", "1"], "shorter than the horizon"), (["--refit", "sometimes"], "--refit sometimes")] {
            let out = dir.appendingPathComponent("never").path
            let r = try CLIRunner.run(["backtest", config, "--output", out] + args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(fragment), "\(fragment) not in: \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
    }
}
