/// Errors thrown by the tensor layer: each names what was wrong and where.
public enum TensorError: Error, CustomStringConvertible, Equatable {
    /// A tensor had the wrong shape. `what` names the tensor or the operation.
    case shapeMismatch(what: String, expected: [Int], got: [Int])
    /// A NaN or infinite value at `index` in `what`.
    case nonFinite(what: String, index: [Int], value: Float)
    /// A file could not be read or written, or is not in the expected format.
    case file(path: String, reason: String)
    /// A tensor a file should contain is absent.
    case missingTensor(path: String, name: String, available: [String])

    public var description: String {
        switch self {
        case let .shapeMismatch(what, expected, got):
            return "\(what): expected shape \(expected), got \(got)"
        case let .nonFinite(what, index, value):
            return "\(what): non-finite value \(value) at index \(index)"
        case let .file(path, reason):
            return "\(path): \(reason)"
        case let .missingTensor(path, name, available):
            let list = available.sorted().prefix(20).joined(separator: ", ")
            return "\(path): no tensor named '\(name)' (the file has: \(list))"
        }
    }
}
