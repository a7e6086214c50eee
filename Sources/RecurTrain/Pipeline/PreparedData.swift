import RecurData
import RecurTensor

/// A config's data made ready for training: read, cleaned, split, scaled (on the training
/// part only) and windowed.
public struct PreparedData {
    /// The cleaned series in original units (target in column 0; NaN at invalid steps).
    public let series: CleanSeries
    /// What cleaning did.
    public let cleaning: CleaningReport
    /// The policy applied, with detected sentinels added: what `predict` must apply again.
    public let policy: CleaningPolicy
    /// Sentinels found by detection (`data.cleaning.detect_sentinels`), beyond the configured ones.
    public let detectedSentinels: [Double]
    /// Step ranges of the three parts.
    public let split: SeriesSplit
    /// Fitted on the training part (over the measured and calendar columns; `input.scaler`).
    public let scaler: Scaler
    /// The transform from the series to samples and back, as the package records it.
    public let input: ModelInput
    /// Windows of the scaled series, one set per part (`nil` for an empty part).
    public let train: WindowSet
    public let validation: WindowSet?
    public let test: WindowSet?
    /// The same windows as engine samples, `[N, T, F]` and `[N, H]` in scaled units, laid out as
    /// the model sees them (`window.layout`).
    public let trainSamples: SampleSet
    public let validationSamples: SampleSet?
    public let testSamples: SampleSet?
    /// Season length in steps for the seasonal-naive baseline and MASE.
    public let seasonality: Int

    /// The target column in original units: `[steps]`.
    public var target: [Float] { series.column(0) }
}

/// Builds `PreparedData` from a config.
public enum DataPreparation {
    /// Reads `config.data`, cleans it with its policy, splits, fits the scaler on the training
    /// part, and windows every part.
    /// - Throws: `DataError` (file, column, cleaning and size problems, naming the file and key),
    ///   `TrainingError.invalidData` when a part holds no complete window.
    public static func prepare(_ config: RecurConfig) throws -> PreparedData {
        var policy = config.cleaningPolicy
        let raw = try DataError.naming(config.key) { try SeriesLoader.load(config.timeSeriesSource, policy: policy) }
        var detected: [Double] = []
        if config.data.cleaning.detectSentinels {
            let values = raw.targetValues.filter { !policy.isSentinel($0) }
            detected = DataInspector.suspectedSentinels(values).map(\.value)
            policy.sentinels += detected
        }
        let cleaned = try SeriesCleaner.clean(raw, policy: policy)
        return try prepare(config, series: cleaned.series, cleaning: cleaned.report, policy: policy, detectedSentinels: detected)
    }

    /// Splits, scales and windows an already cleaned series; `split` (backtesting's folds)
    /// replaces the config's split, with validation and test inputs drawn from before their part.
    public static func prepare(_ config: RecurConfig, series: CleanSeries, cleaning: CleaningReport,
                               policy: CleaningPolicy, detectedSentinels: [Double] = [], split given: SeriesSplit? = nil) throws -> PreparedData {
        let split = try given ?? series.split(config.splitSpec)
        let calendar = try ModelInput.calendar(config.data.calendar, stepSeconds: series.stepSeconds, window: config.window)
        let scaler = try Scaler.fit(config.scalerKind, on: series, rows: split.train)
            .appendingIdentity(columns: calendar?.columnNames ?? [])
        let input = ModelInput(scaler: scaler, calendar: calendar, window: config.window)
        let augmented = input.augmented(series)
        let spec = config.windowSpec
        // Validation and test windows may draw their inputs from before their part (the model
        // sees past observations at forecast time too), except for explicit row ranges, which
        // reproduce experiments that windowed each part on its own.
        let precede: Bool
        // (A given split equal to the config's own rows, as `scaling: "auto"` passes it on, counts as them.)
        if case .rows = config.splitSpec, given == nil || given == (try? series.split(config.splitSpec)) { precede = false } else { precede = true }
        let train = try input.windows(augmented, range: split.train, stride: spec.stride, what: "the training part")
        // Too few windows to learn from: refuse rather than report a meaningless model.
        let need = max(config.training.batchSize, TrainingMinimum.windows)
        guard train.count >= need else {
            throw DataError.tooFewTrainingWindows(file: cleaning.file, windows: train.count, need: need, batchSize: config.training.batchSize,
                                                  steps: split.train.count, nPastSteps: config.window.nPastSteps)
        }
        func part(_ range: Range<Int>, _ what: String) throws -> WindowSet? {
            range.isEmpty ? nil : try input.windows(augmented, range: range, inputsMayPrecede: precede, stride: spec.stride, what: what)
        }
        let validation = try part(split.validation, "the validation part")
        let test = try part(split.test, "the test part")
        func samples(_ w: WindowSet?, _ name: String) throws -> SampleSet? {
            try w.map { try input.samples($0, name: name) }
        }
        let period = NaiveBaseline.seasonalPeriod(frequencySeconds: series.stepSeconds)
        return PreparedData(series: series, cleaning: cleaning, policy: policy, detectedSentinels: detectedSentinels, split: split, scaler: scaler, input: input, train: train,
                            validation: validation, test: test,
                            trainSamples: try samples(train, "training samples")!,
                            validationSamples: try samples(validation, "validation samples"),
                            testSamples: try samples(test, "test samples"), seasonality: period)
    }
}
