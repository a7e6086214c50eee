import Foundation
@testable import RecurDashboard
@testable import RecurTune
import RecurTestSupport
import XCTest

/// A real `recur tune` process while the dashboard polls its study every 100 ms: the study
/// finishes with exactly the result of the same study run alone.
final class LiveStudyTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try temporaryFolder("recur-dashboard-live")
    }

    /// The `recur` executable built beside the tests.
    static var binary: URL {
        let testBinary = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        var folder = testBinary.deletingLastPathComponent()
        if folder.pathExtension == "xctest" || folder.lastPathComponent == "MacOS" { folder = folder.deletingLastPathComponent() }
        return folder.appendingPathComponent("recur")
    }

    /// A tiny study in `folder`: hourly synthetic series, LSTM(4), 4 trials of 3 epochs.
    func writeStudy(in folder: URL) throws -> (config: String, storage: String) {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try SyntheticSeries.write(to: folder.appendingPathComponent("series.csv"), days: 10)
        let text = """
        {
          "data": {"path": "series.csv", "date_column": "date", "hour_column": "hr", "target": "temp"},
          "window": {"n_past_steps": 4},
          "model": {"layers": [{"type": "lstm", "units": 4}]},
          "training": {"epochs": 3, "batch_size": 16, "seed": 11, "optimizer": {"name": "adam", "learning_rate": 0.01}},
          "output": {"directory": "runs"},
          "search": {"max_evals": 4, "sampler": "tpe", "startup_trials": 2,
                     "space": {"training.optimizer.learning_rate": {"log_uniform": [0.001, 0.05]}, "window.n_past_steps": {"int": [2, 6]}}}
        }
        """
        let config = folder.appendingPathComponent("tiny.json")
        try text.write(to: config, atomically: true, encoding: .utf8)
        return (config.path, folder.appendingPathComponent("runs/tiny.study.sqlite").path)
    }

    func tune(_ config: String) throws -> Process {
        let p = Process()
        p.executableURL = Self.binary
        p.arguments = ["tune", config, "--jobs", "1"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// What a study's result is: every trial's number, state, parameters, value and per-epoch values.
    func result(_ storage: String) throws -> [String] {
        try StudyStorage.open(path: storage, create: false).trials().map { t in
            "\(t.number) \(t.state) \(ParamsJSON.encode(t.params)) \(t.value.map { "\($0)" } ?? "nil") \(t.record.intermediate.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" })"
        }
    }

    func testAStudyPolledEvery100msFinishesWithTheResultOfTheStudyRunAlone() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            return XCTFail("no recur binary at \(Self.binary.path): build the package (swift build --build-tests) first")
        }
        let alone = try writeStudy(in: dir.appendingPathComponent("alone"))
        let watched = try writeStudy(in: dir.appendingPathComponent("watched"))
        let first = try tune(alone.config)
        first.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 0)

        let dashboard = try Dashboard(storages: [watched.storage], modelsDirectory: nil)
        let process = try tune(watched.config)
        var polls = 0, answered = 0, change = 0
        var seen = Set<Int>()
        while process.isRunning {
            for (path, query) in [("/api/studies/tiny", "after=\(change)"), ("/api/studies", nil), ("/studies/tiny", nil)] {
                let r = dashboard.handle(method: "GET", path: path, query: query)
                polls += 1
                if r.status == 200 {
                    answered += 1
                    if path == "/api/studies/tiny", let o = try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any] {
                        change = o["change"] as? Int ?? change
                        for t in o["trials"] as? [[String: Any]] ?? [] { seen.insert(t["number"] as? Int ?? -1) }
                    }
                }
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTAssertEqual(process.terminationStatus, 0, "the watched study finished normally")
        XCTAssertGreaterThan(polls, 3, "the dashboard polled while the study ran")
        XCTAssertGreaterThan(answered, 0)
        XCTAssertEqual(try result(watched.storage), try result(alone.storage), "same trials, parameters and values as the study run alone")
        XCTAssertEqual(try result(watched.storage).count, 4)
        // The incremental answers saw every trial by the end.
        let last = try JSONSerialization.jsonObject(with: Data(dashboard.handle(method: "GET", path: "/api/studies/tiny", query: "after=\(change)").body.utf8)) as? [String: Any]
        for t in last?["trials"] as? [[String: Any]] ?? [] { seen.insert(t["number"] as? Int ?? -1) }
        XCTAssertEqual(seen, [0, 1, 2, 3])
    }
}
