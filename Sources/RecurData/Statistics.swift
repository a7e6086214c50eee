/// Summary statistics of a sample, as pandas' `describe()` computes them: the sample standard
/// deviation (n - 1 in the denominator) and quartiles by linear interpolation between order
/// statistics (position `(n - 1) * q` in the sorted sample).
public struct SummaryStatistics: Codable, Equatable, Sendable {
    /// Number of values (NaN excluded).
    public var count: Int
    public var mean: Double
    /// Sample standard deviation (ddof = 1; 0 for a single value).
    public var std: Double
    public var min: Double
    /// 25th percentile.
    public var q25: Double
    /// Median.
    public var median: Double
    /// 75th percentile.
    public var q75: Double
    public var max: Double

    /// Statistics of the non-NaN values; nil when there are none.
    public init?(_ values: [Double]) {
        let sorted = values.filter { !$0.isNaN }.sorted()
        guard !sorted.isEmpty else { return nil }
        count = sorted.count
        mean = sorted.reduce(0, +) / Double(count)
        let m = mean
        std = count > 1 ? (sorted.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(count - 1)).squareRoot() : 0
        min = sorted.first!
        max = sorted.last!
        q25 = Statistics.quantile(sorted: sorted, 0.25)
        median = Statistics.quantile(sorted: sorted, 0.5)
        q75 = Statistics.quantile(sorted: sorted, 0.75)
    }
}

/// Sample statistics used by inspection: quantiles, autocorrelation, partial autocorrelation.
public enum Statistics {
    /// The q-quantile of an ascending sample by linear interpolation (pandas/NumPy default).
    public static func quantile(sorted: [Double], _ q: Double) -> Double {
        precondition(!sorted.isEmpty)
        let position = Double(sorted.count - 1) * q
        let lower = Int(position.rounded(.down))
        let upper = Swift.min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }

    /// Sample autocorrelation r(0...maxLag) of a series with possible NaNs:
    /// `r(k) = sum_t (x_t - mean)(x_{t+k} - mean) / sum_t (x_t - mean)^2`, the sums over pairs
    /// where both values exist and the mean over all values that exist (the usual biased
    /// estimator when nothing is missing, as statsmodels' `acf`). Returns [maxLag + 1], r(0) = 1.
    public static func autocorrelation(_ x: [Double], maxLag: Int) -> [Double] {
        let present = x.filter { !$0.isNaN }
        guard present.count > 1 else { return [1] + [Double](repeating: 0, count: Swift.max(maxLag, 0)) }
        let mean = present.reduce(0, +) / Double(present.count)
        let d = x.map { $0.isNaN ? Double.nan : $0 - mean }
        var denominator = 0.0
        for v in d where !v.isNaN { denominator += v * v }
        guard denominator > 0 else { return [1] + [Double](repeating: 0, count: Swift.max(maxLag, 0)) }
        var r = [1.0]
        for k in stride(from: 1, through: maxLag, by: 1) {
            var s = 0.0
            if k < d.count {
                for t in 0..<(d.count - k) {
                    let p = d[t] * d[t + k]
                    if !p.isNaN { s += p }
                }
            }
            r.append(s / denominator)
        }
        return r
    }

    /// Partial autocorrelation from autocorrelations r(0...K) by the Durbin–Levinson recursion:
    /// `phi(k,k) = (r(k) - sum_{j<k} phi(k-1,j) r(k-j)) / (1 - sum_{j<k} phi(k-1,j) r(j))`,
    /// `phi(k,j) = phi(k-1,j) - phi(k,k) phi(k-1,k-j)`. Returns [K + 1] with pacf(0) = 1.
    public static func partialAutocorrelation(fromAutocorrelation r: [Double]) -> [Double] {
        let K = r.count - 1
        guard K >= 1 else { return [1] }
        var pacf = [1.0, r[1]]
        var phi = [0.0, r[1]]  // phi[1...k-1] of the previous order
        for k in stride(from: 2, through: K, by: 1) {
            var numerator = r[k], denominator = 1.0
            for j in 1..<k {
                numerator -= phi[j] * r[k - j]
                denominator -= phi[j] * r[j]
            }
            let pkk = abs(denominator) < 1e-12 ? 0 : numerator / denominator
            var next = [Double](repeating: 0, count: k + 1)
            for j in 1..<k { next[j] = phi[j] - pkk * phi[k - j] }
            next[k] = pkk
            phi = next
            pacf.append(pkk)
        }
        return pacf
    }
}
