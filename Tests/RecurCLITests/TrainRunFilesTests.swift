import Foundation
import XCTest

/// The run's own files (issue 9, items 10 and 11): the results table and the log follow
/// `--output`, nothing is written beside the config, and `output.log_file` is written.
extension TrainTests {
    /// An old-platform template in its own folder `<dir>/template/`, with relative output paths.
    func writeTemplate() throws -> URL {
        let folder = dir.appendingPathComponent("template")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let csv = try writeSeries(days: 8)
        let text = """
        {
          "input_csv": "\(csv.path)", "output_log_file": "train.log", "output_models_path": "models/",
          "output_results_path": "results/", "n_past_steps": 6, "date_col": "date", "hr_col": "hr",
          "numeric_var": "temp", "sensor_var": "station", "target_sensor": "A1", "epochs": 2,
          "base_config": {"first_layer": {"mult": 1, "dropout_rate": 0.1}, "last_layer": {"mult": 1, "dropout_rate": 0.1}},
          "mid_layers_config": {"n_layers": 0, "mult": 1, "dropout_rate": 0.1}
        }
        """
        let url = folder.appendingPathComponent("template.json")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func testWithOutputTheTemplatesResultsAndLogGoBesideThePackageNotBesideTheTemplate() throws {
        let template = try writeTemplate()
        let out = dir.appendingPathComponent("out")
        let package = out.appendingPathComponent("pkg").path
        let r = try CLIRunner.run(["train", template.path, "--output", package])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: template.deletingLastPathComponent().path), ["template.json"],
                       "nothing is written beside the template")
        let table = try String(contentsOf: out.appendingPathComponent("results.csv"), encoding: .utf8)
        XCTAssertEqual(table.split(separator: "\n").count, 2, table)
        XCTAssertTrue(table.contains(package), table)
        let log = try String(contentsOf: out.appendingPathComponent("train.log"), encoding: .utf8)
        XCTAssertTrue(log.contains("Epoch 2/2"), "the progress lines are in the log: \(log)")
        XCTAssertTrue(log.contains("samples:"), log)
    }

    func testResultsAndLogFileOptionsNameThePaths() throws {
        let template = try writeTemplate()
        let results = dir.appendingPathComponent("tables/all.csv"), log = dir.appendingPathComponent("logs/run.log")
        let r = try CLIRunner.run(["train", template.path, "--output", packagePath, "--results", results.path, "--log-file", log.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: results.path))
        let text = try String(contentsOf: log, encoding: .utf8)
        let epochLines = text.split(separator: "\n").filter { $0.contains(" info Epoch ") }
        XCTAssertEqual(epochLines.count, 2, "one timestamped line per epoch: \(text)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("results.csv").path))
        // stderr keeps its plain lines (no timestamps).
        XCTAssertTrue(r.stderr.split(separator: "\n").contains { $0.hasPrefix("Epoch 1/2") }, r.stderr)
        // An error (here in the data, found after the log is open) is logged too.
        let bad = try CLIRunner.run(["train", template.path, "--output", packagePath, "--log-file", log.path, "--set", "numeric_var=nope"])
        XCTAssertEqual(bad.status, 2, bad.stderr)
        XCTAssertTrue(try String(contentsOf: log, encoding: .utf8).contains(" error error: "), "the error is in the log")
    }

    func testAnUnwritableLogFileIsRefusedBeforeTraining() throws {
        let config = try writeRunsConfig(epochs: 50)
        let notAFolder = dir.appendingPathComponent("plain")
        try "x".write(to: notAFolder, atomically: true, encoding: .utf8)
        let r = try CLIRunner.run(["train", config.path, "--output", packagePath, "--log-file", notAFolder.path + "/run.log"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("--log-file") && r.stderr.contains("run.log"), r.stderr)
        XCTAssertFalse(r.stderr.contains("Epoch 1/"), r.stderr)
    }
}
