import Foundation
import RecurData
import RecurNN
import RecurTensor

/// A model's scores on one set of windows, in the target's original units: the model's metrics
/// (with its calibrated intervals' scores) beside the naive baselines on the same windows.
public struct WindowScores: Sendable {
    /// The model's metrics; nil without windows.
    public var model: MetricSet?
    /// Persistence on the windows whose target step is at least 1 (with its own intervals,
    /// fitted at calibration, when the model has intervals).
    public var persistence: MetricSet?
    /// Seasonal naive on the windows whose target step is at least one season.
    public var seasonalNaive: MetricSet?

    /// `persistence` and `seasonal_naive` by name (`Evaluation.baselines`, `BacktestFold.baselines`).
    public var baselines: [String: MetricSet?] { ["persistence": persistence, "seasonal_naive": seasonalNaive] }
}

/// The one evaluation path of a model: its forecasts on windows (quantile planes in original
/// units), its metrics beside the naive baselines on the same windows, and the scores of its
/// calibrated intervals. `recur train` (every part, and the validation metrics of each epoch),
/// `recur evaluate`, `recur backtest` and forecasting (`Forecaster`, which `recur predict` and
/// `recur serve` use) all go through it, so a model is scored the same way everywhere.
///
/// Inputs are windows of `target`, the whole series' target column in original units
/// (`[steps]`); outputs are row-major `[windows, horizon]` per quantile plane. `training` is
/// the part of the target that scales MASE.
public struct Evaluator {
    /// The network (an ensemble's first member); its `forward` is not safe to call from two
    /// threads at once.
    public var model: Sequential { members[0] }
    /// The networks whose forecasts are averaged (`training.ensemble`): one for a single model.
    /// Every member reads the same samples (`input`) and has the same outputs.
    public let members: [Sequential]
    /// The transform from the series to samples and back (scaler, calendar, window).
    public let input: ModelInput
    /// The quantiles of a quantile model's outputs, ascending; nil for a point model.
    public let quantiles: [Double]?
    /// The package the model came from, named in errors; nil during training.
    let packagePath: String?
    /// For a loaded package (whose weights never change): the forward-only evaluators of one
    /// window behind `outputs(window:)`, one per member (kernels packed once, nothing allocated
    /// per call after the first; the numbers of `model.forward` on a batch of one). Like the
    /// model's forward pass they are not for two threads at once; serving's replicas are
    /// separate forecasters. Nil during training, where the weights change between calls.
    let inference: [InferenceContext]?

    public init(model: Sequential, input: ModelInput, quantiles: [Double]?) {
        self.init(members: [model], input: input, quantiles: quantiles)
    }

    /// An ensemble's evaluator: its forecasts are the mean of the members' (`members` not empty).
    public init(members: [Sequential], input: ModelInput, quantiles: [Double]?) {
        precondition(!members.isEmpty, "an evaluator needs at least one model")
        self.members = members
        self.input = input
        self.quantiles = quantiles
        self.packagePath = nil
        self.inference = nil
    }

    /// The evaluator of a loaded package: its model (or ensemble), its transform and its quantiles.
    public init(package: ModelPackage) {
        members = package.members
        input = ModelInput(manifest: package.manifest)
        quantiles = package.manifest.config.training.loss.quantiles
        packagePath = package.path
        let contexts = package.members.compactMap { try? InferenceContext(model: $0) }
        inference = contexts.count == package.members.count ? contexts : nil
    }

    // MARK: Forecasts

    /// The model's forecasts on `samples` (the windows of `targetSteps` of `target`) in original
    /// units (`ModelInput.outputs` inverts the scaling of each plane), as planes of `[windows, horizon]`;
    /// an ensemble's are the mean of its members' (`EnsembleMean`).
    public func outputs(_ samples: SampleSet, targetSteps: [Int], target: [Float]) throws -> ModelOutputs {
        try EnsembleMean.of(members.map { try memberOutputs($0, samples, targetSteps: targetSteps, target: target) })
    }

    /// One member's forecasts on `samples` in original units.
    public func memberOutputs(_ member: Sequential, _ samples: SampleSet, targetSteps: [Int], target: [Float]) throws -> ModelOutputs {
        var o = ModelOutputs.split(try FitLoop.predict(member, samples).scalars, quantiles: quantiles)
        o.horizon = samples.y.shape.count > 1 ? samples.y.shape[1] : 1
        return o.mapped { input.outputs($0, targetSteps: targetSteps, target: target) }
    }

    /// One model call on a window of `n_past_steps × F` values in original units (row-major
    /// `[P, F]`, F the measured columns then the calendar columns, `ModelInput.augmented`):
    /// every output, in original units, as quantile planes of `[1, outputsPerCall]` (an
    /// ensemble's: the mean of its members').
    public func outputs(window values: [Float]) throws -> ModelOutputs {
        let P = input.nPastSteps, F = input.featureCount, H = input.outputsPerCall
        precondition(values.count == P * F, "predictNext: expected \(P * F) values, got \(values.count)")
        let (scaled, anchor) = input.encode(window: values)
        if let i = scaled.firstIndex(where: { !$0.isFinite }) {
            throw TrainingError.invalidData("input value \(values[i]) (step \(i / F + 1) of \(P), column \(input.scaler.columns[i % F])) is not finite after scaling")
        }
        var each: [ModelOutputs] = []
        for (k, model) in members.enumerated() {
            let output: [Float]
            if let inference {
                let steps = input.singleShape[1]
                let count = model.returnsSequences ? steps * model.outputSize : model.outputSize
                output = try scaled.withUnsafeBufferPointer { window in
                    Array(UnsafeBufferPointer(start: try inference[k].predict(window.baseAddress!, steps: steps), count: count))
                }
            } else {
                output = try model.forward(try Tensor(shape: input.singleShape, values: scaled), training: false).scalars
            }
            guard output.count == H * (quantiles?.count ?? 1) else {
                throw PackageError.corrupt(path: packagePath ?? "the model", reason: "the model gives \(output.count) outputs per sample, the window settings and quantiles \(H * (quantiles?.count ?? 1))")
            }
            var outputs = ModelOutputs.split(output, quantiles: quantiles)
            outputs.horizon = H
            each.append(outputs.mapped { input.decode($0, anchor: anchor) })
        }
        return try EnsembleMean.of(each)
    }

    // MARK: Metrics

    /// The model's metrics (original units) on `windows` of `target`, `samples` being the same
    /// windows as engine samples.
    public func metrics(_ samples: SampleSet, windows: WindowSet, target: [Float], training: [Float]) throws -> MetricSet? {
        Self.metrics(try outputs(samples, targetSteps: windows.targetSteps, target: target), windows: windows, target: target,
                     training: training)
    }

    /// The metrics of forecasts already made on `windows` of `target` (`outputs(_:targetSteps:target:)`):
    /// what `metrics(_:windows:target:training:)` gives without running the model again.
    public static func metrics(_ outputs: ModelOutputs, windows: WindowSet, target: [Float], training: [Float]) -> MetricSet? {
        let actuals = NaiveBaseline.actuals(series: target, targetSteps: windows.targetSteps, horizon: windows.horizon)
        return MetricSet(predictions: outputs.point, actuals: actuals, training: training)
    }

    /// A naive baseline's metrics on the windows whose target step is at least `minimumStep`
    /// (the history its lag needs); nil without windows.
    public static func baselineMetrics(_ b: NaiveBaseline, minimumStep: Int, target: [Float], windows w: WindowSet?,
                                       training: [Float]) throws -> MetricSet? {
        guard let w else { return nil }
        let steps = w.targetSteps.filter { $0 >= minimumStep }
        return steps.isEmpty ? nil : try b.evaluate(series: target, targetSteps: steps, horizon: w.horizon, training: training)
    }

    /// Persistence's metrics (lag 1).
    public static func persistenceMetrics(target: [Float], windows: WindowSet?, training: [Float]) throws -> MetricSet? {
        try baselineMetrics(.persistence, minimumStep: 1, target: target, windows: windows, training: training)
    }

    /// Seasonal naive's metrics (lag `period`).
    public static func seasonalNaiveMetrics(period: Int, target: [Float], windows: WindowSet?, training: [Float]) throws -> MetricSet? {
        try baselineMetrics(.seasonalNaive(period: period), minimumStep: period, target: target, windows: windows, training: training)
    }

    /// The model beside persistence and seasonal naive (season `seasonality` steps) on `windows`
    /// of `target`, with the scores of `intervals` (the package's calibration) when given.
    public func score(_ samples: SampleSet, windows: WindowSet, target: [Float], training: [Float], seasonality: Int,
                      intervals: IntervalCalibration?) throws -> WindowScores {
        var model = try metrics(samples, windows: windows, target: target, training: training)
        var persistence = try Self.persistenceMetrics(target: target, windows: windows, training: training)
        if let intervals {
            try scoreIntervals(intervals, samples: samples, windows: windows, target: target, model: &model, persistence: &persistence)
        }
        let seasonal = try Self.seasonalNaiveMetrics(period: seasonality, target: target, windows: windows, training: training)
        return WindowScores(model: model, persistence: persistence, seasonalNaive: seasonal)
    }

    /// The validation quantities of one epoch (`val_rmse`, `val_mae`, ...) that monitors and
    /// TensorBoard read; empty when the windows give no metrics.
    func validationMetrics(_ samples: SampleSet, windows: WindowSet, target: [Float], training: [Float]) throws -> [String: Double] {
        guard let m = try metrics(samples, windows: windows, target: target, training: training) else { return [:] }
        var d: [String: Double] = ["val_rmse": m.rmse, "val_mae": m.mae, "val_max_error": m.maxError, "val_smape": m.smape]
        if let r2 = m.r2 { d["val_r2"] = r2 }
        if let mape = m.mape { d["val_mape"] = mape }
        if let mase = m.mase { d["val_mase"] = mase }
        return d
    }

    // MARK: Intervals

    /// Scores `calibration`'s intervals of the model on `windows` of `target` into `model`, and
    /// persistence's intervals fitted at calibration into `persistence`.
    public func scoreIntervals(_ calibration: IntervalCalibration, samples: SampleSet, windows: WindowSet, target: [Float],
                               model: inout MetricSet?, persistence: inout MetricSet?) throws {
        let o = try outputs(samples, targetSteps: windows.targetSteps, target: target)
        let actuals = NaiveBaseline.actuals(series: target, targetSteps: windows.targetSteps, horizon: windows.horizon)
        if let m = try Self.intervalScores(calibration, outputs: o, actuals: actuals) { model?.intervals = m }
        if let fitted = calibration.persistence, let p = try Self.persistenceIntervalScores(fitted, target: target, windows: windows) {
            persistence?.intervals = p
        }
    }

    /// The scores of `calibration`'s bands around `outputs` against `actuals` (`[windows, horizon]`),
    /// by level as percent; nil when no level is calibrated.
    static func intervalScores(_ calibration: IntervalCalibration, outputs: ModelOutputs, actuals: [Float]) throws -> [String: IntervalMetrics]? {
        guard !calibration.levels.isEmpty else { return nil }
        let m = try calibration.bands(outputs).compactMap { $0.metrics(actuals: actuals) }
        return m.isEmpty ? nil : m.byPercent
    }

    /// Persistence's forecasts and the actuals on the windows of `w` whose target step is at
    /// least 1; nil without such windows.
    static func persistenceForecasts(target: [Float], windows w: WindowSet?) throws -> (forecasts: [Float], actuals: [Float])? {
        guard let w else { return nil }
        let steps = w.targetSteps.filter { $0 >= 1 }
        guard !steps.isEmpty else { return nil }
        return (try NaiveBaseline.persistence.forecast(series: target, targetSteps: steps, horizon: w.horizon),
                NaiveBaseline.actuals(series: target, targetSteps: steps, horizon: w.horizon))
    }

    /// The scores of persistence's own intervals (`fitted`) on `windows`; nil without windows.
    static func persistenceIntervalScores(_ fitted: BaselineIntervals, target: [Float], windows: WindowSet?) throws -> [String: IntervalMetrics]? {
        guard let windows, let b = try persistenceForecasts(target: target, windows: windows) else { return nil }
        return fitted.bands(forecasts: b.forecasts, horizon: windows.horizon).compactMap { $0.metrics(actuals: b.actuals) }.byPercent
    }
}
