/// A naive baseline's own prediction intervals, to compare a model's with: per horizon step,
/// the empirical quantiles of the baseline's signed residuals `y - ŷ` on the validation part,
/// added to its forecast. With `n` residuals sorted ascending, the lower offset is the
/// `⌊(n + 1)·(1 - level)/2⌋`-th and the upper the `⌈(n + 1)·(1 + level)/2⌉`-th (ranks clamped
/// to 1...n).
public struct BaselineIntervals: Codable, Equatable, Sendable {
    /// One level's offsets per horizon step, target units.
    public struct Offsets: Codable, Equatable, Sendable {
        public var level: Double
        public var lower: [Double]
        public var upper: [Double]
    }

    /// Per level, ascending.
    public var offsets: [Offsets]

    /// Fits the offsets on `forecasts` and `actuals` (`[windows, horizon]`, original units);
    /// nil when a step has no finite residual.
    public init?(levels: [Double], forecasts: [Float], actuals: [Float], horizon: Int) {
        var residuals = [[Double]](repeating: [], count: horizon)
        for i in actuals.indices {
            let e = Double(actuals[i]) - Double(forecasts[i])
            if e.isFinite { residuals[i % horizon].append(e) }
        }
        guard residuals.allSatisfy({ !$0.isEmpty }) else { return nil }
        let sorted = residuals.map { $0.sorted() }
        offsets = levels.map { level in
            let (lo, hi) = IntervalConfig.bounds(level: level)
            func at(_ s: [Double], _ rank: Int) -> Double { s[min(max(rank, 1), s.count) - 1] }
            return Offsets(level: level,
                    lower: sorted.map { at($0, Int((Double($0.count + 1) * lo + 1e-9).rounded(.down))) },
                    upper: sorted.map { at($0, Int((Double($0.count + 1) * hi - 1e-9).rounded(.up))) })
        }
    }

    /// The bands around the baseline's `forecasts` (`[windows, horizon]`).
    public func bands(forecasts: [Float], horizon: Int) -> [IntervalBand] {
        offsets.map { o in
            IntervalBand(level: o.level,
                         lower: forecasts.indices.map { forecasts[$0] + Float(o.lower[$0 % horizon]) },
                         upper: forecasts.indices.map { forecasts[$0] + Float(o.upper[$0 % horizon]) })
        }
    }
}
