import Foundation

/// Runs a child process to its end and captures its output, for tests.
public enum ChildProcess {
    /// What a finished child left: its exit status (or signal number) and its output.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `executable` with `arguments` (and `environment` over this process's own) and
    /// waits for it. Both pipes are drained at once: reading one to its end first deadlocks
    /// with a child that fills the other pipe's buffer (64 KiB) and blocks.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> Result {
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
        final class Drained: @unchecked Sendable { var data = Data() }  // written before the signal, read after
        let errDrained = Drained(), stderrDone = DispatchSemaphore(value: 0)
        let errHandle = err.fileHandleForReading
        Thread.detachNewThread {
            errDrained.data = errHandle.readDataToEndOfFile()
            stderrDone.signal()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        stderrDone.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errDrained.data, as: UTF8.self))
    }
}
