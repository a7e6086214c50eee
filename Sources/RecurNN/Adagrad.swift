import Foundation
import RecurTensor

/// Adagrad (Duchi et al.): `a += g²`, then
///
/// - `style: .keras` (Keras 3, the default; accumulator starts at 0.1, epsilon 1e-7,
///   lr 0.001): `w -= lr * g / sqrt(a + eps)` (epsilon inside the root);
/// - `style: .torch` (PyTorch; pass `initialAccumulator: 0, epsilon: 1e-10,
///   learningRate: 0.01` for its defaults; no learning-rate decay):
///   `w -= lr * g / (sqrt(a) + eps)` (epsilon outside).
public final class Adagrad: Optimizer {
    /// The accumulator's starting value.
    public let initialAccumulator: Float
    /// The stabilising constant.
    public let epsilon: Float
    /// Where epsilon goes.
    public let style: OptimizerStyle

    /// - Parameter epsilon: `nil` for the style's default (Keras 1e-7, PyTorch 1e-10).
    /// - Throws: `NNError.invalidArgument` for values out of range.
    public init(learningRate: Float = 0.001, initialAccumulator: Float = 0.1, epsilon: Float? = nil,
                style: OptimizerStyle = .keras, regularization: Regularization = .none,
                clipping: GradientClipping = .none) throws {
        self.initialAccumulator = initialAccumulator
        let epsilon = epsilon ?? (style == .keras ? 1e-7 : 1e-10)
        self.epsilon = epsilon
        self.style = style
        try super.init(name: "adagrad", learningRate: learningRate, regularization: regularization,
                       clipping: clipping)
        try Optimizer.require(initialAccumulator >= 0 && initialAccumulator.isFinite, name, "initialAccumulator",
                              initialAccumulator, "a finite number >= 0")
        try Optimizer.require(epsilon > 0 && epsilon.isFinite, name, "epsilon", epsilon, "a finite number > 0")
    }

    // moments[0]: a, the accumulated squared gradients.
    override var momentCount: Int { 1 }

    override func initializeMoments() { moments[0].fill(initialAccumulator) }

    override public var hyperparameters: [String: Double] {
        var h = super.hyperparameters
        h["initial_accumulator"] = Double(initialAccumulator)
        h["epsilon"] = Double(epsilon)
        h["style_torch"] = style == .torch ? 1 : 0
        return h
    }

    override func update(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int, lr: Float, t: Int) {
        let a = moments[0].data, eps = epsilon
        switch style {
        case .keras:
            for i in 0..<n {
                a[i] += g[i] * g[i]
                w[i] -= lr * g[i] / (a[i] + eps).squareRoot()
            }
        case .torch:
            for i in 0..<n {
                a[i] += g[i] * g[i]
                w[i] -= lr * g[i] / (a[i].squareRoot() + eps)
            }
        }
    }
}
