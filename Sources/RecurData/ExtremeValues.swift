/// What cleaning does with a value orders of magnitude outside the rest of its column
/// (`ExtremeValueRule`), such as a single 1e30 among temperatures.
public enum ExtremeValuePolicy: String, Codable, CaseIterable, Sendable {
    /// Stop with `DataError.extremeValue` naming the file, line, column and value (default).
    case error
    /// Treat the value as missing (then gaps are filled or dropped as for any missing value).
    case missing
    /// Train on it.
    case keep
}

/// The rule for an extreme value: farther from its column's median than `factor` times the
/// column's spread, the interquartile range (or, when that is 0, the 1st–99th percentile
/// range, or else 1 + |median|). `recur inspect` reports such values among its outliers; a
/// value this far out is a data error, not weather.
public enum ExtremeValueRule {
    /// How many spreads from the median a value may lie.
    public static let factor = 1000.0

    /// The median and spread of `values` (NaNs ignored), or nil when none is left.
    public static func center(of values: [Double]) -> (median: Double, spread: Double)? {
        let sorted = values.filter { !$0.isNaN }.sorted()
        guard !sorted.isEmpty else { return nil }
        let median = Statistics.quantile(sorted: sorted, 0.5)
        var spread = Statistics.quantile(sorted: sorted, 0.75) - Statistics.quantile(sorted: sorted, 0.25)
        if !(spread > 0) { spread = Statistics.quantile(sorted: sorted, 0.99) - Statistics.quantile(sorted: sorted, 0.01) }
        if !(spread > 0) { spread = 1 + abs(median) }
        return (median, spread)
    }

    /// Whether `value` is extreme for a column with this median and spread.
    @inline(__always)
    public static func isExtreme(_ value: Double, median: Double, spread: Double) -> Bool {
        !value.isNaN && abs(value - median) > factor * spread
    }
}

/// The fewest training windows `recur train` accepts (and never fewer than one batch): below
/// this a network learns nothing a persistence forecast does not do better.
public enum TrainingMinimum {
    public static let windows = 16
}
