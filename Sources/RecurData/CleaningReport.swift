/// Duplicated timestamps found and how they were resolved.
public struct DuplicateSummary: Codable, Equatable, Sendable {
    /// One duplicated timestamp, for examples.
    public struct Example: Codable, Equatable, Sendable {
        /// The timestamp, `YYYY-MM-DD HH:MM:SS` UTC.
        public var time: String
        /// The file lines holding it.
        public var lines: [Int]
        /// The target values on those lines (NaN printed for missing cells).
        public var values: [Double]
    }
    /// The policy applied.
    public var policy: DuplicatePolicy
    /// Timestamps that occur on more than one row.
    public var timestamps: Int = 0
    /// Rows beyond the first for those timestamps (rows removed).
    public var extraRows: Int = 0
    /// Duplicated timestamps whose usable target values differ.
    public var conflicting: Int = 0
    /// Duplicated timestamps where a missing or sentinel value was replaced by a usable duplicate.
    public var rescued: Int = 0
    /// The first few duplicated timestamps.
    public var examples: [Example] = []
}

/// Runs of grid steps without a usable value.
public struct GapSummary: Codable, Equatable, Sendable {
    /// One gap, for examples.
    public struct Example: Codable, Equatable, Sendable {
        /// The first missing step, `YYYY-MM-DD HH:MM:SS` UTC.
        public var start: String
        /// Its length in steps.
        public var steps: Int
    }
    /// Number of gaps (maximal runs of missing steps).
    public var count: Int = 0
    /// Length of the longest gap, in steps.
    public var longest: Int = 0
    /// Total missing steps over all gaps.
    public var totalMissingSteps: Int = 0
    /// The longest few gaps, longest first.
    public var examples: [Example] = []

    /// Summarises the runs of `true` in `missing` (indices into a grid starting at `start` with `step` seconds).
    static func runs(of missing: [Bool], start: Int64, step: Int64, keep: Int = 5) -> GapSummary {
        var summary = GapSummary()
        var all: [(Int, Int)] = []
        var i = 0
        while i < missing.count {
            if missing[i] {
                var j = i
                while j < missing.count, missing[j] { j += 1 }
                all.append((i, j - i))
                summary.count += 1
                summary.totalMissingSteps += j - i
                summary.longest = max(summary.longest, j - i)
                i = j
            } else { i += 1 }
        }
        all.sort { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
        summary.examples = all.prefix(keep).map { Example(start: Timestamps.format(start + Int64($0.0) * step), steps: $0.1) }
        return summary
    }
}

/// Count of one sentinel value replaced by "missing" in one column.
public struct SentinelCount: Codable, Equatable, Sendable {
    /// The sentinel value.
    public var value: Double
    /// The column.
    public var column: String
    /// Cells replaced, with the first lines.
    public var cells: LineSample
}

/// What cleaning found and did, step by step, in counts with examples.
public struct CleaningReport: Codable, Equatable, Sendable {
    /// File name.
    public var file: String
    /// Data rows in the file.
    public var rowsRead: Int
    /// Rows dropped by the station, date and minute filters.
    public var rowsFiltered: Int
    /// Rows that entered cleaning.
    public var rowsLoaded: Int
    /// Empty or non-numeric value cells (made missing).
    public var invalidCells: LineSample
    /// Sentinel cells made missing, per sentinel and column.
    public var sentinels: [SentinelCount]
    /// Rows whose timestamp is earlier than the row before them in the file (the rows were sorted).
    public var outOfOrder: LineSample
    /// Duplicated timestamps.
    public var duplicates: DuplicateSummary
    /// Grid step in seconds.
    public var stepSeconds: Int64
    /// Whether the step was inferred (the most common positive difference) or set.
    public var stepInferred: Bool
    /// Rows whose timestamp is not on the grid `start + k * step` (dropped).
    public var offGrid: LineSample
    /// Grid steps with no row at all.
    public var absentSteps: Int
    /// Runs of steps with no usable value in some feature (absent rows, invalid cells, sentinels).
    public var gaps: GapSummary
    /// The gap policy applied.
    public var gapPolicy: GapPolicy
    /// Missing feature cells that were filled.
    public var filledCells: Int
    /// Steps left invalid (in gaps longer than the policy fills, or under `drop`).
    public var invalidSteps: Int
    /// Missing steps cut from the start and end (nothing to interpolate from).
    public var trimmedLeading: Int
    public var trimmedTrailing: Int
    /// Steps in the cleaned series.
    public var steps: Int
    /// Valid steps in the cleaned series.
    public var validSteps: Int
    /// First and last timestamps of the cleaned series, `YYYY-MM-DD HH:MM:SS` UTC.
    public var start: String
    public var end: String

    /// A human-readable account, one finding a line.
    public var text: String {
        func lines(_ s: LineSample) -> String { s.lines.isEmpty ? "" : " (lines \(s.lines.map(String.init).joined(separator: ", "))\(s.count > s.lines.count ? ", ..." : ""))" }
        var out: [String] = []
        out.append("cleaning \(file): \(rowsRead) rows read, \(rowsFiltered) filtered out, \(rowsLoaded) loaded")
        out.append("  invalid cells made missing: \(invalidCells.count)\(lines(invalidCells))")
        for s in sentinels { out.append("  sentinel \(s.value) in '\(s.column)' made missing: \(s.cells.count)\(lines(s.cells))") }
        out.append("  rows out of time order (sorted): \(outOfOrder.count)\(lines(outOfOrder))")
        out.append("  duplicated timestamps: \(duplicates.timestamps) (\(duplicates.extraRows) extra rows, \(duplicates.conflicting) with differing values, \(duplicates.rescued) missing values replaced by a duplicate), policy '\(duplicates.policy.rawValue)'")
        for e in duplicates.examples.prefix(3) {
            out.append("    \(e.time): lines \(e.lines.map(String.init).joined(separator: ", ")) values \(e.values.map { $0.isNaN ? "missing" : "\($0)" }.joined(separator: ", "))")
        }
        out.append("  step: \(Timestamps.describeDuration(stepSeconds)) (\(stepInferred ? "inferred" : "set"))\(offGrid.count > 0 ? "; \(offGrid.count) off-grid rows dropped\(lines(offGrid))" : "")")
        out.append("  gaps: \(gaps.count) (longest \(gaps.longest) steps, \(gaps.totalMissingSteps) missing steps, \(absentSteps) without any row); policy \(gapPolicy.method.rawValue)\(gapPolicy.maxGap.map { " up to \($0) steps" } ?? "")")
        for e in gaps.examples.prefix(3) { out.append("    from \(e.start): \(e.steps) steps") }
        out.append("  filled cells: \(filledCells); invalid steps left: \(invalidSteps); trimmed \(trimmedLeading) leading and \(trimmedTrailing) trailing steps")
        out.append("  result: \(steps) steps (\(validSteps) valid) from \(start) to \(end)")
        return out.joined(separator: "\n")
    }
}
