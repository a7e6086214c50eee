import Foundation
import RecurData

/// What `scaling: "auto"` chose, recorded in the package manifest and in `recur train --json`.
public struct ScalingChoice: Codable, Equatable, Sendable {
    /// The scaling kept: `minmax` or `window`.
    public var chosen: String
    /// Validation RMSE in original units of each candidate, by scaling name.
    public var validationRMSE: [String: Double]
    /// The rule, in words.
    public var rule: String

    // Spelled so that snake-case JSON (`validation_rmse`) decodes back.
    enum CodingKeys: String, CodingKey { case chosen, validationRMSE = "validationRmse", rule }
}

/// `scaling: "auto"`: trains the config twice, with `minmax` and with `window`, from the same
/// seed on the same windows, and keeps the model with the lower validation RMSE in original units
/// (a tie, or a non-finite RMSE of `window`, keeps `minmax`, the default). Only the kept model's
/// package is written, with `scaling_choice` in its manifest; its config keeps `"auto"`. Needs a
/// validation part, and cannot be one tuning trial (search `scaling` as a parameter instead).
public enum AutoScaling {
    /// The candidates, in order of preference on a tie.
    public static let candidates: [ScalingConfig] = [.minmax, .window]
    static let rule = "the lower validation RMSE in original units of minmax and window, trained from the same seed (minmax on a tie)"

    static func train(_ config: RecurConfig, prepared: PreparedData, options: TrainingOptions) throws -> TrainedRun {
        guard prepared.validationSamples != nil else {
            throw TrainingError.invalidData("`scaling` \"auto\" chooses between minmax and window by the validation part, which is empty; give the split a validation part, or set \"scaling\" to \"minmax\" or \"window\"")
        }
        guard options.callbacks.isEmpty else {
            throw TrainingError.invalidData("`scaling` \"auto\" trains two models, so it cannot be one tuning trial; make scaling a search parameter instead: \"scaling\": {\"choice\": [\"minmax\", \"window\"]}")
        }
        var runs: [(kind: ScalingConfig, outcome: TrainingOutcome, package: TrainedPackage)] = []
        for kind in candidates {
            var candidate = config
            candidate.scaling = kind
            let data = try DataPreparation.prepare(candidate, series: prepared.series, cleaning: prepared.cleaning,
                                                   policy: prepared.policy, detectedSentinels: prepared.detectedSentinels,
                                                   split: prepared.split)
            var o = options
            o.writeResultsRow = false
            o.writePackage = false
            if !options.quiet { options.log("scaling auto: training with \"\(kind.rawValue)\"") }
            let run = try TrainingRun.train(candidate, prepared: data, options: o)
            runs.append((kind, run.outcome, run.package))
        }
        func rmse(_ i: Int) -> Double { runs[i].outcome.metrics.validation?.rmse ?? .infinity }
        var best = 0
        for i in 1..<runs.count where rmse(i).isFinite && rmse(i) < rmse(best) { best = i }
        let choice = ScalingChoice(chosen: runs[best].kind.rawValue,
                                   validationRMSE: Dictionary(uniqueKeysWithValues: runs.indices.map { (runs[$0].kind.rawValue, rmse($0)) }),
                                   rule: rule)
        var package = runs[best].package
        package.manifest.config.scaling = .auto
        package.manifest.scalingChoice = choice
        var outcome = runs[best].outcome
        outcome.scalingChoice = choice
        if options.writePackage { try package.write(to: outcome.package) }
        if !options.quiet {
            options.log("scaling auto: kept \"\(choice.chosen)\" (validation RMSE " + runs.indices.map { String(format: "%@ %.4f", runs[$0].kind.rawValue, rmse($0)) }.joined(separator: ", ") + ")")
        }
        if options.writeResultsRow {
            try ResultsTable.append(outcome, config: config, runName: (outcome.package as NSString).lastPathComponent, to: config.output.resultsCSV)
        }
        return TrainedRun(outcome: outcome, package: package)
    }
}
