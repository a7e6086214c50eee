import Foundation
import RecurData
import RecurNN
import RecurTensor

/// Errors of forecasting and evaluating with a model package, each one message saying what is
/// wrong and what to do.
public enum ForecastError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `--steps` below 1.
    case invalidSteps(Int)
    /// The cleaned input holds fewer steps than the model's window.
    case tooFewSteps(file: String, have: Int, need: Int)
    /// Some of the latest `n_past_steps` steps have no usable value after cleaning.
    case missingSteps(file: String, need: Int, first: String, last: String, missing: [String], missingCount: Int, maxGap: Int?)
    /// More steps than the horizon were asked of a model with extra feature columns.
    case recursionWithFeatures(steps: Int, horizon: Int, features: [String])
    /// The model produced NaN or infinity.
    case nonFinite(step: Int, value: Float)
    /// An existing `--output` file that is not a forecast CSV.
    case notAForecastFile(path: String, reason: String)
    /// The output file could not be written.
    case io(path: String, reason: String)

    /// Whether this is the user's input (exit 2) rather than a failure of the tool (exit 1).
    public var isUsage: Bool {
        switch self {
        case .nonFinite, .io: return false
        default: return true
        }
    }

    public var description: String {
        switch self {
        case let .invalidSteps(n):
            return "--steps \(n) is invalid; expected a number of steps to forecast, at least 1"
        case let .tooFewSteps(file, have, need):
            return "\(file) has \(have) steps after cleaning with the package's policies, fewer than the model's n_past_steps (\(need)); give an input with at least \(need) consecutive observations at the end"
        case let .missingSteps(file, need, first, last, missing, count, maxGap):
            let list = missing.joined(separator: ", ") + (count > missing.count ? " and \(count - missing.count) more" : "")
            let policy = maxGap.map { " (the package's cleaning fills gaps of at most \($0) steps)" } ?? ""
            return "\(file): the latest \(need) steps (\(first) to \(last)) must all hold observations to forecast, but \(count) \(count == 1 ? "is" : "are") missing after cleaning\(policy): \(list); add those rows to the input, or end the input before the gap"
        case let .recursionWithFeatures(steps, horizon, features):
            return "cannot forecast \(steps) steps: the model forecasts \(horizon) step\(horizon == 1 ? "" : "s") at a time and also reads \(features.joined(separator: ", ")), whose future values are unknown, so it cannot roll forward on its own forecasts; ask for at most \(horizon) step\(horizon == 1 ? "" : "s")"
        case let .nonFinite(step, value):
            return "the model produced \(value) for forecast step \(step); the package or the input is damaged (check the input's values against the training data's range)"
        case let .notAForecastFile(path, reason):
            return "\(path) is not a forecast file: \(reason); expected a CSV with the header timestamp,value (as recur predict writes); choose another --output file or remove it"
        case let .io(path, reason):
            return "\(path): \(reason)"
        }
    }
}

/// Forecasts of one input: one row per step after the last observation.
public struct Forecast: Codable, Sendable, Equatable {
    /// The last observed (cleaned, valid) timestamp, seconds since 1970 UTC.
    public var lastObservation: Int64
    /// The series' step in seconds.
    public var stepSeconds: Int64
    /// Timestamps `lastObservation + k * stepSeconds`, k = 1...N.
    public var timestamps: [Int64]
    /// Forecast values in the target's original units: [N].
    public var values: [Float]

    /// Whether the timestamps are best shown as dates (daily or longer steps at midnight).
    public var isDaily: Bool { stepSeconds % 86_400 == 0 && lastObservation % 86_400 == 0 }

    /// A timestamp as `YYYY-MM-DD` for daily data, `YYYY-MM-DD HH:MM:SS` otherwise.
    public func format(_ t: Int64) -> String { Timestamps.format(t, dateOnly: isDaily) }

    /// `timestamp,value` CSV with a header.
    public var csv: String {
        (["timestamp,value"] + zip(timestamps, values).map { "\(format($0)),\($1)" }).joined(separator: "\n") + "\n"
    }
}

/// A model package's metrics on a new series, beside the naive baselines on the same windows.
public struct Evaluation: Codable, Sendable {
    /// Steps of the cleaned input.
    public var steps: Int
    /// Windows scored (the model's).
    public var windows: Int
    /// Forecast steps per window.
    public var horizon: Int
    /// Season length (steps) of the seasonal-naive baseline.
    public var seasonality: Int
    public var firstTimestamp: String
    public var lastTimestamp: String
    /// The model's metrics in original units (MASE scaled by the input's own naive error).
    public var model: MetricSet?
    /// `persistence` and `seasonal_naive`.
    public var baselines: [String: MetricSet?]
    /// What cleaning did to the input.
    public var cleaning: CleaningReport
}

/// Forecasts with a loaded model package: reads and cleans new observations with the package's
/// own source settings and cleaning policy, scales them with its scaler, and runs the model.
public struct Forecaster {
    public let package: ModelPackage

    public init(package: ModelPackage) {
        self.package = package
    }

    var manifest: PackageManifest { package.manifest }
    var window: WindowConfig { manifest.data.window }
    /// Outputs of one model call: `horizon` (direct) or 1 (recursive).
    public var stepsPerCall: Int { window.outputCount }

    /// Reads `path` as the package's training data was read (columns, station, minute filter;
    /// not its path or date bounds) and cleans it with the package's policy at the package's
    /// frequency (so a short file is not mis-inferred).
    public func load(csv path: String) throws -> CleaningResult {
        var source = manifest.data.source
        source.path = path
        source.since = nil
        source.until = nil
        var policy = manifest.data.cleaning
        policy.frequencySeconds = manifest.data.frequencySeconds
        let raw = try SeriesLoader.load(source, policy: policy)
        return try SeriesCleaner.clean(raw, policy: policy)
    }

    /// Forecasts `steps` steps after the last observation of the CSV file at `path`.
    public func forecast(csv path: String, steps: Int) throws -> Forecast {
        guard steps >= 1 else { throw ForecastError.invalidSteps(steps) }
        let cleaned = try load(csv: path)
        return try forecast(series: cleaned.series, steps: steps, file: cleaned.report.file)
    }

    /// Forecasts `steps` steps after the last step of `series` (original units, the package's
    /// columns). The direct strategy gives `horizon` steps per model call; beyond that, and
    /// always for the recursive strategy, the forecasts are appended as observations and the
    /// model is called again (impossible with extra feature columns: their future is unknown).
    public func forecast(series: CleanSeries, steps: Int, file: String = "the input") throws -> Forecast {
        guard steps >= 1 else { throw ForecastError.invalidSteps(steps) }
        let P = window.nPastSteps, F = series.featureCount, H = stepsPerCall
        guard series.columns == manifest.data.columns else {
            throw TrainingError.invalidData("the input's columns \(series.columns) differ from the package's \(manifest.data.columns)")
        }
        if steps > H, F > 1 {
            throw ForecastError.recursionWithFeatures(steps: steps, horizon: H, features: Array(series.columns.dropFirst()))
        }
        let n = series.count
        guard n >= P else { throw ForecastError.tooFewSteps(file: file, have: n, need: P) }
        let recent = (n - P)..<n
        let invalid = recent.filter { !series.valid[$0] }
        if !invalid.isEmpty {
            let limit = 10
            throw ForecastError.missingSteps(
                file: file, need: P, first: Timestamps.format(series.timestamps[n - P]), last: Timestamps.format(series.timestamps[n - 1]),
                missing: invalid.prefix(limit).map { Timestamps.format(series.timestamps[$0]) }, missingCount: invalid.count,
                maxGap: manifest.data.cleaning.gaps.method == .drop ? 0 : manifest.data.cleaning.gaps.maxGap)
        }
        // The window in original units, [P, F] row-major; forecasts are appended to it.
        var history = Array(series.values[((n - P) * F)..<(n * F)])
        var values: [Float] = []
        values.reserveCapacity(steps)
        while values.count < steps {
            let next = try predictNext(window: Array(history.suffix(P * F)))
            for v in next where values.count < steps {
                guard v.isFinite else { throw ForecastError.nonFinite(step: values.count + 1, value: v) }
                values.append(v)
                history.append(v)  // F == 1 whenever a further call is needed
            }
        }
        let last = series.timestamps[n - 1]
        let step = manifest.data.frequencySeconds
        return Forecast(lastObservation: last, stepSeconds: step,
                        timestamps: (1...steps).map { last + Int64($0) * step }, values: values)
    }

    /// One model call on a window of `n_past_steps × F` values in original units (row-major
    /// `[P, F]`): returns `stepsPerCall` forecasts in original units.
    public func predictNext(window values: [Float]) throws -> [Float] {
        let P = window.nPastSteps, F = manifest.data.columns.count
        precondition(values.count == P * F, "predictNext: expected \(P * F) values, got \(values.count)")
        let scaled = manifest.scaler.transform(values)
        if let i = scaled.firstIndex(where: { !$0.isFinite }) {
            throw TrainingError.invalidData("input value \(values[i]) (step \(i / F + 1) of \(P), column \(manifest.data.columns[i % F])) is not finite after scaling")
        }
        let shape = window.layout == .steps ? [1, P, F] : [1, 1, P * F]
        let output = try package.model.forward(try Tensor(shape: shape, values: scaled), training: false).scalars
        guard output.count == stepsPerCall else {
            throw PackageError.corrupt(path: package.path, reason: "the model gives \(output.count) outputs per sample, the window settings \(stepsPerCall)")
        }
        return manifest.scaler.inverseTransformTarget(output)
    }

    /// Scores the package on the CSV file at `path`: the whole cleaned series is windowed (no
    /// split) and the model is compared with the persistence and seasonal-naive baselines on
    /// the same windows, in original units.
    public func evaluate(csv path: String) throws -> Evaluation {
        let cleaned = try load(csv: path)
        let series = cleaned.series
        let spec = WindowSpec(nPastSteps: window.nPastSteps, horizon: stepsPerCall, stride: 1)
        let windows = try manifest.scaler.transform(series).windows(spec, what: cleaned.report.file)
        let samples = try DataPreparation.samples(windows, layout: window.layout, name: "\(cleaned.report.file) samples")
        let target = series.column(0)
        let period = NaiveBaseline.seasonalPeriod(frequencySeconds: series.stepSeconds)
        let model = try TrainingRun.evaluate(package.model, samples, window: windows, scaler: manifest.scaler,
                                             target: target, training: target)
        let persistence = try TrainingRun.baselineMetrics(.persistence, minimumStep: 1, target: target, window: windows, training: target)
        let seasonal = try TrainingRun.baselineMetrics(.seasonalNaive(period: period), minimumStep: period, target: target,
                                                       window: windows, training: target)
        let daily = series.stepSeconds % 86_400 == 0 && series.timestamps.allSatisfy { $0 % 86_400 == 0 }
        return Evaluation(steps: series.count, windows: windows.count, horizon: windows.horizon, seasonality: period,
                          firstTimestamp: Timestamps.format(series.timestamps.first ?? 0, dateOnly: daily),
                          lastTimestamp: Timestamps.format(series.timestamps.last ?? 0, dateOnly: daily),
                          model: model, baselines: ["persistence": persistence, "seasonal_naive": seasonal],
                          cleaning: cleaned.report)
    }
}
