import Foundation
import RecurTensor

/// A loss function: a mean over every element of `prediction` and `target` (the Keras and
/// PyTorch default reduction), and its gradient with respect to the predictions.
///
/// | case | per element, with `d = prediction - target` | gradient per element (before `/ n`) |
/// |---|---|---|
/// | `.meanSquaredError` | `d²` | `2d` |
/// | `.meanAbsoluteError` | `|d|` | `sign(d)` (0 at 0, as PyTorch) |
/// | `.huber(delta:)` | `d²/2` if `|d| <= delta`, else `delta (|d| - delta/2)` | `d` or `delta sign(d)` |
/// | `.binaryCrossEntropy` (logits `x`, labels `y`) | `max(x,0) - x y + log(1 + e^-|x|)` | `sigmoid(x) - y` |
///
/// | `.quantile(levels:)` (pinball, quantiles `τ_q`, `u = target - prediction_q`) | `max(τ u, (τ - 1) u)` | `-τ` if `u > 0`, `1 - τ` if `u < 0`, 0 at 0 |
///
/// Sums accumulate in `Double`. Shapes must match exactly, except for the quantile loss: its
/// prediction holds `Q` values per target element, `[..., Q]` innermost (a target `[B, H]`
/// goes with a prediction `[B, H·Q]`, element `(b, k)` with `(b, k·Q + q)`), and its mean runs
/// over the `B·H·Q` predictions (averaged over quantiles and horizon steps). A NaN or infinite
/// target or prediction throws `NNError.nonFinite` before anything is written.
public enum Loss: Sendable, Equatable, CustomStringConvertible {
    /// Mean squared error (`mse`, `mean_squared_error`).
    case meanSquaredError
    /// Mean absolute error (`mae`, `mean_absolute_error`).
    case meanAbsoluteError
    /// Huber loss (`huber`): quadratic within `delta` of the target, linear beyond.
    case huber(delta: Float)
    /// Binary cross-entropy on logits (`binary_crossentropy`): the predictions are logits,
    /// the targets probabilities in [0, 1]. Computed in the numerically stable form.
    case binaryCrossEntropy
    /// Quantile (pinball) loss over `levels`, each in (0, 1), strictly increasing
    /// (`{"quantile": [0.1, 0.5, 0.9]}` in a config); see `QuantileLoss.swift`.
    case quantile(levels: [Float])

    /// The names accepted from configs, for error messages.
    public static let acceptedNames = [
        "mse", "mean_squared_error", "mae", "mean_absolute_error", "huber", "binary_crossentropy",
    ]

    /// The loss called `name` in a config (case-insensitive); Huber takes `huberDelta`.
    /// - Throws: `NNError.invalidArgument` for an unknown name or a non-positive delta.
    public init(name: String, huberDelta: Float = 1.0) throws {
        switch name.lowercased() {
        case "mse", "mean_squared_error", "meansquarederror": self = .meanSquaredError
        case "mae", "mean_absolute_error", "meanabsoluteerror": self = .meanAbsoluteError
        case "huber", "huber_loss":
            guard huberDelta > 0, huberDelta.isFinite else {
                throw NNError.invalidArgument(layer: "loss huber", argument: "delta", value: "\(huberDelta)",
                                              expected: "a finite number > 0")
            }
            self = .huber(delta: huberDelta)
        case "binary_crossentropy", "bce", "binarycrossentropy": self = .binaryCrossEntropy
        default:
            throw NNError.invalidArgument(layer: "loss", argument: "name", value: name,
                                          expected: "one of \(Loss.acceptedNames.joined(separator: ", "))")
        }
    }

    /// The canonical config name.
    public var name: String {
        switch self {
        case .meanSquaredError: return "mse"
        case .meanAbsoluteError: return "mae"
        case .huber: return "huber"
        case .binaryCrossEntropy: return "binary_crossentropy"
        case .quantile: return "quantile"
        }
    }

    public var description: String {
        if case let .huber(delta) = self { return "huber(delta: \(delta))" }
        if case let .quantile(levels) = self { return "quantile(\(levels.map { "\($0)" }.joined(separator: ", ")))" }
        return name
    }

    /// The mean loss.
    /// - Throws: `NNError.shapeMismatch` or `NNError.nonFinite`.
    public func value(prediction: Tensor, target: Tensor) throws -> Float {
        try check(prediction: prediction, target: target)
        return compute(prediction.data, target.data, prediction.count, gradient: nil)
    }

    /// The mean loss, and its gradient with respect to `prediction` written into `gradient`
    /// (one pass). `gradient` is resized to the prediction's shape when it is an owned
    /// tensor; a view must already have the right count.
    /// - Throws: `NNError.shapeMismatch` or `NNError.nonFinite`; nothing is written then.
    public func valueAndGradient(prediction: Tensor, target: Tensor, into gradient: Tensor) throws -> Float {
        try check(prediction: prediction, target: target)
        if gradient.isView {
            guard gradient.count == prediction.count else {
                throw NNError.shapeMismatch(layer: "loss \(name) gradient buffer",
                                            expected: "\(prediction.shape)", got: gradient.shape)
            }
            gradient.reshape(prediction.shape)
        } else if gradient.shape != prediction.shape {
            gradient.resize(prediction.shape)
        }
        return compute(prediction.data, target.data, prediction.count, gradient: gradient.data)
    }

    /// The gradient with respect to `prediction`, written into `gradient` (see
    /// `valueAndGradient`).
    public func gradient(prediction: Tensor, target: Tensor, into gradient: Tensor) throws {
        _ = try valueAndGradient(prediction: prediction, target: target, into: gradient)
    }

    private func check(prediction: Tensor, target: Tensor) throws {
        if case let .quantile(levels) = self {
            guard prediction.count == target.count * levels.count, prediction.shape.first == target.shape.first else {
                throw NNError.shapeMismatch(layer: "loss quantile: prediction",
                                            expected: "\(levels.count) values per target element (target \(target.shape))",
                                            got: prediction.shape)
            }
        } else if prediction.shape != target.shape {
            throw NNError.shapeMismatch(layer: "loss \(name): target", expected: "\(prediction.shape) (the prediction's shape)",
                                        got: target.shape)
        }
        guard prediction.count > 0 else {
            throw NNError.shapeMismatch(layer: "loss \(name)", expected: "at least one element", got: prediction.shape)
        }
        if let i = target.firstNonFinite() {
            throw NNError.nonFinite(what: "loss \(name): target", index: target.multiIndex(of: i), value: target[i])
        }
        if let i = prediction.firstNonFinite() {
            throw NNError.nonFinite(what: "loss \(name): prediction", index: prediction.multiIndex(of: i),
                                    value: prediction[i])
        }
    }

    /// One pass over `n` elements: returns the mean, writes `d loss / d prediction` when
    /// `gradient` is given.
    private func compute(_ p: UnsafePointer<Float>, _ t: UnsafePointer<Float>, _ n: Int,
                         gradient g: UnsafeMutablePointer<Float>?) -> Float {
        if case let .quantile(levels) = self { return Self.pinball(p, t, n, levels: levels, gradient: g) }
        let inverseN = 1 / Float(n)
        var sum = 0.0
        switch self {
        case .meanSquaredError:
            for i in 0..<n {
                let d = p[i] - t[i]
                sum += Double(d * d)
                g?[i] = 2 * d * inverseN
            }
        case .meanAbsoluteError:
            for i in 0..<n {
                let d = p[i] - t[i]
                sum += Double(abs(d))
                g?[i] = (d > 0 ? 1 : (d < 0 ? -1 : 0)) * inverseN
            }
        case let .huber(delta):
            for i in 0..<n {
                let d = p[i] - t[i]
                let a = abs(d)
                if a <= delta {
                    sum += Double(0.5 * d * d)
                    g?[i] = d * inverseN
                } else {
                    sum += Double(delta * (a - 0.5 * delta))
                    g?[i] = (d > 0 ? delta : -delta) * inverseN
                }
            }
        case .binaryCrossEntropy:
            for i in 0..<n {
                let x = p[i], y = t[i]
                sum += Double(Swift.max(x, 0) - x * y + Foundation.log1p(Foundation.exp(-abs(x))))
                g?[i] = (Kernels.sigmoid(x) - y) * inverseN
            }
        case .quantile:
            break  // handled above
        }
        return Float(sum / Double(n))
    }
}
