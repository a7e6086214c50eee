import Foundation
import Logging
import RecurData
import RecurTrain
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The log handlers of `recur`, bootstrapped once at start: every message goes to stderr as a
/// plain line (the format users and scripts know), and, once a command attaches one
/// (`attachFile`), to the log file as `<UTC time> <level> <message>` lines, appended.
/// stdout (results) never goes through the logger.
enum RecurLogging {
    /// Installs the handlers (`Recur.main`, before anything logs).
    static func bootstrap() {
        LoggingSystem.bootstrap { _ in
            var handler = MultiplexLogHandler([StderrLogHandler(), FileLogHandler()])
            handler.logLevel = .info
            return handler
        }
    }

    /// Starts writing the log into `path` too (created when missing; appended to).
    /// - Throws: `UsageError` naming `key` when the file cannot be opened (exit 2).
    static func attachFile(_ path: String, key: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw UsageError("\(path): cannot open the log file (\(key)): \(String(cString: strerror(errno))); set \(key) to a writable path or pass --log-file")
        }
        LogFile.shared.replace(with: fd)
    }
}

/// The log file the file handler writes to, if any (one per process).
final class LogFile: @unchecked Sendable {
    static let shared = LogFile()
    private let lock = NSLock()
    private var fd: Int32 = -1

    func replace(with new: Int32) {
        lock.withLock {
            if fd >= 0 { close(fd) }
            fd = new
        }
    }

    /// Appends `text` in one write (lines of concurrent processes never interleave).
    func write(_ text: String) {
        lock.withLock {
            guard fd >= 0 else { return }
            var bytes = Array(text.utf8)
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeMutableBytes { writeBytes(fd, $0.baseAddress! + offset, $0.count - offset) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }
}

/// A message with its metadata (the handler's and the event's) after it as sorted `key=value`
/// pairs: `request method=POST status=200 ...` (the server's structured lines); a message
/// without metadata is left as it is (the CLI's lines).
func formatted(_ event: LogEvent, handlerMetadata: Logger.Metadata) -> String {
    let merged = handlerMetadata.merging(event.metadata ?? [:]) { _, new in new }
    guard !merged.isEmpty else { return event.message.description }
    return event.message.description + " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
}

/// A log handler whose metadata is one stored dictionary, read and written by key.
protocol StoredMetadataLogHandler: LogHandler {
    var metadata: Logger.Metadata { get set }
}

extension StoredMetadataLogHandler {
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
}

/// Writes each message (with its metadata, if any) as one line on stderr.
struct StderrLogHandler: StoredMetadataLogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    func log(event: LogEvent) {
        FileHandle.standardError.write(Data((formatted(event, handlerMetadata: metadata) + "\n").utf8))
    }
}

/// Appends `<UTC time> <level> <message>` to the attached log file.
struct FileLogHandler: StoredMetadataLogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    func log(event: LogEvent) {
        // Formatted by hand: an ISO8601DateFormatter made per line was 11% of a served request.
        let time = Timestamps.format(Int64(Date().timeIntervalSince1970.rounded(.down)), separator: "T") + "Z"
        let lines = formatted(event, handlerMetadata: metadata).split(separator: "\n", omittingEmptySubsequences: false)
        LogFile.shared.write(lines.map { "\(time) \(event.level) \($0)" }.joined(separator: "\n") + "\n")
    }
}

/// write(2), outside the types that have their own `write`.
private func writeBytes(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }
