import Foundation
import RecurData

/// `manifest.json` of a model package: everything `predict` needs besides the weights, and the
/// record of how the model was made. JSON keys are snake_case.
public struct PackageManifest: Codable, Sendable {
    /// The format version this build writes and the newest it reads. Version 2 records
    /// `config` as its native document (`{format, source_file, document}`, the schema config
    /// layer); version 1 recorded the config's Swift structure, which this build cannot read.
    public static let currentFormatVersion = 2
    /// The oldest format version this build reads.
    public static let oldestFormatVersion = 2
    /// Always `recur-model-package`.
    public static let formatName = "recur-model-package"

    /// Data settings a forecast needs to read and clean new observations like the training data.
    public struct DataSettings: Codable, Sendable {
        /// Columns, station filter, target and features (path and date bounds as trained).
        public var source: TimeSeriesSource
        /// The cleaning policy, applied again to `predict`'s input.
        public var cleaning: CleaningPolicy
        /// The series' step in seconds (inferred or set).
        public var frequencySeconds: Int64
        /// Value columns, target first.
        public var columns: [String]
        /// Past steps the model sees, horizon, strategy, layout.
        public var window: WindowConfig
        /// First and last timestamps of the cleaned training series (seconds since 1970, UTC).
        public var firstTimestamp: Int64
        public var lastTimestamp: Int64
        /// Step ranges of the parts, on the cleaned series.
        public var split: SeriesSplit
        /// The calendar columns the model reads beside `columns` (`data.calendar`), nil when none.
        public var calendar: CalendarColumns? = nil
    }

    /// How the model was trained.
    public struct TrainingRecord: Codable, Sendable {
        /// The seed that initialised weights, dropout and shuffling.
        public var seed: UInt64
        public var epochsRun: Int
        public var stopReason: String
        public var bestEpoch: Int?
        public var seconds: Double
        public var trainSamples: Int
        public var validationSamples: Int
        public var testSamples: Int
        public var parameterCount: Int
    }

    public var format: String
    public var formatVersion: Int
    public var recurVersion: String
    /// ISO 8601, UTC.
    public var createdAt: String
    /// The layers as built (units resolved).
    public var architecture: ModelArchitecture
    public var data: DataSettings
    /// Fitted on the training part.
    public var scaler: Scaler
    public var training: TrainingRecord
    /// One record per epoch.
    public var history: [EpochRecord]
    /// The model's metrics (original units) per part.
    public var metrics: SplitMetrics
    /// Naive baselines on the same windows: `persistence`, `seasonal_naive`.
    public var baselines: [String: SplitMetrics]
    /// What cleaning did to the training data.
    public var cleaning: CleaningReport
    /// The resolved configuration trained from.
    public var config: RecurConfig
    /// Hyperparameters chosen by a search (`recur tune`), if any, by parameter name.
    public var hyperparameters: [String: SearchValue]?
    /// The calibrated prediction intervals (`Pipeline/ConformalCalibration.swift`); nil for a
    /// package without any (trained with `intervals.levels` `[]`, or before intervals existed).
    public var intervals: IntervalCalibration?
    /// What `scaling: "auto"` chose and why (nil for other scalings).
    public var scalingChoice: ScalingChoice? = nil
    /// True when the model's validation RMSE is above persistence's (`HonestyGuard`); nil
    /// without a validation part.
    public var worseThanPersistence: Bool? = nil
    /// The honesty guard's findings when the model is worse than persistence.
    public var honesty: HonestyReport? = nil
    /// The members of an ensemble (`training.ensemble` > 1); nil for a single model.
    public var ensemble: EnsembleRecord? = nil

    public init(architecture: ModelArchitecture, data: DataSettings, scaler: Scaler, training: TrainingRecord,
                history: [EpochRecord], metrics: SplitMetrics, baselines: [String: SplitMetrics], cleaning: CleaningReport,
                config: RecurConfig, hyperparameters: [String: SearchValue]? = nil, recurVersion: String, createdAt: Date = Date()) {
        self.format = PackageManifest.formatName
        self.formatVersion = PackageManifest.currentFormatVersion
        self.recurVersion = recurVersion
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        self.createdAt = f.string(from: createdAt)
        self.architecture = architecture
        self.data = data
        self.scaler = scaler
        self.training = training
        self.history = history
        self.metrics = metrics
        self.baselines = baselines
        self.cleaning = cleaning
        self.config = config
        self.hyperparameters = hyperparameters
    }

    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }
}
