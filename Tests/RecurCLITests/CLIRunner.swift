import Foundation
import RecurTestSupport
import XCTest

/// Runs the built `recur` binary (next to the test bundle) and captures its output.
struct CLIRunner {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `recur` executable built alongside the tests.
    static var binary: URL {
        let testBinary = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        var dir = testBinary.deletingLastPathComponent()
        if dir.pathExtension == "xctest" || dir.lastPathComponent == "MacOS" { dir = dir.deletingLastPathComponent() }
        return dir.appendingPathComponent("recur")
    }

    /// Runs `executable` (the built `recur` unless told) and returns its status and output.
    static func run(_ arguments: [String], environment: [String: String] = [:], executable: URL = binary,
                    file: StaticString = #filePath, line: UInt = #line) throws -> Result {
        let r = try ChildProcess.run(executable, arguments, environment: environment)
        return Result(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }

    /// Starts `recur` with `arguments` in the background, its output discarded (a run a test
    /// signals or watches through its files); the caller waits for it.
    static func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Starts one `recur` process per argument list at once, waits for all, and returns their
    /// results in the same order (output goes through files in `folder`, so no pipe fills up).
    static func runConcurrently(_ argumentLists: [[String]], in folder: URL) throws -> [Result] {
        var running: [(Process, URL, URL)] = []
        for (k, arguments) in argumentLists.enumerated() {
            let process = Process()
            process.executableURL = binary
            process.arguments = arguments
            let out = folder.appendingPathComponent(".concurrent-\(k).out"), err = folder.appendingPathComponent(".concurrent-\(k).err")
            FileManager.default.createFile(atPath: out.path, contents: nil)
            FileManager.default.createFile(atPath: err.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = try FileHandle(forWritingTo: err)
            running.append((process, out, err))
        }
        for (process, _, _) in running { try process.run() }
        return try running.map { process, out, err in
            process.waitUntilExit()
            defer {
                try? FileManager.default.removeItem(at: out)
                try? FileManager.default.removeItem(at: err)
            }
            return Result(status: process.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
                          stderr: try String(contentsOf: err, encoding: .utf8))
        }
    }
}
