import Foundation
import RecurTestSupport
import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif

/// `recur report STUDY`: a tiny `recur tune`, then its report; a file that is neither a package
/// nor a study is a usage error.
final class StudyReportCLITests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try temporaryFolder("recur-study-report")
    }

    /// A tiny study config on an hourly synthetic series (`date,hr,temp`, 10 days).
    func writeConfig() throws -> String {
        let csv = dir.appendingPathComponent("series.csv")
        try SyntheticSeries.write(to: csv, days: 10, ripple: 0)
        let text = """
        {
          "data": {"path": "\(csv.path)", "date_column": "date", "hour_column": "hr", "target": "temp"},
          "window": {"n_past_steps": 4},
          "model": {"layers": [{"type": "lstm", "units": 4}]},
          "training": {"epochs": 2, "batch_size": 16, "optimizer": {"name": "adam", "learning_rate": 0.01}},
          "output": {"directory": "runs"},
          "search": {"max_evals": 3, "sampler": "random",
                     "space": {"training.optimizer.learning_rate": {"log_uniform": [0.001, 0.05]},
                               "window.n_past_steps": {"int": [2, 6]}}}
        }
        """
        let url = dir.appendingPathComponent("tiny.json")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func testReportOfAStudyWritesBothChartsAndASummary() throws {
        let tune = try CLIRunner.run(["tune", try writeConfig(), "--json"])
        XCTAssertEqual(tune.status, 0, tune.stderr)
        let study = dir.appendingPathComponent("runs/tiny.study.sqlite").path

        let r = try CLIRunner.run(["report", study])
        XCTAssertEqual(r.status, 0, r.stderr)
        let out = dir.appendingPathComponent("runs/tiny.study.report")
        for (name, words) in [("objective.svg", ["Objective per trial", "best so far", "trial"]),
                              ("parameters.svg", ["Parameters vs objective", "learning_rate", "n_past_steps", "val_loss"])] {
            let path = out.appendingPathComponent(name).path
            let svg = try String(contentsOfFile: path, encoding: .utf8)
            XCTAssertTrue(XMLParser(data: Data(svg.utf8)).parse(), "\(name) is valid XML")
            XCTAssertFalse(svg.contains("NaN"), name)
            for w in words { XCTAssertTrue(svg.contains(w), "\(w) in \(name)") }
            XCTAssertTrue(r.stdout.contains(path), "\(name) in the summary: \(r.stdout)")
        }
        for piece in ["3 complete", "best: trial", "package: "] {
            XCTAssertTrue(r.stdout.contains(piece), "\(piece) in \(r.stdout)")
        }

        // --output and --json.
        let elsewhere = dir.appendingPathComponent("elsewhere")
        let j = try CLIRunner.run(["report", study, "--output", elsewhere.path, "--json"])
        XCTAssertEqual(j.status, 0, j.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any], j.stdout)
        XCTAssertEqual((object["charts"] as? [String])?.count, 2)
        XCTAssertEqual((object["trials"] as? [String: Int])?["complete"], 3)
        XCTAssertNotNil((object["best"] as? [String: Any])?["package"] as? String)
        XCTAssertTrue(FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent("parameters.svg").path))
    }

    func testATextFileIsNeitherAPackageNorAStudy() throws {
        let file = dir.appendingPathComponent("notes.sqlite")
        try "just some text\n".write(to: file, atomically: true, encoding: .utf8)
        let r = try CLIRunner.run(["report", file.path])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("neither a model package nor a study"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("notes.report").path), "nothing written")
    }
}
