import RecurTensor

/// Errors from building, running or loading networks. Each names the layer or file and
/// what was expected.
public enum NNError: Error, CustomStringConvertible {
    /// A constructor argument out of range, e.g. zero units or a dropout rate of 1.5.
    case invalidArgument(layer: String, argument: String, value: String, expected: String)
    /// An input or a layer-to-layer connection of the wrong shape.
    case shapeMismatch(layer: String, expected: String, got: [Int])
    /// A NaN or infinite value in an input, a target or a weight.
    case nonFinite(what: String, index: [Int], value: Float)
    /// Weights that do not fit the model (missing, extra or misshapen tensors).
    case weights(path: String, reason: String)
    /// An error from the tensor layer (files, shapes).
    case tensor(TensorError)

    public var description: String {
        switch self {
        case let .invalidArgument(layer, argument, value, expected):
            return "\(layer): \(argument) = \(value) is invalid; expected \(expected)"
        case let .shapeMismatch(layer, expected, got):
            return "\(layer): expected input of shape \(expected), got \(got)"
        case let .nonFinite(what, index, value):
            return "\(what): non-finite value \(value) at index \(index)"
        case let .weights(path, reason):
            return "\(path): \(reason)"
        case let .tensor(error):
            return error.description
        }
    }
}
