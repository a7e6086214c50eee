import Foundation

/// The quantile (pinball) loss of `Loss.quantile(levels:)` and the checks of its levels.
///
/// For quantile `τ` and residual `u = target - prediction`, the pinball loss is
/// `max(τ u, (τ - 1) u)`: under-forecasts cost `τ` per unit, over-forecasts `1 - τ`, so its
/// minimiser over a distribution is the `τ`-quantile. The prediction holds `Q` values per
/// target element, innermost (`[B, H·Q]` for a target `[B, H]`, quantile `q` of element `i`
/// at `i·Q + q`); the loss is the mean over all `B·H·Q` values.
extension Loss {
    /// A quantile loss over `levels`.
    /// - Throws: `NNError.invalidArgument` when a level is not in the open interval (0, 1), is
    ///   repeated, or the list is empty or not increasing.
    public static func quantiles(_ levels: [Double]) throws -> Loss {
        guard !levels.isEmpty else {
            throw NNError.invalidArgument(layer: "loss quantile", argument: "levels", value: "[]", expected: "at least one quantile in (0, 1)")
        }
        for (i, q) in levels.enumerated() {
            guard q > 0, q < 1, q.isFinite else {
                throw NNError.invalidArgument(layer: "loss quantile", argument: "levels[\(i)]", value: "\(q)", expected: "a number in the open interval (0, 1)")
            }
            if i > 0, q <= levels[i - 1] {
                throw NNError.invalidArgument(layer: "loss quantile", argument: "levels[\(i)]", value: "\(q)",
                                              expected: "a quantile above \(levels[i - 1]) (strictly increasing, none repeated)")
            }
        }
        return .quantile(levels: levels.map { Float($0) })
    }

    /// Quantiles per target element: `levels.count` for the quantile loss, 1 otherwise.
    public var outputsPerTarget: Int {
        if case let .quantile(levels) = self { return levels.count }
        return 1
    }

    /// The mean pinball loss over `n` targets and `n·Q` predictions; writes the gradient
    /// (`-τ/(nQ)` below the target, `(1 - τ)/(nQ)` above, 0 on it) when `g` is given.
    static func pinball(_ p: UnsafePointer<Float>, _ t: UnsafePointer<Float>, _ n: Int, levels: [Float],
                        gradient g: UnsafeMutablePointer<Float>?) -> Float {
        let Q = levels.count
        let count = n / Q  // n counts predictions here
        let inverseN = 1 / Float(n)
        var sum = 0.0
        for i in 0..<count {
            let y = t[i]
            for q in 0..<Q {
                let j = i * Q + q, tau = levels[q]
                let u = y - p[j]
                if u > 0 {
                    sum += Double(tau * u)
                    g?[j] = -tau * inverseN
                } else if u < 0 {
                    sum += Double((tau - 1) * u)
                    g?[j] = (1 - tau) * inverseN
                } else {
                    g?[j] = 0
                }
            }
        }
        return Float(sum / Double(n))
    }
}
