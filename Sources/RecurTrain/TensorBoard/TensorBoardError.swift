/// Errors from writing or reading TensorBoard event files.
public enum TensorBoardError: Error, Equatable, CustomStringConvertible {
    /// The run directory or the event file could not be created or written.
    case cannotWrite(path: String, reason: String)
    /// A record in an event file is truncated or fails its checksum (`offset` in bytes).
    case corruptRecord(offset: Int, reason: String)
    /// `add` or `flush` after `close()`.
    case closed(path: String)

    public var description: String {
        switch self {
        case let .cannotWrite(path, reason): "cannot write TensorBoard log \(path): \(reason)"
        case let .corruptRecord(offset, reason): "corrupt TFRecord at byte \(offset): \(reason)"
        case let .closed(path): "TensorBoard log \(path) is already closed"
        }
    }
}
