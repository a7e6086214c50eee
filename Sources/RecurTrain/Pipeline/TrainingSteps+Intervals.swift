import Foundation
import RecurData
import RecurNN

extension TrainingSteps {
    /// Calibrates `intervals` on the validation part and scores the model's intervals and
    /// persistence's own (its validation residual quantiles, `BaselineIntervals`) on every
    /// part, into `metrics` and `baselines["persistence"]`, from the model's forecasts on each
    /// part (`outputs`, made once by `evaluate`). nil when `intervals.levels` is empty.
    func calibrateIntervals(outputs: PartOutputs, metrics: inout SplitMetrics,
                            baselines: inout [String: SplitMetrics]) throws -> IntervalCalibration? {
        let settings = config.intervalSettings
        guard !settings.levels.isEmpty else { return nil }
        let H = prepared.trainSamples.outputs
        let target = prepared.target
        func run(_ outputs: ModelOutputs?, _ windows: WindowSet?) -> (outputs: ModelOutputs, actuals: [Float])? {
            guard let outputs, let windows else { return nil }
            return (outputs, NaiveBaseline.actuals(series: target, targetSteps: windows.targetSteps, horizon: H))
        }
        let parts = [run(outputs.train, prepared.train), run(outputs.validation, prepared.validation),
                     run(outputs.test, prepared.test)]
        var calibration = IntervalCalibration.calibrate(settings, horizon: H, quantiles: evaluator.quantiles, validation: parts[1])
        for (percent, reason) in (calibration.uncalibrated ?? [:]).sorted(by: { $0.key < $1.key }) {
            options.log("intervals: the \(percent)% interval is not calibrated: \(reason)")
        }
        func scored(_ part: (outputs: ModelOutputs, actuals: [Float])?) throws -> [String: IntervalMetrics]? {
            guard let part else { return nil }
            return try Evaluator.intervalScores(calibration, outputs: part.outputs, actuals: part.actuals)
        }
        metrics.train?.intervals = try scored(parts[0])
        metrics.validation?.intervals = try scored(parts[1])
        metrics.test?.intervals = try scored(parts[2])

        // Persistence's own intervals, fitted on its validation residuals.
        if let v = try Evaluator.persistenceForecasts(target: target, windows: prepared.validation),
           let fitted = BaselineIntervals(levels: settings.levels, forecasts: v.forecasts, actuals: v.actuals, horizon: H),
           var p = baselines["persistence"] {
            p.train?.intervals = try Evaluator.persistenceIntervalScores(fitted, target: target, windows: prepared.train)
            p.validation?.intervals = try Evaluator.persistenceIntervalScores(fitted, target: target, windows: prepared.validation)
            p.test?.intervals = try Evaluator.persistenceIntervalScores(fitted, target: target, windows: prepared.test)
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
