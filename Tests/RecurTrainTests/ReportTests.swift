import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import RecurData
@testable import RecurTrain
import RecurTestSupport
import XCTest

/// The chart builders of `recur inspect --plots` and `recur report`.
final class ReportTests: XCTestCase {
    // MARK: Fixtures

    /// Hourly "temperature" for `days` days: a daily cycle, noise, 30 readings of the 0.0
    /// sentinel and one duplicated hour.
    func syntheticCSV(days: Int = 40) -> String {
        var lines = ["datetime,temp"]
        var state: UInt64 = 7
        func noise() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        let start = 1_600_000_000 / 86_400 * 86_400
        for h in 0..<(days * 24) {
            let t = Int64(start + h * 3_600)
            var v = 20 + 5 * sin(2 * Double.pi * Double(h) / 24) + noise()
            if h % 31 == 5 && h < 31 * 30 { v = 0 }
            let text = Timestamps.format(t)
            lines.append("\(text),\(String(format: "%.2f", v))")
            if h == 100 { lines.append("\(text),\(String(format: "%.2f", v + 0.3))") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func inspect(_ csv: String, in folder: URL) throws -> (DataQualityReport, InspectionCharts.SeriesData) {
        let path = folder.appendingPathComponent("station.csv").path
        try Data(csv.utf8).write(to: URL(fileURLWithPath: path))
        let table = try CSVReader.read(path: path)
        let source = try XCTUnwrap(TimeSeriesSource.infer(from: table, path: path))
        let raw = try SeriesLoader.load(source, table: table)
        let report = try DataInspector.inspect(raw: raw, source: source, sourceInferred: true)
        return (report, try InspectionCharts.seriesData(raw: raw, report: report, policy: CleaningPolicy()))
    }

    /// Parses `svg` as XML and returns the text of its `<text>` and `<title>` elements.
    func texts(_ svg: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        final class Collector: NSObject, XMLParserDelegate {
            var texts: [String] = [], current: String?
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) {
                if name == "text" || name == "title" { current = "" }
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { current? += string }
            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
                if let c = current, name == "text" || name == "title" { texts.append(c); current = nil }
            }
        }
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        XCTAssertTrue(parser.parse(), "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "")", file: file, line: line)
        XCTAssertTrue(svg.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""), file: file, line: line)
        XCTAssertFalse(svg.contains("NaN") || svg.contains("nan\""), "non-finite number in the SVG", file: file, line: line)
        return collector.texts
    }

    // MARK: Inspection charts

    func testInspectionChartsAreValidAndLabelled() throws {
        let folder = try temporaryFolder("recur-report-tests")
        let (report, data) = try inspect(syntheticCSV(), in: folder)
        XCTAssertEqual(report.suspectedSentinels.map(\.value), [0])
        XCTAssertEqual(data.sentinelReadings.count, 30)
        XCTAssertFalse(data.values.contains(0), "sentinels are missing in the charted series")

        let charts = InspectionCharts.charts(report: report, data: data, unit: "°C")
        XCTAssertEqual(charts.map(\.file), InspectionCharts.fileNames)
        var byFile: [String: [String]] = [:]
        for (file, chart) in charts { byFile[file] = texts(try chart.svg()) }

        let series = try XCTUnwrap(byFile["series.svg"])
        XCTAssertTrue(series.contains("temp (°C)"), "\(series)")
        XCTAssertTrue(series.contains("time (UTC)"))
        XCTAssertTrue(series.contains { $0.hasPrefix("sentinel 0: 30 readings") }, "\(series)")
        XCTAssertTrue(series.contains { $0.contains("gaps") })

        let histogram = try XCTUnwrap(byFile["histogram.svg"])
        XCTAssertTrue(histogram.contains("Distribution of temp, sentinels left out"), "\(histogram)")
        XCTAssertTrue(histogram.contains { $0.hasPrefix("sentinel 0 (30 rows") })
        XCTAssertTrue(histogram.contains("count"))

        // 40 days: too short for months, so the daily cycle (hour of day).
        let box = try XCTUnwrap(byFile["boxplot.svg"])
        XCTAssertTrue(box.contains("temp by hour of day"), "\(box)")
        XCTAssertTrue(box.contains("hour of day (UTC)"))
        XCTAssertTrue(box.contains("23"))

        let acf = try XCTUnwrap(byFile["acf.svg"])
        XCTAssertTrue(acf.contains("Autocorrelation (ACF) of temp"))
        XCTAssertTrue(acf.contains("lag (hours)"))
        XCTAssertTrue(acf.contains { $0.contains("confidence band") })

        let pacf = try XCTUnwrap(byFile["pacf.svg"])
        XCTAssertTrue(pacf.contains("Partial autocorrelation (PACF) of temp"))
        XCTAssertTrue(pacf.contains { $0.contains("suggested n_past_steps \(report.autocorrelation.suggestedPastSteps)") }, "\(pacf)")

        let written = try InspectionCharts.write(report: report, data: data, to: folder.appendingPathComponent("plots"))
        XCTAssertEqual(written.map(\.lastPathComponent), InspectionCharts.fileNames)
        for url in written { XCTAssertTrue(FileManager.default.fileExists(atPath: url.path)) }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("plots").path)
        XCTAssertEqual(Set(leftovers), Set(InspectionCharts.fileNames), "no temporary files left behind")
    }

    func testBoxPlotGroupingFollowsTheSpan() {
        XCTAssertEqual(InspectionCharts.grouping(spanSeconds: 3_650 * 86_400, frequencySeconds: 3_600), .month)
        XCTAssertEqual(InspectionCharts.grouping(spanSeconds: 3_650 * 86_400, frequencySeconds: 86_400), .month)
        XCTAssertEqual(InspectionCharts.grouping(spanSeconds: 60 * 86_400, frequencySeconds: 3_600), .hourOfDay)
        XCTAssertEqual(InspectionCharts.grouping(spanSeconds: 200 * 86_400, frequencySeconds: 86_400), .dayOfWeek)
        XCTAssertEqual(InspectionCharts.lagLabel(3_600), "lag (hours)")
        XCTAssertEqual(InspectionCharts.lagLabel(86_400), "lag (days)")
        XCTAssertEqual(InspectionCharts.lagLabel(900), "lag (steps of 15 minutes)")
    }

    func testLongSeriesAreDownsampledKeepingExtremes() {
        let n = 90_000
        let times = (0..<n).map { Int64($0) * 3_600 }
        var values = (0..<n).map { 20 + 5 * sin(Double($0) / 24 * 2 * .pi) }
        values[12_345] = 60      // a spike
        values[54_321] = -30     // a dip
        for i in 70_000..<70_200 { values[i] = .nan }  // a long gap
        let bucket = InspectionCharts.bucketSeconds(count: n, step: 3_600, limit: 2_000)
        XCTAssertEqual(bucket, 2 * 86_400, "the shortest round bucket giving at most 2,000 buckets")
        XCTAssertNil(InspectionCharts.bucketSeconds(count: 3_650, step: 86_400, limit: 2_000), "short series are drawn whole")
        let (xs, ys) = InspectionCharts.envelope(timestamps: times, values: values, bucketSeconds: bucket)
        XCTAssertEqual(xs.count, ys.count)
        XCTAssertLessThanOrEqual(xs.count, 4_000)
        XCTAssertEqual(ys.filter(\.isFinite).max(), 60)
        XCTAssertEqual(ys.filter(\.isFinite).min(), -30)
        XCTAssertTrue(ys.contains { $0.isNaN }, "the gap breaks the line")
        XCTAssertEqual(xs, xs.sorted(), "points stay in time order")
    }

    // MARK: Package report

    /// Trains a 2-epoch package on the synthetic series and returns its path.
    func trainPackage(in folder: URL) throws -> String {
        let csv = folder.appendingPathComponent("station.csv")
        try Data(syntheticCSV(days: 20).utf8).write(to: csv)
        let config = try RecurConfig.parse("""
        {
          "data": {"path": "station.csv", "datetime_column": "datetime", "target": "temp"},
          "window": {"n_past_steps": 6},
          "model": {"layers": [{"type": "lstm", "units": 4}]},
          "training": {"epochs": 2, "batch_size": 32, "seed": 3},
          "output": {"directory": "runs"}
        }
        """, file: "test.json", baseDirectory: folder.path)
        let options = TrainingOptions.silent(packagePath: folder.appendingPathComponent("pkg").path)
        return try TrainingRun.run(config, options: options).package
    }

    func testPackageReportChartsAndSummary() throws {
        let folder = try temporaryFolder("recur-report-tests")
        let path = try trainPackage(in: folder)
        let report = try PackageReport.load(path)
        XCTAssertEqual(report.target, "temp")
        let predictions = try XCTUnwrap(report.predictions)
        XCTAssertGreaterThan(predictions.step(1).count, 50)

        let charts = report.charts()
        XCTAssertEqual(charts.map(\.file), PackageReport.fileNames)
        var byFile: [String: [String]] = [:]
        for (file, chart) in charts { byFile[file] = texts(try chart.svg()) }

        let loss = try XCTUnwrap(byFile["loss.svg"])
        XCTAssertTrue(loss.contains { $0.hasPrefix("Training and validation loss") }, "\(loss)")
        XCTAssertTrue(loss.contains("MSE (scaled units²)"), "\(loss)")
        XCTAssertTrue(loss.contains("epoch"))
        XCTAssertTrue(loss.contains("training loss") && loss.contains("validation loss"))

        let forecast = try XCTUnwrap(byFile["forecast.svg"])
        XCTAssertTrue(forecast.contains { $0.hasPrefix("1-step forecast vs actual, test span: RMSE") && $0.contains("persistence") }, "\(forecast)")
        XCTAssertTrue(forecast.contains("temp") && forecast.contains("time (UTC)"))
        XCTAssertTrue(forecast.contains("actual") && forecast.contains("model forecast"))

        let detail = try XCTUnwrap(byFile["forecast-detail.svg"])
        XCTAssertTrue(detail.contains { $0.hasPrefix("Last ") && $0.contains("test steps") }, "\(detail)")
        XCTAssertTrue(detail.contains("persistence"))

        let residuals = try XCTUnwrap(byFile["residuals.svg"])
        XCTAssertTrue(residuals.contains("residual: actual − forecast (temp)"), "\(residuals)")
        XCTAssertTrue(residuals.contains("zero error"))

        let metrics = try XCTUnwrap(byFile["metrics.svg"])
        for label in ["model", "persistence", "seasonal naive", "RMSE", "MAE", "test error (temp)"] {
            XCTAssertTrue(metrics.contains(label), "\(label) in \(metrics)")
        }
        let rmse = String(format: "%.2f", try XCTUnwrap(report.manifest.metrics.test?.rmse))
        XCTAssertTrue(metrics.contains { $0.hasPrefix(rmse) }, "bar labelled \(rmse) in \(metrics)")

        // With a unit, every value axis carries it.
        let withUnit = Dictionary(uniqueKeysWithValues: report.charts(unit: "°C").map { ($0.file, $0.chart) })
        XCTAssertTrue(texts(try XCTUnwrap(withUnit["forecast.svg"]).svg()).contains("temp (°C)"))

        let out = folder.appendingPathComponent("report")
        let written = try report.write(to: out)
        XCTAssertEqual(written.map(\.lastPathComponent), PackageReport.fileNames)
        let summary = report.summary(charts: written)
        XCTAssertTrue(summary.contains("RMSE") && summary.contains("persistence") && summary.contains("seasonal naive"), summary)
        for url in written { XCTAssertTrue(summary.contains(url.path)) }
    }

    func testPackageWithoutPredictionsStillReports() throws {
        let folder = try temporaryFolder("recur-report-tests")
        let path = try trainPackage(in: folder)
        try FileManager.default.removeItem(atPath: (path as NSString).appendingPathComponent(ModelPackage.testPredictionsFile))
        let report = try PackageReport.load(path)
        XCTAssertNil(report.predictions)
        XCTAssertEqual(report.charts().map(\.file), ["loss.svg", "metrics.svg"])
        XCTAssertTrue(report.summary(charts: []).contains("left out"))
    }

    func testIntervalColumnsAreReadAndDrawnAsBands() throws {
        let folder = try temporaryFolder("recur-report-tests")
        let file = folder.appendingPathComponent("predictions_test.csv")
        try Data(("timestamp,horizon_step,actual,predicted,persistence,seasonal_naive,lower_80,upper_80,lower_95,upper_95\n"
                  + "2020-01-01 00:00:00,1,3.0,2.5,2.0,,2.0,3.0,1.5,3.5\n2020-01-01 01:00:00,1,3.5,3.0,3.0,,2.5,3.5,,\n"
                  + "2020-01-01 00:00:00,2,3.5,2.8,2.0,,2.1,3.2,1.6,3.9\n").utf8).write(to: file)
        let p = try PackageReport.readPredictions(file.path)
        XCTAssertEqual(p.intervals.map(\.percent), [80, 95])
        let one = p.step(1)
        XCTAssertEqual(one.intervals[0].lower, [2.0, 2.5])
        XCTAssertEqual(one.intervals[1].upper[0], 3.5)
        XCTAssertTrue(one.intervals[1].upper[1].isNaN)
        var chart = LineChart(title: "t", xLabel: "x", yLabel: "y", series: [.init(name: "a", x: [0, 1], y: one.predicted)], xAxis: .dateTime)
        chart.bands = [.init(name: "80% interval", x: one.times, lower: one.intervals[0].lower, upper: one.intervals[0].upper, color: "#ff8800")]
        let svg = try chart.svg()
        XCTAssertTrue(svg.contains("fill=\"#ff8800\" fill-opacity=\"0.25\""), svg)  // a closed path per run of bounds
        XCTAssertTrue(svg.contains("80% interval"))
        chart.bands[0].lower = [1]
        XCTAssertThrowsError(try chart.svg())
    }

    func testDamagedPredictionsAreAPackageError() throws {
        let folder = try temporaryFolder("recur-report-tests")
        let file = folder.appendingPathComponent("predictions_test.csv")
        try Data("timestamp,horizon_step,actual\n2020-01-01,1,3.0\n".utf8).write(to: file)
        XCTAssertThrowsError(try PackageReport.readPredictions(file.path)) { error in
            XCTAssertTrue("\(error)".contains("'predicted'"), "\(error)")
        }
        try Data("timestamp,horizon_step,actual,predicted\nyesterday,1,3.0,2.0\n".utf8).write(to: file)
        XCTAssertThrowsError(try PackageReport.readPredictions(file.path)) { error in
            XCTAssertTrue("\(error)".contains("line 2"), "\(error)")
        }
    }

    func testNotAPackage() throws {
        let folder = try temporaryFolder("recur-report-tests")
        XCTAssertThrowsError(try PackageReport.load(folder.path)) { error in
            guard case PackageError.notAPackage = error else { return XCTFail("\(error)") }
        }
    }

    func testGroupedBarChart() throws {
        let chart = GroupedBarChart(title: "Errors", xLabel: "", yLabel: "error (°C)", categories: ["a", "b"],
                                    series: [("RMSE", [1.5, 2.25]), ("MAE", [1.0, .nan])])
        let t = texts(try chart.svg())
        XCTAssertTrue(t.contains("1.50") && t.contains("2.25") && t.contains("1.00"), "\(t)")
        XCTAssertTrue(t.contains("error (°C)"))
        let empty = GroupedBarChart(title: "Empty", xLabel: "", yLabel: "", categories: ["a"], series: [("x", [.nan])])
        XCTAssertTrue(texts(try empty.svg()).contains("No data"))
        let bad = GroupedBarChart(title: "Bad", xLabel: "", yLabel: "", categories: ["a", "b"], series: [("x", [1])])
        XCTAssertThrowsError(try bad.svg())
    }
}
