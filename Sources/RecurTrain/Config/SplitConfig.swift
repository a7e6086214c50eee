/// `split`: how the series is divided, chronologically, into training, validation and test parts.
/// Exactly one of three forms.
public enum SplitConfig: Codable, Equatable, Sendable {
    /// `{"train": 0.6, "validation": 0.2, "test": 0.2}`: consecutive parts by fractions of the
    /// steps, each in [0, 1], summing to 1 within 1e-6 (the default is 0.6/0.2/0.2).
    case fractions(train: Double, validation: Double, test: Double)
    /// `{"train_until": "2013-12-31", "validation_until": "2014-12-31"}`: the last day (inclusive)
    /// of the training part and of the validation part; the test part is the rest.
    case dates(trainUntil: String, validationUntil: String)
    /// `{"train_rows": [0, 2000], "validation_rows": [1500, 2000], "test_rows": [2000, 3650]}`:
    /// half-open ranges [a, b) of rows (steps) of the cleaned series; they may overlap.
    case rows(train: Range<Int>, validation: Range<Int>, test: Range<Int>)

    /// 0.6/0.2/0.2.
    public static let standard = SplitConfig.fractions(train: 0.6, validation: 0.2, test: 0.2)

    static let keys = ["train", "validation", "test", "train_until", "validation_until", "train_rows", "validation_rows", "test_rows"]

    static func decode(_ value: ConfigValue, file: String?) throws -> SplitConfig {
        let r = try ObjectReader(value, allowed: keys, file: file)
        let forms: [(String, [String])] = [("fractions", ["train", "validation", "test"]),
                                           ("dates", ["train_until", "validation_until"]),
                                           ("rows", ["train_rows", "validation_rows", "test_rows"])]
        let used = forms.filter { $0.1.contains(where: r.has) }
        if used.count > 1 {
            let a = used[0].1.first(where: r.has)!, b = used[1].1.first(where: r.has)!
            throw ConfigError.conflict(r.value(b)!, "`\(r.path(a))` and `\(r.path(b))` cannot both be given: a split is by fractions, by dates or by rows",
                                       file: file)
        }
        switch used.first?.0 {
        case "dates"?:
            let t = try DataConfig.date(r, "train_until") ?? ConfigReader.string(try r.require("train_until", "a date written YYYY-MM-DD"), file: file)
            let v = try DataConfig.date(r, "validation_until") ?? ConfigReader.string(try r.require("validation_until", "a date written YYYY-MM-DD"), file: file)
            guard t <= v else { throw ConfigError.invalid(r.value("validation_until")!, "a date not before `\(r.path("train_until"))` (\(t))", file: file) }
            return .dates(trainUntil: t, validationUntil: v)
        case "rows"?:
            func range(_ key: String) throws -> Range<Int> {
                let v = try r.require(key, "a range [first, end) of rows, e.g. [0, 2000]")
                let expected = "a range [first, end) of rows: two integers 0 ≤ first < end"
                let a = try ConfigReader.array(v, expected, file: file)
                guard a.count == 2, case let .number(x) = a[0].kind, case let .number(y) = a[1].kind,
                      x == x.rounded(), y == y.rounded() else { throw ConfigError.wrongType(v, expected, file: file) }
                guard x >= 0, x < y, y < 9e15 else { throw ConfigError.invalid(v, expected, file: file) }
                return Int(x)..<Int(y)
            }
            return .rows(train: try range("train_rows"), validation: try range("validation_rows"), test: try range("test_rows"))
        default:
            let train = try r.double("train", .unit) ?? 0.6
            let validation = try r.double("validation", .unit) ?? 0.2
            let test = try r.double("test", .unit) ?? 0.2
            guard abs(train + validation + test - 1) <= 1e-6 else {
                throw ConfigError(kind: .invalidValue, file: file, keyPath: r.path, location: value.location,
                                  message: "the split fractions `\(r.path("train"))`, `\(r.path("validation"))` and `\(r.path("test"))` must sum to 1, got \(ConfigValue.format(train)) + \(ConfigValue.format(validation)) + \(ConfigValue.format(test)) = \(ConfigValue.format(((train + validation + test) * 1e9).rounded() / 1e9))",
                                  hint: "give all three fractions (absent ones default to 0.6, 0.2, 0.2)")
            }
            guard train > 0 else { throw ConfigError.invalid(r.value("train") ?? value, "a fraction > 0", file: file) }
            return .fractions(train: train, validation: validation, test: test)
        }
    }
}

/// `scaling`: how features are scaled, fitted on the training part only.
public enum ScalingConfig: String, Codable, CaseIterable, Sendable {
    /// To [0, 1] by the training part's min and max (default).
    case minmax
    /// To mean 0 and standard deviation 1 of the training part.
    case standard
    /// Left as they are.
    case none
    /// Each sample relative to its own window: the target minus the window's last observed
    /// value, over the training part's RMS one-step change (`WindowScaler.swift`).
    case window
    /// Trains with `minmax` and with `window` (same seed) and keeps the lower validation RMSE in
    /// original units (`AutoScaling`).
    case auto
}
