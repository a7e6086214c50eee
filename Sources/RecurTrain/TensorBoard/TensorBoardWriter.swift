import Foundation
import RecurTensor

/// Writes scalar summaries (loss, metrics, learning rate per epoch) as a TensorBoard event file.
///
/// The file is `DIRECTORY/events.out.tfevents.<unix seconds>.<hostname>` (TFRecord framing, see
/// ``TFRecord``); its first record is an `Event` with `wall_time` (seconds since 1970, UTC) and
/// `file_version: "brain.Event:2"`, then one `Event { wall_time, step, summary }` per
/// ``add(tag:value:step:)`` or ``add(scalars:step:)``. Point TensorBoard at the directory's parent
/// (`tensorboard --logdir runs/`) to compare runs.
///
/// Records are buffered in memory until ``flush()``, which appends them to the file; call it after
/// each epoch's scalars so the file is readable while training runs. ``close()`` (or deinit)
/// flushes. Values are stored as 32-bit floats; NaN and infinities are written as they are
/// (TensorBoard shows them), which is how a diverged run stays visible. Thread-safe.
public final class TensorBoardWriter: @unchecked Sendable {
    /// The run directory holding the event file.
    public let directory: URL
    /// The event file, `events.out.tfevents.<unix seconds>.<hostname>`.
    public let fileURL: URL

    private let lock = NSLock()
    private var handle: FileHandle?
    private var pending: [UInt8] = []
    private let clock: @Sendable () -> Double

    /// Creates `directory` (and parents) if needed and starts a new event file there.
    ///
    /// - Parameters:
    ///   - directory: the run directory, e.g. `runs/2024-05-01T12-00-00`.
    ///   - clock: seconds since 1970 for `wall_time`; injectable for tests.
    /// - Throws: ``TensorBoardError/cannotWrite(path:reason:)``.
    public init(directory: URL,
                clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) throws {
        self.directory = directory
        self.clock = clock
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw TensorBoardError.cannotWrite(path: directory.path, reason: FileErrorText.describe(error))
        }
        let now = clock()
        let host = Self.sanitizedHostName()
        var name = "events.out.tfevents.\(Int64(now.rounded(.down))).\(host)"
        // Two writers in the same second and directory: keep both files (TensorBoard reads all).
        var suffix = 0
        while fm.fileExists(atPath: directory.appendingPathComponent(name).path) {
            suffix += 1
            name = "events.out.tfevents.\(Int64(now.rounded(.down))).\(host).\(getpid()).\(suffix)"
        }
        fileURL = directory.appendingPathComponent(name)
        guard fm.createFile(atPath: fileURL.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: fileURL.path) else {
            throw TensorBoardError.cannotWrite(path: fileURL.path, reason: "cannot create the file")
        }
        self.handle = handle
        pending = TFRecord.frame(TensorBoardEventEncoding.fileVersionEvent(wallTime: now))
        try flush()
    }

    deinit { try? close() }

    /// Queues one scalar, e.g. `add(tag: "loss", value: 0.031, step: epoch)`.
    /// - Parameters:
    ///   - tag: the chart name in TensorBoard; `/` groups charts (`"val/rmse"`).
    ///   - value: the value, in the metric's own units.
    ///   - step: the x coordinate, usually the epoch (0- or 1-based, the caller's choice).
    public func add(tag: String, value: Float, step: Int) throws {
        try add(scalars: [(tag, value)], step: step)
    }

    /// Queues several scalars of the same step as one `Event` (order kept).
    public func add(scalars: [(tag: String, value: Float)], step: Int) throws {
        let event = TensorBoardEventEncoding.scalarsEvent(wallTime: clock(), step: Int64(step), scalars: scalars)
        try lock.withLock {
            guard handle != nil else { throw TensorBoardError.closed(path: fileURL.path) }
            pending.append(contentsOf: TFRecord.frame(event))
        }
    }

    /// Queues a dictionary of scalars of one step, sorted by tag.
    public func add(scalars: [String: Float], step: Int) throws {
        try add(scalars: scalars.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, step: step)
    }

    /// Appends every queued record to the file, so readers see them now.
    public func flush() throws {
        try lock.withLock {
            guard let handle else { throw TensorBoardError.closed(path: fileURL.path) }
            guard !pending.isEmpty else { return }
            do {
                try handle.write(contentsOf: pending)
            } catch {
                throw TensorBoardError.cannotWrite(path: fileURL.path, reason: FileErrorText.describe(error))
            }
            pending.removeAll(keepingCapacity: true)
        }
    }

    /// Flushes and closes the file. Further `add` or `flush` calls throw; closing twice is a no-op.
    public func close() throws {
        let alreadyClosed = lock.withLock { handle == nil }
        if alreadyClosed { return }
        try flush()
        try lock.withLock {
            defer { handle = nil }
            try handle?.close()
        }
    }

    /// The host name with path separators and spaces replaced, as it appears in the file name.
    static func sanitizedHostName() -> String {
        let host = ProcessInfo.processInfo.hostName
        let cleaned = String(host.map { $0 == "/" || $0 == " " ? "_" : $0 })
        return cleaned.isEmpty ? "localhost" : cleaned
    }
}
