import Foundation
import RecurTestSupport
import XCTest

/// `recur inspect` and `recur report` through the built binary.
final class InspectReportTests: XCTestCase {
    /// The first integer after `prefix` in `text`.
    func number(after prefix: String, in text: String) -> Int? {
        guard let range = text.range(of: prefix) else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }

    // MARK: inspect

    func testInspectA620SurfacesEveryProblemAndWritesPlots() throws {
        let data = try Datasets.path("a620-hourly-temperature.csv")
        let plots = try temporaryFolder("recur-cli-report").appendingPathComponent("plots")
        let r = try CLIRunner.run(["inspect", data, "--plots", plots.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let text = r.stdout
        XCTAssertTrue(text.contains("frequency: 1 hour"), text)
        XCTAssertGreaterThan(number(after: "duplicated timestamps: ", in: text) ?? 0, 1_000, text)
        XCTAssertTrue(text.contains("suspected sentinel 0"), text)
        XCTAssertTrue(text.contains("0.0 looks like a missing-reading sentinel"), text)
        XCTAssertGreaterThan(number(after: "missing-value gaps: ", in: text) ?? 0, 0, text)
        let suggested = try XCTUnwrap(number(after: "suggested n_past_steps: ", in: text), text)
        XCTAssertTrue((1...48).contains(suggested))

        for name in ["series.svg", "histogram.svg", "boxplot.svg", "acf.svg", "pacf.svg"] {
            let path = plots.appendingPathComponent(name).path
            let svg = try String(contentsOfFile: path, encoding: .utf8)
            XCTAssertTrue(svg.hasPrefix("<?xml") && svg.contains("</svg>"), name)
            XCTAssertTrue(r.stderr.contains(path), "\(name) path on stderr: \(r.stderr)")
            XCTAssertFalse(r.stdout.contains(path), "paths go to stderr")
        }
        let boxplot = try String(contentsOf: plots.appendingPathComponent("boxplot.svg"), encoding: .utf8)
        XCTAssertTrue(boxplot.contains("temp by month"), "ten years of data: grouped by month")
        let series = try String(contentsOf: plots.appendingPathComponent("series.svg"), encoding: .utf8)
        XCTAssertTrue(series.contains("sentinel 0: 5281 readings"), "the sentinels are marked on the series")
    }

    func testInspectJSONParses() throws {
        let data = try Datasets.path("a620-hourly-temperature.csv")
        let r = try CLIRunner.run(["inspect", data, "--json", "--since", "2015-01-01"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n").count, 1, "one JSON object on one line")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["frequency_seconds"] as? Int, 3_600)
        XCTAssertEqual(object["start"] as? String, "2015-01-01 00:00:00")
        let duplicates = try XCTUnwrap(object["duplicates"] as? [String: Any])
        XCTAssertGreaterThan(duplicates["timestamps"] as? Int ?? 0, 0)
        let autocorrelation = try XCTUnwrap(object["autocorrelation"] as? [String: Any])
        XCTAssertNotNil(autocorrelation["suggested_past_steps"] as? Int)
        XCTAssertNotNil(object["suspected_sentinels"] as? [Any])
    }

    func testInspectWithTemplateConfigNamesTheMissingColumn() throws {
        let folder = try Datasets.requireFolder()
        let data = folder.appendingPathComponent("a620-hourly-temperature.csv").path
        let template = folder.appendingPathComponent("seed-config-template.json").path
        let r = try CLIRunner.run(["inspect", data, "--config", template])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("'temperature'"), r.stderr)
        XCTAssertTrue(r.stderr.contains("inme, date, hr, temp"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one message: \(r.stderr)")

        // With the target fixed, the template's station and columns are used.
        let fixed = try CLIRunner.run(["inspect", data, "--config", template, "--set", "numeric_var=temp", "--since", "2016-01-01"])
        XCTAssertEqual(fixed.status, 0, fixed.stderr)
        XCTAssertTrue(fixed.stdout.contains("station 'inme' = A620, target 'temp'"), fixed.stdout)
        XCTAssertTrue(fixed.stdout.contains("from 2016-01-01"), fixed.stdout)
    }

    func testInspectBadFiles() throws {
        let folder = try temporaryFolder("recur-cli-report")
        let missing = try CLIRunner.run(["inspect", folder.appendingPathComponent("nope.csv").path])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("file not found") && missing.stderr.contains("nope.csv"), missing.stderr)

        let empty = folder.appendingPathComponent("empty.csv")
        try Data().write(to: empty)
        let e = try CLIRunner.run(["inspect", empty.path])
        XCTAssertEqual(e.status, 2)
        XCTAssertTrue(e.stderr.contains("empty.csv is empty"), e.stderr)

        let header = folder.appendingPathComponent("header.csv")
        try Data("date,hr,temp\n".utf8).write(to: header)
        let h = try CLIRunner.run(["inspect", header.path])
        XCTAssertEqual(h.status, 2)
        XCTAssertTrue(h.stderr.contains("no data rows") && h.stderr.contains("date, hr, temp"), h.stderr)

        let words = folder.appendingPathComponent("words.csv")
        try Data("name,colour\nanna,red\n".utf8).write(to: words)
        let w = try CLIRunner.run(["inspect", words.path])
        XCTAssertEqual(w.status, 2)
        XCTAssertTrue(w.stderr.contains("name, colour") && w.stderr.contains("--date-column"), w.stderr)

        let set = try CLIRunner.run(["inspect", header.path, "--set", "numeric_var=temp"])
        XCTAssertEqual(set.status, 2)
        XCTAssertTrue(set.stderr.contains("--config"), set.stderr)
        for r in [missing, e, h, w, set] { XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr) }
    }

    func testInspectExplicitColumnsOverrideTheGuess() throws {
        let folder = try temporaryFolder("recur-cli-report")
        let file = folder.appendingPathComponent("two.csv")
        var text = "when,a,b\n"
        for d in 0..<60 { text += String(format: "2020-%02d-%02d,%d,%d\n", 1 + d / 28, 1 + d % 28, d, 100 - d) }
        try Data(text.utf8).write(to: file)
        let guessed = try CLIRunner.run(["inspect", file.path])
        XCTAssertEqual(guessed.status, 0, guessed.stderr)
        XCTAssertTrue(guessed.stdout.contains("target 'b' (guessed"), guessed.stdout)
        let chosen = try CLIRunner.run(["inspect", file.path, "--target", "a"])
        XCTAssertEqual(chosen.status, 0, chosen.stderr)
        XCTAssertTrue(chosen.stdout.contains("target 'a'") && !chosen.stdout.contains("guessed"), chosen.stdout)
        let wrong = try CLIRunner.run(["inspect", file.path, "--target", "c"])
        XCTAssertEqual(wrong.status, 2)
        XCTAssertTrue(wrong.stderr.contains("'c'") && wrong.stderr.contains("when, a, b"), wrong.stderr)
    }

    // MARK: report

    /// Trains a small package through the CLI on a synthetic hourly series.
    func trainPackage(in folder: URL) throws -> URL {
        var csv = "datetime,temp\n"
        for h in 0..<(24 * 20) {
            let v = 20 + 5 * sin(2 * Double.pi * Double(h) / 24) + Double((h * 7919) % 13) / 13
            csv += String(format: "2021-03-%02d %02d:00:00,%.2f\n", 1 + h / 24, h % 24, v)
        }
        try Data(csv.utf8).write(to: folder.appendingPathComponent("series.csv"))
        try Data("""
        {
          "data": {"path": "series.csv", "datetime_column": "datetime", "target": "temp"},
          "window": {"n_past_steps": 6},
          "model": {"layers": [{"type": "lstm", "units": 4}]},
          "training": {"epochs": 2, "batch_size": 32, "seed": 1},
          "output": {"directory": "runs"}
        }
        """.utf8).write(to: folder.appendingPathComponent("config.json"))
        let package = folder.appendingPathComponent("pkg")
        let r = try CLIRunner.run(["train", folder.appendingPathComponent("config.json").path, "--output", package.path, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return package
    }

    func testReportWritesChartsAndSummary() throws {
        let folder = try temporaryFolder("recur-cli-report")
        let package = try trainPackage(in: folder)
        let r = try CLIRunner.run(["report", package.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let charts = ["loss.svg", "forecast.svg", "forecast-detail.svg", "residuals.svg", "metrics.svg"]
        for name in charts {
            let path = package.appendingPathComponent("report").appendingPathComponent(name).path
            let svg = try String(contentsOfFile: path, encoding: .utf8)
            XCTAssertTrue(svg.contains("</svg>"), name)
            XCTAssertTrue(r.stdout.contains(path), "\(name) in the summary: \(r.stdout)")
        }
        for word in ["RMSE", "model", "persistence", "seasonal naive", "test (temp)"] {
            XCTAssertTrue(r.stdout.contains(word), "\(word) in \(r.stdout)")
        }

        // --output and --json.
        let out = folder.appendingPathComponent("elsewhere")
        let j = try CLIRunner.run(["report", package.path, "--output", out.path, "--json", "--unit", "°C"])
        XCTAssertEqual(j.status, 0, j.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((object["charts"] as? [String])?.count, charts.count)
        let test = try XCTUnwrap(object["test"] as? [String: Any])
        XCTAssertNotNil((test["model"] as? [String: Any])?["rmse"])
        XCTAssertNotNil(test["persistence"])
        let forecast = try String(contentsOf: out.appendingPathComponent("forecast.svg"), encoding: .utf8)
        XCTAssertTrue(forecast.contains("temp (°C)"))
    }

    func testReportOnSomethingElseIsAUsageError() throws {
        let folder = try temporaryFolder("recur-cli-report")
        let plain = try CLIRunner.run(["report", folder.path])
        XCTAssertEqual(plain.status, 2)
        XCTAssertTrue(plain.stderr.contains("not a Recur model package"), plain.stderr)
        let missing = try CLIRunner.run(["report", folder.appendingPathComponent("nothing").path])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("not a Recur model package"), missing.stderr)
        let file = folder.appendingPathComponent("study.sqlite")
        try Data("x".utf8).write(to: file)
        let f = try CLIRunner.run(["report", file.path])
        XCTAssertEqual(f.status, 2)
        XCTAssertTrue(f.stderr.contains("not a Recur model package"), f.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("report").path), "nothing written")
    }
}
