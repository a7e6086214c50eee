import ArgumentParser
import Foundation
import RecurTrain

/// `recur backtest CONFIG`: rolling-origin evaluation of a config over the last part of its
/// series, beside persistence and seasonal naive.
struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Rolling-origin evaluation: train before each origin, score the block after it.",
        discussion: """
        Splits the last part of the series (by default the config's test part) into --folds \
        blocks of --step steps. For each origin the model trains on everything before it (an \
        expanding window) minus the validation part just before the origin (the config's \
        validation length), which early stopping and interval calibration use, and is scored \
        on the next block beside persistence and seasonal naive. --refit once trains only at the \
        first origin and scores that model on every block. Folds run --jobs at a time, each on one \
        thread, every fold with the same seed: the results do not depend on --jobs. Prints a table \
        per fold and overall (mean, spread), writes each fold's package and backtest.svg into \
        --output.
        """)

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var dataOptions: DataOptions

    @Option(help: ArgumentHelp("Number of origins (folds), at least 1.", valueName: "k"))
    var folds = 5

    @Option(help: ArgumentHelp("Steps between origins, each fold's test block (default: the config's test part over --folds).", valueName: "n"))
    var step: Int?

    @Option(help: ArgumentHelp("`every`: train a model per fold; `once`: train at the first origin only.", valueName: "every|once"))
    var refit = "every"

    @Option(help: ArgumentHelp("Folds trained at once (default: the number of cores, at most --folds).", valueName: "n"))
    var jobs: Int?

    @Option(help: ArgumentHelp("Folder for the folds' packages and backtest.svg (default: <output.directory>/<config name>-backtest-<time>).", valueName: "dir"))
    var output: String?

    @OptionGroup var reporting: ReportingOptions

    func run() throws {
        let config = try configOptions.load(data: dataOptions)
        guard let mode = BacktestOptions.Refit(rawValue: refit) else {
            throw UsageError("--refit \(refit) is invalid; expected `every` (train a model per fold) or `once`")
        }
        if let step, step < 1 { throw UsageError("--step \(step) is invalid; expected at least 1 step") }
        if let jobs, jobs < 1 { throw UsageError("--jobs \(jobs) is invalid; expected at least 1") }
        guard folds >= 1 else { throw UsageError("--folds \(folds) is invalid; expected at least 1 fold") }
        var options = BacktestOptions(outputDirectory: output ?? Backtest.defaultOutput(config))
        options.folds = folds
        options.step = step
        options.refit = mode
        options.jobs = jobs ?? max(1, min(folds, ProcessInfo.processInfo.activeProcessorCount))
        options.seed = configOptions.seed
        let quiet = reporting.quiet || reporting.json
        options.log = { line in if !quiet { note(line) } }
        let result: BacktestResult
        do {
            result = try Backtest.run(config, options: options)
        } catch let error as BacktestError {
            throw UsageError(error.description)
        }
        if reporting.json {
            try printJSON(result)
        } else {
            print(Self.text(result))
        }
    }

    static func text(_ r: BacktestResult) -> String {
        func f(_ v: Double?) -> String { v.map { String(format: "%9.4f", $0) } ?? "        -" }
        var lines = ["backtest: \(r.folds.count) folds of \(r.step) steps, refit \(r.refit.rawValue), seed \(r.seed)", "",
                     "fold  origin                 train steps    model RMSE  persistence  seasonal naive  model MAE"]
        for fold in r.folds {
            lines.append(String(format: "%4d  %@  %11d   ", fold.fold, fold.origin.padding(toLength: 19, withPad: " ", startingAt: 0), fold.train[1] - fold.train[0])
                         + f(fold.metrics?.rmse) + "    " + f(fold.baselines["persistence"]?.rmse) + "       " + f(fold.baselines["seasonal_naive"]?.rmse)
                         + "  " + f(fold.metrics?.mae))
        }
        func spread(_ name: String, _ s: BacktestSummary?) {
            guard let s, let rmse = s.rmse else { return }
            lines.append(name.padding(toLength: 16, withPad: " ", startingAt: 0)
                         + String(format: "RMSE %.4f ± %.4f (min %.4f, max %.4f)", rmse.mean, rmse.std, rmse.min, rmse.max)
                         + (s.mae.map { String(format: "   MAE %.4f ± %.4f", $0.mean, $0.std) } ?? ""))
        }
        lines.append("")
        lines.append("overall (mean ± standard deviation over the folds)")
        spread("model", r.overall.model)
        spread("persistence", r.overall.baselines["persistence"])
        spread("seasonal naive", r.overall.baselines["seasonal_naive"])
        if let cov = r.overall.model.coverage {
            for level in cov.keys.sorted(by: { Double($0)! < Double($1)! }) {
                let c = cov[level]!, w = r.overall.model.meanWidth?[level]
                var line = String(format: "model %@%% interval: coverage %.1f%% ± %.1f, mean width %.4f", level, c.mean * 100, c.std * 100, w?.mean ?? .nan)
                if let p = r.overall.baselines["persistence"]?.coverage?[level], let pw = r.overall.baselines["persistence"]?.meanWidth?[level] {
                    line += String(format: " (persistence: %.1f%%, %.4f)", p.mean * 100, pw.mean)
                }
                lines.append(line)
            }
        }
        lines.append("model ahead of persistence in \(r.overall.foldsAheadOfPersistence) of \(r.folds.count) folds, of seasonal naive in \(r.overall.foldsAheadOfSeasonalNaive)")
        if let chart = r.chart { lines.append("chart: \(chart)") }
        lines.append("packages: \(r.output)/fold-*")
        return lines.joined(separator: "\n")
    }
}
