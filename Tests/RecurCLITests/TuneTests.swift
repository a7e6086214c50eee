import Foundation
import RecurTestSupport
import XCTest

/// `recur tune` and `recur study` end to end on the built binary: the template's own
/// `hyperopt_pars` on A620, a study killed with SIGKILL and resumed, parallel trials, and the
/// bad inputs of the tuning issue.
final class TuneTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try temporaryFolder("recur-tune")
    }

    /// An hourly synthetic series `date,hr,temp`, `days` days (`SyntheticSeries`).
    func writeSeries(days: Int = 12) throws -> String {
        try SyntheticSeries.write(to: dir.appendingPathComponent("series.csv"), days: days)
    }

    func writeConfig(maxEvals: Int = 3, epochs: Int = 2, units: Int = 4, sampler: String = "tpe", extra: String = "") throws -> String {
        let text = """
        // a tiny study
        {
          "data": {"path": "\(try writeSeries())", "date_column": "date", "hour_column": "hr", "target": "temp"},
          "window": {"n_past_steps": 4},
          "model": {"layers": [{"type": "lstm", "units": \(units)}]},
          "training": {"epochs": \(epochs), "batch_size": 16, "optimizer": {"name": "adam", "learning_rate": 0.01}},
          "output": {"directory": "runs"},
          "search": {"max_evals": \(maxEvals), "sampler": "\(sampler)", "startup_trials": 2\(extra),
                     "space": {"training.optimizer.learning_rate": {"log_uniform": [0.001, 0.05]},
                               "window.n_past_steps": {"int": [2, 6]}}}
        }
        """
        let url = dir.appendingPathComponent("tiny.json")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func json(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text, file: file, line: line)
    }

    func testTuneWritesTheStudyTheBestPackageAndTheTrialsCSV() throws {
        let config = try writeConfig()
        let r = try CLIRunner.run(["tune", config, "--json", "--jobs", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try json(r.stdout)
        let storage = dir.appendingPathComponent("runs/tiny.study.sqlite").path
        XCTAssertEqual(object["study"] as? String, storage, "default storage: <output.directory>/<config name>.study.sqlite")
        XCTAssertEqual(object["trials"] as? [String: Int], ["complete": 3, "pruned": 0, "failed": 0, "running": 0])
        let best = try XCTUnwrap(object["best"] as? [String: Any])
        XCTAssertNotNil(best["value"] as? Double)
        XCTAssertEqual((best["params"] as? [String: Any])?.keys.sorted(), ["training.optimizer.learning_rate", "window.n_past_steps"])
        let package = try XCTUnwrap(best["package"] as? String)
        XCTAssertTrue(FileManager.default.fileExists(atPath: package + "/manifest.json"))
        XCTAssertEqual(r.stderr.components(separatedBy: "\n").filter { $0.hasPrefix("trial ") }.count, 3, r.stderr)

        // study show / best / export read it back.
        let show = try CLIRunner.run(["study", "show", storage])
        XCTAssertEqual(show.status, 0, show.stderr)
        XCTAssertTrue(show.stdout.contains("3 complete"), show.stdout)
        let bestRun = try CLIRunner.run(["study", "best", storage, "--json"])
        XCTAssertEqual(bestRun.status, 0, bestRun.stderr)
        XCTAssertEqual(try json(bestRun.stdout)["package"] as? String, package)
        let csv = try CLIRunner.run(["study", "export", storage, "--format", "csv"])
        XCTAssertEqual(csv.status, 0, csv.stderr)
        let rows = csv.stdout.split(separator: "\n")
        XCTAssertEqual(rows.count, 4)
        XCTAssertTrue(rows[0].hasPrefix("number,state,training.optimizer.learning_rate,window.n_past_steps,value"), String(rows[0]))
        XCTAssertEqual(csv.stdout, try String(contentsOfFile: dir.appendingPathComponent("runs/tiny.study.trials.csv").path, encoding: .utf8))
        let export = try json(try CLIRunner.run(["study", "export", storage, "--format", "json"]).stdout)
        XCTAssertEqual((export["trials"] as? [Any])?.count, 3)
    }

    func testAStudyKilledWithSIGKILLResumesToExactlyMaxEvals() throws {
        let maxEvals = 8
        let config = try writeConfig(maxEvals: maxEvals, epochs: 12, units: 8)
        let storage = dir.appendingPathComponent("killed.study.sqlite").path
        let process = try CLIRunner.start(["tune", config, "--storage", storage, "--quiet"])
        func counts() throws -> [String: Int] {
            let r = try CLIRunner.run(["study", "export", storage, "--format", "json"])
            guard r.status == 0, let o = try? json(r.stdout) else { return [:] }
            return o["counts"] as? [String: Int] ?? [:]
        }
        let deadline = Date().addingTimeInterval(120)
        var seen: [String: Int] = [:]
        while Date() < deadline, process.isRunning {
            if FileManager.default.fileExists(atPath: storage) {
                seen = try counts()
                if (seen["complete"] ?? 0) >= 1 { break }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertTrue(process.isRunning, "the study should still be running when it is killed (trials too fast?)")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let afterKill = try counts()
        XCTAssertGreaterThanOrEqual(afterKill["complete"] ?? 0, 1)
        XCTAssertLessThan((afterKill["complete"] ?? 0) + (afterKill["failed"] ?? 0) + (afterKill["pruned"] ?? 0), maxEvals)

        let r = try CLIRunner.run(["tune", config, "--storage", storage, "--json", "--jobs", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // The trials the kill interrupted are recorded failed (lost) and retried, linked to them;
        // each chain takes one place in max_evals.
        let lost = afterKill["running"] ?? 0
        XCTAssertEqual(try json(r.stdout)["trials"] as? [String: Int], ["complete": maxEvals, "pruned": 0, "failed": lost, "running": 0])
        let export = try json(try CLIRunner.run(["study", "export", storage, "--format", "json"]).stdout)
        let rows = export["trials"] as? [[String: Any]] ?? []
        XCTAssertEqual(rows.compactMap { $0["number"] as? Int }, Array(0..<(maxEvals + lost)), "no trial lost or counted twice")
        let failed = rows.filter { $0["state"] as? String == "failed" }.compactMap { $0["number"] as? Int }
        XCTAssertEqual(Set(rows.compactMap { $0["retry_of"] as? Int }), Set(failed), "each lost trial has its retry")
        if lost > 0 {
            XCTAssertTrue(r.stderr.contains("(retry of #"), "the trial the kill interrupted is retried: \(r.stderr)")
        }
    }

    func testTheTemplatesOwnHyperoptParsRunOnA620AndProduceABestPackage() throws {
        let template = try Datasets.url("seed-config-template.json")
        let a620 = try Datasets.path("a620-hourly-temperature.csv")
        let storage = dir.appendingPathComponent("template.study.sqlite").path
        let r = try CLIRunner.run(["tune", template.path, "--set", "numeric_var=temp", "--set", "input_csv=\(a620)",
                                   "--set", "epochs=1", "--since", "2016-06-01", "--until", "2016-06-30", "--trials", "3",
                                   "--storage", storage, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try json(r.stdout)
        XCTAssertEqual(object["trials"] as? [String: Int], ["complete": 3, "pruned": 0, "failed": 0, "running": 0])
        let best = try XCTUnwrap(object["best"] as? [String: Any])
        let params = try XCTUnwrap(best["params"] as? [String: Any])
        XCTAssertEqual(params["model.width_rule.first.mult"] as? Double, 2)
        XCTAssertEqual(params["model.width_rule.middle.count"] as? Double, 2)
        for k in ["model.width_rule.first.dropout", "model.width_rule.middle.dropout", "model.width_rule.last.dropout"] {
            let rate = try XCTUnwrap(params[k] as? Double, k)
            XCTAssertTrue((0.1...0.3).contains(rate), "\(k) = \(rate) in dropout_rate_range")
        }
        let package = try XCTUnwrap(best["package"] as? String)
        let manifest = try json(String(contentsOfFile: package + "/manifest.json", encoding: .utf8))
        XCTAssertNotNil(manifest["hyperparameters"] as? [String: Any], "the chosen hyperparameters are recorded")
        let layers = try XCTUnwrap((manifest["architecture"] as? [String: Any])?["layers"] as? [[String: Any]])
        XCTAssertEqual(layers.filter { $0["type"] as? String == "lstm" }.compactMap { $0["units"] as? Int }, [24, 48, 96, 192])
        let rates = layers.filter { $0["type"] as? String == "dropout" }.compactMap { $0["rate"] as? Double }
        XCTAssertEqual(rates.count, 4)
        XCTAssertEqual(rates[0], params["model.width_rule.first.dropout"] as? Double ?? -1, accuracy: 1e-9, "the architecture actually built")
    }

    func testBadStoragesAndConfigsExitTwoWithClearMessages() throws {
        let config = try writeConfig(maxEvals: 1, epochs: 1)
        // Not a database.
        let text = dir.appendingPathComponent("notes.sqlite").path
        try "not a database".write(toFile: text, atomically: true, encoding: .utf8)
        var r = try CLIRunner.run(["tune", config, "--storage", text, "--quiet"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains(text) && r.stderr.contains("not a Recur study database"), r.stderr)
        XCTAssertEqual(try String(contentsOfFile: text, encoding: .utf8), "not a database")
        r = try CLIRunner.run(["study", "show", text])
        XCTAssertEqual(r.status, 2, r.stderr)

        // A study of another config.
        let storage = dir.appendingPathComponent("s.study.sqlite").path
        XCTAssertEqual(try CLIRunner.run(["tune", config, "--storage", storage, "--quiet"]).status, 0)
        r = try CLIRunner.run(["tune", config, "--storage", storage, "--quiet", "--set", "training.batch_size=8"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains(storage) && r.stderr.contains("training.batch_size"), r.stderr)
        // Raising the budget is the same study.
        r = try CLIRunner.run(["tune", config, "--storage", storage, "--quiet", "--trials", "2", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual((try json(r.stdout)["trials"] as? [String: Int])?["complete"], 2)

        // No study there; no search section; a bad --trials.
        r = try CLIRunner.run(["study", "best", dir.appendingPathComponent("none.sqlite").path])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("no study at"), r.stderr)
        r = try CLIRunner.run(["tune", config, "--storage", storage, "--trials", "0"])
        XCTAssertEqual(r.status, 2, r.stderr)
        let plain = dir.appendingPathComponent("plain.json")
        try """
        {"data": {"path": "\(try writeSeries())", "date_column": "date", "hour_column": "hr", "target": "temp"},
         "window": {"n_past_steps": 4}, "training": {"epochs": 1}}
        """.write(to: plain, atomically: true, encoding: .utf8)
        r = try CLIRunner.run(["tune", plain.path, "--storage", storage])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("no `search` section"), r.stderr)
        // An empty range is a config error naming the key.
        let empty = try writeConfig(extra: #", "objective": "val_loss""#).replacingOccurrences(of: "", with: "")
        var emptyText = try String(contentsOfFile: empty, encoding: .utf8)
        emptyText = emptyText.replacingOccurrences(of: "[0.001, 0.05]", with: "[0.05, 0.001]")
        try emptyText.write(toFile: empty, atomically: true, encoding: .utf8)
        r = try CLIRunner.run(["tune", empty, "--storage", dir.appendingPathComponent("e.sqlite").path])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("learning_rate"), r.stderr)
    }
}
