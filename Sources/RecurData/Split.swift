/// How a series is divided into training, validation and test parts, chronologically.
public enum SplitSpec: Codable, Equatable, Sendable {
    /// Consecutive parts by fractions of the steps (non-negative, summing to 1; default 0.6/0.2/0.2).
    case fractions(train: Double, validation: Double, test: Double)
    /// Parts by dates: validation starts at `validationStart`, test at `testStart` (ISO dates or
    /// datetimes, inclusive starts).
    case dates(validationStart: String, testStart: String)
    /// Explicit step ranges, which may overlap (the seed lesson: train [0,2000), validation
    /// [1500,2000), test [2000,3650) on Melbourne).
    case rows(train: Range<Int>, validation: Range<Int>, test: Range<Int>)

    /// The default 0.6/0.2/0.2 chronological split.
    public static let standard = SplitSpec.fractions(train: 0.6, validation: 0.2, test: 0.2)
}

/// Step ranges of the three parts of a series.
public struct SeriesSplit: Codable, Equatable, Sendable {
    public var train: Range<Int>
    public var validation: Range<Int>
    public var test: Range<Int>

    public init(train: Range<Int>, validation: Range<Int>, test: Range<Int>) {
        self.train = train
        self.validation = validation
        self.test = test
    }
}

extension CleanSeries {
    /// The step ranges of `spec`. Throws `splitFractions` for fractions that are negative or do
    /// not sum to 1 (within 1e-6), `invalidSetting` for unparseable or unordered dates and for
    /// row ranges outside the series.
    public func split(_ spec: SplitSpec) throws -> SeriesSplit {
        switch spec {
        case let .fractions(train, validation, test):
            guard train >= 0, validation >= 0, test >= 0, abs(train + validation + test - 1) <= 1e-6 else {
                throw DataError.splitFractions(train: train, validation: validation, test: test)
            }
            let a = Int((Double(count) * train).rounded())
            let b = min(count, Int((Double(count) * (train + validation)).rounded()))
            return SeriesSplit(train: 0..<a, validation: a..<b, test: b..<count)
        case let .dates(validationStart, testStart):
            guard let v = Timestamps.parse(validationStart)?.seconds else {
                throw DataError.invalidSetting(key: "validation_start", value: "'\(validationStart)'", expected: Timestamps.acceptedForms)
            }
            guard let t = Timestamps.parse(testStart)?.seconds else {
                throw DataError.invalidSetting(key: "test_start", value: "'\(testStart)'", expected: Timestamps.acceptedForms)
            }
            guard v <= t else {
                throw DataError.invalidSetting(key: "validation_start", value: "'\(validationStart)'", expected: "a date not after test_start ('\(testStart)')")
            }
            let a = firstStep(atOrAfter: v), b = firstStep(atOrAfter: t)
            return SeriesSplit(train: 0..<a, validation: a..<b, test: b..<count)
        case let .rows(train, validation, test):
            for (key, r) in [("train_rows", train), ("validation_rows", validation), ("test_rows", test)] where r.lowerBound < 0 || r.upperBound > count {
                throw DataError.invalidSetting(key: key, value: "[\(r.lowerBound), \(r.upperBound))", expected: "a range of rows within [0, \(count))")
            }
            return SeriesSplit(train: train, validation: validation, test: test)
        }
    }
}

extension SeriesSplit {
    /// Steps of the validation part that are also training steps (explicit row ranges may
    /// overlap, as the seed lesson's do).
    public var validationStepsInTraining: Int {
        max(0, min(train.upperBound, validation.upperBound) - max(train.lowerBound, validation.lowerBound))
    }

    /// The warning `train` and `tune` print when validation steps are training steps: the
    /// validation loss, early stopping, model choice in tuning, the interval calibration and
    /// the honesty guard then measure the fit to data the model was trained on. Nil when the
    /// parts are apart.
    public var overlapWarning: String? {
        let shared = validationStepsInTraining
        guard shared > 0 else { return nil }
        return "WARNING: \(shared) of the \(validation.count) validation steps (rows [\(validation.lowerBound), \(validation.upperBound))) "
            + "are also training steps (rows [\(train.lowerBound), \(train.upperBound))): the validation loss, early stopping, "
            + "the choice between trials, the interval calibration and the worse-than-persistence check then measure the fit "
            + "to data the model was trained on. Fix: let the validation rows follow the training rows (split.train_rows "
            + "ending at \(validation.lowerBound), or split.fractions)."
    }
}
