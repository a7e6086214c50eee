import Foundation
import RecurTestSupport
import XCTest

/// `recur serve` as a real process (starts on a free port, answers, stops on SIGTERM) and the
/// forecast store from the command line (`recur predict --store`, `recur forecasts`).
final class ServeCLITests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try temporaryFolder("recur-serve-cli")
    }

    /// Trains a small hourly package into `models/temp` and returns the package and the data.
    func train() throws -> (package: String, data: String) {
        let data = dir.appendingPathComponent("data.csv").path
        try SmallModel.series().write(toFile: data, atomically: true, encoding: .utf8)
        return (try SmallModel.train(data: data, in: dir, output: dir.appendingPathComponent("models/temp").path), data)
    }

    func curl(_ args: [String]) throws -> String {
        try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "--max-time", "30"] + args).stdout
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
