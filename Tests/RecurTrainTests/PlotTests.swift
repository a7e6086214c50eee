import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import RecurTrain
import RecurTestSupport
import XCTest

final class PlotTests: XCTestCase {
    // MARK: ticks

    func testNiceLinearTicks() {
        XCTAssertEqual(AxisTicks.linear(lower: 0, upper: 1).map(\.label), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        XCTAssertEqual(AxisTicks.linear(lower: -3.7, upper: 12.1).map(\.label), ["0", "5", "10"])
        XCTAssertEqual(AxisTicks.linear(lower: 0.013, upper: 0.087).map(\.label), ["0.02", "0.03", "0.04", "0.05", "0.06", "0.07", "0.08"])
        XCTAssertEqual(AxisTicks.linear(lower: 1, upper: 25, integer: true).map(\.label), ["5", "10", "15", "20", "25"])
        XCTAssertEqual(AxisTicks.linear(lower: 1, upper: 3, integer: true).map(\.label), ["1", "2", "3"])
        XCTAssertEqual(AxisTicks.linear(lower: 0, upper: 2.5e7).map(\.label).first, "0")
        // Every step is 1, 2 or 5 times a power of ten, and every label is short.
        for (lo, hi) in [(0.0, 0.0031), (-1.0, 1.0), (17.0, 43.0), (0.1, 0.7), (-250.0, 1234.0), (3.3e-6, 9.1e-6), (1e8, 3e8)] {
            let ticks = AxisTicks.linear(lower: lo, upper: hi)
            XCTAssertGreaterThanOrEqual(ticks.count, 3, "\(lo)...\(hi)")
            XCTAssertLessThanOrEqual(ticks.count, 11, "\(lo)...\(hi)")
            let step = ticks[1].value - ticks[0].value
            let mantissa = step / pow(10, floor(log10(step)))
            XCTAssertTrue([1, 2, 5, 10].contains { abs(mantissa - $0) < 1e-6 }, "step \(step)")
            for tick in ticks {
                XCTAssertLessThanOrEqual(tick.label.count, 8, "label \(tick.label)")
                XCTAssertGreaterThanOrEqual(tick.value, lo - 1e-12)
                XCTAssertLessThanOrEqual(tick.value, hi + 1e-12)
            }
        }
        XCTAssertEqual(AxisTicks.format(0.1 + 0.2, step: 0.1), "0.3")
        XCTAssertEqual(AxisTicks.format(-1e-17, step: 0.5), "0.0")
        XCTAssertEqual(AxisTicks.format(-1e-17, step: 5), "0")
        XCTAssertEqual(AxisTicks.expandedRange(lower: 0.13, upper: 0.87).lower, 0.1, accuracy: 1e-12)
        XCTAssertEqual(AxisTicks.expandedRange(lower: 0.13, upper: 0.87).upper, 0.9, accuracy: 1e-12)
        XCTAssertEqual(AxisTicks.expandedRange(lower: 0.0043, upper: 0.061).upper, 0.07, accuracy: 1e-12)
        XCTAssertEqual(AxisTicks.logarithmic(lower: 0.001, upper: 10).map(\.label), ["0.001", "0.01", "0.1", "1", "10"])
        XCTAssertEqual(AxisTicks.logarithmic(lower: 0.9, upper: 11).map(\.label), ["1", "2", "5", "10"])
    }

    func testDateTimeTicks() {
        let t0 = 1_456_753_500.0  // 2016-02-29 13:45:00 UTC
        XCTAssertEqual(AxisTicks.dateTime(lower: t0, upper: t0 + 6 * 3_600).map(\.label),
                       ["14:00", "15:00", "16:00", "17:00", "18:00", "19:00"])
        let days = AxisTicks.dateTime(lower: t0, upper: t0 + 5 * 86_400)
        XCTAssertEqual(days.first?.label, "2016-03-01")
        let years = AxisTicks.dateTime(lower: 347_155_200, upper: 662_601_600)  // 1981-01-01 ... 1990-12-31
        XCTAssertEqual(years.map(\.label), ["1982", "1984", "1986", "1988", "1990"])
        let months = AxisTicks.dateTime(lower: t0, upper: t0 + 200 * 86_400)
        XCTAssertEqual(months.first?.label, "2016-03")
        XCTAssertTrue(months.allSatisfy { $0.label.count == 7 })
        for tick in days + years + months { XCTAssertEqual(tick.value.truncatingRemainder(dividingBy: 3_600), 0) }
    }

    // MARK: charts

    func testLineChartsRenderValidLabelledSVG() throws {
        let loss = (1...25).map { 0.5 / Double($0) + 0.01 }, valLoss = (1...25).map { 0.6 / Double($0) + 0.02 }
        let curves = LineChart.trainingCurves(loss: loss, validationLoss: valLoss, lossName: "MSE (scaled units²)")
        try assertValidSVG(curves, contains: ["Training and validation loss", "epoch", "MSE (scaled units²)", "val_loss"])
        try assertValidSVG(LineChart.trainingCurves(loss: loss + [.nan, .infinity], lossName: "MSE", logScale: true),
                           contains: ["MSE"])

        let start = 1_456_753_500.0
        let times = (0..<200).map { start + Double($0) * 3_600 }
        let actual = times.indices.map { 20 + 5 * sin(Double($0) / 24 * 2 * .pi) }
        var predicted = actual.map { $0 + 0.7 }
        predicted[50] = .nan
        try assertValidSVG(LineChart.forecast(times: times, actual: actual, predicted: predicted, valueLabel: "temperature (°C)"),
                           contains: ["Forecast vs actual", "time (UTC)", "temperature (°C)", "2016-03-0"])
        try assertValidSVG(LineChart.trials(objectives: [0.5, 0.3, .nan, 0.4, 0.2], objectiveName: "val_loss (MSE)"),
                           contains: ["trial", "best so far", "val_loss (MSE)"])
        XCTAssertThrowsError(try LineChart(title: "t", xLabel: "x", yLabel: "y",
                                           series: [.init(name: "a", x: [1, 2], y: [1])]).svg())
    }

    func testOtherChartsRender() throws {
        var rng = SystemRandomNumberGenerator()
        let residuals = (0..<500).map { _ in Double.random(in: -1...1, using: &rng) + Double.random(in: -1...1, using: &rng) }
        try assertValidSVG(Histogram(title: "Residuals", xLabel: "residual (°C)", values: residuals + [.nan],
                                     referenceLines: [("zero error", 0)]),
                           contains: ["Residuals", "residual (°C)", "count", "zero error", "n = 500"])
        try assertValidSVG(BoxPlot(title: "Error per step", xLabel: "horizon step", yLabel: "absolute error (°C)",
                                   groups: [.init(label: "t+1", values: residuals.map(abs)),
                                            .init(label: "t+2", values: residuals.map { abs($0) * 1.5 } + [9]),
                                            .init(label: "t+3", values: [])]),
                           contains: ["Error per step", "t+2", "absolute error (°C)"])
        let acf = (0...40).map { exp(-Double($0) / 8) * cos(Double($0) / 3) }
        try assertValidSVG(Correlogram(title: "ACF of temperature", values: acf, confidence: 1.96 / sqrt(3650.0),
                                       xLabel: "lag (days)"),
                           contains: ["ACF of temperature", "lag (days)", "confidence band"])
        let n = 30
        let chart = ParallelCoordinates(
            title: "Search: parameters vs objective",
            axes: [
                .init(name: "mult (first)", values: (0..<n).map { Double($0 % 3) }, categories: ["1", "2", "4"]),
                .init(name: "dropout", values: (0..<n).map { Double($0) / Double(n) * 0.5 }),
                .init(name: "learning rate", values: (0..<n).map { pow(10, -4 + 3 * Double($0) / Double(n)) }, logScale: true),
                .init(name: "mid layers", values: (0..<n).map { $0 % 4 == 0 ? .nan : Double($0 % 3) }),
            ],
            objectiveName: "val_loss (MSE)", objective: (0..<n).map { 0.01 + 0.05 * abs(sin(Double($0))) })
        try assertValidSVG(chart, contains: ["dropout", "learning rate", "val_loss (MSE)", "best:"])
        XCTAssertThrowsError(try ParallelCoordinates(title: "x", axes: [.init(name: "a", values: [1])], objectiveName: "o",
                                                     objective: [1, 2]).svg())
    }

    func testDegenerateInputs() throws {
        // Empty: a chart that says so.
        for chart in [
            LineChart.trainingCurves(loss: [], lossName: "MSE") as any Chart,
            LineChart.trainingCurves(loss: [.nan], lossName: "MSE"),
            Histogram(title: "Empty", xLabel: "x", values: []),
            BoxPlot(title: "Empty", xLabel: "x", yLabel: "y", groups: []),
            Correlogram(title: "Empty", values: []),
            ParallelCoordinates(title: "Empty", axes: [], objectiveName: "o", objective: []),
        ] {
            try assertValidSVG(chart, contains: ["No data"])
        }
        // One point, constant series, one value: a sensible chart, not a crash.
        try assertValidSVG(LineChart.trainingCurves(loss: [0.5], lossName: "MSE"), contains: ["0.5"])
        try assertValidSVG(LineChart.trainingCurves(loss: [2, 2, 2], validationLoss: [2, 2, 2], lossName: "MSE"), contains: ["2"])
        try assertValidSVG(LineChart.forecast(times: [0], actual: [1], predicted: [1], valueLabel: "v"), contains: ["actual"])
        try assertValidSVG(LineChart.trainingCurves(loss: [0, 0], lossName: "MSE", logScale: true), contains: ["No data"])
        try assertValidSVG(Histogram(title: "One", xLabel: "x", values: [3]), contains: ["n = 1"])
        try assertValidSVG(Histogram(title: "Constant", xLabel: "x", values: [0, 0, 0]), contains: ["n = 3"])
        try assertValidSVG(BoxPlot(title: "One", xLabel: "x", yLabel: "y", groups: [.init(label: "a", values: [1])]), contains: ["a"])
        try assertValidSVG(Correlogram(title: "One", values: [1]), contains: ["One"])
        try assertValidSVG(ParallelCoordinates(title: "One", axes: [.init(name: "p", values: [1])], objectiveName: "o",
                                               objective: [0.5]), contains: ["best: 0.5"])
        try assertValidSVG(ParallelCoordinates(title: "Objective only", axes: [], objectiveName: "o", objective: [0.5, 0.7]),
                           contains: ["o"])
    }

    func testTextIsEscaped() throws {
        let chart = LineChart(title: "a < b & \"c\" > 'd'\u{1}", xLabel: "x <units>", yLabel: "y & z",
                              series: [.init(name: "<s>", x: [1, 2], y: [3, 4])])
        try assertValidSVG(chart, contains: ["a &lt; b &amp; &quot;c&quot; &gt; &apos;d&apos;", "&lt;s&gt;"])
    }

    func testBoxSummaryAndHistogramBins() throws {
        let s = try XCTUnwrap(BoxPlot.summary([1, 2, 3, 4, 5, 6, 7, 8, 100]))
        XCTAssertEqual(s.median, 5)
        XCTAssertEqual(s.q1, 3)
        XCTAssertEqual(s.q3, 7)
        XCTAssertEqual(s.upperWhisker, 8)
        XCTAssertEqual(s.outliers, [100])
        let bins = Histogram(title: "h", xLabel: "x", values: [0, 0.5, 1, 1.5, 2, 9.99], binCount: 5).bins()
        XCTAssertEqual(bins.counts, [4, 1, 0, 0, 1])  // width 1.998
        XCTAssertEqual(bins.counts.reduce(0, +), 6)
        let auto = Histogram(title: "h", xLabel: "x", values: (0..<1000).map { Double($0) / 10 }).bins()
        XCTAssertEqual(auto.counts.reduce(0, +), 1000)
        XCTAssertTrue((5...60).contains(auto.counts.count))
    }

    func testAtomicWrite() throws {
        let dir = try temporaryFolder("recur-plots").appendingPathComponent("plots")  // made by the write
        let url = dir.appendingPathComponent("loss.svg")
        try LineChart.trainingCurves(loss: [3, 2, 1], lossName: "MSE").write(to: url)
        try LineChart.trainingCurves(loss: [3, 2, 1, 0.5], lossName: "MSE").write(to: url)  // replaces
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["loss.svg"])
        XCTAssertTrue(try String(contentsOf: url, encoding: .utf8).hasPrefix("<?xml"))
        // Samples for eyeballing: RECUR_PLOT_SAMPLES=/tmp/plots swift test --filter PlotTests
        if let samples = ProcessInfo.processInfo.environment["RECUR_PLOT_SAMPLES"] {
            try writeSamples(to: URL(fileURLWithPath: samples))
        }
    }

    func testLineChartBandsAndSeriesGroups() throws {
        let x = (0..<10).map(Double.init)
        var lower = x.map { $0 - 1 }, upper = x.map { $0 + 1 }
        lower[5] = .nan  // breaks the band into two runs
        let chart = LineChart(title: "band", xLabel: "x", yLabel: "y",
                              series: [LineChart.Series(name: "points", x: x, y: x, style: .markers, groupClass: "trial-points")],
                              bands: [LineChart.Band(name: "80% interval", x: x, lower: lower, upper: upper, color: "#ff7f0e")])
        try assertValidSVG(chart, contains: ["80% interval", "<g class=\"trial-points\">", "fill-opacity=\"0.25\""])
        let svg = try chart.svg()
        XCTAssertEqual(svg.components(separatedBy: "fill-opacity=\"0.25\" stroke=\"none\"").count - 1, 2, "two runs of the band")
        let group = svg.components(separatedBy: "<g class=\"trial-points\">")[1].components(separatedBy: "</g>")[0]
        XCTAssertEqual(group.components(separatedBy: "<circle").count - 1, 10, "the series' dots are inside its group")
        XCTAssertThrowsError(try LineChart(title: "t", xLabel: "", yLabel: "", series: [],
                                           bands: [LineChart.Band(name: "b", x: [1, 2], lower: [1], upper: [1, 2], color: "#000000")]).svg())
    }

    // MARK: helpers

    private func assertValidSVG(_ chart: any Chart, contains needles: [String],
                                file: StaticString = #filePath, line: UInt = #line) throws {
        let svg = try chart.svg()
        let parser = XMLParser(data: Data(svg.utf8))
        XCTAssertTrue(parser.parse(), "SVG does not parse: \(String(describing: parser.parserError))", file: file, line: line)
        XCTAssertTrue(svg.contains("<svg"), file: file, line: line)
        for bad in ["NaN", "nan", "inf", "Infinity"] {
            XCTAssertFalse(svg.contains(bad), "SVG of \"\(chart.title)\" contains \(bad)", file: file, line: line)
        }
        for needle in needles {
            XCTAssertTrue(svg.contains(needle), "SVG of \"\(chart.title)\" lacks \(needle)", file: file, line: line)
        }
    }

    private func writeSamples(to dir: URL) throws {
        let loss = (1...25).map { 0.05 / Double($0) + 0.004 + 0.0005 * sin(Double($0)) }
        let valLoss = (1...25).map { 0.06 / Double($0) + 0.006 + 0.001 * cos(Double($0)) }
        try LineChart.trainingCurves(loss: loss, validationLoss: valLoss, lossName: "MSE (scaled units²)")
            .write(to: dir.appendingPathComponent("loss.svg"))
        let start = 1_456_753_500.0
        let times = (0..<24 * 14).map { start + Double($0) * 3_600 }
        let actual: [Double] = times.indices.map { (i: Int) -> Double in
            let x = Double(i)
            return 22 + 6 * sin(x / 24 * 2 * Double.pi) + sin(x * 0.7)
        }
        let predicted: [Double] = actual.indices.map { (i: Int) -> Double in actual[i] * 0.9 + 2.2 + 0.5 * cos(Double(i)) }
        try LineChart.forecast(times: times, actual: actual, predicted: predicted, valueLabel: "temperature (°C)")
            .write(to: dir.appendingPathComponent("forecast.svg"))
        let objectives: [Double] = (0..<40).map { (i: Int) -> Double in
            let x = Double(i)
            return 0.02 + 0.03 * abs(sin(x * 1.7)) + 0.01 / (x + 1)
        }
        try LineChart.trials(objectives: objectives, objectiveName: "val_loss (MSE, scaled)")
            .write(to: dir.appendingPathComponent("trials.svg"))
        var rng = SystemRandomNumberGenerator()
        let residuals = (0..<1650).map { _ in (0..<4).map { _ in Double.random(in: -1.2...1.2, using: &rng) }.reduce(0, +) }
        try Histogram(title: "Test residuals", xLabel: "forecast − actual (°C)", values: residuals, referenceLines: [("zero", 0)])
            .write(to: dir.appendingPathComponent("histogram.svg"))
        try BoxPlot(title: "Absolute error per horizon step", xLabel: "horizon step", yLabel: "absolute error (°C)",
                    groups: (1...6).map { k in .init(label: "t+\(k)", values: residuals.map { abs($0) * (1 + 0.2 * Double(k)) }) })
            .write(to: dir.appendingPathComponent("boxplot.svg"))
        let acf = (0...48).map { exp(-Double($0) / 30) * cos(Double($0) / 24 * 2 * .pi) }
        try Correlogram(title: "ACF of hourly temperature", values: acf, confidence: 1.96 / sqrt(500), xLabel: "lag (hours)")
            .write(to: dir.appendingPathComponent("acf.svg"))
        let n = 40
        try ParallelCoordinates(
            title: "Hyper-parameter search",
            axes: [
                .init(name: "mult (first)", values: (0..<n).map { Double($0 % 3) }, categories: ["1", "2", "4"]),
                .init(name: "dropout (first)", values: (0..<n).map { 0.5 * abs(sin(Double($0) * 2.3)) }),
                .init(name: "mid layers", values: (0..<n).map { Double($0 % 3) }, categories: ["0", "1", "2"]),
                .init(name: "dropout (mid)", values: (0..<n).map { $0 % 3 == 0 ? .nan : 0.5 * abs(cos(Double($0))) }),
                .init(name: "learning rate", values: (0..<n).map { pow(10, -4 + 2 * abs(sin(Double($0) * 0.9))) }, logScale: true),
            ],
            objectiveName: "val_loss (MSE)", objective: objectives)
            .write(to: dir.appendingPathComponent("parallel.svg"))
        try Histogram(title: "Empty", xLabel: "x", values: []).write(to: dir.appendingPathComponent("empty.svg"))
    }
}
