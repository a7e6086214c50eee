import Foundation

/// The prediction intervals a package is calibrated for, recorded in its manifest
/// (`intervals`), and how to draw them around new forecasts.
///
/// Kinds (docs/forecasting.md, "Prediction intervals"):
/// - `absolute_residual` (a point model, method `conformal`): split-conformal. For horizon step
///   `k` the scores are the validation part's absolute residuals `|y - ŷ|`; with `n` of them the
///   half-width is the `⌈(n + 1)·level⌉`-th smallest (the finite-sample correction), and the
///   interval is `ŷ ± half-width`.
/// - `cqr` (a quantile model, method `conformal`): conformalised quantile regression. The band
///   is the model's quantiles nearest to `(1 - level)/2` and `(1 + level)/2`, `[lo, hi]`; the
///   scores are `max(lo - y, y - hi)`, the correction `c` their `⌈(n + 1)·level⌉`-th smallest
///   per step, and the interval `[lo - c, hi + c]` (`c` may be negative: a band that was too wide
///   shrinks).
/// - `quantile` (method `quantile`): the model's quantiles `(1 ± level)/2` as they are.
///
/// A level whose rank `⌈(n + 1)·level⌉` exceeds `n` (too few validation windows) is not
/// calibrated; it is listed in `uncalibrated` with the reason.
public struct IntervalCalibration: Codable, Equatable, Sendable {
    /// How the bounds of a level are formed.
    public enum Kind: String, Codable, Sendable {
        case absoluteResidual = "absolute_residual"
        case cqr
        case quantile
    }

    /// One calibrated level.
    public struct Level: Codable, Equatable, Sendable {
        /// Nominal coverage, in (0, 1).
        public var level: Double
        /// The model quantiles (indices into `quantiles`) of the lower and upper bound; nil for
        /// a point model.
        public var lowerQuantile: Int?
        public var upperQuantile: Int?
        /// Per horizon step, target units: the half-width (`absolute_residual`), the correction
        /// (`cqr`), or 0 (`quantile`).
        public var widths: [Double]
        /// Validation windows (scores) per step the widths came from; 0 for `quantile`.
        public var calibrationWindows: Int
    }

    public var method: IntervalConfig.Method
    public var kind: Kind
    /// The model's quantiles, ascending; nil for a point model.
    public var quantiles: [Double]?
    /// Horizon steps covered (the model's forecasts per call); later steps of a rolled-forward
    /// forecast get no interval.
    public var horizon: Int
    public var levels: [Level]
    /// Levels asked for in the config but not calibrated, with the reason.
    public var uncalibrated: [String: String]?
    /// Persistence's own intervals, fitted on the same validation part (what `evaluate`
    /// compares the model's with on new data); nil without a validation part.
    public var persistence: BaselineIntervals?

    /// The calibrated levels, ascending.
    public var calibratedLevels: [Double] { levels.map(\.level) }

    /// The calibration of `level` (matched to 1e-9), if any.
    public func calibration(of level: Double) -> Level? { levels.first { abs($0.level - level) < 1e-9 } }

    /// Calibrates `settings.levels` on the validation part's forecasts (original units) and
    /// actuals (`[windows, horizon]`, NaN where unknown). `validation` may be nil (no
    /// validation part): then only the `quantile` method calibrates anything.
    public static func calibrate(_ settings: IntervalConfig, horizon: Int, quantiles: [Double]?,
                                 validation: (outputs: ModelOutputs, actuals: [Float])?) -> IntervalCalibration {
        let kind: Kind = settings.method == .quantile ? .quantile : (quantiles == nil ? .absoluteResidual : .cqr)
        var result = IntervalCalibration(method: settings.method, kind: kind, quantiles: quantiles, horizon: horizon, levels: [],
                                         uncalibrated: nil, persistence: nil)
        var skipped: [String: String] = [:]
        let probe = ModelOutputs(horizon: horizon, quantiles: quantiles, planes: [])
        for level in settings.levels {
            let (tauLow, tauHigh) = IntervalConfig.bounds(level: level)
            let lo = quantiles == nil ? nil : probe.planeIndex(nearest: tauLow)
            let hi = quantiles == nil ? nil : probe.planeIndex(nearest: tauHigh)
            if kind == .quantile {
                result.levels.append(Level(level: level, lowerQuantile: lo, upperQuantile: hi,
                                           widths: [Double](repeating: 0, count: horizon), calibrationWindows: 0))
                continue
            }
            guard let validation else {
                skipped[IntervalConfig.percent(level)] = "no validation part to calibrate on; set split.validation > 0"
                continue
            }
            let o = validation.outputs, y = validation.actuals
            var widths: [Double] = []
            var fewest = Int.max
            for k in 0..<horizon {
                var scores: [Double] = []
                for w in 0..<o.windows {
                    let i = w * horizon + k
                    let actual = Double(y[i])
                    let score: Double
                    if let lo, let hi {
                        score = max(Double(o.planes[lo][i]) - actual, actual - Double(o.planes[hi][i]))
                    } else {
                        score = abs(actual - Double(o.point[i]))
                    }
                    if score.isFinite { scores.append(score) }
                }
                fewest = min(fewest, scores.count)
                guard let q = conformalQuantile(scores, level: level) else { break }
                widths.append(q)
            }
            guard widths.count == horizon else {
                let need = Int((1 / (1 - level)).rounded(.up)) - 1
                skipped[IntervalConfig.percent(level)] = "the validation part has \(fewest) windows per horizon step, level \(level) needs at least \(need); lengthen the validation part or lower the level"
                continue
            }
            result.levels.append(Level(level: level, lowerQuantile: lo, upperQuantile: hi, widths: widths, calibrationWindows: fewest))
        }
        result.uncalibrated = skipped.isEmpty ? nil : skipped
        return result
    }

    /// The `⌈(n + 1)·level⌉`-th smallest of `scores` (1-based), or nil when that rank exceeds
    /// `n`: the split-conformal quantile with its finite-sample correction.
    public static func conformalQuantile(_ scores: [Double], level: Double) -> Double? {
        let n = scores.count
        // A tiny tolerance keeps (n + 1)·level = 180.00000000000003 at rank 180.
        let rank = Int((Double(n + 1) * level - 1e-9).rounded(.up))
        guard n > 0, rank <= n else { return nil }
        return scores.sorted()[max(rank, 1) - 1]
    }

    /// The bands of `levels` (all calibrated ones when nil) around `outputs` (original units,
    /// `[windows, horizon]`); steps beyond `horizon` get NaN.
    /// - Throws: `IntervalError.notCalibrated` for a level without a calibration.
    public func bands(_ outputs: ModelOutputs, levels asked: [Double]? = nil) throws -> [IntervalBand] {
        let chosen = try (asked ?? calibratedLevels).map { level -> Level in
            guard let c = calibration(of: level) else {
                throw IntervalError.notCalibrated(level: level, calibrated: calibratedLevels, reason: uncalibrated?[IntervalConfig.percent(level)])
            }
            return c
        }
        let H = outputs.horizon, n = outputs.point.count
        return chosen.map { c in
            var lower = [Float](repeating: .nan, count: n), upper = [Float](repeating: .nan, count: n)
            for i in 0..<n where i % H < horizon {
                let w = c.widths[i % H]
                var lo: Double, hi: Double
                if let l = c.lowerQuantile, let u = c.upperQuantile, outputs.planes.count > max(l, u) {
                    lo = Double(outputs.planes[l][i]) - w
                    hi = Double(outputs.planes[u][i]) + w
                } else {
                    lo = Double(outputs.point[i]) - w
                    hi = Double(outputs.point[i]) + w
                }
                if lo > hi { lo = (lo + hi) / 2; hi = lo }  // a negative CQR correction larger than the band
                lower[i] = Float(lo)
                upper[i] = Float(hi)
            }
            return IntervalBand(level: c.level, lower: lower, upper: upper)
        }
    }
}

/// Asking for intervals a package cannot give.
public enum IntervalError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `level` was not calibrated when the package was trained.
    case notCalibrated(level: Double, calibrated: [Double], reason: String?)
    /// A `--levels` value outside (0, 1) or not a number.
    case invalidLevel(String)

    public var description: String {
        switch self {
        case let .notCalibrated(level, calibrated, reason):
            let have = calibrated.isEmpty ? "none" : calibrated.map { "\($0)" }.joined(separator: ", ")
            return "--levels \(level): the package has no interval calibrated for level \(level)\(reason.map { " (\($0))" } ?? "") (calibrated: \(have)); ask for one of the calibrated levels, or retrain with intervals.levels including \(level)"
        case let .invalidLevel(text):
            return "--levels \(text) is invalid; expected comma-separated levels in the open interval (0, 1) such as 0.8,0.95, or `none`"
        }
    }
}
