/// A cleaned series on a regular time grid (or, with `GapMethod.keepRows`, the rows in time
/// order): n steps of F features, the target as feature 0, and a validity mask. Steps in gaps that
/// were not filled are invalid and hold NaN; windows touching them must be skipped. No configured
/// sentinel value appears among the values.
public struct CleanSeries: Codable, Equatable, Sendable {
    /// Names of the features, target first: [F].
    public var columns: [String]
    /// Timestamp of each step, seconds since 1970 UTC: [n]. On a regular grid
    /// `timestamps[i] == start + i * stepSeconds`.
    public var timestamps: [Int64]
    /// Grid step in seconds (for `keepRows`, the most common spacing, nominal only).
    public var stepSeconds: Int64
    /// Whether the steps lie on a regular grid (false only for `keepRows`).
    public var isRegular: Bool
    /// Values, row-major [n, F], in the file's units; NaN where `valid` is false.
    public var values: [Float]
    /// Whether each step holds usable values in every feature: [n].
    public var valid: [Bool]

    public init(columns: [String], timestamps: [Int64], stepSeconds: Int64, isRegular: Bool, values: [Float], valid: [Bool]) {
        precondition(values.count == timestamps.count * columns.count && valid.count == timestamps.count, "CleanSeries: inconsistent sizes")
        self.columns = columns
        self.timestamps = timestamps
        self.stepSeconds = stepSeconds
        self.isRegular = isRegular
        self.values = values
        self.valid = valid
    }

    /// Number of steps n.
    public var count: Int { timestamps.count }
    /// Number of features F.
    public var featureCount: Int { columns.count }
    /// Timestamp of the first step (seconds since 1970 UTC), or 0 when empty.
    public var start: Int64 { timestamps.first ?? 0 }
    /// Number of valid steps.
    public var validCount: Int { valid.reduce(0) { $0 + ($1 ? 1 : 0) } }

    /// The value of `feature` at `step`.
    @inline(__always)
    public func value(step: Int, feature: Int = 0) -> Float { values[step * featureCount + feature] }

    /// One feature over all steps: [n] (NaN at invalid steps).
    public func column(_ feature: Int = 0) -> [Float] {
        stride(from: feature, to: values.count, by: featureCount).map { values[$0] }
    }

    /// The first step whose timestamp is at or after `t` (n when none).
    public func firstStep(atOrAfter t: Int64) -> Int {
        var lo = 0, hi = timestamps.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if timestamps[mid] < t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
