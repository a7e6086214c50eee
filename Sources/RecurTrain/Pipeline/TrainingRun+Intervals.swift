import Foundation
import RecurData
import RecurNN

extension TrainingRun {
    /// Calibrates `intervals` on the validation part and scores the model's intervals and
    /// persistence's own (its validation residual quantiles, `BaselineIntervals`) on every
    /// part, into `metrics` and `baselines["persistence"]`. nil when `intervals.levels` is empty.
    static func calibrateIntervals(_ config: RecurConfig, _ model: Sequential, _ prepared: PreparedData,
                                   metrics: inout SplitMetrics, baselines: inout [String: SplitMetrics],
                                   log: (String) -> Void) throws -> IntervalCalibration? {
        let settings = config.intervalSettings
        guard !settings.levels.isEmpty else { return nil }
        let quantiles = config.training.loss.quantiles
        let H = prepared.trainSamples.outputs
        let target = prepared.target
        func run(_ samples: SampleSet?, _ windows: WindowSet?) throws -> (outputs: ModelOutputs, actuals: [Float])? {
            guard let samples, let windows else { return nil }
            let o = try outputs(model, samples, input: prepared.input, targetSteps: windows.targetSteps, target: target, quantiles: quantiles)
            return (o, NaiveBaseline.actuals(series: target, targetSteps: windows.targetSteps, horizon: H))
        }
        let parts = [try run(prepared.trainSamples, prepared.train), try run(prepared.validationSamples, prepared.validation),
                     try run(prepared.testSamples, prepared.test)]
        var calibration = IntervalCalibration.calibrate(settings, horizon: H, quantiles: quantiles, validation: parts[1])
        for (percent, reason) in (calibration.uncalibrated ?? [:]).sorted(by: { $0.key < $1.key }) {
            log("intervals: the \(percent)% interval is not calibrated: \(reason)")
        }
        func scored(_ part: (outputs: ModelOutputs, actuals: [Float])?) throws -> [String: IntervalMetrics]? {
            guard let part, !calibration.levels.isEmpty else { return nil }
            let m = try calibration.bands(part.outputs).compactMap { $0.metrics(actuals: part.actuals) }
            return m.isEmpty ? nil : m.byPercent
        }
        metrics.train?.intervals = try scored(parts[0])
        metrics.validation?.intervals = try scored(parts[1])
        metrics.test?.intervals = try scored(parts[2])

        // Persistence's own intervals, fitted on its validation residuals.
        func persistence(_ w: WindowSet?) throws -> (forecasts: [Float], actuals: [Float])? {
            guard let w else { return nil }
            let steps = w.targetSteps.filter { $0 >= 1 }
            guard !steps.isEmpty else { return nil }
            return (try NaiveBaseline.persistence.forecast(series: target, targetSteps: steps, horizon: H),
                    NaiveBaseline.actuals(series: target, targetSteps: steps, horizon: H))
        }
        if let v = try persistence(prepared.validation),
           let fitted = BaselineIntervals(levels: settings.levels, forecasts: v.forecasts, actuals: v.actuals, horizon: H),
           var p = baselines["persistence"] {
            func score(_ w: WindowSet?) throws -> [String: IntervalMetrics]? {
                guard let b = try persistence(w) else { return nil }
                return fitted.bands(forecasts: b.forecasts, horizon: H).compactMap { $0.metrics(actuals: b.actuals) }.byPercent
            }
            p.train?.intervals = try score(prepared.train)
            p.validation?.intervals = try score(prepared.validation)
            p.test?.intervals = try score(prepared.test)
            baselines["persistence"] = p
            calibration.persistence = fitted
        }
        return calibration
    }
}

/// The interval columns of forecast CSVs: `lower_<percent>,upper_<percent>` per level.
public enum IntervalColumns {
    /// `,lower_80,upper_80,lower_95,upper_95` (empty without levels).
    public static func header(_ levels: [Double]) -> String {
        levels.map { ",lower_\(IntervalConfig.percent($0)),upper_\(IntervalConfig.percent($0))" }.joined()
    }

    /// The cells of element `i` of every band, empty where a bound is NaN.
    public static func cells(_ bands: [IntervalBand], at i: Int) -> String {
        func cell(_ v: Float) -> String { v.isFinite ? String(v) : "" }
        return bands.map { ",\(cell($0.lower[i])),\(cell($0.upper[i]))" }.joined()
    }
}
