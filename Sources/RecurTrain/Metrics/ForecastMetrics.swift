/// Point-forecast error measures, in the target's original units unless stated.
///
/// Every function takes `predictions` and `actuals` of equal length `n` (any layout, e.g. a
/// flattened `[samples, horizon]`), accumulates in Double, and precondition-fails on a length
/// mismatch. Pairs where either value is not finite are skipped, so a NaN never leaks into a
/// report; a result that is undefined (no pairs, a zero denominator) is `nil`.
public enum ForecastMetrics {
    /// Root mean squared error, `sqrt(mean((p - a)^2))`, in the target's units.
    public static func rmse(_ predictions: [Float], _ actuals: [Float]) -> Double? {
        meanOf(predictions, actuals) { p, a in (p - a) * (p - a) }.map { $0.squareRoot() }
    }

    /// Mean absolute error, `mean(|p - a|)`, in the target's units.
    public static func mae(_ predictions: [Float], _ actuals: [Float]) -> Double? {
        meanOf(predictions, actuals) { p, a in abs(p - a) }
    }

    /// Largest absolute error, `max(|p - a|)`, in the target's units.
    public static func maxError(_ predictions: [Float], _ actuals: [Float]) -> Double? {
        var worst: Double?
        forEachPair(predictions, actuals) { p, a in worst = max(worst ?? 0, abs(p - a)) }
        return worst
    }

    /// Coefficient of determination, `1 - SS_res / SS_tot` with `SS_tot = sum((a - mean(a))^2)`;
    /// dimensionless, 1 is perfect, 0 is "as good as predicting the mean", negative is worse.
    /// `nil` when the actuals are constant (`SS_tot = 0`) or there are no pairs.
    public static func r2(_ predictions: [Float], _ actuals: [Float]) -> Double? {
        guard let mean = meanOf(predictions, actuals, { _, a in a }) else { return nil }
        var ssRes = 0.0, ssTot = 0.0
        forEachPair(predictions, actuals) { p, a in
            ssRes += (p - a) * (p - a)
            ssTot += (a - mean) * (a - mean)
        }
        return ssTot > 0 ? 1 - ssRes / ssTot : nil
    }

    /// Mean absolute percentage error, `100 * mean(|p - a| / |a|)`, in percent.
    ///
    /// Zero guard: pairs whose actual is exactly 0 are left out (their percentage error is
    /// infinite), so the mean is over the non-zero actuals only; `nil` when every actual is 0.
    /// MAPE is unreliable for series that cross zero (temperatures in °C): prefer sMAPE or MASE.
    public static func mape(_ predictions: [Float], _ actuals: [Float]) -> Double? {
        var sum = 0.0, count = 0
        forEachPair(predictions, actuals) { p, a in
            guard a != 0 else { return }
            sum += abs(p - a) / abs(a)
            count += 1
        }
        return count > 0 ? 100 * sum / Double(count) : nil
    }

    /// Symmetric MAPE, `100 * mean(2|p - a| / (|p| + |a|))`, in percent, from 0 to 200.
    /// A pair with `p = a = 0` counts as 0 (a perfect forecast), not 0/0.
    public static func smape(_ predictions: [Float], _ actuals: [Float]) -> Double? {
        meanOf(predictions, actuals) { p, a in
            let denominator = abs(p) + abs(a)
            return denominator > 0 ? 2 * abs(p - a) / denominator : 0
        }.map { 100 * $0 }
    }

    /// Mean absolute scaled error (Hyndman & Koehler 2006): the MAE divided by the in-sample MAE
    /// of the (seasonal) naive one-step forecast on the training series,
    /// `mean_t |y[t] - y[t - m]|` for `t` in `m..<training.count`. Dimensionless; below 1 beats
    /// that naive forecast on average.
    /// - Parameters:
    ///   - training: the training series in original units (non-finite steps are skipped).
    ///   - seasonality: `m`, 1 for the plain naive forecast.
    /// - Returns: `nil` when the scale is 0 or undefined (constant or too short training series).
    public static func mase(_ predictions: [Float], _ actuals: [Float], training: [Float],
                            seasonality: Int = 1) -> Double? {
        guard let scale = naiveScale(training: training, seasonality: seasonality), scale > 0,
              let mae = mae(predictions, actuals) else { return nil }
        return mae / scale
    }

    /// The MASE denominator: the in-sample MAE of the seasonal naive forecast with period `m`.
    public static func naiveScale(training: [Float], seasonality m: Int = 1) -> Double? {
        precondition(m >= 1, "seasonality must be at least 1")
        guard training.count > m else { return nil }
        var sum = 0.0, count = 0
        for t in m..<training.count where training[t].isFinite && training[t - m].isFinite {
            sum += abs(Double(training[t]) - Double(training[t - m]))
            count += 1
        }
        return count > 0 ? sum / Double(count) : nil
    }

    // MARK: helpers

    static func forEachPair(_ predictions: [Float], _ actuals: [Float], _ body: (Double, Double) -> Void) {
        precondition(predictions.count == actuals.count,
                     "predictions (\(predictions.count)) and actuals (\(actuals.count)) differ in length")
        for i in 0..<predictions.count where predictions[i].isFinite && actuals[i].isFinite {
            body(Double(predictions[i]), Double(actuals[i]))
        }
    }

    static func meanOf(_ predictions: [Float], _ actuals: [Float],
                       _ term: (Double, Double) -> Double) -> Double? {
        var sum = 0.0, count = 0
        forEachPair(predictions, actuals) { p, a in
            sum += term(p, a)
            count += 1
        }
        return count > 0 ? sum / Double(count) : nil
    }
}
