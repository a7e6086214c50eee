import Foundation
import RecurData

/// The charts of `recur inspect --plots DIR`, built from a `DataQualityReport` and the series it
/// describes:
///
/// | file | chart |
/// |---|---|
/// | `series.svg` | the target over time: for long series the minimum and maximum of each of about 1,500 time buckets (so spikes and dips survive downsampling), broken where values are missing; suspected and configured sentinel readings as red marks at their value |
/// | `histogram.svg` | distribution of the target, sentinels left out, with a dashed line at each sentinel value |
/// | `boxplot.svg` | the target by calendar month when the series spans most of a year or more (the annual cycle, and which months are short of data), else by hour of day for sub-daily data (the daily cycle), else by day of week |
/// | `acf.svg`, `pacf.svg` | autocorrelation and partial autocorrelation with the ±1.96/√n band; the PACF title gives the suggested `n_past_steps` |
///
/// Values are in the file's units; the y labels give the target column's name and, when known,
/// its unit ("temp", "temp (°C)").
public enum InspectionCharts {
    /// How the box plot groups values.
    public enum Grouping: String, Sendable {
        case month, hourOfDay = "hour of day", dayOfWeek = "day of week"
    }

    /// The series drawn: one value per grid step, NaN where missing (sentinels included).
    public struct SeriesData: Sendable {
        /// Seconds since 1970 UTC, ascending.
        public var timestamps: [Int64]
        /// Target values, file units; NaN when missing.
        public var values: [Double]
        /// Times of rows whose target held a sentinel value, with that value.
        public var sentinelReadings: [(time: Int64, value: Double)]

        public init(timestamps: [Int64], values: [Double], sentinelReadings: [(time: Int64, value: Double)] = []) {
            self.timestamps = timestamps
            self.values = values
            self.sentinelReadings = sentinelReadings
        }
    }

    /// File names of the charts, in the order they are written.
    public static let fileNames = ["series.svg", "histogram.svg", "boxplot.svg", "acf.svg", "pacf.svg"]

    /// The series as the inspection saw it: duplicates resolved (never an error), configured and
    /// suspected sentinels missing, no gap filling, on the regular grid.
    public static func seriesData(raw: RawSeries, report: DataQualityReport, policy: CleaningPolicy) throws -> SeriesData {
        var p = policy
        let sentinels = policy.sentinels + report.suspectedSentinels.map(\.value)
        p.sentinels = sentinels
        p.gaps = GapPolicy(method: .drop, maxGap: 0)
        if p.duplicates == .error { p.duplicates = .first }
        let cleaned = try SeriesCleaner.clean(raw, policy: p).series
        var readings: [(time: Int64, value: Double)] = []
        if !sentinels.isEmpty {
            let check = CleaningPolicy(sentinels: sentinels)
            let target = raw.targetValues
            for (i, v) in target.enumerated() where !v.isNaN && check.isSentinel(v) {
                readings.append((raw.timestamps[i], v))
            }
            readings.sort { $0.time < $1.time }
        }
        return SeriesData(timestamps: cleaned.timestamps, values: cleaned.column(0).map(Double.init),
                          sentinelReadings: readings)
    }

    /// The y label of the target: its column name, with the unit in parentheses when given.
    public static func valueLabel(_ column: String, unit: String?) -> String {
        guard let unit, !unit.isEmpty else { return column }
        return "\(column) (\(unit))"
    }

    /// The five charts, by file name (`fileNames` order).
    public static func charts(report: DataQualityReport, data: SeriesData, unit: String? = nil) -> [(file: String, chart: any Chart)] {
        let target = report.source.target
        let label = valueLabel(target, unit: unit)
        let sentinelValues = Array(Set(report.suspectedSentinels.map(\.value) + report.configuredSentinels.map(\.value))).sorted()
        let a = report.autocorrelation
        let lag = lagLabel(report.frequencySeconds)
        let pacfValues = a.pacf.count > 1 ? Array(a.pacf[1...]) : []
        return [
            ("series.svg", seriesChart(report: report, data: data, valueLabel: label)),
            ("histogram.svg", histogram(report: report, data: data, valueLabel: label, sentinels: sentinelValues)),
            ("boxplot.svg", boxPlot(report: report, data: data, valueLabel: label)),
            ("acf.svg", Correlogram(title: "Autocorrelation (ACF) of \(target)", values: a.acf, firstLag: 0,
                                    confidence: a.confidenceBand, xLabel: lag, yLabel: "autocorrelation")),
            ("pacf.svg", Correlogram(title: "Partial autocorrelation (PACF) of \(target)",
                                     values: pacfValues, firstLag: 1, confidence: a.confidenceBand,
                                     xLabel: "\(lag); suggested n_past_steps \(a.suggestedPastSteps): the last lag with |PACF| > \(AxisTicks.formatValue(a.threshold))",
                                     yLabel: "partial autocorrelation")),
        ]
    }

    /// Writes the charts into `directory` (created if needed), each atomically; returns their paths.
    @discardableResult
    public static func write(report: DataQualityReport, data: SeriesData, unit: String? = nil, to directory: URL) throws -> [URL] {
        var written: [URL] = []
        for (file, chart) in charts(report: report, data: data, unit: unit) {
            let url = directory.appendingPathComponent(file)
            try chart.write(to: url)
            written.append(url)
        }
        return written
    }

    // MARK: The charts

    static func seriesChart(report: DataQualityReport, data: SeriesData, valueLabel: String) -> LineChart {
        let bucket = bucketSeconds(count: data.timestamps.count, step: report.frequencySeconds, limit: 2_000)
        let (xs, ys) = envelope(timestamps: data.timestamps, values: data.values, bucketSeconds: bucket)
        let target = report.source.target
        let name = bucket == nil ? target : "\(target): min and max per \(bucketName(bucket!))"
        var series = [LineChart.Series(name: name, x: xs, y: ys, color: Palette.color(0))]
        if !data.sentinelReadings.isEmpty {
            // One mark per bucket is enough to show where the sentinels are.
            let (sx, sy) = thin(data.sentinelReadings, bucketSeconds: bucket ?? max(report.frequencySeconds, 1))
            let values = Set(data.sentinelReadings.map(\.value)).sorted().map { AxisTicks.formatValue($0) }.joined(separator: ", ")
            series.append(LineChart.Series(name: "sentinel \(values): \(data.sentinelReadings.count) readings, treated as missing",
                                           x: sx, y: sy, style: .markers, color: Palette.color(3)))
        }
        let missing = report.missingValueGaps
        let place = report.source.station.map { " at \($0)" } ?? ""
        let title = "\(target)\(place) over time: \(missing.count) gaps, \(missing.totalMissingSteps) steps missing"
        return LineChart(title: title, xLabel: "time (UTC)", yLabel: valueLabel, series: series, xAxis: .dateTime)
    }

    static func histogram(report: DataQualityReport, data: SeriesData, valueLabel: String, sentinels: [Double]) -> Histogram {
        let lines = sentinels.map { v -> (label: String, value: Double) in
            let count = report.suspectedSentinels.first { $0.value == v }?.count
                ?? report.configuredSentinels.first { $0.value == v }?.cells.count ?? 0
            return ("sentinel \(AxisTicks.formatValue(v)) (\(count) rows, left out)", v)
        }
        return Histogram(title: "Distribution of \(report.source.target)\(sentinels.isEmpty ? "" : ", sentinels left out")",
                         xLabel: valueLabel, values: data.values, referenceLines: lines)
    }

    /// The grouping that shows the most seasonality the span allows.
    public static func grouping(spanSeconds: Int64, frequencySeconds: Int64) -> Grouping {
        if spanSeconds >= 330 * 86_400 { return .month }
        if frequencySeconds < 86_400 { return .hourOfDay }
        return .dayOfWeek
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static let dayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    static func boxPlot(report: DataQualityReport, data: SeriesData, valueLabel: String) -> BoxPlot {
        let grouping = grouping(spanSeconds: report.spanSeconds, frequencySeconds: report.frequencySeconds)
        let labels: [String]
        let key: (Int64) -> Int
        switch grouping {
        case .month:
            labels = monthNames
            key = { Timestamps.civil(days: floorDiv($0, 86_400)).month - 1 }
        case .hourOfDay:
            labels = (0..<24).map { String($0) }
            key = { Int((($0 % 86_400) + 86_400) % 86_400 / 3_600) }
        case .dayOfWeek:
            labels = dayNames
            key = { Int(((floorDiv($0, 86_400) + 3) % 7 + 7) % 7) }  // 1970-01-01 was a Thursday
        }
        var groups = [[Double]](repeating: [], count: labels.count)
        for (t, v) in zip(data.timestamps, data.values) where v.isFinite { groups[key(t)].append(v) }
        let counts: [Int] = groups.map { $0.count }
        let fewest = counts.enumerated().min { $0.element < $1.element }
        var title = "\(report.source.target) by \(grouping.rawValue)"
        if grouping == .month, let fewest, let most = counts.max(), most > 0, Double(fewest.element) < 0.8 * Double(most) {
            title += " (\(labels[fewest.offset]) has fewest values: \(fewest.element) vs up to \(most))"
        }
        return BoxPlot(title: title, xLabel: grouping == .hourOfDay ? "hour of day (UTC)" : grouping.rawValue, yLabel: valueLabel,
                       groups: labels.indices.map { BoxPlot.Group(label: labels[$0], values: groups[$0]) })
    }

    // MARK: Helpers

    /// "lag (hours)" for a 1-hour step, "lag (steps of 15 minutes)" otherwise.
    static func lagLabel(_ step: Int64) -> String {
        let words = Timestamps.describeDuration(step)
        if words.hasPrefix("1 ") { return "lag (\(words.dropFirst(2))s)" }
        return "lag (steps of \(words))"
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }

    /// Round bucket lengths for downsampling, seconds.
    static let bucketLengths: [Int64] = [60, 300, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400, 2 * 86_400,
                                         3 * 86_400, 7 * 86_400, 14 * 86_400, 28 * 86_400, 91 * 86_400, 182 * 86_400, 364 * 86_400]

    /// The shortest round bucket (a multiple of `step`) giving at most `limit` buckets over
    /// `count` steps; nil when the series is short enough to draw whole (at most `2 * limit` points).
    static func bucketSeconds(count: Int, step: Int64, limit: Int) -> Int64? {
        guard count > 2 * limit, step > 0 else { return nil }
        let span = Int64(count) * step
        return bucketLengths.first { $0 > step && $0 % step == 0 && span / $0 <= Int64(limit) } ?? span / Int64(limit) / step * step
    }

    /// "day", "2 days", "6 hours", ...
    static func bucketName(_ seconds: Int64) -> String {
        let words = Timestamps.describeDuration(seconds)
        return words.hasPrefix("1 ") ? String(words.dropFirst(2)) : words
    }

    /// Downsamples a series for drawing: each bucket of `bucketSeconds` (aligned to multiples of
    /// it since 1970) contributes its minimum and maximum, in time order, so spikes and dips
    /// survive; an all-missing bucket contributes NaN (a break in the line). A nil bucket keeps
    /// every point.
    static func envelope(timestamps: [Int64], values: [Double], bucketSeconds: Int64?) -> ([Double], [Double]) {
        guard let bucket = bucketSeconds else { return (timestamps.map(Double.init), values) }
        var xs: [Double] = [], ys: [Double] = []
        var start = 0
        let n = timestamps.count
        while start < n {
            let key = floorDiv(timestamps[start], bucket)
            var end = start
            var lo = -1, hi = -1
            while end < n, floorDiv(timestamps[end], bucket) == key {
                let v = values[end]
                if v.isFinite {
                    if lo < 0 || v < values[lo] { lo = end }
                    if hi < 0 || v > values[hi] { hi = end }
                }
                end += 1
            }
            if lo < 0 {
                xs.append(Double(timestamps[start])); ys.append(.nan)
            } else {
                for i in lo <= hi ? [lo, hi] : [hi, lo] {
                    xs.append(Double(timestamps[i])); ys.append(values[i])
                }
            }
            start = end
        }
        return (xs, ys)
    }

    /// At most one reading per time bucket and value (for markers).
    static func thin(_ readings: [(time: Int64, value: Double)], bucketSeconds: Int64) -> ([Double], [Double]) {
        var seen = Set<String>()
        var xs: [Double] = [], ys: [Double] = []
        for r in readings where seen.insert("\(floorDiv(r.time, bucketSeconds))|\(r.value)").inserted {
            xs.append(Double(r.time)); ys.append(r.value)
        }
        return (xs, ys)
    }
}
