import ArgumentParser
import Foundation
import RecurTrain

/// `recur train CONFIG`: read, clean, window, scale, train, evaluate against the naive
/// baselines, and write a model package.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model from a config and write a model package.",
        discussion: """
        Reads and cleans the data the config names, trains with its callbacks, evaluates on the \
        train, validation and test parts beside the persistence and seasonal-naive baselines, and \
        writes a self-contained model package (a folder; written atomically).
        """)

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var dataOptions: DataOptions

    @Option(help: ArgumentHelp("Where to write the package (default: <output.directory>/<config name>-<time>).", valueName: "dir"))
    var output: String?

    @Option(help: ArgumentHelp("Append the run's row to this CSV (default: results.csv beside the package with --output, else output.results_csv).", valueName: "file"))
    var results: String?

    @OptionGroup var runFiles: RunFileOptions

    @OptionGroup var reporting: ReportingOptions
    var json: Bool { reporting.json }
    var quiet: Bool { reporting.quiet }

    func run() throws {
        var config = try configOptions.load(data: dataOptions)
        // A bad --output is reported as such, before the run's files are placed beside it.
        if let output { _ = try PackageTarget.named(output) }
        try runFiles.apply(to: &config, anchor: output, results: results)
        var options = TrainingOptions()
        options.packagePath = output
        options.quiet = quiet || json
        let prepared = try DataPreparation.prepare(config)
        if !json && !quiet {
            note(describe(prepared, config))
        }
        if let warning = prepared.split.overlapWarning, !quiet { note(warning) }
        let outcome = try TrainingRun.run(config, prepared: prepared, options: options)
        if let honesty = outcome.honesty, honesty.worseThanPersistence, !quiet {
            note(honesty.text)
        }
        if json {
            try printJSON(outcome)
        } else {
            print(TrainingReport.text(outcome))
        }
    }

    func describe(_ p: PreparedData, _ config: RecurConfig) -> String {
        var lines = ["data: \(config.data.path): \(p.series.count) steps of \(p.series.columns.joined(separator: ", ")) every \(p.series.stepSeconds) s after cleaning"]
        if !p.detectedSentinels.isEmpty {
            lines.append("cleaning: treating \(p.detectedSentinels.map { String($0) }.joined(separator: ", ")) as missing (suspected sentinel; set data.cleaning.detect_sentinels=false to keep it)")
        }
        lines.append("samples: \(p.trainSamples.count) train, \(p.validationSamples?.count ?? 0) validation, \(p.testSamples?.count ?? 0) test")
        return lines.joined(separator: "\n")
    }
}

/// Text rendering of a training outcome: the model beside the baselines.
enum TrainingReport {
    static func text(_ o: TrainingOutcome) -> String {
        func f(_ v: Double?) -> String { v.map { String(format: "%9.4f", $0) } ?? "        -" }
        var lines = [
            "package: \(o.package)",
            String(format: "trained %d epochs (%@%@) in %.2f s on %d samples", o.epochsRun, o.stopReason,
                   o.bestEpoch.map { ", best epoch \($0)" } ?? "", o.trainSeconds, o.trainSamples),
            "",
            "                         RMSE       MAE        R2",
        ]
        func row(_ name: String, _ m: MetricSet?) {
            lines.append(name.padding(toLength: 20, withPad: " ", startingAt: 0) + f(m?.rmse) + " " + f(m?.mae) + " " + f(m?.r2))
        }
        row("model train", o.metrics.train)
        row("model validation", o.metrics.validation)
        row("model test", o.metrics.test)
        row("persistence test", o.baselines["persistence"]?.test)
        row("seasonal naive test", o.baselines["seasonal_naive"]?.test)
        if let c = o.scalingChoice {
            lines.append("scaling auto: kept \(c.chosen) (" + c.validationRMSE.sorted { $0.key < $1.key }
                .map { String(format: "%@ validation RMSE %.4f", $0.key, $0.value) }.joined(separator: ", ") + ")")
        }
        if o.worseThanPersistence == true {
            lines.append("worse than persistence on the validation part (see the warning above)")
        }
        lines += IntervalReport.lines([("model validation", o.metrics.validation), ("model test", o.metrics.test),
                                       ("persistence test", o.baselines["persistence"]?.test)])
        return lines.joined(separator: "\n")
    }
}
