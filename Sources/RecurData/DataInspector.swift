import Foundation

/// Tunable bounds of inspection. Codable; every key optional.
public struct InspectionOptions: Codable, Equatable, Sendable {
    /// Largest lag of the ACF/PACF (capped at n / 2). Default 48.
    public var maxLag: Int = 48
    /// Smallest |PACF| that counts as significant even when the 1.96/sqrt(n) band is narrower
    /// (long series make tiny correlations "significant"). Default 0.1.
    public var minPartialAutocorrelation: Double = 0.1
    /// How many times more frequent than its most frequent neighbour a value must be to be a
    /// suspected sentinel. Default 10.
    public var sentinelRatio: Double = 10
    /// Bound on the robust z-score of first differences beyond which a step is a spike. Default 6.
    public var spikeBound: Double = 6

    public init(maxLag: Int = 48, minPartialAutocorrelation: Double = 0.1, sentinelRatio: Double = 10, spikeBound: Double = 6) {
        self.maxLag = maxLag
        self.minPartialAutocorrelation = minPartialAutocorrelation
        self.sentinelRatio = sentinelRatio
        self.spikeBound = spikeBound
    }

    enum CodingKeys: String, CodingKey { case maxLag, minPartialAutocorrelation, sentinelRatio, spikeBound }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxLag = try c.decodeIfPresent(Int.self, forKey: .maxLag) ?? 48
        minPartialAutocorrelation = try c.decodeIfPresent(Double.self, forKey: .minPartialAutocorrelation) ?? 0.1
        sentinelRatio = try c.decodeIfPresent(Double.self, forKey: .sentinelRatio) ?? 10
        spikeBound = try c.decodeIfPresent(Double.self, forKey: .spikeBound) ?? 6
    }
}

/// Inspects a series and reports its quality (`DataQualityReport`). The rules:
///
/// - **Suspected sentinels.** Over the usable target values of all rows, a value v is suspected
///   when it occurs at least max(10, 0.1% of the values) times and at least `sentinelRatio`
///   (10) times as often as the most frequent of its neighbours: the other distinct values
///   within ±w of v, w = 5% of the spread between the 1st and 99th percentiles (at least the
///   data's resolution; no neighbour counts as 1), and at least `sentinelRatio` times the median
///   count of the distinct values (so coarse data with few levels is not flagged). Real readings are smooth in frequency, so a
///   spike in the value histogram is a placeholder (A620's 0.0: 5,281 rows, while no reading lies
///   within 10 degrees of it). Zero-inflated variables such as precipitation will have 0 flagged:
///   there the suggestion is to be ignored.
/// - **Gaps** are computed on the regular grid after duplicates are resolved, with the
///   configured and the suspected sentinels taken as missing.
/// - **Summary statistics and outliers** use one value per timestamp, sentinels excluded.
///   Outliers lie outside Tukey's fences Q1 - 1.5 IQR, Q3 + 1.5 IQR; spikes are steps whose
///   first difference d has robust z-score |d - median(d)| / (1.4826 MAD(d)) > `spikeBound`.
/// - **ACF/PACF** are computed on that series with missing steps left out pairwise (see
///   `Statistics.autocorrelation`), PACF by Durbin–Levinson, up to min(`maxLag`, n / 2).
///   The band is ±1.96/sqrt(n). A lag is significant when |PACF| exceeds both the band and
///   `minPartialAutocorrelation` (0.1); the suggested n_past_steps is the largest significant lag
///   (1 when there is none), which is at most `maxLag`.
public enum DataInspector {
    /// Reads `path` and inspects it. Without a `source`, the columns are guessed
    /// (`TimeSeriesSource.infer`).
    public static func inspect(path: String, source: TimeSeriesSource? = nil, policy: CleaningPolicy = CleaningPolicy(),
                               options: InspectionOptions = InspectionOptions()) throws -> DataQualityReport {
        let table = try CSVReader.read(path: path)
        var inferred = false
        let chosen: TimeSeriesSource
        if let source {
            chosen = source
        } else if let guess = TimeSeriesSource.infer(from: table, path: path) {
            chosen = guess
            inferred = true
        } else {
            throw DataError.invalidSetting(key: "columns", value: table.header.joined(separator: ", "),
                                           expected: "a date or datetime column and a numeric column; name them in a config (date_col, numeric_var)")
        }
        let raw = try SeriesLoader.load(chosen, table: table, policy: policy)
        return try inspect(raw: raw, source: chosen, sourceInferred: inferred, policy: policy, options: options)
    }

    /// Inspects an already loaded series.
    public static func inspect(raw: RawSeries, source: TimeSeriesSource, sourceInferred: Bool = false,
                               policy: CleaningPolicy = CleaningPolicy(), options: InspectionOptions = InspectionOptions()) throws -> DataQualityReport {
        // Sentinels: configured ones are excluded before looking for more.
        let usable = raw.targetValues.filter { !$0.isNaN && !policy.isSentinel($0) }
        let suspected = suspectedSentinels(usable, ratio: options.sentinelRatio)

        // Clean without filling, with configured and suspected sentinels missing.
        var inspectPolicy = policy
        inspectPolicy.sentinels = policy.sentinels + suspected.map(\.value)
        inspectPolicy.gaps = GapPolicy(method: .drop, maxGap: 0)
        if inspectPolicy.duplicates == .error { inspectPolicy.duplicates = .first }
        inspectPolicy.extremeValues = .keep  // reported below instead
        // Values `train` stops on (or drops) under the extreme-value rule, target column.
        var extremeAdvice: String? = nil
        let targetValues = raw.targetValues  // computed: once
        if policy.extremeValues != .keep, let center = ExtremeValueRule.center(of: usable) {
            let extreme = targetValues.indices.filter {
                !policy.isSentinel(targetValues[$0]) && ExtremeValueRule.isExtreme(targetValues[$0], median: center.median, spread: center.spread)
            }
            if let i = extreme.first {
                extremeAdvice = "\(extreme.count) value\(extreme.count == 1 ? " is" : "s are") orders of magnitude outside the column (first \(format(targetValues[i])) on line \(raw.lines[i])); train stops on \(extreme.count == 1 ? "it" : "them") unless data.cleaning.extreme_values is \"missing\" or \"keep\""
            }
        }
        let cleaned = try SeriesCleaner.clean(raw, policy: inspectPolicy)
        let report = cleaned.report
        let series = cleaned.series
        let step = report.stepSeconds

        // Configured sentinel counts (target column only).
        let configured = report.sentinels.filter { s in policy.sentinels.contains(s.value) && s.column == raw.columns[0] }

        // Timestamp gaps: grid steps with no row.
        var timestampGaps = GapSummary()
        let sortedTimes = Array(Set(raw.timestamps)).sorted()
        var runs: [(Int64, Int)] = []
        for i in 1..<max(sortedTimes.count, 1) {
            let d = sortedTimes[i] - sortedTimes[i - 1]
            if d > step {
                let missingSteps = Int((d - 1) / step)
                runs.append((sortedTimes[i - 1] + step, missingSteps))
                timestampGaps.count += 1
                timestampGaps.totalMissingSteps += missingSteps
                timestampGaps.longest = max(timestampGaps.longest, missingSteps)
            }
        }
        runs.sort { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
        timestampGaps.examples = runs.prefix(5).map { .init(start: Timestamps.format($0.0), steps: $0.1) }

        // Statistics of the target, one value per step.
        let target = series.column(0).map { Double($0) }
        let summary = SummaryStatistics(target)
        let outliers = summary.map { outlierSummary(target, series: series, summary: $0, bound: options.spikeBound) }

        // Autocorrelation.
        let n = target.reduce(0) { $0 + ($1.isNaN ? 0 : 1) }
        let maxLag = max(1, min(options.maxLag, n / 2))
        let acf = Statistics.autocorrelation(target, maxLag: maxLag)
        let pacf = Statistics.partialAutocorrelation(fromAutocorrelation: acf)
        let band = 1.96 / Double(max(n, 1)).squareRoot()
        let threshold = max(band, options.minPartialAutocorrelation)
        let significant = (1..<pacf.count).filter { abs(pacf[$0]) > threshold }
        let suggested = significant.last ?? 1
        let rule = "largest lag up to \(maxLag) with |PACF| > max(1.96/sqrt(n) = \(format(band)), \(options.minPartialAutocorrelation))"
        let autocorrelation = AutocorrelationSummary(maxLag: maxLag, n: n, confidenceBand: band, threshold: threshold, acf: acf,
                                                     pacf: pacf, significantLags: significant, suggestedPastSteps: suggested, rule: rule)

        // Advice.
        var advice: [String] = []
        if !suspected.isEmpty {
            let list = suspected.map { format($0.value) }.joined(separator: ", ")
            advice.append("\(list) looks like a missing-reading sentinel (\(suspected.map { "\($0.count) rows" }.joined(separator: ", "))); set sentinels to [\(list)] so it is never trained on")
        }
        if report.duplicates.timestamps > 0 {
            advice.append("\(report.duplicates.timestamps) timestamps occur more than once (\(report.duplicates.conflicting) with differing values); the duplicate policy '\(policy.duplicates.rawValue)' keeps one usable value each")
        }
        if report.outOfOrder.count > 0 { advice.append("\(report.outOfOrder.count) rows are out of time order; they are sorted when cleaning") }
        if report.gaps.count > 0 {
            advice.append("\(report.gaps.count) gaps, the longest \(report.gaps.longest) steps; gaps up to \(policy.gaps.maxGap.map(String.init) ?? "any number of") steps are \(policy.gaps.method == .interpolate ? "interpolated" : policy.gaps.method.rawValue), windows touching longer ones are dropped")
        }
        if let extremeAdvice { advice.append(extremeAdvice) }
        if raw.invalidCells.count > 0 { advice.append("\(raw.invalidCells.count) empty or non-numeric cells become missing") }
        advice.append("suggested n_past_steps: \(suggested) (\(rule))")
        let level = LevelShiftSummary.of(target)
        if let l = level, l.detected {
            advice.append(String(format: "a trend or level shift: the last 20%% of the series averages %.4g, %.2f standard deviations from the first 60%%'s %.4g, and %.0f%% of it lies outside the first 60%%'s range [%.4g, %.4g]; a model scaled on the training part's range sees levels it was never trained on there: set \"scaling\": \"window\" (each sample relative to its own latest value), or \"auto\" to let validation choose",
                                 l.lateMean, l.shift, l.earlyMean, 100 * l.outsideShare, l.earlyMin, l.earlyMax))
        }

        let first = raw.timestamps.min()!, last = raw.timestamps.max()!
        var quality = DataQualityReport(
            file: raw.file, fileColumns: raw.fileColumns, source: source, sourceInferred: sourceInferred, stations: raw.stations,
            rows: raw.rowsRead, rowsUsed: raw.count, start: Timestamps.format(first), end: Timestamps.format(last),
            spanSeconds: last - first, frequencySeconds: step, frequency: Timestamps.describeDuration(step),
            outOfOrder: report.outOfOrder, duplicates: DuplicateSummary(policy: policy.duplicates, timestamps: report.duplicates.timestamps,
                                                                        extraRows: report.duplicates.extraRows, conflicting: report.duplicates.conflicting,
                                                                        rescued: report.duplicates.rescued, examples: report.duplicates.examples),
            invalidCells: raw.invalidCells, configuredSentinels: configured, suspectedSentinels: suspected,
            timestampGaps: timestampGaps, missingValueGaps: report.gaps, summary: summary, outliers: outliers,
            autocorrelation: autocorrelation, advice: advice)
        quality.levelShift = level
        return quality
    }

    /// Values that occur suspiciously often (the rule is in the type's documentation).
    public static func suspectedSentinels(_ values: [Double], ratio: Double = 10) -> [SuspectedSentinel] {
        var counts: [Double: Int] = [:]
        for v in values where !v.isNaN { counts[v, default: 0] += 1 }
        let distinct = counts.keys.sorted()
        let total = values.count
        guard distinct.count > 1 else { return [] }
        let sorted = values.filter { !$0.isNaN }.sorted()
        var resolution = Double.infinity
        for i in 1..<distinct.count { resolution = Swift.min(resolution, distinct[i] - distinct[i - 1]) }
        let width = Swift.max(0.05 * (Statistics.quantile(sorted: sorted, 0.99) - Statistics.quantile(sorted: sorted, 0.01)), resolution)
        let counted = counts.values.sorted().map(Double.init)
        let minimum = max(10, Int((Double(total) * 0.001).rounded(.up)), Int((ratio * Statistics.quantile(sorted: counted, 0.5)).rounded(.up)))
        var found: [SuspectedSentinel] = []
        for (i, v) in distinct.enumerated() {
            let c = counts[v]!
            guard c >= minimum else { continue }
            var neighbour = 0
            var j = i - 1
            while j >= 0, v - distinct[j] <= width { neighbour = max(neighbour, counts[distinct[j]]!); j -= 1 }
            j = i + 1
            while j < distinct.count, distinct[j] - v <= width { neighbour = max(neighbour, counts[distinct[j]]!); j += 1 }
            if Double(c) >= ratio * Double(max(neighbour, 1)) {
                found.append(SuspectedSentinel(value: v, count: c, share: Double(c) / Double(max(total, 1)), largestNeighbourCount: neighbour))
            }
        }
        return found
    }

    static func outlierSummary(_ target: [Double], series: CleanSeries, summary: SummaryStatistics, bound: Double) -> OutlierSummary {
        let iqr = summary.q75 - summary.q25
        let lower = summary.q25 - 1.5 * iqr, upper = summary.q75 + 1.5 * iqr
        var below = 0, above = 0
        var examples: [OutlierSummary.Example] = []
        for (i, v) in target.enumerated() where !v.isNaN && (v < lower || v > upper) {
            if v < lower { below += 1 } else { above += 1 }
            if examples.count < 5 { examples.append(.init(time: Timestamps.format(series.timestamps[i]), value: v)) }
        }
        var differences: [(Int, Double)] = []
        for i in 1..<max(target.count, 1) where !target[i].isNaN && !target[i - 1].isNaN {
            differences.append((i, target[i] - target[i - 1]))
        }
        var spikes = 0
        var spikeExamples: [OutlierSummary.Example] = []
        if differences.count > 2 {
            let sorted = differences.map(\.1).sorted()
            let median = Statistics.quantile(sorted: sorted, 0.5)
            let mad = Statistics.quantile(sorted: differences.map { abs($0.1 - median) }.sorted(), 0.5)
            let scale = 1.4826 * mad
            if scale > 0 {
                for (i, d) in differences where abs(d - median) / scale > bound {
                    spikes += 1
                    if spikeExamples.count < 5 { spikeExamples.append(.init(time: Timestamps.format(series.timestamps[i]), value: d)) }
                }
            }
        }
        return OutlierSummary(lowerFence: lower, upperFence: upper, below: below, above: above, examples: examples,
                              spikeBound: bound, spikes: spikes, spikeExamples: spikeExamples)
    }

    static func format(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(format: "%.1f", v) }
        return String(format: "%.4g", v)
    }
}
