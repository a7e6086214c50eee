import Foundation
import RecurData

/// The report of a model package (`recur report PACKAGE`): charts of how it trained and how it
/// forecasts, and a short text summary.
///
/// | file | chart |
/// |---|---|
/// | `loss.svg` | training and validation loss per epoch (`manifest.history`), log scale when it spans more than two decades |
/// | `forecast.svg` | 1-step-ahead forecast against actual over the whole test span (`predictions_test.csv`, horizon step 1); long spans are drawn as means of equal buckets of steps |
/// | `forecast-detail.svg` | the last steps of the test span at full resolution, with persistence for comparison |
/// | `residuals.svg` | histogram of actual − forecast on the test span, with the zero line |
/// | `metrics.svg` | test RMSE and MAE of the model beside the persistence and seasonal-naive baselines |
///
/// Values are in the target's units: the y labels give the target column's name and, when
/// known, its unit (the manifest records the column name only).
public struct PackageReport {
    /// `predictions_test.csv`: one row per test window and horizon step.
    public struct TestPredictions: Sendable {
        /// Seconds since 1970 UTC of the forecast instant.
        public var times: [Double]
        public var horizonSteps: [Int]
        public var actual: [Double]
        public var predicted: [Double]
        /// NaN where the baseline has no value.
        public var persistence: [Double]
        public var seasonalNaive: [Double]
        /// Prediction intervals, from the `lower_<percent>,upper_<percent>` column pairs, by
        /// increasing level; empty when the file has none.
        public var intervals: [Interval]

        /// One interval level's bounds, one per row (NaN where empty), in the target's units.
        public struct Interval: Sendable, Equatable {
            /// The nominal coverage in percent, e.g. 80.
            public var percent: Int
            public var lower: [Double]
            public var upper: [Double]

            public init(percent: Int, lower: [Double], upper: [Double]) {
                self.percent = percent
                self.lower = lower
                self.upper = upper
            }
        }

        public init(times: [Double], horizonSteps: [Int], actual: [Double], predicted: [Double],
                    persistence: [Double], seasonalNaive: [Double], intervals: [Interval] = []) {
            self.times = times
            self.horizonSteps = horizonSteps
            self.actual = actual
            self.predicted = predicted
            self.persistence = persistence
            self.seasonalNaive = seasonalNaive
            self.intervals = intervals
        }

        public var count: Int { times.count }

        /// The rows of one horizon step, in time order.
        public func step(_ h: Int) -> TestPredictions {
            let rows = times.indices.filter { horizonSteps[$0] == h }.sorted { times[$0] < times[$1] }
            return TestPredictions(times: rows.map { times[$0] }, horizonSteps: rows.map { horizonSteps[$0] },
                                   actual: rows.map { actual[$0] }, predicted: rows.map { predicted[$0] },
                                   persistence: rows.map { persistence[$0] }, seasonalNaive: rows.map { seasonalNaive[$0] },
                                   intervals: intervals.map { b in Interval(percent: b.percent, lower: rows.map { b.lower[$0] },
                                                                            upper: rows.map { b.upper[$0] }) })
        }
    }

    /// The package folder.
    public let path: String
    public let manifest: PackageManifest
    /// The test predictions, when the package has them.
    public let predictions: TestPredictions?

    /// File names of the charts, in the order they are written (the forecast charts only when
    /// the package has test predictions).
    public static let fileNames = ["loss.svg", "forecast.svg", "forecast-detail.svg", "residuals.svg", "metrics.svg"]

    public init(path: String, manifest: PackageManifest, predictions: TestPredictions?) {
        self.path = path
        self.manifest = manifest
        self.predictions = predictions
    }

    /// Loads the package at `path` (checked as `ModelPackage.load` checks it) and its test predictions.
    /// - Throws: `PackageError` when it is not a readable package or its predictions file is damaged.
    public static func load(_ path: String) throws -> PackageReport {
        let package = try ModelPackage.load(path)
        let file = (path as NSString).appendingPathComponent(ModelPackage.testPredictionsFile)
        let predictions = FileManager.default.fileExists(atPath: file) ? try readPredictions(file) : nil
        return PackageReport(path: path, manifest: package.manifest, predictions: predictions)
    }

    /// Reads `predictions_test.csv` (columns timestamp, horizon_step, actual, predicted,
    /// persistence, seasonal_naive; the baselines may be absent or empty; then any
    /// `lower_<percent>,upper_<percent>` interval pairs).
    public static func readPredictions(_ file: String) throws -> TestPredictions {
        let table: CSVTable
        do {
            table = try CSVReader.read(path: file)
        } catch let error as DataError {
            if case .headerOnly = error { return TestPredictions(times: [], horizonSteps: [], actual: [], predicted: [], persistence: [], seasonalNaive: []) }
            throw PackageError.corrupt(path: file, reason: error.description)
        }
        func column(_ name: String, required: Bool) throws -> Int? {
            if let i = table.header.firstIndex(of: name) { return i }
            guard !required else {
                throw PackageError.corrupt(path: file, reason: "no column '\(name)' (columns are: \(table.header.joined(separator: ", ")))")
            }
            return nil
        }
        let t = try column("timestamp", required: true)!, h = try column("horizon_step", required: false)
        let a = try column("actual", required: true)!, p = try column("predicted", required: true)!
        let pe = try column("persistence", required: false), sn = try column("seasonal_naive", required: false)
        // Interval levels: every `lower_P` with its `upper_P`, by increasing P.
        let levels: [(percent: Int, lower: Int, upper: Int)] = table.header.enumerated().compactMap { i, name in
            guard name.hasPrefix("lower_"), let percent = Int(name.dropFirst("lower_".count)),
                  let u = table.header.firstIndex(of: "upper_\(percent)") else { return nil }
            return (percent, i, u)
        }.sorted { $0.percent < $1.percent }
        var result = TestPredictions(times: [], horizonSteps: [], actual: [], predicted: [], persistence: [], seasonalNaive: [],
                                     intervals: levels.map { TestPredictions.Interval(percent: $0.percent, lower: [], upper: []) })
        for row in 0..<table.rowCount {
            for (k, level) in levels.enumerated() {
                result.intervals[k].lower.append(table.number(row: row, column: level.lower) ?? .nan)
                result.intervals[k].upper.append(table.number(row: row, column: level.upper) ?? .nan)
            }
            let text = table.field(row: row, column: t)
            guard let time = Timestamps.parse(text) else {
                throw PackageError.corrupt(path: file, reason: "line \(table.line(ofRow: row)): cannot parse timestamp '\(text)'")
            }
            result.times.append(Double(time.seconds))
            result.horizonSteps.append(h.flatMap { table.number(row: row, column: $0) }.map { Int($0) } ?? 1)
            result.actual.append(table.number(row: row, column: a) ?? .nan)
            result.predicted.append(table.number(row: row, column: p) ?? .nan)
            result.persistence.append(pe.flatMap { table.number(row: row, column: $0) } ?? .nan)
            result.seasonalNaive.append(sn.flatMap { table.number(row: row, column: $0) } ?? .nan)
        }
        return result
    }

    /// The target column's name.
    public var target: String { manifest.data.columns.first ?? manifest.data.source.target }

    /// The charts, by file name.
    public func charts(unit: String? = nil) -> [(file: String, chart: any Chart)] {
        let label = InspectionCharts.valueLabel(target, unit: unit)
        var charts: [(file: String, chart: any Chart)] = [("loss.svg", lossChart())]
        if let predictions, predictions.count > 0 {
            let one = predictions.step(1)
            charts.append(("forecast.svg", forecastChart(one, valueLabel: label)))
            charts.append(("forecast-detail.svg", forecastDetailChart(one, valueLabel: label)))
            charts.append(("residuals.svg", residualChart(one, valueLabel: label)))
        }
        charts.append(("metrics.svg", metricsChart(valueLabel: label)))
        return charts
    }

    /// Writes the charts into `directory` (created if needed), each atomically; returns their paths.
    @discardableResult
    public func write(to directory: URL, unit: String? = nil) throws -> [URL] {
        var written: [URL] = []
        for (file, chart) in charts(unit: unit) {
            let url = directory.appendingPathComponent(file)
            try chart.write(to: url)
            written.append(url)
        }
        return written
    }

    // MARK: Charts

    /// "MSE (scaled units²)", "MAE (temp)", ...
    var lossLabel: String {
        let name = manifest.config.training.loss.name
        let scaled = manifest.scaler.kind != .none
        let unit = scaled ? "scaled units" : target
        switch name {
        case "mse": return "MSE (\(unit)\(scaled ? "²" : ", squared"))"
        case "mae": return "MAE (\(unit))"
        case "huber": return "Huber loss (\(unit))"
        case "binary_crossentropy": return "binary cross-entropy"
        default: return name
        }
    }

    func lossChart() -> LineChart {
        let loss = manifest.history.map(\.loss)
        let validation = manifest.history.map { $0.validationLoss ?? .nan }
        let hasValidation = validation.contains { $0.isFinite }
        let positive = (loss + validation).filter { $0.isFinite && $0 > 0 }
        let log = (positive.max() ?? 1) / (positive.min() ?? 1) > 100
        var title = "Training\(hasValidation ? " and validation" : "") loss"
        if let best = manifest.training.bestEpoch { title += " (best epoch \(best) of \(manifest.training.epochsRun))" }
        var chart = LineChart.trainingCurves(loss: loss, validationLoss: hasValidation ? validation : nil,
                                             lossName: lossLabel + (log ? ", log scale" : ""), title: title, logScale: log)
        chart.series[0].name = "training loss"
        if hasValidation { chart.series[1].name = "validation loss" }
        return chart
    }

    /// Means of equal buckets of consecutive steps when there are more than `limit` points.
    static func bucketMeans(_ p: TestPredictions, limit: Int) -> (TestPredictions, Int) {
        guard p.count > limit else { return (p, 1) }
        let size = (p.count + limit / 2 - 1) / (limit / 2)
        func mean(_ v: ArraySlice<Double>) -> Double {
            let finite = v.filter(\.isFinite)
            return finite.isEmpty ? .nan : finite.reduce(0, +) / Double(finite.count)
        }
        var out = TestPredictions(times: [], horizonSteps: [], actual: [], predicted: [], persistence: [], seasonalNaive: [])
        var start = 0
        while start < p.count {
            let end = min(start + size, p.count)
            out.times.append(mean(p.times[start..<end]))
            out.horizonSteps.append(p.horizonSteps[start])
            out.actual.append(mean(p.actual[start..<end]))
            out.predicted.append(mean(p.predicted[start..<end]))
            out.persistence.append(mean(p.persistence[start..<end]))
            out.seasonalNaive.append(mean(p.seasonalNaive[start..<end]))
            start = end
        }
        return (out, size)
    }

    func forecastChart(_ one: TestPredictions, valueLabel: String) -> LineChart {
        let (shown, size) = Self.bucketMeans(one, limit: 2_000)
        var title = "1-step forecast vs actual, test span"
        if let rmse = manifest.metrics.test?.rmse {
            title += ": RMSE \(String(format: "%.3g", rmse))"
            if let p = manifest.baselines["persistence"]?.test?.rmse { title += " (persistence \(String(format: "%.3g", p)))" }
        }
        let step = manifest.data.frequencySeconds
        let yLabel = size > 1 ? "\(valueLabel), mean of \(Timestamps.describeDuration(step * Int64(size)))" : valueLabel
        return LineChart.forecast(times: shown.times, actual: shown.actual, predicted: shown.predicted, valueLabel: yLabel,
                                  title: title, predictedName: "model forecast")
    }

    /// How many final test steps the detail chart shows: two weeks of sub-daily data, else 120
    /// steps, at least 24 and at most 500.
    func detailCount(_ n: Int) -> Int {
        let step = max(manifest.data.frequencySeconds, 1)
        let wanted = step < 86_400 ? Int(14 * 86_400 / step) : 120
        return min(n, max(24, min(wanted, 500)))
    }

    func forecastDetailChart(_ one: TestPredictions, valueLabel: String) -> LineChart {
        let k = detailCount(one.count)
        let r = (one.count - k)..<one.count
        let times = Array(one.times[r])
        var series = [
            LineChart.Series(name: "actual", x: times, y: Array(one.actual[r]), style: k <= 60 ? .lineWithMarkers : .line, color: "#444444"),
            LineChart.Series(name: "model forecast", x: times, y: Array(one.predicted[r]), color: Palette.color(1)),
        ]
        if one.persistence[r].contains(where: \.isFinite) {
            series.append(LineChart.Series(name: "persistence", x: times, y: Array(one.persistence[r]), color: Palette.color(2), dashed: true))
        }
        let span = Timestamps.describeDuration(Int64(max(manifest.data.frequencySeconds, 1)) * Int64(k))
        var chart = LineChart(title: "Last \(k) test steps (\(span)), 1 step ahead" + (one.intervals.isEmpty ? "" : ", with prediction intervals"),
                              xLabel: "time (UTC)", yLabel: valueLabel, series: series, xAxis: .dateTime)
        // Widest level first, so the narrower band shows darker on top.
        chart.bands = one.intervals.reversed().map { b in
            LineChart.Band(name: "\(b.percent)% interval", x: times, lower: Array(b.lower[r]), upper: Array(b.upper[r]),
                           color: Palette.color(1), opacity: 0.15)
        }
        return chart
    }

    func residualChart(_ one: TestPredictions, valueLabel: String) -> Histogram {
        let residuals = zip(one.actual, one.predicted).map { $0 - $1 }
        return Histogram(title: "Residuals on the test span (actual − forecast, 1 step ahead)",
                         xLabel: "residual: actual − forecast (\(valueLabel))", values: residuals,
                         referenceLines: [("zero error", 0)])
    }

    /// The (name, test metrics) of the model and each baseline present.
    var testMetrics: [(name: String, metrics: MetricSet?)] {
        [("model", manifest.metrics.test), ("persistence", manifest.baselines["persistence"]?.test),
         ("seasonal naive", manifest.baselines["seasonal_naive"]?.test)]
    }

    func metricsChart(valueLabel: String) -> GroupedBarChart {
        let rows = testMetrics
        return GroupedBarChart(title: "Test error: model vs naive baselines (lower is better)", xLabel: "",
                               yLabel: "test error (\(valueLabel))", categories: rows.map(\.name),
                               series: [("RMSE", rows.map { $0.metrics?.rmse ?? .nan }), ("MAE", rows.map { $0.metrics?.mae ?? .nan })])
    }

    // MARK: Summary

    /// A few lines for people: the package, how it trained, the test metrics beside the
    /// baselines, and the chart paths.
    public func summary(charts: [URL]) -> String {
        let m = manifest
        let layers = m.architecture.layers.map { l in
            l.type == "dropout" ? "dropout(\(l.rate.map { AxisTicks.formatValue($0) } ?? "?"))" : "\(l.type)(\(l.units))"
        }.joined(separator: " → ")
        var lines = ["package: \(path)",
                     "model: \(layers), \(m.training.parameterCount) parameters, \(m.data.window.nPastSteps) past steps of \(Timestamps.describeDuration(m.data.frequencySeconds)) → target '\(target)'",
                     "training: \(m.training.epochsRun) epochs (\(m.training.stopReason)\(m.training.bestEpoch.map { ", best epoch \($0)" } ?? "")), \(m.training.trainSamples) train / \(m.training.validationSamples) validation / \(m.training.testSamples) test samples",
                     "",
                     "  " + "test (\(target))".padding(toLength: 20, withPad: " ", startingAt: 0) + "     RMSE       MAE        R2"]
        func f(_ v: Double?) -> String { v.map { String(format: "%9.4f", $0) } ?? "        -" }
        for (name, metrics) in testMetrics {
            lines.append("  " + name.padding(toLength: 20, withPad: " ", startingAt: 0) + f(metrics?.rmse) + " " + f(metrics?.mae) + " " + f(metrics?.r2))
        }
        if predictions == nil { lines.append("(no \(ModelPackage.testPredictionsFile): forecast and residual charts left out)") }
        lines.append("")
        lines.append("charts:")
        for url in charts { lines.append("  \(url.path)") }
        return lines.joined(separator: "\n")
    }
}

/// Bars of a few values per category, side by side (test RMSE and MAE per forecaster), each
/// labelled with its value. Non-finite values leave an empty slot. 800x450 px.
public struct GroupedBarChart: Chart {
    public var title: String
    public var xLabel: String
    /// The y-axis label with units, e.g. "test error (temp)".
    public var yLabel: String
    /// One x position per category.
    public var categories: [String]
    /// Each series has one value per category; one colour and legend entry per series.
    public var series: [(name: String, values: [Double])]

    public init(title: String, xLabel: String, yLabel: String, categories: [String], series: [(name: String, values: [Double])]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.categories = categories
        self.series = series
    }

    public func svg() throws -> String {
        for s in series where s.values.count != categories.count {
            throw ChartError.invalidInput("series \"\(s.name)\" has \(s.values.count) values for \(categories.count) categories")
        }
        let all = series.flatMap(\.values).filter(\.isFinite)
        guard let top = all.max() else { return CartesianFrame.noData(title: title) }
        let ticks = categories.enumerated().map { (value: Double($0.offset), label: $0.element) }
        let xSpec = AxisSpec(lower: -0.5, upper: Double(categories.count) - 0.5, ticks: ticks)
        let ySpec = AxisSpec.linear(all + [top * 1.12], expand: true, include: 0)
        let legend = series.indices.map { LegendEntry(label: series[$0].name, color: Palette.color($0), swatch: .box) }
        var frame = CartesianFrame(title: title, xLabel: xLabel, yLabel: yLabel, x: xSpec, y: ySpec, legend: legend, categoricalX: true)
        let slot = (frame.right - frame.left) / Double(max(categories.count, 1))
        let barWidth = min(slot * 0.7 / Double(max(series.count, 1)), 70)
        // One number format for every bar: three significant digits of the largest value.
        let decimals = max(0, 2 - Int(Foundation.floor(Foundation.log10(max(abs(top), 1e-12)))))
        var labels: [(Double, Double, String)] = []
        frame.beginData()
        for i in categories.indices {
            let start = frame.px(Double(i)) - barWidth * Double(series.count) / 2
            for (j, s) in series.enumerated() where s.values[i].isFinite {
                let x = start + Double(j) * barWidth, y = frame.py(s.values[i]), zero = frame.py(0)
                frame.canvas.rect(x + 2, min(y, zero), barWidth - 4, abs(zero - y), fill: Palette.color(j), stroke: Palette.axis,
                                  strokeWidth: 0.8, opacity: 0.85)
                labels.append((x + barWidth / 2, min(y, zero) - 6, String(format: "%.\(min(decimals, 6))f", s.values[i])))
            }
        }
        frame.endData()
        for (x, y, text) in labels { frame.canvas.text(x, y, text, size: 12, anchor: "middle", fill: Palette.text, halo: true) }
        return frame.finish()
    }
}
