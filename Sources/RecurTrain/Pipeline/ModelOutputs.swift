
/// A model's forecasts on a batch of windows, split into quantile planes: a point model has
/// one plane, a quantile model (`training.loss` `{"quantile": [...]}`) one per quantile.
///
/// The network's output row for a window is `[H·Q]`, horizon step `k`'s quantiles at
/// `k·Q ..< (k+1)·Q`. Quantiles never cross: the `Q` values of every (window, step) are sorted
/// ascending when the planes are formed, so plane `q` is the `q`-th smallest (a model trained
/// with the pinball loss outputs them nearly in order; sorting repairs the rare crossing and
/// leaves ordered outputs unchanged). The point forecast of a quantile model is its median
/// (0.5 is always among the quantiles).
public struct ModelOutputs: Sendable, Equatable {
    /// Forecast steps per window (the model's outputs per call divided by `Q`).
    public var horizon: Int
    /// The quantiles of the planes, ascending; nil for a point model.
    public var quantiles: [Double]?
    /// `Q` planes (1 for a point model), each row-major `[windows, horizon]`.
    public var planes: [[Float]]

    public init(horizon: Int, quantiles: [Double]?, planes: [[Float]]) {
        self.horizon = horizon
        self.quantiles = quantiles
        self.planes = planes
    }

    /// The index of the plane that is the point forecast: the median's, or 0.
    public var pointIndex: Int { quantiles?.firstIndex(of: LossConfig.medianQuantile) ?? 0 }
    /// The point forecasts, `[windows, horizon]`.
    public var point: [Float] { planes[pointIndex] }
    /// Windows covered.
    public var windows: Int { horizon == 0 ? 0 : (planes.first?.count ?? 0) / horizon }

    /// Splits raw network outputs (row-major `[windows, H·Q]`) into sorted quantile planes.
    public static func split(_ raw: [Float], quantiles: [Double]?) -> ModelOutputs {
        let Q = quantiles?.count ?? 1
        guard Q > 1 else { return ModelOutputs(horizon: 1, quantiles: quantiles, planes: [raw]) }
        precondition(raw.count % Q == 0, "outputs must be [.., \(Q)] quantiles innermost")
        let n = raw.count / Q
        var planes = [[Float]](repeating: [Float](repeating: 0, count: n), count: Q)
        var cell = [Float](repeating: 0, count: Q)
        for i in 0..<n {
            for q in 0..<Q { cell[q] = raw[i * Q + q] }
            cell.sort()
            for q in 0..<Q { planes[q][i] = cell[q] }
        }
        return ModelOutputs(horizon: 1, quantiles: quantiles, planes: planes)
    }

    /// The same outputs with every plane passed through `transform` (the scaler's inverse:
    /// increasing, so the order of the quantiles is kept).
    public func mapped(_ transform: ([Float]) -> [Float]) -> ModelOutputs {
        ModelOutputs(horizon: horizon, quantiles: quantiles, planes: planes.map(transform))
    }

    /// The plane whose quantile is nearest to `tau` (ties: the lower one); the point plane for
    /// a point model.
    public func planeIndex(nearest tau: Double) -> Int {
        guard let quantiles else { return 0 }
        var best = 0
        for (i, q) in quantiles.enumerated() where abs(q - tau) < abs(quantiles[best] - tau) - 1e-12 { best = i }
        return best
    }
}
