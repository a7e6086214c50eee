/// The forecast-quality figures Recur reports for a model or a baseline, in the target's
/// original units (after inverting the scaler).
///
/// JSON keys are snake_case: `rmse`, `mae`, `r2`, `max_error`, `mape`, `smape`, `mase`, `count`.
/// Undefined figures (see ``ForecastMetrics``) are `nil` and left out of the JSON.
public struct MetricSet: Codable, Equatable, Sendable {
    /// Root mean squared error, target units.
    public var rmse: Double
    /// Mean absolute error, target units.
    public var mae: Double
    /// Coefficient of determination, dimensionless; `nil` for constant actuals.
    public var r2: Double?
    /// Largest absolute error, target units.
    public var maxError: Double
    /// Mean absolute percentage error, percent, over the non-zero actuals; `nil` if all are 0.
    public var mape: Double?
    /// Symmetric MAPE, percent (0 to 200).
    public var smape: Double
    /// Mean absolute scaled error, dimensionless; `nil` without a training series or when its
    /// naive in-sample MAE is 0.
    public var mase: Double?
    /// The number of (prediction, actual) pairs with both values finite.
    public var count: Int
    /// Prediction intervals' coverage, mean width and pinball loss by level as percent
    /// (`"80"`, `"95"`); nil when none was scored (`Metrics/Intervals.swift`).
    public var intervals: [String: IntervalMetrics]?

    public init(rmse: Double, mae: Double, r2: Double?, maxError: Double, mape: Double?,
                smape: Double, mase: Double?, count: Int) {
        self.rmse = rmse
        self.mae = mae
        self.r2 = r2
        self.maxError = maxError
        self.mape = mape
        self.smape = smape
        self.mase = mase
        self.count = count
    }

    enum CodingKeys: String, CodingKey {
        case rmse, mae, r2, maxError = "max_error", mape, smape, mase, count, intervals
    }

    /// `max_error` as a decoder with `.convertFromSnakeCase` presents it (model manifests).
    private enum ConvertedKeys: String, CodingKey { case maxError }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rmse = try c.decode(Double.self, forKey: .rmse)
        mae = try c.decode(Double.self, forKey: .mae)
        r2 = try c.decodeIfPresent(Double.self, forKey: .r2)
        if let m = try c.decodeIfPresent(Double.self, forKey: .maxError) {
            maxError = m
        } else {
            maxError = try decoder.container(keyedBy: ConvertedKeys.self).decode(Double.self, forKey: .maxError)
        }
        mape = try c.decodeIfPresent(Double.self, forKey: .mape)
        smape = try c.decode(Double.self, forKey: .smape)
        mase = try c.decodeIfPresent(Double.self, forKey: .mase)
        count = try c.decode(Int.self, forKey: .count)
        intervals = try c.decodeIfPresent([String: IntervalMetrics].self, forKey: .intervals)
    }

    /// Computes every figure from equal-length predictions and actuals (flattened
    /// `[samples, horizon]`, original units; accumulated in Double).
    /// - Parameters:
    ///   - training: the training series for MASE's scale, original units; `nil` leaves MASE out.
    ///   - seasonality: MASE's naive period `m` (1: the previous step).
    /// - Returns: `nil` when no pair has both values finite.
    public init?(predictions: [Float], actuals: [Float], training: [Float]? = nil, seasonality: Int = 1) {
        guard let rmse = ForecastMetrics.rmse(predictions, actuals),
              let mae = ForecastMetrics.mae(predictions, actuals),
              let maxError = ForecastMetrics.maxError(predictions, actuals),
              let smape = ForecastMetrics.smape(predictions, actuals) else { return nil }
        var count = 0
        ForecastMetrics.forEachPair(predictions, actuals) { _, _ in count += 1 }
        self.init(
            rmse: rmse, mae: mae, r2: ForecastMetrics.r2(predictions, actuals), maxError: maxError,
            mape: ForecastMetrics.mape(predictions, actuals), smape: smape,
            mase: training.flatMap {
                ForecastMetrics.mase(predictions, actuals, training: $0, seasonality: seasonality)
            },
            count: count)
    }

    /// One ``MetricSet`` per horizon step, from row-major `[samples, horizon]` predictions and
    /// actuals; element `k` scores the forecasts `k + 1` steps ahead. `nil` entries have no pairs.
    public static func perHorizonStep(predictions: [Float], actuals: [Float], horizon: Int,
                                      training: [Float]? = nil, seasonality: Int = 1) -> [MetricSet?] {
        precondition(horizon >= 1 && predictions.count == actuals.count && predictions.count % horizon == 0,
                     "predictions and actuals must both be [samples, horizon]")
        return (0..<horizon).map { k in
            let p = stride(from: k, to: predictions.count, by: horizon).map { predictions[$0] }
            let a = stride(from: k, to: actuals.count, by: horizon).map { actuals[$0] }
            return MetricSet(predictions: p, actuals: a, training: training, seasonality: seasonality)
        }
    }
}
