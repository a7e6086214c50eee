import ArgumentParser
import Foundation
import RecurData
import RecurTrain

/// `recur evaluate PACKAGE --input DATA.csv`: the package's metrics on a new series, beside the
/// persistence and seasonal-naive baselines on the same windows.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a model package on a CSV file beside the naive baselines.",
        discussion: """
        Cleans the input with the package's own policies, cuts every window of the whole series \
        (no split), and reports RMSE, MAE, R², max error, MAPE, sMAPE and MASE in original units \
        for the model and for the persistence and seasonal-naive forecasts of the same windows. \
        MASE is scaled by the input's own one-step naive error.
        """)

    @Argument(help: ArgumentHelp("The model package (the folder `recur train` writes).", valueName: "package"))
    var package: String

    @Option(help: ArgumentHelp("The observations to score on (CSV with the training data's columns).", valueName: "csv"))
    var input: String

    @Flag(help: "Print one JSON object with the metrics on stdout.")
    var json = false

    struct Result: Encodable {
        var package: String
        var input: String
        var steps: Int
        var windows: Int
        var horizon: Int
        var seasonality: Int
        var start: String
        var end: String
        var metrics: MetricSet?
        var baselines: [String: MetricSet]
    }

    func run() throws {
        let evaluation: Evaluation
        do {
            evaluation = try Forecaster(package: try ModelPackage.load(package)).evaluate(csv: input)
        } catch let error as ForecastError {
            throw error.forCommandLine
        }
        if json {
            try printJSON(Result(package: package, input: input, steps: evaluation.steps, windows: evaluation.windows,
                                 horizon: evaluation.horizon, seasonality: evaluation.seasonality,
                                 start: evaluation.firstTimestamp, end: evaluation.lastTimestamp, metrics: evaluation.model,
                                 baselines: evaluation.baselines.compactMapValues { $0 }))
        } else {
            print(Self.text(evaluation, package: package, input: input))
        }
    }

    static func text(_ e: Evaluation, package: String, input: String) -> String {
        func f(_ v: Double?) -> String { v.map { String(format: "%9.4f", $0) } ?? "        -" }
        var lines = [
            "package: \(package)",
            "input:   \(input): \(e.steps) steps from \(e.firstTimestamp) to \(e.lastTimestamp), \(e.windows) windows of horizon \(e.horizon)",
            "",
            "                        RMSE       MAE        R2   MaxErr   MAPE %  sMAPE %      MASE  windows",
        ]
        func row(_ name: String, _ m: MetricSet?) {
            let cells = [m?.rmse, m?.mae, m?.r2, m?.maxError, m?.mape, m?.smape, m?.mase].map(f).joined(separator: "")
            lines.append(name.padding(toLength: 18, withPad: " ", startingAt: 0) + cells + String(format: "%9d", m.map { $0.count / max(e.horizon, 1) } ?? 0))
        }
        row("model", e.model)
        row("persistence", e.baselines["persistence"] ?? nil)
        row("seasonal naive", e.baselines["seasonal_naive"] ?? nil)
        lines.append("(seasonal naive: period \(e.seasonality) steps; MASE scaled by the input's one-step naive error)")
        lines += IntervalReport.lines([("model", e.model), ("persistence", e.baselines["persistence"] ?? nil)])
        return lines.joined(separator: "\n")
    }
}
