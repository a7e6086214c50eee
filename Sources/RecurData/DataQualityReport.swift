/// A value that occurs far more often than the values around it, so probably stands for
/// "no reading" (see `DataInspector` for the rule).
public struct SuspectedSentinel: Codable, Equatable, Sendable {
    /// The value.
    public var value: Double
    /// Rows holding it.
    public var count: Int
    /// Its share of the usable values, 0...1.
    public var share: Double
    /// The largest count among its neighbours (distinct values within 5% of the P1–P99 spread; 0 when none).
    public var largestNeighbourCount: Int
}

/// Values outside robust bounds (see `DataInspector` for the rules).
public struct OutlierSummary: Codable, Equatable, Sendable {
    /// One outlying value or jump, for examples.
    public struct Example: Codable, Equatable, Sendable {
        /// Its time, `YYYY-MM-DD HH:MM:SS` UTC.
        public var time: String
        /// The value, or for a spike the difference from the step before.
        public var value: Double
    }
    /// Tukey's fences: Q1 - 1.5 IQR and Q3 + 1.5 IQR, in the target's units.
    public var lowerFence: Double
    public var upperFence: Double
    /// Values below the lower fence and above the upper fence.
    public var below: Int
    public var above: Int
    /// The first few values outside the fences.
    public var examples: [Example]
    /// The bound on the robust z-score of first differences: |d - median(d)| / (1.4826 MAD(d)).
    public var spikeBound: Double
    /// Steps whose difference from the step before exceeds the bound.
    public var spikes: Int
    /// The first few spikes (value = the difference).
    public var spikeExamples: [Example]
}

/// Autocorrelation and partial autocorrelation of the target with the suggested window length.
public struct AutocorrelationSummary: Codable, Equatable, Sendable {
    /// Largest lag computed.
    public var maxLag: Int
    /// Number of usable values n.
    public var n: Int
    /// Half-width of the approximate 95% band for white noise, 1.96 / sqrt(n).
    public var confidenceBand: Double
    /// The smallest |PACF| that counts as significant: max(confidenceBand, the practical threshold).
    public var threshold: Double
    /// r(0...maxLag), r(0) = 1.
    public var acf: [Double]
    /// Partial autocorrelation (Durbin–Levinson) for lags 0...maxLag, pacf(0) = 1.
    public var pacf: [Double]
    /// Lags 1...maxLag whose |PACF| exceeds `threshold`.
    public var significantLags: [Int]
    /// Suggested n_past_steps: the largest significant lag (1 when none), at most `maxLag`.
    public var suggestedPastSteps: Int
    /// The rule, in words.
    public var rule: String
}

/// Everything inspection found about a file's target series. Codable for `--json`; `text`
/// renders it for people.
public struct DataQualityReport: Codable, Equatable, Sendable {
    /// File name.
    public var file: String
    /// The columns of the file.
    public var fileColumns: [String]
    /// The source inspected (time columns, station, target).
    public var source: TimeSeriesSource
    /// Whether `source` was guessed from the file (no config given).
    public var sourceInferred: Bool
    /// Stations in the station column with their row counts (empty without one).
    public var stations: [String: Int]
    /// Data rows in the file.
    public var rows: Int
    /// Rows after the station, date and minute filters.
    public var rowsUsed: Int
    /// First and last timestamps, `YYYY-MM-DD HH:MM:SS` UTC.
    public var start: String
    public var end: String
    /// Span from first to last timestamp, in seconds.
    public var spanSeconds: Int64
    /// Step of the grid in seconds (inferred unless the policy sets it), and in words.
    public var frequencySeconds: Int64
    public var frequency: String
    /// Rows out of time order.
    public var outOfOrder: LineSample
    /// Duplicated timestamps (resolution looks at usable values only).
    public var duplicates: DuplicateSummary
    /// Empty or non-numeric target cells.
    public var invalidCells: LineSample
    /// Cells equal to the configured sentinels.
    public var configuredSentinels: [SentinelCount]
    /// Values that look like sentinels.
    public var suspectedSentinels: [SuspectedSentinel]
    /// Runs of grid steps with no row at all.
    public var timestampGaps: GapSummary
    /// Runs of grid steps with no usable value (no row, invalid cell, configured or suspected sentinel).
    public var missingValueGaps: GapSummary
    /// Statistics of the usable target values (one per timestamp; sentinels excluded).
    public var summary: SummaryStatistics?
    /// Outliers among the usable values.
    public var outliers: OutlierSummary?
    /// Autocorrelation, partial autocorrelation and the suggested window length.
    public var autocorrelation: AutocorrelationSummary
    /// What to do about the findings, one sentence each.
    public var advice: [String]
    /// A trend or level shift between the start and the end of the series (`LevelShiftSummary`).
    public var levelShift: LevelShiftSummary? = nil
}
