import Foundation
import RecurTensor

/// Gradient clipping, applied by an optimizer to the whole gradient buffer before its update
/// (after the L2 penalty's gradient has been added, as when the penalty is part of the loss).
///
/// - `globalNorm`: when the L2 norm of all gradients together exceeds `globalNorm`, every
///   gradient is scaled by `globalNorm / norm` (PyTorch `clip_grad_norm_`, Keras
///   `global_clipnorm`; PyTorch adds 1e-6 to the norm, Recur does not).
/// - `value`: every gradient element is clamped to `[-value, value]` (Keras `clipvalue`,
///   PyTorch `clip_grad_value_`).
///
/// Both may be set; value clipping runs first, then the global norm.
public struct GradientClipping: Sendable, Equatable {
    /// The largest global L2 norm allowed, or `nil`.
    public var globalNorm: Float?
    /// The largest absolute gradient element allowed, or `nil`.
    public var value: Float?

    /// No clipping.
    public static let none = GradientClipping()

    public init(globalNorm: Float? = nil, value: Float? = nil) {
        self.globalNorm = globalNorm
        self.value = value
    }

    /// Whether any clipping is configured.
    public var isEnabled: Bool { globalNorm != nil || value != nil }

    /// Throws `NNError.invalidArgument` unless each set limit is finite and positive.
    public func validate(owner: String) throws {
        if let globalNorm, !(globalNorm > 0 && globalNorm.isFinite) {
            throw NNError.invalidArgument(layer: owner, argument: "clipping.globalNorm", value: "\(globalNorm)",
                                          expected: "a finite number > 0")
        }
        if let value, !(value > 0 && value.isFinite) {
            throw NNError.invalidArgument(layer: owner, argument: "clipping.value", value: "\(value)",
                                          expected: "a finite number > 0")
        }
    }

    /// Clips `gradients` in place. Returns the global norm before norm clipping (after value
    /// clipping), or `nil` when no norm limit is set.
    @discardableResult
    public func apply(to gradients: Tensor) -> Float? {
        if let value { GradientClipping.clip(gradients, byValue: value) }
        if let globalNorm { return GradientClipping.clip(gradients, byGlobalNorm: globalNorm) }
        return nil
    }

    /// Clamps every element to `[-limit, limit]`.
    public static func clip(_ gradients: Tensor, byValue limit: Float) {
        let g = gradients.data
        for i in 0..<gradients.count { g[i] = Swift.min(Swift.max(g[i], -limit), limit) }
    }

    /// Scales `gradients` so that their L2 norm is at most `maxNorm`; returns the norm before.
    @discardableResult
    public static func clip(_ gradients: Tensor, byGlobalNorm maxNorm: Float) -> Float {
        let norm = Float(Kernels.sumOfSquares(gradients.count, gradients.data).squareRoot())
        if norm > maxNorm {
            Kernels.scale(gradients.count, maxNorm / norm, gradients.data)
        }
        return norm
    }
}
