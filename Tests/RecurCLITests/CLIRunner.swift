import Foundation
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
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Both pipes are drained at once: reading one to its end first would deadlock with a
        // child that fills the other pipe's buffer (64 KiB) and blocks.
        final class Drained: @unchecked Sendable { var data = Data() }  // written before the signal, read after
        let errDrained = Drained(), stderrDone = DispatchSemaphore(value: 0)
        let errHandle = err.fileHandleForReading
        Thread.detachNewThread {
            errDrained.data = errHandle.readDataToEndOfFile()
            stderrDone.signal()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        stderrDone.wait()
        let errData = errDrained.data
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}
