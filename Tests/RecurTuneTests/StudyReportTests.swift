import Foundation
import RecurTrain
@testable import RecurTune
import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif

/// `recur report STUDY`: the objective-per-trial and parallel-coordinates charts of a study.
final class StudyReportTests: XCTestCase {
    var fixture: StudyFixture!

    override func setUpWithError() throws { fixture = try StudyFixture() }
    override func tearDown() { fixture = nil }

    static let space: [SearchParameter] = [
        SearchParameter(name: "training.optimizer.learning_rate", distribution: .logUniform(low: 1e-4, high: 1e-1)),
        SearchParameter(name: "model.cell", distribution: .choice([.string("lstm"), .string("gru")])),
        SearchParameter(name: "model.middle.count", distribution: .choice([.number(0), .number(1), .number(2)])),
        SearchParameter(name: "model.middle.dropout", distribution: .uniform(low: 0, high: 0.5),
                        condition: SearchCondition(parameter: "model.middle.count", atLeast: 1)),
        SearchParameter(name: "window.n_past_steps", distribution: .int(low: 2, high: 24)),
    ]

    static func trial(_ number: Int, _ state: TrialState, value: Double?, lr: Double, cell: String, count: Int,
                      intermediate: [Int: Double] = [:], error: String? = nil) -> StoredTrial {
        var params: [String: SearchValue] = ["training.optimizer.learning_rate": .number(lr), "model.cell": .string(cell),
                                             "model.middle.count": .number(Double(count)), "window.n_past_steps": .number(Double(2 + number % 20))]
        if count >= 1 { params["model.middle.dropout"] = .number(0.05 * Double(number % 10)) }
        return StoredTrial(record: TrialRecord(number: number, params: params, state: state, value: value, intermediate: intermediate),
                           started: 1000 + Double(number), finished: state == .running ? nil : 1001 + Double(number),
                           seconds: state == .running ? nil : 1, seed: UInt64(number), error: error, metrics: nil,
                           epochs: state == .running ? nil : 3, workerPID: nil, workerHost: nil, workerToken: nil, heartbeat: nil,
                           attempts: 1)
    }

    /// Twelve trials: complete ones improving unevenly, two pruned, one failed.
    static func trials() -> [StoredTrial] {
        var out: [StoredTrial] = []
        let values = [0.31, 0.22, 0.40, 0.18, 0.25, 0.19, 0.12, 0.15, 0.13, 0.11, 0.14, 0.16]
        for (i, v) in values.enumerated() {
            let lr = 1e-4 * pow(10, Double(i % 4))
            let cell = i % 3 == 0 ? "gru" : "lstm"
            switch i {
            case 2: out.append(trial(i, .pruned, value: 0.9, lr: lr, cell: cell, count: 0, intermediate: [1: 0.9]))
            case 5: out.append(trial(i, .failed, value: nil, lr: lr, cell: cell, count: 1, error: "loss became NaN"))
            case 8: out.append(trial(i, .pruned, value: nil, lr: lr, cell: cell, count: 2, intermediate: [1: 0.7, 2: 0.6]))
            default: out.append(trial(i, .complete, value: v, lr: lr, cell: cell, count: i % 3))
            }
        }
        return out
    }

    func record(configJSON: String = "{}") -> StudyRecord {
        StudyRecord(name: "tiny", configHash: "h", configJSON: configJSON, objective: "val_loss", sampler: "tpe", seed: 7,
                    maxEvals: 12, bestPackage: "/runs/tiny.study.best", bestTrial: 9)
    }

    /// Parses the SVG as XML; returns every `<text>` content and the `<title>`.
    func parse(_ svg: String, file: StaticString = #filePath, line: UInt = #line) -> (title: String, texts: [String]) {
        final class Collector: NSObject, XMLParserDelegate {
            var texts: [String] = []
            var title = ""
            var current: String?
            var element = ""
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) {
                element = name
                if name == "text" || name == "title" { current = "" }
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { current? += string }
            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
                if name == "text", let c = current { texts.append(c) }
                if name == "title", let c = current { title = c }
                if name == "text" || name == "title" { current = nil }
            }
        }
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        XCTAssertTrue(parser.parse(), "valid XML: \(parser.parserError.map { "\($0)" } ?? "")", file: file, line: line)
        XCTAssertFalse(svg.contains("NaN") || svg.contains("nan") || svg.contains("inf\""), "no NaN in the SVG", file: file, line: line)
        return (collector.title, collector.texts)
    }

    func testObjectiveChartMarksPrunedAndFailedTrialsAndTheRunningBest() throws {
        let report = StudyReport(path: "/runs/tiny.study.sqlite", study: record(), trials: Self.trials(), space: Self.space)
        let chart = report.objectiveChart()
        XCTAssertEqual(chart.xLabel, "trial")
        XCTAssertTrue(chart.yLabel.hasPrefix("val_loss"), chart.yLabel)
        let names = chart.series.map(\.name)
        XCTAssertEqual(names, ["complete (9)", "pruned, last value (2)", "best so far", "failed, no value (1)"])
        // Pruned trials show their last value (the stored one, else the last intermediate).
        XCTAssertEqual(chart.series[1].x, [2, 8])
        XCTAssertEqual(chart.series[1].y, [0.9, 0.6])
        // The running best steps down at the complete trials that improve it, up to the last trial.
        XCTAssertEqual(chart.series[2].x, [0, 1, 3, 6, 9, 11])
        XCTAssertEqual(chart.series[2].y, [0.31, 0.22, 0.18, 0.12, 0.11, 0.11])
        XCTAssertTrue(chart.title.contains("1 failed"), chart.title)
        XCTAssertTrue(chart.title.contains("best: trial 9"), chart.title)

        let (title, texts) = parse(try chart.svg())
        XCTAssertEqual(title, chart.title)
        for label in ["trial", "complete (9)", "pruned, last value (2)", "best so far", "failed, no value (1)"] {
            XCTAssertTrue(texts.contains(label), "\(label) in \(texts)")
        }
        XCTAssertTrue(texts.contains { $0.hasPrefix("val_loss") }, "\(texts)")
    }

    func testParallelCoordinatesHaveAnAxisPerParameterOfTheRightKind() throws {
        let report = StudyReport(path: "/runs/tiny.study.sqlite", study: record(), trials: Self.trials(), space: Self.space)
        let chart = report.parametersChart()
        XCTAssertEqual(chart.objective.count, 9, "complete trials only")
        XCTAssertEqual(chart.axes.map(\.name), ["learning_rate", "cell", "middle.count", "middle.dropout *", "n_past_steps"])
        XCTAssertTrue(chart.axes[0].logScale, "log_uniform → log axis")
        XCTAssertEqual(chart.axes[1].categories, ["lstm", "gru"], "choice → categorical axis in the space's order")
        XCTAssertEqual(chart.axes[2].categories, ["0", "1", "2"])
        XCTAssertNil(chart.axes[4].categories)
        XCTAssertFalse(chart.axes[4].logScale)
        // Trials without a middle layer have no dropout: a break in their line.
        let count = chart.axes[2].values, dropout = chart.axes[3].values
        for (c, d) in zip(count, dropout) { XCTAssertEqual(c == 0, d.isNaN) }
        XCTAssertTrue(dropout.contains { $0.isNaN } && dropout.contains { $0.isFinite })
        XCTAssertTrue(chart.title.contains("9 complete trials") && chart.title.contains("* = conditional"), chart.title)

        let (title, texts) = parse(try chart.svg())
        XCTAssertEqual(title, chart.title)
        for label in ["learning_rate", "cell", "middle.count", "middle.dropout *", "n_past_steps", "val_loss", "lstm", "gru"] {
            XCTAssertTrue(texts.contains(label), "\(label) in \(texts)")
        }
    }

    func testShortNamesStayDistinct() {
        XCTAssertEqual(StudyReport.shortNames(["training.optimizer.learning_rate", "model.width_rule.middle.count", "window.n_past_steps"]),
                       ["learning_rate", "middle.count", "n_past_steps"])
        XCTAssertEqual(StudyReport.shortNames(["model.units", "training.units", "dropout"]), ["model.units", "training.units", "dropout"],
                       "names that would clash stay whole")
    }

    func testLoadWriteAndSummaryFromAStudyDatabase() throws {
        let config = try fixture.config(search: """
            {"max_evals": 12, "space": {"training.optimizer.learning_rate": {"log_uniform": [0.0001, 0.1]},
                                        "window.n_past_steps": {"int": [2, 24]}}}
            """)
        let path = fixture.dir.appendingPathComponent("runs/tiny.study.sqlite").path
        let storage = try StudyStorage.open(path: path, create: true)
        try storage.attach(record(configJSON: StudyConfigKey.json(config)))
        for var t in Self.trials() {
            t.record.params = t.params.filter { $0.key == "training.optimizer.learning_rate" || $0.key == "window.n_past_steps" }
            try storage.insert(t)
        }
        try storage.setBest(trial: 9, testMetrics: nil)

        let report = try StudyReport.load(path)
        XCTAssertEqual(report.space.map(\.name).sorted(), ["training.optimizer.learning_rate", "window.n_past_steps"])
        XCTAssertEqual(StudyReport.defaultOutput(for: path), fixture.dir.appendingPathComponent("runs/tiny.study.report").path)
        let out = fixture.dir.appendingPathComponent("runs/tiny.study.report")
        let written = try report.write(to: out)
        XCTAssertEqual(written.map(\.lastPathComponent), StudyReport.fileNames)
        for url in written {
            let svg = try String(contentsOf: url, encoding: .utf8)
            _ = parse(svg)
        }
        let pc = try String(contentsOf: out.appendingPathComponent("parameters.svg"), encoding: .utf8)
        XCTAssertTrue(pc.contains("learning_rate") && pc.contains("n_past_steps"))

        let text = report.summary(charts: written)
        for piece in ["9 complete, 2 pruned, 1 failed, 0 running", "best: trial 9, val_loss 0.11",
                      "training.optimizer.learning_rate = ", "package: /runs/tiny.study.best", written[0].path, written[1].path] {
            XCTAssertTrue(text.contains(piece), "\(piece) in:\n\(text)")
        }
    }

    func testAStudyWithoutCompleteTrialsStillDrawsValidCharts() throws {
        let trials = [Self.trial(0, .failed, value: nil, lr: 0.01, cell: "gru", count: 0, error: "NaN"),
                      Self.trial(1, .running, value: nil, lr: 0.01, cell: "gru", count: 0)]
        let report = StudyReport(path: "/s.sqlite", study: record(), trials: trials, space: Self.space)
        for (_, chart) in report.charts() { _ = parse(try chart.svg()) }
        XCTAssertTrue(report.summary(charts: []).contains("best: none"))
    }
}
