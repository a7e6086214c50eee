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
    /// More callbacks (tuning's pruner).
    public var callbacks: [TrainingCallback] = []
    /// Append a row to `output.results_csv`.
    public var writeResultsRow = true
    /// Informational lines (where the package went, the checkpoint, ...).
    public var log: (String) -> Void = { RecurLog.logger.info("\($0)") }
    /// Compute the validation metrics (`val_rmse`, ...) every validated epoch even when no
    /// monitor needs them (tuning on a metric objective).
    public var validationMetrics = false
    /// When set, the run hands the finished package to this instead of writing it to
    /// `packagePath` (tuning keeps only the best trial's package).
    public var packageHandler: ((TrainedPackage) throws -> Void)?

    public init() {}
}

/// A trained model with its manifest and extra files, not yet written: what
/// `TrainingOptions.packageHandler` receives.
public struct TrainedPackage {
    public var manifest: PackageManifest
    public var model: Sequential
    public var extras: [String: Data]

    /// Writes the package atomically to `path` (`ModelPackage.write`).
    public func write(to path: String) throws {
        try ModelPackage.write(to: path, manifest: manifest, model: model, extras: extras)
    }
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
}

/// `recur train`: config in, package out. Reads and cleans the data, builds the network,
/// trains with the configured callbacks, evaluates against the naive baselines on every part,
/// and writes the model package atomically.
public enum TrainingRun {
    /// Runs a config from its data file.
    public static func run(_ config: RecurConfig, options: TrainingOptions = TrainingOptions()) throws -> TrainingOutcome {
        try run(config, prepared: try DataPreparation.prepare(config), options: options)
    }

    /// Runs a config on data already prepared (tuning prepares once for many trials).
    public static func run(_ config: RecurConfig, prepared: PreparedData, options: TrainingOptions) throws -> TrainingOutcome {
        if config.scaling == .auto { return try AutoScaling.run(config, prepared: prepared, options: options) }
        let seed = options.seed ?? config.training.seed
        let architecture = try config.architecture()
        let model = try architecture.build(seed: seed)
        let lossConfig = config.training.loss
        let loss = try lossConfig.engineLoss()
        let optimizer = try config.training.optimizer.makeOptimizer()
        let trainer = BatchTrainer(model: model, loss: loss, optimizer: optimizer)
        guard prepared.trainSamples.steps == architecture.inputSteps, prepared.trainSamples.features == architecture.inputFeatures else {
            throw TrainingError.invalidData("samples are [N, \(prepared.trainSamples.steps), \(prepared.trainSamples.features)] but the model expects [N, \(architecture.inputSteps), \(architecture.inputFeatures)]")
        }

        let outputDirectory = config.output.directory
        // The package's place is settled before the first epoch: a bad --output costs nothing,
        // and a default name is claimed so that no other run can take it (PackageTarget).
        let packageTarget: PackageTarget? = options.packageHandler != nil ? nil
            : try options.packagePath.map { try PackageTarget.named($0) } ?? PackageTarget.claim(folder: outputDirectory, base: Self.runName(config))
        defer { packageTarget?.release() }
        let runName = packageTarget.flatMap { $0.claimed ? ($0.path as NSString).lastPathComponent : nil } ?? Self.runName(config)
        let packagePath = packageTarget?.path ?? options.packagePath ?? ConfigPaths.join(outputDirectory, runName)
        let checkpointPath = OwnedLeftovers.path(for: packagePath, .checkpoint)
        let checkpointRegistration = TemporaryPaths.register(checkpointPath)
        defer { TemporaryPaths.unregister(checkpointRegistration) }

        // Callbacks, in the order Keras runs them: metrics-producing first, then deciders, then I/O.
        var callbacks: [TrainingCallback] = []
        let validation = prepared.validationSamples
        let monitors = [config.training.earlyStopping?.monitor, config.training.reduceLROnPlateau?.monitor]
        if validation == nil, monitors.contains(where: { $0?.hasPrefix("val_") == true }) {
            throw TrainingError.invalidData("early stopping or reduce_lr_on_plateau monitors a validation quantity, but the validation part is empty; set split.validation > 0 or monitor `loss`")
        }
        if !options.quiet { callbacks.append(ProgressReporter(totalEpochs: config.training.epochs, interactive: options.progressBar)) }
        if let e = config.training.earlyStopping {
            callbacks.append(try EarlyStopping(monitor: e.monitor, patience: e.patience, minDelta: e.minDelta,
                                               restoreBestWeights: e.restoreBestWeights))
        }
        if let r = config.training.reduceLROnPlateau {
            callbacks.append(try ReduceLROnPlateau(monitor: r.monitor, factor: r.factor, patience: r.patience, minDelta: r.minDelta,
                                                   cooldown: r.cooldown, minLearningRate: r.minLearningRate))
        }
        callbacks += options.callbacks
        if config.training.checkpoint && validation != nil {
            // The checkpoint sits beside the package, whose folder may not exist yet.
            let folder = (checkpointPath as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw TrainingError.io(path: folder, reason: "cannot create the output folder: \(FileErrorText.describe(error)); choose another with --output")
            }
            callbacks.append(ModelCheckpoint(path: checkpointPath, monitor: "val_loss"))
        }
        if let board = config.training.tensorboard {
            let root = board.hasPrefix("/") ? board : ConfigPaths.join(outputDirectory, board)
            callbacks.append(try TensorBoardCallback(directory: ConfigPaths.join(root, runName)))
        }

        // Validation metrics in original units, only when a monitor needs them (or TensorBoard shows them).
        let wantsMetrics = options.validationMetrics || monitors.contains { m in m.map { $0.hasPrefix("val_") && $0 != "val_loss" } ?? false }
            || config.training.tensorboard != nil
        let metricsHook: ((Sequential) throws -> [String: Double])? = (wantsMetrics && validation != nil) ? { model in
            let m = try Self.evaluate(model, prepared.validationSamples!, window: prepared.validation!, prepared: prepared,
                                      quantiles: lossConfig.quantiles)
            guard let m else { return [:] }
            var d: [String: Double] = ["val_rmse": m.rmse, "val_mae": m.mae, "val_max_error": m.maxError, "val_smape": m.smape]
            if let r2 = m.r2 { d["val_r2"] = r2 }
            if let mape = m.mape { d["val_mape"] = mape }
            if let mase = m.mase { d["val_mase"] = mase }
            return d
        } : nil

        let fitOptions = FitOptions(epochs: config.training.epochs, batchSize: config.training.batchSize,
                                    shuffle: config.training.shuffle, seed: seed &+ 0x5EED, validationEvery: config.training.validationEvery)
        let history: TrainingHistory
        do {
            history = try FitLoop.fit(trainer, train: prepared.trainSamples, validation: validation, options: fitOptions,
                                      callbacks: callbacks,
                                      checkpointPath: config.training.checkpoint && validation != nil ? checkpointPath : nil,
                                      validationMetrics: metricsHook)
        } catch let TrainingError.nonFiniteLoss(epoch, batch, value, checkpoint) {
            let kept = checkpoint.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
            throw TrainingError.nonFiniteLoss(epoch: epoch, batch: batch, value: value, checkpoint: kept)
        }

        // Evaluation on every part, beside the naive baselines on the same windows.
        let target = prepared.target
        let trainTarget = Array(target[prepared.split.train])
        func modelMetrics(_ samples: SampleSet?, _ windows: WindowSet?) throws -> MetricSet? {
            guard let samples, let windows else { return nil }
            return try evaluate(model, samples, window: windows, prepared: prepared, quantiles: lossConfig.quantiles)
        }
        var metrics = SplitMetrics(train: try modelMetrics(prepared.trainSamples, prepared.train),
                                   validation: try modelMetrics(prepared.validationSamples, prepared.validation),
                                   test: try modelMetrics(prepared.testSamples, prepared.test))
        func baseline(_ b: NaiveBaseline, minimumStep: Int) throws -> SplitMetrics {
            func on(_ w: WindowSet?) throws -> MetricSet? {
                try baselineMetrics(b, minimumStep: minimumStep, target: target, window: w, training: trainTarget)
            }
            return SplitMetrics(train: try on(prepared.train), validation: try on(prepared.validation), test: try on(prepared.test))
        }
        var baselines = ["persistence": try baseline(.persistence, minimumStep: 1),
                         "seasonal_naive": try baseline(.seasonalNaive(period: prepared.seasonality), minimumStep: prepared.seasonality)]

        let intervals = try calibrateIntervals(config, model, prepared, metrics: &metrics, baselines: &baselines, log: options.log)
        let honesty = HonestyGuard.check(config: config, prepared: prepared, metrics: metrics, baselines: baselines,
                                         parameterCount: model.parameterCount)

        // The package.
        let series = prepared.series
        var manifest = PackageManifest(
            architecture: architecture,
            data: .init(source: config.timeSeriesSource, cleaning: prepared.policy, frequencySeconds: series.stepSeconds,
                        columns: series.columns, window: config.window, firstTimestamp: series.timestamps.first ?? 0,
                        lastTimestamp: series.timestamps.last ?? 0, split: prepared.split, calendar: prepared.input.calendar),
            scaler: prepared.scaler,
            training: .init(seed: seed, epochsRun: history.epochs.count, stopReason: history.stopReason, bestEpoch: history.bestEpoch,
                            seconds: history.seconds, trainSamples: prepared.trainSamples.count,
                            validationSamples: validation?.count ?? 0, testSamples: prepared.testSamples?.count ?? 0,
                            parameterCount: model.parameterCount),
            history: history.epochs, metrics: metrics, baselines: baselines, cleaning: prepared.cleaning, config: config,
            hyperparameters: options.hyperparameters, recurVersion: RecurBuild.version)
        manifest.intervals = intervals
        manifest.worseThanPersistence = honesty?.worseThanPersistence
        manifest.honesty = honesty?.worseThanPersistence == true ? honesty : nil
        var extras = [ModelPackage.historyFile: Data(CSVHistoryLogger.csv(history.epochs).utf8)]
        if let samples = prepared.testSamples, let windows = prepared.test {
            extras[ModelPackage.testPredictionsFile] = Data(try testPredictionsCSV(model, samples, windows, prepared,
                                                                                   quantiles: lossConfig.quantiles, intervals: intervals).utf8)
        }
        if let handler = options.packageHandler {
            try handler(TrainedPackage(manifest: manifest, model: model, extras: extras))
        } else {
            try ModelPackage.write(to: packagePath, manifest: manifest, model: model, extras: extras, claimed: packageTarget?.claimed ?? false)
            packageTarget?.settle()
        }
        try? FileManager.default.removeItem(atPath: checkpointPath)

        var outcome = TrainingOutcome(
            package: packagePath, epochsRun: history.epochs.count, stopReason: history.stopReason, bestEpoch: history.bestEpoch,
            trainSamples: prepared.trainSamples.count, validationSamples: validation?.count ?? 0,
            testSamples: prepared.testSamples?.count ?? 0, trainSeconds: history.seconds,
            bestValidationLoss: history.epochs.compactMap(\.validationLoss).min(), metrics: metrics, baselines: baselines,
            units: architecture.recurrentUnits, seed: seed, worseThanPersistence: manifest.worseThanPersistence,
            honesty: manifest.honesty)
        outcome.intervals = intervals
        if options.writeResultsRow {
            try ResultsTable.append(outcome, config: config, runName: runName, to: config.output.resultsCSV)
        }
        return outcome
    }

    /// Model metrics (original units) on windows of one part.
    static func evaluate(_ model: Sequential, _ samples: SampleSet, window: WindowSet, prepared: PreparedData,
                         quantiles: [Double]? = nil) throws -> MetricSet? {
        try evaluate(model, samples, window: window, input: prepared.input, target: prepared.target,
                     training: Array(prepared.target[prepared.split.train]), quantiles: quantiles)
    }

    /// Model metrics (original units) on windows of `target` (the whole series, original units);
    /// `training` scales MASE. Also what `recur evaluate` reports.
    static func evaluate(_ model: Sequential, _ samples: SampleSet, window: WindowSet, input: ModelInput, target: [Float],
                         training: [Float], quantiles: [Double]? = nil) throws -> MetricSet? {
        let predictions = try outputs(model, samples, input: input, targetSteps: window.targetSteps, target: target,
                                      quantiles: quantiles).point
        let actuals = NaiveBaseline.actuals(series: target, targetSteps: window.targetSteps, horizon: window.horizon)
        return MetricSet(predictions: predictions, actuals: actuals, training: training)
    }

    /// A naive baseline's metrics on the windows whose target step is at least `minimumStep`
    /// (the history its lag needs); `nil` without windows.
    static func baselineMetrics(_ b: NaiveBaseline, minimumStep: Int, target: [Float], window w: WindowSet?,
                                training: [Float]) throws -> MetricSet? {
        guard let w else { return nil }
        let steps = w.targetSteps.filter { $0 >= minimumStep }
        return steps.isEmpty ? nil : try b.evaluate(series: target, targetSteps: steps, horizon: w.horizon, training: training)
    }

    /// `timestamp,horizon_step,actual,predicted,persistence,seasonal_naive` over the test windows,
    /// then `lower_<percent>,upper_<percent>` per calibrated interval level.
    static func testPredictionsCSV(_ model: Sequential, _ samples: SampleSet, _ windows: WindowSet, _ prepared: PreparedData,
                                   quantiles: [Double]? = nil, intervals: IntervalCalibration? = nil) throws -> String {
        let outputs = try outputs(model, samples, input: prepared.input, targetSteps: windows.targetSteps, target: prepared.target,
                                  quantiles: quantiles)
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
