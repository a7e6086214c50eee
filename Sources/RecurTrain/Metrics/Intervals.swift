/// How well a set of prediction intervals did on one part: what `metrics.<part>.intervals.<percent>`
/// holds in `--json` and in a package's manifest (`coverage`, `mean_width`, `pinball`).
public struct IntervalMetrics: Codable, Equatable, Sendable {
    /// Nominal coverage, in (0, 1).
    public var level: Double
    /// Share of the actuals inside `[lower, upper]` (bounds included), in [0, 1].
    public var coverage: Double
    /// Mean of `upper - lower`, target units.
    public var meanWidth: Double
    /// Mean pinball loss of the bounds as the quantiles `(1 - level)/2` and `(1 + level)/2`
    /// (the average of the two), target units.
    public var pinball: Double
    /// Scored (actual, interval) pairs.
    public var count: Int

    public init(level: Double, coverage: Double, meanWidth: Double, pinball: Double, count: Int) {
        self.level = level
        self.coverage = coverage
        self.meanWidth = meanWidth
        self.pinball = pinball
        self.count = count
    }

    enum CodingKeys: String, CodingKey { case level, coverage, meanWidth = "mean_width", pinball, count }
    /// `mean_width` as a decoder with `.convertFromSnakeCase` presents it (model manifests).
    private enum ConvertedKeys: String, CodingKey { case meanWidth }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        level = try c.decode(Double.self, forKey: .level)
        coverage = try c.decode(Double.self, forKey: .coverage)
        if let w = try c.decodeIfPresent(Double.self, forKey: .meanWidth) {
            meanWidth = w
        } else {
            meanWidth = try decoder.container(keyedBy: ConvertedKeys.self).decode(Double.self, forKey: .meanWidth)
        }
        pinball = try c.decode(Double.self, forKey: .pinball)
        count = try c.decode(Int.self, forKey: .count)
    }

    /// Scores bounds against actuals (all flattened `[windows, horizon]`, original units);
    /// pairs with a non-finite actual or bound are skipped. `nil` when none is left.
    public init?(level: Double, lower: [Float], upper: [Float], actuals: [Float]) {
        precondition(lower.count == actuals.count && upper.count == actuals.count, "bounds and actuals must have equal length")
        let (tauLow, tauHigh) = IntervalConfig.bounds(level: level)
        var inside = 0, n = 0
        var width = 0.0, loss = 0.0
        for i in actuals.indices {
            let y = Double(actuals[i]), lo = Double(lower[i]), hi = Double(upper[i])
            guard y.isFinite, lo.isFinite, hi.isFinite else { continue }
            n += 1
            if lo <= y && y <= hi { inside += 1 }
            width += hi - lo
            loss += (Pinball.loss(prediction: lo, actual: y, quantile: tauLow) + Pinball.loss(prediction: hi, actual: y, quantile: tauHigh)) / 2
        }
        guard n > 0 else { return nil }
        self.init(level: level, coverage: Double(inside) / Double(n), meanWidth: width / Double(n), pinball: loss / Double(n), count: n)
    }
}

/// The pinball (quantile) loss of one forecast, in Double: `max(τ u, (τ - 1) u)` with
/// `u = actual - prediction`.
public enum Pinball {
    public static func loss(prediction: Double, actual: Double, quantile tau: Double) -> Double {
        let u = actual - prediction
        return u >= 0 ? tau * u : (tau - 1) * u
    }
}

/// Lower and upper bounds of one interval level over a set of forecasts (flattened
/// `[windows, horizon]`, original units); NaN where the level is not calibrated.
public struct IntervalBand: Codable, Equatable, Sendable {
    /// Nominal coverage, in (0, 1).
    public var level: Double
    public var lower: [Float]
    public var upper: [Float]

    public init(level: Double, lower: [Float], upper: [Float]) {
        self.level = level
        self.lower = lower
        self.upper = upper
    }

    /// The scores of this band against `actuals`.
    public func metrics(actuals: [Float]) -> IntervalMetrics? {
        IntervalMetrics(level: level, lower: lower, upper: upper, actuals: actuals)
    }
}

extension Array where Element == IntervalMetrics {
    /// By level as percent ("80", "95"): the JSON object under `intervals`.
    var byPercent: [String: IntervalMetrics] {
        Dictionary(map { (IntervalConfig.percent($0.level), $0) }, uniquingKeysWith: { a, _ in a })
    }
}
