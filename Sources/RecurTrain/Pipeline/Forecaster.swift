import Foundation
import RecurData
import RecurNN
import RecurTensor

/// Errors of forecasting and evaluating with a model package, each one message saying what is
/// wrong and what to do.
public enum ForecastError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `--steps` below 1.
    case invalidSteps(Int)
    /// `--steps` above the cap (`Forecaster.maxSteps`, `--max-steps`).
    case tooManySteps(Int, max: Int)
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
        case let .tooManySteps(n, max):
            return "--steps \(n) is more than this forecast allows: at most \(max) steps (raise the cap with --max-steps, up to \(Forecaster.hardMaxSteps))"
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
    /// Prediction intervals per level, each `[N]` (NaN beyond the calibrated horizon); empty
    /// when none were asked (`Forecaster.forecast(csv:steps:levels:)`).
    public var intervals: [IntervalBand] = []

    /// Whether the timestamps are best shown as dates (daily or longer steps at midnight).
    public var isDaily: Bool { stepSeconds % 86_400 == 0 && lastObservation % 86_400 == 0 }

    /// A timestamp as `YYYY-MM-DD` for daily data, `YYYY-MM-DD HH:MM:SS` otherwise.
    public func format(_ t: Int64) -> String { Timestamps.format(t, dateOnly: isDaily) }

    /// `timestamp,value` CSV with a header, then `lower_<percent>,upper_<percent>` per interval
    /// level (empty cells beyond the calibrated horizon).
    public var csv: String {
        (["timestamp,value" + IntervalColumns.header(intervals.map(\.level))]
            + timestamps.indices.map { "\(format(timestamps[$0])),\(values[$0])" + IntervalColumns.cells(intervals, at: $0) })
            .joined(separator: "\n") + "\n"
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
    /// The package's model with its transform: every forecast and evaluation runs through it.
    public let evaluator: Evaluator
    /// Files of at least this many bytes are forecast from their tail (`loadRecent`); smaller
    /// ones are read whole. Default 1 MiB.
    public var tailReadThreshold: Int
    /// The first tail read, in bytes (grows fourfold while the tail is too short). Default 64 KiB.
    public var tailReadInitialBytes: Int
    /// The most steps one forecast may ask for (`--max-steps`), default `defaultMaxSteps`:
    /// checked before the forecast's rows are allocated.
    public var maxSteps = Forecaster.defaultMaxSteps
    /// 100,000 steps: 11 years of hourly forecasts.
    public static let defaultMaxSteps = 100_000
    /// The largest `maxSteps` may be set to.
    public static let hardMaxSteps = 100_000_000

    /// Checks `steps` against 1 and `maxSteps`.
    public func checkSteps(_ steps: Int) throws {
        guard steps >= 1 else { throw ForecastError.invalidSteps(steps) }
        let cap = min(maxSteps, Forecaster.hardMaxSteps)
        guard steps <= cap else { throw ForecastError.tooManySteps(steps, max: cap) }
    }

    public init(package: ModelPackage, tailReadThreshold: Int = 1 << 20, tailReadInitialBytes: Int = 1 << 16) {
        self.package = package
        self.evaluator = Evaluator(package: package)
        self.tailReadThreshold = tailReadThreshold
        self.tailReadInitialBytes = tailReadInitialBytes
    }

    var manifest: PackageManifest { package.manifest }
    var window: WindowConfig { manifest.data.window }
    /// Outputs of one model call: `horizon` (direct) or 1 (recursive).
    public var stepsPerCall: Int { window.outputCount }

    /// Reads `path` as the package's training data was read (columns, station, minute filter;
    /// not its path or date bounds) and cleans it with the package's policy at the package's
    /// frequency (so a short file is not mis-inferred).
    public func load(csv path: String) throws -> CleaningResult {
        try load(table: try CSVReader.read(path: path), source: settings(csv: path).0)
    }

    /// The package's source settings for the file at `path` and its cleaning policy at the
    /// package's frequency.
    func settings(csv path: String) -> (TimeSeriesSource, CleaningPolicy) {
        var source = manifest.data.source
        source.path = path
        source.keyNames = .package
        source.since = nil
        source.until = nil
        var policy = manifest.data.cleaning
        policy.frequencySeconds = manifest.data.frequencySeconds
        return (source, policy)
    }

    /// Forecasts `steps` steps after the last observation of the CSV file at `path`. A long
    /// file is read from its end only when that provably gives the same latest window as
    /// reading it whole (`loadRecent`); otherwise, and for every error, it is read whole.
    public func forecast(csv path: String, steps: Int) throws -> Forecast {
        try checkSteps(steps)
        let cleaned = try loadRecent(csv: path) ?? load(csv: path)
        return try forecast(series: cleaned.series, steps: steps, file: cleaned.report.file)
    }

    /// The file's latest steps cleaned from its tail alone, or nil when the whole file must be
    /// read. The tail's cleaned window equals the whole file's when:
    /// - the file is sorted in time where it matters: no row of the tail is out of order, and
    ///   the first row of the station in the file's head is not later than the tail's first row
    ///   and on the same grid (rows before the tail are assumed not to be later than the tail's
    ///   first row, as in any file written in time order);
    /// - the tail holds no off-grid row, and the latest `n_past_steps` steps are all valid;
    /// - the tail starts more than `max_gap + 1` steps before the window (`interpolate`,
    ///   `forward_fill`; one row for `drop` and `keep_rows`), so every gap that touches the
    ///   window, and the value on its left, lies inside the tail, and a duplicate group cut at
    ///   the tail's start cannot reach the window.
    /// Policies that must see every row (`non_numeric: error`, `duplicates: error`, an unlimited
    /// `max_gap`), a station column without a chosen station (the whole file decides whether it
    /// is ambiguous), quotes in the tail, and files under `tailReadThreshold` bytes are read
    /// whole. The tail grows fourfold while it is too short, up to half the file.
    func loadRecent(csv path: String) -> CleaningResult? {
        let (source, policy) = settings(csv: path)
        guard policy.invalidCells != .error, policy.duplicates != .error else { return nil }
        guard source.stationColumn == nil || source.station != nil else { return nil }
        let margin: Int
        switch policy.gaps.method {
        case .interpolate, .forwardFill:
            guard let g = policy.gaps.maxGap else { return nil }
            margin = g + 2
        case .drop, .keepRows:
            margin = 1
        }
        let P = window.nPastSteps
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue,
              size >= tailReadThreshold else { return nil }
        var bytes = max(tailReadInitialBytes, 1024)
        var headStart: Int64?
        while bytes <= size / 2 {
            guard let parts = try? CSVReader.readHeadAndTail(path: path, tailBytes: bytes) else { return nil }
            if headStart == nil {
                // The series' start: the first row of the station in the head.
                guard let head = parts.head, let raw = try? SeriesLoader.load(source, table: head, policy: policy),
                      let first = raw.timestamps.first else { return nil }
                headStart = first
            }
            switch accept(parts.tail, source: source, policy: policy, start: headStart!, nPast: P, margin: margin) {
            case .accepted(let result): return result
            case .rejected: return nil
            case .tooShort: bytes *= 4
            }
        }
        return nil
    }

    enum TailVerdict { case accepted(CleaningResult), tooShort, rejected }

    func accept(_ table: CSVTable, source: TimeSeriesSource, policy: CleaningPolicy, start: Int64, nPast P: Int, margin: Int) -> TailVerdict {
        // A tail without rows of the station, or without usable values, may just be too short.
        guard let raw = try? SeriesLoader.load(source, table: table, policy: policy),
              let cleaned = try? SeriesCleaner.clean(raw, policy: policy) else { return .tooShort }
        let report = cleaned.report, series = cleaned.series
        guard report.outOfOrder.count == 0, report.offGrid.count == 0, let tailStart = raw.timestamps.first,
              start <= tailStart else { return .rejected }
        let step = manifest.data.frequencySeconds
        if series.isRegular, (tailStart - start) % step != 0 { return .rejected }
        let n = series.count
        guard n >= P, !series.valid[(n - P)...].contains(false) else { return .tooShort }
        if series.isRegular {
            guard tailStart <= series.timestamps[n - P] - Int64(margin) * step else { return .tooShort }
        } else {
            // Rows are steps: the window must not reach the tail's first row (trimmed ones count).
            guard n - P + report.trimmedLeading >= margin else { return .tooShort }
        }
        return .accepted(cleaned)
    }

    /// Forecasts `steps` steps after the last step of `series` (original units, the package's
    /// columns). The direct strategy gives `horizon` steps per model call; beyond that, and
    /// always for the recursive strategy, the forecasts are appended as observations and the
    /// model is called again (impossible with extra feature columns: their future is unknown).
    public func forecast(series: CleanSeries, steps: Int, file: String = "the input") throws -> Forecast {
        try checkSteps(steps)
        let P = window.nPastSteps, F = series.featureCount, H = stepsPerCall
        guard series.columns == manifest.data.columns else {
            throw TrainingError.invalidData("the input's columns \(series.columns) differ from the package's \(manifest.data.columns)")
        }
        // Measured extra columns have no known future; calendar columns do (from the timestamps).
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
        // The window in original units with the calendar columns, [P, FA] row-major; forecasts
        // are appended to it with the calendar of their steps.
        let input = evaluator.input
        let augmented = input.augmented(series)
        let FA = augmented.featureCount
        let last = series.timestamps[n - 1]
        let step = manifest.data.frequencySeconds
        var history = Array(augmented.values[((n - P) * FA)..<(n * FA)])
        var values: [Float] = []
        values.reserveCapacity(steps)
        while values.count < steps {
            let next = try predictNext(window: Array(history.suffix(P * FA)))
            for v in next where values.count < steps {
                guard v.isFinite else { throw ForecastError.nonFinite(step: values.count + 1, value: v) }
                values.append(v)
                history.append(v)  // F == 1 whenever a further call is needed
                history += input.calendarRow(at: last + Int64(values.count) * step)
            }
        }
        return Forecast(lastObservation: last, stepSeconds: step,
                        timestamps: (1...steps).map { last + Int64($0) * step }, values: values)
    }

    /// One model call on a window of `n_past_steps × F` values in original units (row-major
    /// `[P, F]`, F the measured columns then the calendar columns, `ModelInput.augmented`):
    /// returns `stepsPerCall` forecasts in original units (a quantile model's median).
    public func predictNext(window values: [Float]) throws -> [Float] {
        try predictOutputs(window: values).point
    }

    /// One model call on a window (see `predictNext`): every output, in original units, as
    /// quantile planes of `[1, stepsPerCall]` (one plane for a point model).
    public func predictOutputs(window values: [Float]) throws -> ModelOutputs {
        try evaluator.outputs(window: values)
    }

    /// Scores the package on the CSV file at `path`: the whole cleaned series is windowed (no
    /// split) and the model is compared with the persistence and seasonal-naive baselines on
    /// the same windows, in original units.
    public func evaluate(csv path: String) throws -> Evaluation {
        let cleaned = try load(csv: path)
        let series = cleaned.series
        let input = evaluator.input
        let windows = try input.windows(input.augmented(series), what: cleaned.report.file)
        let samples = try input.samples(windows, name: "\(cleaned.report.file) samples")
        let target = series.column(0)
        let period = NaiveBaseline.seasonalPeriod(frequencySeconds: series.stepSeconds)
        let scores = try evaluator.score(samples, windows: windows, target: target, training: target, seasonality: period,
                                         intervals: manifest.intervals)
        let daily = series.stepSeconds % 86_400 == 0 && series.timestamps.allSatisfy { $0 % 86_400 == 0 }
        return Evaluation(steps: series.count, windows: windows.count, horizon: windows.horizon, seasonality: period,
                          firstTimestamp: Timestamps.format(series.timestamps.first ?? 0, dateOnly: daily),
                          lastTimestamp: Timestamps.format(series.timestamps.last ?? 0, dateOnly: daily),
                          model: scores.model, baselines: scores.baselines,
                          cleaning: cleaned.report)
    }
}
