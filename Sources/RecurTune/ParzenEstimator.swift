import Foundation
import RecurTensor

/// The density TPE fits to one group of observations of one parameter (Optuna's univariate
/// `_ParzenEstimator`): a weighted mixture with one kernel per observation and one prior kernel.
///
/// Numeric parameters live in an internal space: the value for `uniform`, its logarithm for
/// `log_uniform`, the grid index for `int` and `quantized`. Kernels are Gaussians truncated to
/// [low, high] of that space (for a grid of n points, [-0.5, n - 0.5], and a grid point's
/// probability is the kernel's mass on its cell). Categorical parameters are modelled by
/// smoothed frequency counts.
struct ParzenEstimator: Sendable {
    enum Model: Sendable {
        /// Probabilities of the choices.
        case categorical(pmf: [Double])
        /// Truncated Gaussian mixture on [low, high]; `grid`: values are the integers
        /// 0..<n (n = high - low), each with the mass of [i - 0.5, i + 0.5].
        case numeric(logWeights: [Double], mus: [Double], sigmas: [Double], logMass: [Double], low: Double, high: Double, grid: Bool)
        /// A range of one value.
        case constant(Double)
    }

    let model: Model

    /// A categorical estimator over `count` choices; `observations` are choice indices, oldest first.
    init(categorical observations: [Int], count: Int, priorWeight: Double) {
        precondition(count > 0)
        let n = observations.count
        guard n > 0 else {
            model = .categorical(pmf: Array(repeating: 1 / Double(count), count: count))
            return
        }
        let w = Self.mixtureWeights(n, priorWeight: priorWeight)
        // Each kernel puts 1 on its observation plus prior_weight / (n + 1) on every choice,
        // normalized; the prior kernel is uniform (Optuna's rule since 4.x).
        let fill = priorWeight / Double(n + 1)
        let rowSum = 1 + fill * Double(count)
        var pmf = Array(repeating: 0.0, count: count)
        for (k, i) in observations.enumerated() {
            for c in 0..<count { pmf[c] += w[k] * fill / rowSum }
            pmf[i] += w[k] / rowSum
        }
        for c in 0..<count { pmf[c] += w[n] / Double(count) }
        let total = pmf.reduce(0, +)
        model = .categorical(pmf: pmf.map { $0 / total })
    }

    /// A numeric estimator on [low, high] (internal space); `observations` oldest first.
    /// `grid`: the values are the integers of [low + 0.5, high - 0.5].
    init(numeric observations: [Double], low: Double, high: Double, grid: Bool, priorWeight: Double) {
        guard high > low else {
            model = .constant(low)
            return
        }
        let n = observations.count
        let range = high - low
        let priorMu = 0.5 * (low + high)
        var mus = observations
        var sigmas: [Double] = []
        if n > 0 {
            // Bandwidth: the larger distance to the neighbours (the prior's centre counts as a
            // neighbour, the range's ends bound the outermost), the outermost kernels using their
            // inner neighbour only; clipped to [range / min(100, n + 2), range].
            let withPrior = mus + [priorMu]
            let order = withPrior.indices.sorted { (withPrior[$0], $0) < (withPrior[$1], $1) }
            let sorted = [low] + order.map { withPrior[$0] } + [high]
            let m = withPrior.count
            var sortedSigmas: [Double] = []
            for j in 0..<m {
                let left: Double = sorted[j + 1] - sorted[j]
                let right: Double = sorted[j + 2] - sorted[j + 1]
                sortedSigmas.append(max(left, right))
            }
            if m >= 2 {
                sortedSigmas[0] = sorted[2] - sorted[1]
                sortedSigmas[m - 1] = sorted[m] - sorted[m - 1]
            }
            var unsorted = Array(repeating: 0.0, count: m)
            for (j, k) in order.enumerated() { unsorted[k] = sortedSigmas[j] }
            let minSigma = range / min(100, Double(n + 2))
            sigmas = unsorted[..<n].map { min(max($0, minSigma), range) }
        }
        mus.append(priorMu)
        sigmas.append(range)
        let w = n == 0 ? [1.0] : Self.mixtureWeights(n, priorWeight: priorWeight)
        let logWeights = w.map { $0 > 0 ? Foundation.log($0) : -Double.infinity }
        let logMass = zip(mus, sigmas).map { mu, s in Gaussian.logMass((low - mu) / s, (high - mu) / s) }
        model = .numeric(logWeights: logWeights, mus: mus, sigmas: sigmas, logMass: logMass, low: low, high: high, grid: grid)
    }

    /// A draw in the internal space (a choice index or grid index for categorical and grid models).
    func sample(using rng: inout RandomGenerator) -> Double {
        switch model {
        case let .constant(x): return x
        case let .categorical(pmf): return Double(Self.draw(pmf, using: &rng))
        case let .numeric(logWeights, mus, sigmas, _, low, high, grid):
            let k = Self.draw(logWeights.map { exp($0) }, using: &rng)
            // Rejection from the untruncated kernel: its centre lies in [low, high] and its
            // width is at most the range, so at least a third of its mass is inside.
            var x = Double.nan
            for _ in 0..<1000 {
                let y = mus[k] + sigmas[k] * rng.nextNormal()
                if y >= low && y <= high { x = y; break }
            }
            if x.isNaN { x = min(max(mus[k], low), high) }
            if grid { return min(max((x).rounded(), low + 0.5), high - 0.5) }
            return x
        }
    }

    /// The log density (log probability for categorical and grid models) at `x` (internal space).
    func logDensity(_ x: Double) -> Double {
        switch model {
        case .constant: return 0
        case let .categorical(pmf):
            let p = pmf[Int(x)]
            return p > 0 ? Foundation.log(p) : -Double.infinity
        case let .numeric(logWeights, mus, sigmas, logMass, _, _, grid):
            var terms: [Double] = []
            terms.reserveCapacity(mus.count)
            for k in mus.indices where logWeights[k] > -Double.infinity {
                let s = sigmas[k]
                if grid {
                    terms.append(logWeights[k] + Gaussian.logMass((x - 0.5 - mus[k]) / s, (x + 0.5 - mus[k]) / s) - logMass[k])
                } else {
                    let z = (x - mus[k]) / s
                    terms.append(logWeights[k] - 0.5 * z * z - Gaussian.halfLog2Pi - Foundation.log(s) - logMass[k])
                }
            }
            return Self.logSumExp(terms)
        }
    }

    /// Mixture weights of `n` observations (oldest first) and the prior, normalized: Optuna's
    /// `default_weights` (1 for the newest 25, a ramp from 1/n up to 1 for older ones), then
    /// `priorWeight` for the prior.
    static func mixtureWeights(_ n: Int, priorWeight: Double) -> [Double] {
        var w = observationWeights(n)
        w.append(priorWeight)
        let total = w.reduce(0, +)
        return w.map { $0 / total }
    }

    /// Optuna's `default_weights(n)`.
    static func observationWeights(_ n: Int) -> [Double] {
        guard n >= 25 else { return Array(repeating: 1, count: n) }
        let rampCount = n - 25
        let start = 1 / Double(n)
        let ramp: [Double] = (0..<rampCount).map { i in
            rampCount == 1 ? start : start + (1 - start) * Double(i) / Double(rampCount - 1)
        }
        return ramp + Array(repeating: 1, count: 25)
    }

    /// An index drawn with probabilities proportional to `weights`.
    static func draw(_ weights: [Double], using rng: inout RandomGenerator) -> Int {
        let total = weights.reduce(0, +)
        var u = rng.nextUniformDouble() * total
        for (i, w) in weights.enumerated() {
            if u < w { return i }
            u -= w
        }
        return weights.lastIndex { $0 > 0 } ?? 0
    }

    static func logSumExp(_ terms: [Double]) -> Double {
        guard let top = terms.max(), top > -Double.infinity else { return -Double.infinity }
        if top == .infinity { return .infinity }
        return top + Foundation.log(terms.reduce(0) { $0 + exp($1 - top) })
    }
}

/// The standard normal distribution's logarithms, accurate in the tails.
enum Gaussian {
    static let halfLog2Pi = 0.5 * Foundation.log(2 * Double.pi)

    /// log Φ(z).
    static func logCDF(_ z: Double) -> Double {
        if z > -37 { return Foundation.log(0.5 * erfc(-z / 2.0.squareRoot())) }
        // Asymptotic series of the Mills ratio.
        let z2 = z * z
        return -0.5 * z2 - Foundation.log(-z) - halfLog2Pi + Foundation.log1p(-1 / z2 + 3 / (z2 * z2))
    }

    /// log(Φ(b) - Φ(a)) for a ≤ b.
    static func logMass(_ a: Double, _ b: Double) -> Double {
        guard a < b else { return -Double.infinity }
        if a >= 0 { return logMass(-b, -a) }
        if b <= 0 {
            let lb = logCDF(b), la = logCDF(a)
            return lb + Foundation.log1p(-exp(la - lb))
        }
        let outside = 0.5 * erfc(-a / 2.0.squareRoot()) + 0.5 * erfc(b / 2.0.squareRoot())
        return Foundation.log1p(-outside)
    }
}
