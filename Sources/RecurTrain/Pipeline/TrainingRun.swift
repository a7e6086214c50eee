import Foundation
import RecurData
import RecurNN
import RecurTensor

/// Options of one training run that are not in the config.
public struct TrainingOptions {
    /// Where the package goes; default `<output.directory>/<run name>`.
    public var packagePath: String?
    /// Overrides `training.seed`.
    public var seed: UInt64?
    /// Progress on stderr: `nil` chooses a bar on a terminal and plain lines otherwise.
    public var progressBar: Bool?
    /// No progress output at all (JSON runs, tuning).
    public var quiet = false
    /// Hyperparameters chosen by a search, recorded in the package.
    public var hyperparameters: [String: SearchValue]?
    /// More callbacks, run after the configured ones (tuning's pruner, `TrialPruningCallback`,
    /// which observes each epoch's record).
    public var callbacks: [TrainingCallback] = []
    /// Append a row to `output.results_csv`.
    public var writeResultsRow = true
    /// Informational lines (where the package went, the checkpoint, ...).
    public var log: (String) -> Void = { RecurLog.logger.info("\($0)") }
    /// Compute the validation metrics (`val_rmse`, ...) every validated epoch even when no
    /// monitor needs them (tuning on a metric objective).
    public var validationMetrics = false
    /// Whether the run writes its package to `packagePath` (or the default place). When false
    /// nothing is written or claimed and the caller takes `TrainedRun.package` (tuning keeps
    /// only the best trial's package; a backtest writes each fold's package itself).
    public var writePackage = true

    public init() {}
}

extension TrainingOptions {
    /// A run inside another command (a backtest's fold) or a test: no progress, no informational
    /// lines, no results row; the package goes to `packagePath`.
    public static func silent(packagePath: String?) -> TrainingOptions {
        var o = TrainingOptions()
        o.quiet = true
        o.writeResultsRow = false
        o.log = { _ in }
        o.packagePath = packagePath
        return o
    }
}

/// A trained model with its manifest and extra files, not yet written (`TrainedRun.package`).
public struct TrainedPackage {
    public var manifest: PackageManifest
    /// The networks (one, or an ensemble's members in order).
    public var members: [Sequential]
    public var extras: [String: Data]
    /// The network (an ensemble's first member).
    public var model: Sequential { members[0] }

    /// Writes the package atomically to `path` (`ModelPackage.write`).
    public func write(to path: String) throws {
        try ModelPackage.write(to: path, manifest: manifest, members: members, extras: extras)
    }
}

/// A finished training run: what it reports and the package it made (already written unless
/// `TrainingOptions.writePackage` is false).
public struct TrainedRun {
    public var outcome: TrainingOutcome
    public var package: TrainedPackage
}

/// What a training run produced (the `--json` object of `recur train`).
public struct TrainingOutcome: Codable, Sendable {
    public var package: String
    public var epochsRun: Int
    public var stopReason: String
    public var bestEpoch: Int?
    public var trainSamples: Int
    public var validationSamples: Int
    public var testSamples: Int
    public var trainSeconds: Double
    /// Lowest validation loss of any epoch (scaled units), the tuning objective.
    public var bestValidationLoss: Double?
    public var metrics: SplitMetrics
    /// `persistence` and `seasonal_naive`.
    public var baselines: [String: SplitMetrics]
    /// Units of the recurrent layers as built.
    public var units: [Int]
    public var seed: UInt64
    /// True when the model's validation RMSE is above persistence's (`HonestyGuard`); nil
    /// without a validation part.
    public var worseThanPersistence: Bool? = nil
    /// The honesty guard's findings when the model is worse than persistence.
    public var honesty: HonestyReport? = nil
    /// What `scaling: "auto"` chose (nil for other scalings).
    public var scalingChoice: ScalingChoice? = nil
    /// The prediction intervals calibrated (levels, method, widths); nil when none were asked.
    public var intervals: IntervalCalibration?
    /// The members of an ensemble (`training.ensemble` > 1); nil for a single model.
    public var ensemble: EnsembleRecord? = nil
}

/// `recur train`: config in, package out, in four named steps (`TrainingSteps`): build the
/// network and settle the package's place, fit it with the configured callbacks, evaluate it
/// against the naive baselines on every part (`Evaluator`) and calibrate its intervals, and
/// package it (written atomically).
public enum TrainingRun {
    /// Runs a config from its data file.
    public static func run(_ config: RecurConfig, options: TrainingOptions = TrainingOptions()) throws -> TrainingOutcome {
        try run(config, prepared: try DataPreparation.prepare(config), options: options)
    }

    /// Runs a config on data already prepared (tuning prepares once for many trials).
    public static func run(_ config: RecurConfig, prepared: PreparedData, options: TrainingOptions) throws -> TrainingOutcome {
        try train(config, prepared: prepared, options: options).outcome
    }

    /// Runs a config on data already prepared and returns the package with the outcome.
    public static func train(_ config: RecurConfig, prepared: PreparedData, options: TrainingOptions) throws -> TrainedRun {
        if config.scaling == .auto { return try AutoScaling.train(config, prepared: prepared, options: options) }
        let first = try TrainingSteps.build(config, prepared: prepared, options: options)
        defer { first.place.release() }
        let history = try first.fit()
        let run = try first.fitMembers(after: history)
        let scores = try run.evaluate()
        return try run.package(history: history, scores: scores)
    }

    /// `timestamp,horizon_step,actual,predicted,persistence,seasonal_naive` over the test windows,
    /// then `lower_<percent>,upper_<percent>` per calibrated interval level. `outputs`: the
    /// evaluator's forecasts on these windows when already made (else they are made here).
    static func testPredictionsCSV(_ evaluator: Evaluator, _ samples: SampleSet, _ windows: WindowSet, _ prepared: PreparedData,
                                   intervals: IntervalCalibration? = nil, outputs made: ModelOutputs? = nil) throws -> String {
        let outputs = try made ?? evaluator.outputs(samples, targetSteps: windows.targetSteps, target: prepared.target)
        let predicted = outputs.point
        let bands = try intervals?.bands(outputs) ?? []
        let target = prepared.target, H = windows.horizon, m = prepared.seasonality
        var lines = ["timestamp,horizon_step,actual,predicted,persistence,seasonal_naive" + IntervalColumns.header(bands.map { $0.level })]
        for (i, t) in windows.targetSteps.enumerated() {
            for k in 0..<H where t + k < target.count {
                let seasonal = t + k - m * ((k + m) / m)
                func cell(_ v: Float) -> String { v.isFinite ? String(v) : "" }
                lines.append("\(Timestamps.format(prepared.series.timestamps[t + k], dateOnly: false)),\(k + 1),\(cell(target[t + k])),\(cell(predicted[i * H + k])),\(cell(target[t - 1])),\(seasonal >= 0 ? cell(target[seasonal]) : "")" + IntervalColumns.cells(bands, at: i * H + k))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `<config file name>-<UTC time>`, or `<target>-<UTC time>`.
    static func runName(_ config: RecurConfig) -> String {
        let base = config.sourceFile.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension } ?? config.data.target
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd-HHmmss"
        return "\(base)-\(f.string(from: Date()))"
    }
}

/// Recur's version, recorded in packages.
public enum RecurBuild {
    public static let version = "0.1.0"
}
