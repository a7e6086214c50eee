/// Errors from rendering or writing a chart.
public enum ChartError: Error, Equatable, CustomStringConvertible {
    /// The chart's inputs are inconsistent (e.g. x and y of different lengths).
    case invalidInput(String)
    /// The SVG file could not be written.
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidInput(message): "invalid chart input: \(message)"
        case let .cannotWrite(path, reason): "cannot write chart \(path): \(reason)"
        }
    }
}
