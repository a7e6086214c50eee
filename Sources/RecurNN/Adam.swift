import Foundation
import RecurKernels
import RecurTensor

/// Adam (Kingma & Ba), in either framework's formulation. Both keep
///
///     m = beta1 * m + (1 - beta1) * g
///     v = beta2 * v + (1 - beta2) * g²
///
/// and differ in where epsilon goes:
///
/// - `style: .keras` (Keras 3, the default; epsilon defaults to 1e-7):
///   `w -= lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps)`
///   (epsilon is added to the *uncorrected* root, the paper's "epsilon hat");
/// - `style: .torch` (PyTorch; epsilon defaults to 1e-8):
///   `w -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)`
///   (epsilon is added to the bias-corrected root).
///
/// Bias corrections are computed in `Double`. No AMSGrad.
public class Adam: Optimizer {
    /// Decay of the first-moment average.
    public let beta1: Float
    /// Decay of the second-moment average.
    public let beta2: Float
    /// The stabilising constant.
    public let epsilon: Float
    /// Where epsilon goes.
    public let style: OptimizerStyle

    /// - Parameter epsilon: `nil` for the style's default (Keras 1e-7, PyTorch 1e-8).
    /// - Throws: `NNError.invalidArgument` for values out of range.
    public convenience init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999,
                            epsilon: Float? = nil, style: OptimizerStyle = .keras,
                            regularization: Regularization = .none, clipping: GradientClipping = .none) throws {
        try self.init(name: "adam", learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                      style: style, regularization: regularization, clipping: clipping)
    }

    init(name: String, learningRate: Float, beta1: Float, beta2: Float, epsilon: Float?, style: OptimizerStyle,
         regularization: Regularization, clipping: GradientClipping) throws {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon ?? (style == .keras ? 1e-7 : 1e-8)
        self.style = style
        try super.init(name: name, learningRate: learningRate, regularization: regularization, clipping: clipping)
        try Optimizer.require(beta1 >= 0 && beta1 < 1, name, "beta1", beta1, "a number in [0, 1)")
        try Optimizer.require(beta2 >= 0 && beta2 < 1, name, "beta2", beta2, "a number in [0, 1)")
        try Optimizer.require(self.epsilon > 0 && self.epsilon.isFinite, name, "epsilon", self.epsilon,
                              "a finite number > 0")
    }

    // moments[0]: m, the first moment; [1]: v, the second.
    override var momentCount: Int { 2 }

    override public var hyperparameters: [String: Double] {
        var h = super.hyperparameters
        h["beta1"] = Double(beta1)
        h["beta2"] = Double(beta2)
        h["epsilon"] = Double(epsilon)
        h["style_torch"] = style == .torch ? 1 : 0
        return h
    }

    override func update(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int, lr: Float, t: Int) {
        let m = moments[0].data, v = moments[1].data
        let b1 = beta1, b2 = beta2, eps = epsilon
        let correction1 = 1 - Foundation.pow(Double(b1), Double(t))
        let correction2 = 1 - Foundation.pow(Double(b2), Double(t))
        switch style {
        case .keras:
            let alpha = Float(Double(lr) * correction2.squareRoot() / correction1)
            // RecurKernels: 16 lanes with AVX-512 (IEEE sqrt and division). The step is
            // memory-bound: sets of 64 Ki values and more are split into ranges on the cores
            // (element-wise, so the split changes no bit).
            let parts = n >= 65_536 ? Parallel.parts(rows: n / 4096, work: .infinity) : 1
            Parallel.run(parts) { part in
                let r = Parallel.range(part, of: parts, count: n, align: 64)
                let i = r.lowerBound
                recur_adam_step(r.count, w + i, g + i, m + i, v + i, alpha, 1 - b1, 1 - b2, eps)
            }
        case .torch:
            let stepSize = Float(Double(lr) / correction1)
            let root2 = Float(correction2.squareRoot())
            for i in 0..<n {
                let gi = g[i]
                m[i] += (gi - m[i]) * (1 - b1)
                v[i] = b2 * v[i] + (1 - b2) * gi * gi
                w[i] -= stepSize * m[i] / (v[i].squareRoot() / root2 + eps)
            }
        }
    }
}

/// AdamW: Adam with decoupled weight decay (Loshchilov & Hutter; PyTorch's formulation,
/// which Keras's `AdamW` shares): before each Adam update, `w -= lr * weightDecay * w` for
/// kernels and recurrent kernels (never biases — unlike PyTorch's default parameter group).
/// The weight decay defaults to PyTorch's 0.01 (Keras's is 0.004).
public final class AdamW: Adam {
    /// PyTorch's default decoupled weight decay.
    public static let defaultWeightDecay: Float = 0.01

    /// The decoupled weight decay factor (`regularization.weightDecay`).
    public var weightDecay: Float { regularization.weightDecay }

    /// - Parameter epsilon: `nil` for the style's default (Keras 1e-7, PyTorch 1e-8).
    /// - Throws: `NNError.invalidArgument` for values out of range.
    public init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float? = nil,
                weightDecay: Float = AdamW.defaultWeightDecay, l2: Float = 0, style: OptimizerStyle = .keras,
                clipping: GradientClipping = .none) throws {
        try super.init(name: "adamw", learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                       style: style, regularization: Regularization(l2: l2, weightDecay: weightDecay),
                       clipping: clipping)
    }
}
