/// The naive forecasts every model is compared with, computed on the same windows as the model.
///
/// A window is identified by its *target step*: the series index of its first forecast step
/// (``RecurData/WindowSet/targetSteps``). The forecast for target step `t` and horizon step `k`
/// (0-based, `k < horizon`) uses only observations before `t`:
/// - ``persistence``: `series[t - 1]` for every `k` (the last observed value);
/// - ``seasonalNaive(period:)`` with period `m`: `series[t + k - m * ceil((k + 1) / m)]`, the value
///   one season before the step being forecast (for `k >= m`, the last observed season repeated).
///
/// Pass the whole series in original units (not only the test part): the history before a test
/// window's inputs is observed data, and a seasonal lag usually reaches further back than the
/// model's `n_past_steps`.
public enum NaiveBaseline: Equatable, Sendable {
    /// The last observed value, repeated over the horizon.
    case persistence
    /// The value one season ago; `period` in steps (24 for hourly data with a daily cycle).
    case seasonalNaive(period: Int)

    /// A short name for reports and JSON keys: `persistence`, `seasonal_naive_24`.
    public var name: String {
        switch self {
        case .persistence: "persistence"
        case let .seasonalNaive(period): "seasonal_naive_\(period)"
        }
    }

    /// The season length in steps for data sampled every `frequencySeconds` seconds: a day's
    /// steps for sub-daily data that divides a day (24 for hourly, 48 for half-hourly), 7 for
    /// daily data (a weekly cycle), 52 for weekly, and 1 (no season) otherwise.
    public static func seasonalPeriod(frequencySeconds: Int64) -> Int {
        let day: Int64 = 86_400
        switch frequencySeconds {
        case ..<1: return 1
        case ..<day where day % frequencySeconds == 0: return Int(day / frequencySeconds)
        case day: return 7
        case 7 * day: return 52
        default: return 1
        }
    }

    /// The lag, in steps, this baseline reads for horizon step `k` (0-based).
    func lag(horizonStep k: Int) -> Int {
        switch self {
        case .persistence: return k + 1
        case let .seasonalNaive(m): return m * ((k + m) / m)  // m * ceil((k + 1) / m)
        }
    }

    /// Forecasts for each window.
    /// - Parameters:
    ///   - series: the target series in original units, `[steps]`.
    ///   - targetSteps: each window's first target step, `[windows]`.
    ///   - horizon: forecast steps per window.
    /// - Returns: row-major `[windows, horizon]`, original units.
    /// - Throws: ``BaselineError/insufficientHistory(targetStep:needed:)`` when a window's lag
    ///   reaches before the series start, ``BaselineError/invalid(_:)`` for a bad argument.
    public func forecast(series: [Float], targetSteps: [Int], horizon: Int) throws -> [Float] {
        guard horizon >= 1 else { throw BaselineError.invalid("horizon must be at least 1, got \(horizon)") }
        if case let .seasonalNaive(m) = self, m < 1 {
            throw BaselineError.invalid("seasonal period must be at least 1, got \(m)")
        }
        var out = [Float]()
        out.reserveCapacity(targetSteps.count * horizon)
        for t in targetSteps {
            guard t >= 0 && t < series.count else {
                throw BaselineError.invalid("target step \(t) is outside the series (0..<\(series.count))")
            }
            for k in 0..<horizon {
                let source = t + k - lag(horizonStep: k)
                guard source >= 0 else {
                    throw BaselineError.insufficientHistory(targetStep: t, needed: lag(horizonStep: k) - k)
                }
                out.append(series[source])
            }
        }
        return out
    }

    /// The actual values of each window, row-major `[windows, horizon]`; steps past the series
    /// end are NaN (and skipped by the metrics).
    public static func actuals(series: [Float], targetSteps: [Int], horizon: Int) -> [Float] {
        targetSteps.flatMap { t in
            (0..<horizon).map { k in t + k >= 0 && t + k < series.count ? series[t + k] : .nan }
        }
    }

    /// Scores this baseline on the windows: ``forecast(series:targetSteps:horizon:)`` against
    /// ``actuals(series:targetSteps:horizon:)``, MASE scaled by `training` with `seasonality`.
    public func evaluate(series: [Float], targetSteps: [Int], horizon: Int,
                         training: [Float]? = nil, seasonality: Int = 1) throws -> MetricSet? {
        let predictions = try forecast(series: series, targetSteps: targetSteps, horizon: horizon)
        return MetricSet(predictions: predictions,
                         actuals: Self.actuals(series: series, targetSteps: targetSteps, horizon: horizon),
                         training: training, seasonality: seasonality)
    }
}

/// Errors from computing a baseline.
public enum BaselineError: Error, Equatable, CustomStringConvertible {
    /// The window at `targetStep` needs `needed` observed steps before it.
    case insufficientHistory(targetStep: Int, needed: Int)
    /// An argument is out of range.
    case invalid(String)

    public var description: String {
        switch self {
        case let .insufficientHistory(t, needed):
            "the baseline needs \(needed) observed steps before target step \(t); pass the whole series or drop the earliest windows"
        case let .invalid(message): message
        }
    }
}
