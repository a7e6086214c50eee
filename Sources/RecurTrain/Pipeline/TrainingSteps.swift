import Foundation
import RecurData
import RecurNN
import RecurTensor

/// Where a run's package goes, settled before the first epoch: a bad `--output` costs nothing,
/// and a default name is claimed so that no other run can take it (`PackageTarget`). The
/// checkpoint beside it is registered for removal on a signal until `release()`.
struct PackagePlace {
    /// nil when the run writes no package (`TrainingOptions.writePackage` false).
    let target: PackageTarget?
    /// The package's folder name without its parent (also the TensorBoard run and results row name).
    let runName: String
    /// The package's path.
    let path: String
    /// The checkpoint's path (`PackageTarget.checkpointPath(forPackage:)`), beside the package.
    let checkpoint: String
    private let registration: Int

    init(config: RecurConfig, options: TrainingOptions) throws {
        let folder = config.output.directory
        target = !options.writePackage ? nil
            : try options.packagePath.map { try PackageTarget.named($0) } ?? PackageTarget.claim(folder: folder, base: TrainingRun.runName(config))
        runName = target.flatMap { $0.claimed ? ($0.path as NSString).lastPathComponent : nil } ?? TrainingRun.runName(config)
        path = target?.path ?? options.packagePath ?? ConfigPaths.join(folder, runName)
        checkpoint = PackageTarget.checkpointPath(forPackage: path)
        registration = TemporaryPaths.register(checkpoint)
    }

    /// Ends the checkpoint's registration and gives up an unsettled claim.
    func release() {
        TemporaryPaths.unregister(registration)
        target?.release()
    }
}

/// What the evaluate step found: the model's and the baselines' metrics on every part, the
/// calibrated intervals and the honesty guard's findings.
struct RunScores {
    var metrics: SplitMetrics
    var baselines: [String: SplitMetrics]
    var intervals: IntervalCalibration?
    var honesty: HonestyReport?
    /// The model's forecasts on the test windows (original units), made once for the test
    /// metrics and reused by the package's test predictions file; nil without a test part.
    var testOutputs: ModelOutputs?
}

/// The model's forecasts on each part's windows (original units), each made once per run and
/// shared by the part's metrics, its interval scores and calibration, and the test predictions
/// file (the model is the same for all of them, so one pass per part gives the same numbers).
struct PartOutputs {
    var train: ModelOutputs?
    var validation: ModelOutputs?
    var test: ModelOutputs?
}

/// One training run between its named steps: `build` (the network, its trainer, its evaluator
/// and the package's place), `fit` (and `fitMembers`, an ensemble's further members),
/// `evaluate` and `package`. `TrainingRun.train` runs them in that order.
struct TrainingSteps {
    let config: RecurConfig
    let prepared: PreparedData
    let options: TrainingOptions
    let seed: UInt64
    let architecture: ModelArchitecture
    let model: Sequential
    let trainer: BatchTrainer
    /// The model's evaluator; after `fitMembers`, the ensemble's (the mean of every member).
    var evaluator: Evaluator
    let place: PackagePlace
    /// The ensemble's members after `fitMembers`; nil for a single model.
    var ensemble: EnsembleRecord? = nil

    /// Step 1: builds the network from the config's seed (or `options.seed`) with its loss and
    /// optimizer, checks the samples against it, and settles the package's place.
    static func build(_ config: RecurConfig, prepared: PreparedData, options: TrainingOptions) throws -> TrainingSteps {
        let seed = options.seed ?? config.training.seed
        let architecture = try config.architecture()
        let model = try architecture.build(seed: seed)
        let loss = try config.training.loss.engineLoss()
        let optimizer = try config.training.optimizer.makeOptimizer()
        let trainer = BatchTrainer(model: model, loss: loss, optimizer: optimizer)
        guard prepared.trainSamples.steps == architecture.inputSteps, prepared.trainSamples.features == architecture.inputFeatures else {
            throw TrainingError.invalidData("samples are [N, \(prepared.trainSamples.steps), \(prepared.trainSamples.features)] but the model expects [N, \(architecture.inputSteps), \(architecture.inputFeatures)]")
        }
        let evaluator = Evaluator(model: model, input: prepared.input, quantiles: config.training.loss.quantiles)
        return TrainingSteps(config: config, prepared: prepared, options: options, seed: seed, architecture: architecture,
                             model: model, trainer: trainer, evaluator: evaluator,
                             place: try PackagePlace(config: config, options: options))
    }

    /// The target's training part, which scales MASE.
    var trainTarget: [Float] { Array(prepared.target[prepared.split.train]) }

    /// Step 2: trains with the configured callbacks, in the order Keras runs them
    /// (metrics-producing first, then deciders, then I/O), and the options' own after the deciders.
    func fit() throws -> TrainingHistory {
        let training = config.training
        var callbacks: [TrainingCallback] = []
        let validation = prepared.validationSamples
        let monitors = [training.earlyStopping?.monitor, training.reduceLROnPlateau?.monitor]
        if validation == nil, monitors.contains(where: { $0?.hasPrefix("val_") == true }) {
            throw TrainingError.invalidData("early stopping or reduce_lr_on_plateau monitors a validation quantity, but the validation part is empty; set split.validation > 0 or monitor `loss`")
        }
        if !options.quiet { callbacks.append(ProgressReporter(totalEpochs: training.epochs, interactive: options.progressBar)) }
        if let e = training.earlyStopping {
            callbacks.append(try EarlyStopping(monitor: e.monitor, patience: e.patience, minDelta: e.minDelta,
                                               restoreBestWeights: e.restoreBestWeights))
        }
        if let r = training.reduceLROnPlateau {
            callbacks.append(try ReduceLROnPlateau(monitor: r.monitor, factor: r.factor, patience: r.patience, minDelta: r.minDelta,
                                                   cooldown: r.cooldown, minLearningRate: r.minLearningRate))
        }
        callbacks += options.callbacks
        let checkpoint = training.checkpoint && validation != nil ? place.checkpoint : nil
        if let checkpoint {
            // The checkpoint sits beside the package, whose folder may not exist yet.
            let folder = (checkpoint as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw TrainingError.io(path: folder, reason: "cannot create the output folder: \(FileErrorText.describe(error)); choose another with --output")
            }
            callbacks.append(ModelCheckpoint(path: checkpoint, monitor: "val_loss"))
        }
        if let board = training.tensorboard {
            let root = board.hasPrefix("/") ? board : ConfigPaths.join(config.output.directory, board)
            callbacks.append(try TensorBoardCallback(directory: ConfigPaths.join(root, place.runName)))
        }

        // Validation metrics in original units, only when a monitor needs them (or TensorBoard shows them).
        let wantsMetrics = options.validationMetrics || monitors.contains { m in m.map { $0.hasPrefix("val_") && $0 != "val_loss" } ?? false }
            || training.tensorboard != nil
        var metricsHook: ((Sequential) throws -> [String: Double])?
        if wantsMetrics, let samples = validation, let windows = prepared.validation {
            let evaluator = evaluator, target = prepared.target, trainTarget = trainTarget
            metricsHook = { _ in try evaluator.validationMetrics(samples, windows: windows, target: target, training: trainTarget) }
        }

        let fitOptions = FitOptions(epochs: training.epochs, batchSize: training.batchSize, shuffle: training.shuffle,
                                    seed: seed &+ 0x5EED, validationEvery: training.validationEvery)
        do {
            return try FitLoop.fit(trainer, train: prepared.trainSamples, validation: validation, options: fitOptions,
                                   callbacks: callbacks, checkpointPath: checkpoint, validationMetrics: metricsHook)
        } catch let TrainingError.nonFiniteLoss(epoch, batch, value, checkpoint) {
            let kept = checkpoint.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
            throw TrainingError.nonFiniteLoss(epoch: epoch, batch: batch, value: value, checkpoint: kept)
        }
    }

    /// Step 2b, for `training.ensemble` K > 1: fits members 2…K on the same samples, each from
    /// its own seed (`Ensemble.seed`: seed + 1, …) with its own callbacks (early stopping,
    /// restored best weights), one after the other; the evaluator then averages all K. `history`
    /// is the first member's (step 2's).
    func fitMembers(after history: TrainingHistory) throws -> TrainingSteps {
        let count = config.training.ensemble
        guard count > 1 else { return self }
        guard options.callbacks.isEmpty else {
            throw TrainingError.invalidData("`training.ensemble` \(count) trains \(count) models, so it cannot be one tuning trial; set `search.ensemble` instead, which trains the best trial's settings as an ensemble after the search")
        }
        var members = [model]
        var records = [try memberRecord(self, history)]
        for index in 1..<count {
            var o = options
            o.seed = Ensemble.seed(seed, member: index)
            o.writePackage = false
            o.packagePath = place.path
            if !options.quiet { options.log("ensemble: training member \(index + 1) of \(count) (seed \(o.seed!))") }
            let member = try TrainingSteps.build(config, prepared: prepared, options: o)
            defer { member.place.release() }
            let h = try member.fit()
            try? FileManager.default.removeItem(atPath: member.place.checkpoint)
            members.append(member.model)
            records.append(try memberRecord(member, h))
        }
        var steps = self
        steps.evaluator = Evaluator(members: members, input: prepared.input, quantiles: config.training.loss.quantiles)
        steps.ensemble = EnsembleRecord(members: records)
        return steps
    }

    /// One member's record: its seed, weights file, epochs and own validation RMSE.
    private func memberRecord(_ member: TrainingSteps, _ history: TrainingHistory) throws -> EnsembleRecord.Member {
        let index = Int(member.seed &- seed)
        var rmse: Double?
        if let samples = prepared.validationSamples, let windows = prepared.validation {
            rmse = try member.evaluator.metrics(samples, windows: windows, target: prepared.target, training: trainTarget)?.rmse
        }
        return EnsembleRecord.Member(seed: member.seed, weights: Ensemble.weightsFile(member: index), epochsRun: history.epochs.count,
                                     bestEpoch: history.bestEpoch, stopReason: history.stopReason, validationRMSE: rmse)
    }

    /// Step 3: the model's metrics on every part beside the naive baselines on the same windows
    /// (original units), the intervals calibrated on the validation part and scored on every
    /// part, and the honesty guard's verdict. The model runs once per part (`PartOutputs`).
    func evaluate() throws -> RunScores {
        let target = prepared.target, trainTarget = trainTarget
        func forecasts(_ samples: SampleSet?, _ windows: WindowSet?) throws -> ModelOutputs? {
            guard let samples, let windows else { return nil }
            return try evaluator.outputs(samples, targetSteps: windows.targetSteps, target: target)
        }
        let outputs = PartOutputs(train: try forecasts(prepared.trainSamples, prepared.train),
                                  validation: try forecasts(prepared.validationSamples, prepared.validation),
                                  test: try forecasts(prepared.testSamples, prepared.test))
        func modelMetrics(_ outputs: ModelOutputs?, _ windows: WindowSet?) -> MetricSet? {
            guard let outputs, let windows else { return nil }
            return Evaluator.metrics(outputs, windows: windows, target: target, training: trainTarget)
        }
        var metrics = SplitMetrics(train: modelMetrics(outputs.train, prepared.train),
                                   validation: modelMetrics(outputs.validation, prepared.validation),
                                   test: modelMetrics(outputs.test, prepared.test))
        func baseline(_ metrics: (WindowSet?) throws -> MetricSet?) throws -> SplitMetrics {
            SplitMetrics(train: try metrics(prepared.train), validation: try metrics(prepared.validation), test: try metrics(prepared.test))
        }
        let period = prepared.seasonality
        var baselines = ["persistence": try baseline { try Evaluator.persistenceMetrics(target: target, windows: $0, training: trainTarget) },
                         "seasonal_naive": try baseline { try Evaluator.seasonalNaiveMetrics(period: period, target: target, windows: $0, training: trainTarget) }]

        let intervals = try calibrateIntervals(outputs: outputs, metrics: &metrics, baselines: &baselines)
        let honesty = HonestyGuard.check(config: config, prepared: prepared, metrics: metrics, baselines: baselines,
                                         parameterCount: model.parameterCount)
        return RunScores(metrics: metrics, baselines: baselines, intervals: intervals, honesty: honesty, testOutputs: outputs.test)
    }

    /// Step 4: the manifest, the history and test predictions files, the package written (unless
    /// `options.writePackage` is false), the checkpoint removed, and the results row appended.
    func package(history: TrainingHistory, scores: RunScores) throws -> TrainedRun {
        let series = prepared.series
        let validationCount = prepared.validationSamples?.count ?? 0, testCount = prepared.testSamples?.count ?? 0
        var manifest = PackageManifest(
            architecture: architecture,
            data: .init(source: config.timeSeriesSource, cleaning: prepared.policy, frequencySeconds: series.stepSeconds,
                        columns: series.columns, window: config.window, firstTimestamp: series.timestamps.first ?? 0,
                        lastTimestamp: series.timestamps.last ?? 0, split: prepared.split, calendar: prepared.input.calendar),
            scaler: prepared.scaler,
            training: .init(seed: seed, epochsRun: history.epochs.count, stopReason: history.stopReason, bestEpoch: history.bestEpoch,
                            seconds: history.seconds, trainSamples: prepared.trainSamples.count,
                            validationSamples: validationCount, testSamples: testCount,
                            parameterCount: model.parameterCount),
            history: history.epochs, metrics: scores.metrics, baselines: scores.baselines, cleaning: prepared.cleaning, config: config,
            hyperparameters: options.hyperparameters, recurVersion: RecurBuild.version)
        manifest.intervals = scores.intervals
        manifest.worseThanPersistence = scores.honesty?.worseThanPersistence
        manifest.honesty = scores.honesty?.worseThanPersistence == true ? scores.honesty : nil
        manifest.ensemble = ensemble
        var extras = [ModelPackage.historyFile: Data(CSVHistoryLogger.csv(history.epochs).utf8)]
        if let samples = prepared.testSamples, let windows = prepared.test {
            extras[ModelPackage.testPredictionsFile] = Data(try TrainingRun.testPredictionsCSV(evaluator, samples, windows, prepared,
                                                                                               intervals: scores.intervals,
                                                                                               outputs: scores.testOutputs).utf8)
        }
        let package = TrainedPackage(manifest: manifest, members: evaluator.members, extras: extras)
        if options.writePackage {
            try ModelPackage.write(to: place.path, manifest: manifest, members: evaluator.members, extras: extras,
                                   claimed: place.target?.claimed ?? false)
            place.target?.settle()
        }
        try? FileManager.default.removeItem(atPath: place.checkpoint)

        var outcome = TrainingOutcome(
            package: place.path, epochsRun: history.epochs.count, stopReason: history.stopReason, bestEpoch: history.bestEpoch,
            trainSamples: prepared.trainSamples.count, validationSamples: validationCount, testSamples: testCount,
            trainSeconds: history.seconds, bestValidationLoss: history.epochs.compactMap(\.validationLoss).min(),
            metrics: scores.metrics, baselines: scores.baselines, units: architecture.recurrentUnits, seed: seed,
            worseThanPersistence: manifest.worseThanPersistence, honesty: manifest.honesty)
        outcome.intervals = scores.intervals
        outcome.ensemble = ensemble
        if options.writeResultsRow {
            try ResultsTable.append(outcome, config: config, runName: place.runName, to: config.output.resultsCSV)
        }
        return TrainedRun(outcome: outcome, package: package)
    }
}
