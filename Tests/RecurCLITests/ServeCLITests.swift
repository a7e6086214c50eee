import Foundation
import XCTest

/// `recur serve` as a real process (starts on a free port, answers, stops on SIGTERM) and the
/// forecast store from the command line (`recur predict --store`, `recur forecasts`).
final class ServeCLITests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("recur-serve-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// Trains a small hourly package into `models/temp` and returns the package and the data.
    func train() throws -> (package: String, data: String) {
        var csv = "date,hr,temp\n"
        for i in 0..<240 {
            csv += String(format: "2020-01-%02d,%d,%.2f\n", 1 + i / 24, i % 24, 20 + 5 * sin(Double(i) * 2 * .pi / 24) + Double(i % 7) * 0.1)
        }
        let data = dir.appendingPathComponent("data.csv").path
        try csv.write(toFile: data, atomically: true, encoding: .utf8)
        let config = dir.appendingPathComponent("config.json")
        try """
        {
          "data": {"path": "\(data)", "date_column": "date", "hour_column": "hr", "target": "temp"},
          "window": {"n_past_steps": 6, "horizon": 2},
          "model": {"layers": [{"type": "lstm", "units": 4}]},
          "training": {"epochs": 2, "batch_size": 16, "checkpoint": false},
          "output": {"directory": "\(dir.path)"}
        }
        """.write(to: config, atomically: true, encoding: .utf8)
        let package = dir.appendingPathComponent("models/temp").path
        let r = try CLIRunner.run(["train", config.path, "--output", package, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return (package, data)
    }

    func curl(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = ["-s", "--max-time", "30"] + args
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    func testServeAnswersAndStopsGracefullyOnSIGTERM() throws {
        _ = try train()
        let p = Process()
        p.executableURL = CLIRunner.binary
        p.arguments = ["serve", "--models", dir.appendingPathComponent("models").path, "--port", "0"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        // The "serving" log line names the port (bounded: the process ends or says it).
        var log = ""
        var port: Int? = nil
        while port == nil {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            log += String(decoding: chunk, as: UTF8.self)
            if let line = log.split(separator: "\n").first(where: { $0.contains("serving") }),
               let range = line.range(of: "port=") {
                port = Int(line[range.upperBound...].prefix { $0.isNumber })
            }
        }
        let bound = try XCTUnwrap(port, log)
        XCTAssertTrue(log.contains("127.0.0.1"), log)
        XCTAssertTrue(try curl(["http://127.0.0.1:\(bound)/healthz"]).contains("\"ok\""))
        XCTAssertTrue(try curl(["http://127.0.0.1:\(bound)/v1/models"]).contains("\"name\":\"temp\""))
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit)
        XCTAssertEqual(p.terminationStatus, 0)
        log += String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(log.contains("request") && log.contains("route=/v1/models") && log.contains("status=200"), log)
        XCTAssertTrue(log.contains("stopped"), log)
    }

    func testServeRefusesAMissingFolderAndAnEmptyTokenFile() throws {
        let missing = try CLIRunner.run(["serve", "--models", dir.appendingPathComponent("nope").path])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("--models"), missing.stderr)
        let token = dir.appendingPathComponent("token").path
        try "".write(toFile: token, atomically: true, encoding: .utf8)
        let empty = try CLIRunner.run(["serve", "--models", dir.path, "--token-file", token])
        XCTAssertEqual(empty.status, 2)
        XCTAssertTrue(empty.stderr.contains("--token-file") && empty.stderr.contains("empty"), empty.stderr)
    }

    func testPredictStoreUpsertsAndForecastsReadsBack() throws {
        let (package, data) = try train()
        let store = "sqlite:" + dir.appendingPathComponent("db/forecasts.sqlite").path
        for _ in 0..<2 {
            let r = try CLIRunner.run(["predict", package, "--input", data, "--steps", "3", "--store", store])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let csv = try CLIRunner.run(["forecasts", store])
        XCTAssertEqual(csv.status, 0, csv.stderr)
        let lines = csv.stdout.split(separator: "\n")
        // The package is calibrated for the default levels: their bounds are stored beside the value.
        XCTAssertEqual(lines.first, "station,target,model,model_version,issued_at,valid_at,horizon_step,value,lower_80,upper_80,lower_95,upper_95")
        XCTAssertEqual(lines.count, 4, "predicting twice keeps one row per valid time:\n\(csv.stdout)")
        XCTAssertTrue(lines[1].hasPrefix(",temp,temp,"), String(lines[1]))
        XCTAssertTrue(lines[1].contains("2020-01-11T00:00:00Z"), String(lines[1]))
        let json = try CLIRunner.run(["forecasts", store, "--since", "2020-01-11T01:00:00Z", "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((object["forecasts"] as? [[String: Any]])?.count, 2)
        let other = try CLIRunner.run(["forecasts", store, "--station", "S9"])
        XCTAssertEqual(other.stdout.split(separator: "\n").count, 1)

        let bad = try CLIRunner.run(["forecasts", "sqlite:" + dir.appendingPathComponent("none.sqlite").path])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("does not exist"), bad.stderr)
        let url = try CLIRunner.run(["predict", package, "--input", data, "--steps", "3", "--store", "redis://x"])
        XCTAssertEqual(url.status, 2)
        XCTAssertTrue(url.stderr.contains("sqlite:PATH"), url.stderr)
        XCTAssertTrue(url.stdout.isEmpty)
    }
}
