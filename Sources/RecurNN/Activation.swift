import RecurTensor

/// Element-wise activation functions, named as Keras names them.
///
/// Every derivative is written in terms of the function's *output* `y = f(x)`, so that
/// backward passes need only the activations cached by forward, never the pre-activations.
/// That works for all five functions here:
/// - `tanh`: 1 − y²
/// - `sigmoid`: y (1 − y)
/// - `hardSigmoid` (Keras 3's `hard_sigmoid`, `relu6(x + 3) / 6` = clip(x/6 + 1/2, 0, 1)):
///   1/6 where 0 < y < 1, else 0
/// - `relu`: 1 where y > 0, else 0
/// - `linear`: 1
public enum Activation: String, Sendable, CaseIterable {
    case tanh
    case sigmoid
    case hardSigmoid = "hard_sigmoid"
    case relu
    case linear

    /// f(x).
    @inlinable @inline(__always)
    public func apply(_ x: Float) -> Float {
        switch self {
        case .tanh: return Kernels.tanh(x)
        case .sigmoid: return Kernels.sigmoid(x)
        case .hardSigmoid: return Swift.min(Swift.max(x + 3, 0), 6) * (1 / 6 as Float)
        case .relu: return x > 0 ? x : 0
        case .linear: return x
        }
    }

    /// f'(x) expressed through the output y = f(x).
    @inlinable @inline(__always)
    public func derivative(output y: Float) -> Float {
        switch self {
        case .tanh: return 1 - y * y
        case .sigmoid: return y * (1 - y)
        case .hardSigmoid: return (y > 0 && y < 1) ? 1 / 6 as Float : 0
        case .relu: return y > 0 ? 1 : 0
        case .linear: return 1
        }
    }

    /// Applies f in place to x[0..<n].
    @inlinable
    public func apply(_ n: Int, _ x: UnsafeMutablePointer<Float>) {
        switch self {
        case .tanh: for i in 0..<n { x[i] = Kernels.tanh(x[i]) }
        case .sigmoid: for i in 0..<n { x[i] = Kernels.sigmoid(x[i]) }
        case .hardSigmoid: for i in 0..<n { x[i] = Activation.hardSigmoid.apply(x[i]) }
        case .relu: for i in 0..<n { x[i] = x[i] > 0 ? x[i] : 0 }
        case .linear: break
        }
    }

    /// dx[i] = dy[i] * f'(x[i]) for i in 0..<n, from the outputs y: the backward of `apply`.
    /// `dx` may be the same buffer as `dy`.
    @inlinable
    public func backward(_ n: Int, output y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                         into dx: UnsafeMutablePointer<Float>) {
        switch self {
        case .linear: if UnsafePointer(dx) != dy { dx.update(from: dy, count: n) }
        default: for i in 0..<n { dx[i] = dy[i] * derivative(output: y[i]) }
        }
    }
}
