import Foundation
import XCTest

/// Several `recur tune` processes on one study (issue 9, item 1): together they finish exactly
/// `max_evals` trials, none failed for reasons of their own making, none left running, on a
/// study started before and on a brand-new study file; each runner's scratch is its own.
extension TuneTests {
    /// The study's trial counts by state, read back with `recur study export`.
    func counts(_ storage: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Int] {
        let r = try CLIRunner.run(["study", "export", storage, "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr, file: file, line: line)
        return try json(r.stdout, file: file, line: line)["counts"] as? [String: Int] ?? [:]
    }

    func testTwoProcessesOnOneStudyFinishExactlyMaxEvals() throws {
        // Trials of several epochs, so that one process ends while the other still trains.
        let config = try writeConfig(maxEvals: 12, epochs: 8, units: 4)
        for round in 0..<3 {
            let storage = dir.appendingPathComponent("started-\(round).study.sqlite").path
            XCTAssertEqual(try CLIRunner.run(["tune", config, "--trials", "1", "--storage", storage, "--quiet"]).status, 0)
            let results = try CLIRunner.runConcurrently(Array(repeating: ["tune", config, "--trials", "12", "--storage", storage, "--quiet"], count: 2), in: dir)
            for r in results { XCTAssertEqual(r.status, 0, "round \(round): \(r.stderr)") }
            XCTAssertEqual(try counts(storage), ["complete": 12, "pruned": 0, "failed": 0, "running": 0], "round \(round)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent(".started-\(round).study.running").path),
                           "the last runner to leave removes the shared scratch folder")
        }
    }

    func testTwoProcessesStartedTogetherOnABrandNewStudyFile() throws {
        let config = try writeConfig(maxEvals: 12, epochs: 8, units: 4)
        for round in 0..<3 {
            let storage = dir.appendingPathComponent("new-\(round).study.sqlite").path
            let results = try CLIRunner.runConcurrently(Array(repeating: ["tune", config, "--storage", storage, "--quiet"], count: 3), in: dir)
            for r in results { XCTAssertEqual(r.status, 0, "round \(round): \(r.stderr)") }
            XCTAssertEqual(try counts(storage), ["complete": 12, "pruned": 0, "failed": 0, "running": 0], "round \(round)")
        }
    }
}

/// A trial whose study files cannot be written is recorded failed, not left running (item 16).
extension TuneTests {
    func testATrialWhoseBestPackageCannotBeWrittenIsRecordedFailed() throws {
        let config = try writeConfig(maxEvals: 2, epochs: 1)
        let storage = dir.appendingPathComponent("full.study.sqlite").path
        // Something that is not a package sits where the best package goes: writing it fails.
        let best = dir.appendingPathComponent("full.study.best")
        try FileManager.default.createDirectory(at: best, withIntermediateDirectories: true)
        try "not a package".write(to: best.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let r = try CLIRunner.run(["tune", config, "--storage", storage, "--quiet"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains(best.path), r.stderr)
        let c = try counts(storage)
        XCTAssertEqual(c["running"], 0, "no trial is left running: \(c)")
        XCTAssertEqual(c["failed"], 1, "\(c)")
        let export = try json(try CLIRunner.run(["study", "export", storage, "--format", "json"]).stdout)
        let errors = (export["trials"] as? [[String: Any]] ?? []).compactMap { $0["error"] as? String }
        XCTAssertTrue(errors.contains { $0.contains("best") }, "the reason is recorded: \(errors)")
        XCTAssertEqual(try String(contentsOf: best.appendingPathComponent("notes.txt"), encoding: .utf8), "not a package")
    }
}

/// SIGTERM stops a tune cleanly: its scratch is removed, exit 143, and the next run fails the
/// trials it held as lost and retries them (item 16).
extension TuneTests {
    func testSIGTERMRemovesTheRunnersScratchAndAResumeFinishesTheStudy() throws {
        let config = try writeConfig(maxEvals: 3, epochs: 150, units: 8)
        let storage = dir.appendingPathComponent("stopped.study.sqlite").path
        let scratch = dir.appendingPathComponent(".stopped.study.running")
        let process = try CLIRunner.start(["tune", config, "--storage", storage, "--quiet"])
        // Wait until the runner trains in its own folder (a trial's checkpoint is there).
        func checkpointWritten() -> Bool {
            let fm = FileManager.default
            guard let runners = try? fm.contentsOfDirectory(atPath: scratch.path) else { return false }
            return runners.contains { name in
                ((try? fm.contentsOfDirectory(atPath: scratch.appendingPathComponent(name).path)) ?? []).contains { $0.contains("checkpoint") }
            }
        }
        let deadline = Date().addingTimeInterval(300)  // a guard against a hang, not a timing check
        while process.isRunning, !checkpointWritten(), Date() < deadline { usleep(20_000) }
        XCTAssertTrue(process.isRunning, "the study is still running")
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit)
        XCTAssertEqual(process.terminationStatus, 143)
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: scratch.path)) ?? [], [], "the runner's scratch is removed")
        let r = try CLIRunner.run(["tune", config, "--storage", storage, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // The trial it held is recorded failed (its runner is gone) and retried, linked to it.
        XCTAssertEqual(try counts(storage), ["complete": 3, "pruned": 0, "failed": 1, "running": 0])
        let export = try json(try CLIRunner.run(["study", "export", storage, "--format", "json"]).stdout)
        let rows = export["trials"] as? [[String: Any]] ?? []
        let failed = try XCTUnwrap(rows.first { $0["state"] as? String == "failed" })
        XCTAssertTrue((failed["error"] as? String)?.hasPrefix("lost: ") == true, "\(failed)")
        XCTAssertEqual(rows.compactMap { $0["retry_of"] as? Int }, [failed["number"] as? Int].compactMap { $0 })
    }
}
