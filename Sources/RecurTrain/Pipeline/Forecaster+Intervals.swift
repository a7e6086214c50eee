import Foundation
import RecurData
import RecurNN

extension Forecaster {
    /// The interval levels of the package (the calibrated ones), ascending; empty for a package
    /// without intervals.
    public var intervalLevels: [Double] { manifest.intervals?.calibratedLevels ?? [] }

    /// Forecasts like `forecast(csv:steps:)` and adds the prediction intervals of `levels`
    /// (nil: every calibrated level; `[]`: none) to the first `horizon` steps, around the
    /// forecasts of the latest window; rolled-forward steps get none (NaN).
    /// - Throws: `IntervalError.notCalibrated` for a level the package was not calibrated for,
    ///   before anything is read.
    public func forecast(csv path: String, steps: Int, levels: [Double]?) throws -> Forecast {
        try checkLevels(levels)
        guard steps >= 1 else { throw ForecastError.invalidSteps(steps) }
        let cleaned = try loadRecent(csv: path) ?? load(csv: path)
        return try forecast(series: cleaned.series, steps: steps, file: cleaned.report.file, levels: levels)
    }

    /// `forecast(series:steps:file:)` with the intervals of `levels` (see above).
    public func forecast(series: CleanSeries, steps: Int, file: String = "the input", levels: [Double]?) throws -> Forecast {
        try checkLevels(levels)
        var forecast = try self.forecast(series: series, steps: steps, file: file)
        guard let calibration = manifest.intervals, levels != [] else { return forecast }
        // The latest window with the calendar columns, as `forecast(series:steps:file:)` reads it.
        let augmented = evaluator.input.augmented(series)
        let P = window.nPastSteps, F = augmented.featureCount, n = series.count
        let outputs = try predictOutputs(window: Array(augmented.values[((n - P) * F)..<(n * F)]))
        let bands = try calibration.bands(outputs, levels: levels)
        forecast.intervals = bands.map { b in
            IntervalBand(level: b.level, lower: (0..<steps).map { $0 < b.lower.count ? b.lower[$0] : .nan },
                         upper: (0..<steps).map { $0 < b.upper.count ? b.upper[$0] : .nan })
        }
        return forecast
    }

    /// Throws `IntervalError.notCalibrated` for the first level of `levels` the package has no
    /// calibration for.
    public func checkLevels(_ levels: [Double]?) throws {
        guard let levels else { return }
        for level in levels where manifest.intervals?.calibration(of: level) == nil {
            throw IntervalError.notCalibrated(level: level, calibrated: intervalLevels,
                                              reason: manifest.intervals?.uncalibrated?[IntervalConfig.percent(level)]
                                                  ?? (manifest.intervals == nil ? "the package was trained without intervals" : nil))
        }
    }
}
