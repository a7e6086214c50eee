import Foundation
import XCTest

/// Where `recur train` writes, and what it leaves (issue 9, items 2, 3, 9, 16): default names
/// that never collide, outputs checked before the first epoch, leftovers of dead processes
/// swept, nothing left behind by SIGINT or SIGTERM.
extension TrainTests {
    /// A config whose output folder is `<dir>/runs`.
    func writeRunsConfig(epochs: Int = 1, name: String = "config.json") throws -> URL {
        let csv = try writeSeries(days: 8)
        let config = try writeConfig(data: csv.path, training: "\"epochs\": \(epochs), \"batch_size\": 16", name: name)
        var text = try String(contentsOf: config, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"training\":", with: "\"output\": {\"directory\": \"runs\"},\n  \"training\":")
        try text.write(to: config, atomically: true, encoding: .utf8)
        return config
    }

    func testRunsStartedTogetherGetPackagesOfTheirOwn() throws {
        let config = try writeRunsConfig()
        let results = try CLIRunner.runConcurrently((1...5).map { ["train", config.path, "--seed", "\($0)", "--json"] }, in: dir)
        var packages: [String] = []
        for (k, r) in results.enumerated() {
            XCTAssertEqual(r.status, 0, r.stderr)
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], r.stdout)
            let package = try XCTUnwrap(object["package"] as? String)
            packages.append(package)
            let manifest = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: package + "/manifest.json"))) as? [String: Any])
            XCTAssertEqual((manifest["training"] as? [String: Any])?["seed"] as? Int, k + 1, "each package holds its own run")
        }
        XCTAssertEqual(Set(packages).count, 5, "five runs, five packages: \(packages)")
        let table = try String(contentsOf: dir.appendingPathComponent("runs/results.csv"), encoding: .utf8)
        let rows = table.split(separator: "\n").dropFirst()
        XCTAssertEqual(rows.count, 5, "one row per run, none lost: \(table)")
        XCTAssertEqual(Set(rows.map { String($0.split(separator: ",")[2]) }), Set(packages))
    }

    /// Runs `recur train` expecting exit 2 before any epoch, with `fragment` in the message.
    func assertRefusedBeforeTraining(_ arguments: [String], mentions fragment: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try CLIRunner.run(["train"] + arguments)
        XCTAssertEqual(r.status, 2, r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.contains(fragment), r.stderr, file: file, line: line)
        XCTAssertFalse(r.stderr.contains("Epoch 1/"), "refused before the first epoch: \(r.stderr)", file: file, line: line)
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("checkpoint") }
        XCTAssertEqual(checkpoints, [], file: file, line: line)
    }

    func testOutputsAreCheckedBeforeTheFirstEpoch() throws {
        let config = try writeRunsConfig(epochs: 50)
        let notAPackage = dir.appendingPathComponent("notes.txt")
        try "keep me".write(to: notAPackage, atomically: true, encoding: .utf8)
        try assertRefusedBeforeTraining([config.path, "--output", notAPackage.path], mentions: "exists and is not a model package")
        XCTAssertEqual(try String(contentsOf: notAPackage, encoding: .utf8), "keep me")
        let folder = dir.appendingPathComponent("folder")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("inside"), withIntermediateDirectories: true)
        try assertRefusedBeforeTraining([config.path, "--output", folder.path], mentions: "not a model package")
        try assertRefusedBeforeTraining([config.path, "--output", ""], mentions: "--output is empty")
        try assertRefusedBeforeTraining([config.path, "--output", notAPackage.path + "/pkg"], mentions: "is a file, not a folder")
    }

    /// A pid that no process has now: a child that has exited.
    func deadPID() throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        return p.processIdentifier
    }

    func testLeftoversOfDeadProcessesAreSweptAndALiveOnesAreKept() throws {
        let config = try writeRunsConfig()
        let dead = try deadPID(), live = getpid()
        let fm = FileManager.default
        let leftovers = [".pkg.partial-\(dead)", ".pkg.old-\(dead)", ".other.tmp-\(dead)"]
        for name in leftovers { try fm.createDirectory(at: dir.appendingPathComponent(name), withIntermediateDirectories: false) }
        let deadCheckpoint = ".pkg.checkpoint-\(dead).safetensors", liveCheckpoint = ".pkg.checkpoint-\(live).safetensors"
        for name in [deadCheckpoint, liveCheckpoint] { try "x".write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let r = try CLIRunner.run(["train", config.path, "--output", packagePath, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let names = Set(try fm.contentsOfDirectory(atPath: dir.path))
        for name in leftovers + [deadCheckpoint] { XCTAssertFalse(names.contains(name), "\(name) of a dead process is swept") }
        XCTAssertTrue(names.contains(liveCheckpoint), "a live process's file is kept")
    }

    func testReplacingAPackageLeavesNoOldOrPartialCopies() throws {
        let config = try writeRunsConfig()
        for seed in 1...2 {
            let r = try CLIRunner.run(["train", config.path, "--output", packagePath, "--quiet", "--seed", "\(seed)"])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let manifest = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: packagePath + "/manifest.json"))) as? [String: Any])
        XCTAssertEqual((manifest["training"] as? [String: Any])?["seed"] as? Int, 2, "the named package is replaced")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".pkg") }, [])
    }

    /// Starts a long training, waits for its checkpoint, sends `signal`, and checks the exit
    /// code and that nothing of the run is left.
    func assertSignalLeavesNothing(_ signal: Int32, exitCode: Int32, file: StaticString = #filePath, line: UInt = #line) throws {
        let config = try writeRunsConfig(epochs: 100_000, name: "long-\(signal).json")
        let process = try CLIRunner.start(["train", config.path, "--output", packagePath, "--quiet"])
        let checkpoint = dir.appendingPathComponent(".pkg.checkpoint-\(process.processIdentifier).safetensors").path
        let deadline = Date().addingTimeInterval(300)  // a guard against a hang, not a timing check
        while process.isRunning, !FileManager.default.fileExists(atPath: checkpoint), Date() < deadline { usleep(20_000) }
        XCTAssertTrue(process.isRunning, "the run is still training", file: file, line: line)
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit, "a clean exit, not death by the signal", file: file, line: line)
        XCTAssertEqual(process.terminationStatus, exitCode, file: file, line: line)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("pkg") }, [],
                       "no checkpoint, staging folder or package left", file: file, line: line)
    }

    func testSIGTERMDuringTrainingLeavesNothingAndExits143() throws {
        try assertSignalLeavesNothing(SIGTERM, exitCode: 143)
    }

    func testSIGINTDuringTrainingLeavesNothingAndExits130() throws {
        try assertSignalLeavesNothing(SIGINT, exitCode: 130)
    }
}
