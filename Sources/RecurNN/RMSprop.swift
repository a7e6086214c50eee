import Foundation
import RecurTensor

/// RMSprop, optionally centred and with momentum.
///
/// Keras 3 (`style: .keras`, the default; defaults rho 0.9, epsilon 1e-7, lr 0.001):
///
///     v = rho * v + (1 - rho) * g²
///     a = rho * a + (1 - rho) * g                     (centred only)
///     step = lr * g / sqrt(v - a² + eps)               (eps inside the root; no a² unless centred)
///     m = momentum * m + step; w -= m                  (or w -= step without momentum)
///
/// PyTorch (`style: .torch`; PyTorch's own defaults are alpha = rho 0.99, epsilon 1e-8, lr
/// 0.01 — pass them explicitly to reproduce it):
///
///     v = rho * v + (1 - rho) * g²
///     a = rho * a + (1 - rho) * g                     (centred only)
///     d = g / (sqrt(v - a²) + eps)                      (eps outside the root)
///     m = momentum * m + d; w -= lr * m                (or w -= lr * d without momentum)
///
/// The two momentum forms agree for a constant learning rate; the epsilon placement differs.
public final class RMSprop: Optimizer {
    /// Discount factor of the squared-gradient average (PyTorch's `alpha`).
    public let rho: Float
    /// The stabilising constant (see the style for where it goes).
    public let epsilon: Float
    /// Momentum factor in [0, 1); 0 turns it off.
    public let momentum: Float
    /// Whether to normalise by the estimated variance rather than the second moment.
    public let centered: Bool
    /// Where epsilon goes.
    public let style: OptimizerStyle

    /// - Parameter epsilon: `nil` for the style's default (Keras 1e-7, PyTorch 1e-8).
    /// - Throws: `NNError.invalidArgument` for values out of range.
    public init(learningRate: Float = 0.001, rho: Float = 0.9, epsilon: Float? = nil, momentum: Float = 0,
                centered: Bool = false, style: OptimizerStyle = .keras, regularization: Regularization = .none,
                clipping: GradientClipping = .none) throws {
        self.rho = rho
        let epsilon = epsilon ?? (style == .keras ? 1e-7 : 1e-8)
        self.epsilon = epsilon
        self.momentum = momentum
        self.centered = centered
        self.style = style
        try super.init(name: "rmsprop", learningRate: learningRate, regularization: regularization,
                       clipping: clipping)
        try Optimizer.require(rho >= 0 && rho < 1, name, "rho", rho, "a number in [0, 1)")
        try Optimizer.require(epsilon > 0 && epsilon.isFinite, name, "epsilon", epsilon, "a finite number > 0")
        try Optimizer.require(momentum >= 0 && momentum < 1, name, "momentum", momentum, "a number in [0, 1)")
    }

    // moments[0]: v, the squared-gradient average; [1]: momentum buffer; [2]: gradient average.
    override var momentCount: Int { 3 }

    override public var hyperparameters: [String: Double] {
        var h = super.hyperparameters
        h["rho"] = Double(rho)
        h["epsilon"] = Double(epsilon)
        h["momentum"] = Double(momentum)
        h["centered"] = centered ? 1 : 0
        h["style_torch"] = style == .torch ? 1 : 0
        return h
    }

    override func update(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int, lr: Float, t: Int) {
        let v = moments[0].data, m = moments[1].data, a = moments[2].data
        let rho = self.rho, eps = epsilon, mu = momentum
        for i in 0..<n {
            let gi = g[i]
            v[i] = rho * v[i] + (1 - rho) * gi * gi
            var second = v[i]
            if centered {
                a[i] = rho * a[i] + (1 - rho) * gi
                second -= a[i] * a[i]
            }
            switch style {
            case .keras:
                let step = lr * gi / (second + eps).squareRoot()
                if mu > 0 {
                    m[i] = mu * m[i] + step
                    w[i] -= m[i]
                } else {
                    w[i] -= step
                }
            case .torch:
                let d = gi / (Swift.max(second, 0).squareRoot() + eps)
                if mu > 0 {
                    m[i] = mu * m[i] + d
                    w[i] -= lr * m[i]
                } else {
                    w[i] -= lr * d
                }
            }
        }
    }
}
