import Foundation
import RecurTensor

/// Adadelta (Zeiler). Keras 3 and PyTorch share the rule:
///
///     a = rho * a + (1 - rho) * g²
///     d = sqrt(u + eps) / sqrt(a + eps) * g
///     u = rho * u + (1 - rho) * d²
///     w -= lr * d
///
/// and differ only in defaults: Keras lr 0.001, rho 0.95, epsilon 1e-7 (Recur's defaults);
/// PyTorch lr 1.0, rho 0.9, epsilon 1e-6.
public final class Adadelta: Optimizer {
    /// Decay of both running averages.
    public let rho: Float
    /// The stabilising constant, inside both roots.
    public let epsilon: Float

    /// - Throws: `NNError.invalidArgument` for values out of range.
    public init(learningRate: Float = 0.001, rho: Float = 0.95, epsilon: Float = 1e-7,
                regularization: Regularization = .none, clipping: GradientClipping = .none) throws {
        self.rho = rho
        self.epsilon = epsilon
        try super.init(name: "adadelta", learningRate: learningRate, regularization: regularization,
                       clipping: clipping)
        try Optimizer.require(rho >= 0 && rho < 1, name, "rho", rho, "a number in [0, 1)")
        try Optimizer.require(epsilon > 0 && epsilon.isFinite, name, "epsilon", epsilon, "a finite number > 0")
    }

    // moments[0]: a, the squared-gradient average; [1]: u, the squared-update average.
    override var momentCount: Int { 2 }

    override public var hyperparameters: [String: Double] {
        var h = super.hyperparameters
        h["rho"] = Double(rho)
        h["epsilon"] = Double(epsilon)
        return h
    }

    override func update(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int, lr: Float, t: Int) {
        let a = moments[0].data, u = moments[1].data
        let rho = self.rho, eps = epsilon
        for i in 0..<n {
            let gi = g[i]
            a[i] = rho * a[i] + (1 - rho) * gi * gi
            let d = (u[i] + eps).squareRoot() / (a[i] + eps).squareRoot() * gi
            u[i] = rho * u[i] + (1 - rho) * d * d
            w[i] -= lr * d
        }
    }
}
