import RecurData

/// `split`, read into RecurData's `SplitSpec`: exactly one of three forms.
/// - `{"train": 0.6, "validation": 0.2, "test": 0.2}`: consecutive parts by fractions of the
///   steps, each in [0, 1], summing to 1 within 1e-6 (the default is 0.6/0.2/0.2);
/// - `{"train_until": "2013-12-31", "validation_until": "2014-12-31"}`: the last day (inclusive)
///   of the training part and of the validation part (the spec holds the days after: the first
///   days of the validation and test parts); the test part is the rest;
/// - `{"train_rows": [0, 2000], "validation_rows": [1500, 2000], "test_rows": [2000, 3650]}`:
///   half-open ranges [a, b) of rows (steps) of the cleaned series; they may overlap.
extension SplitSpec {
    static let forms = [["train", "validation", "test"], ["train_until", "validation_until"], ["train_rows", "validation_rows", "test_rows"]]

    static var configFormat: ConfigFormat<SplitSpec> { ConfigFormat(expected: "an object", read: decode, write: { split in
        func obj(_ form: Int, _ values: [ConfigValue.Kind]) -> ConfigValue.Kind { .object(zip(forms[form], values).map { .init(key: $0, value: ConfigValue($1)) }) }
        func range(_ r: Range<Int>) -> ConfigValue.Kind { .array([r.lowerBound, r.upperBound].map { ConfigValue(.number(Double($0))) }) }
        switch split {
        case let .fractions(t, v, s): return obj(0, [.number(t), .number(v), .number(s)])
        case let .dates(v, t): return obj(1, [.string(ConfigDates.day(v, plus: -1) ?? v), .string(ConfigDates.day(t, plus: -1) ?? t)])
        case let .rows(t, v, s): return obj(2, [range(t), range(v), range(s)])
        }
    }) }

    static func decode(_ value: ConfigValue, file: String?) throws -> SplitSpec {
        try value.checkKeys(forms.flatMap { $0 }, file: file)
        let used = forms.filter { $0.contains { value[given: $0] != nil } }
        func given(_ keys: [String]) -> ConfigValue { keys.lazy.compactMap { value[given: $0] }.first! }
        if used.count > 1 {
            throw ConfigError.conflict(given(used[1]), "`\(given(used[0]).path)` and `\(given(used[1]).path)` cannot both be given: a split is by fractions, by dates or by rows",
                                       file: file)
        }
        func read<T>(_ key: String, _ format: ConfigFormat<T>, _ fallback: T? = nil) throws -> T {
            guard let v = value[given: key] else {
                if let fallback { return fallback }
                throw ConfigError.missing(value, key, format.expected, file: file)
            }
            return try format.read(v, file)
        }
        switch used.first {
        case forms[1]?:
            let t = try read("train_until", .date), v = try read("validation_until", .date)
            guard t <= v else { throw ConfigError.invalid(value["validation_until"]!, "a date not before `\(value.path).train_until` (\(t))", file: file) }
            return .dates(validationStart: ConfigDates.day(t, plus: 1) ?? t, testStart: ConfigDates.day(v, plus: 1) ?? v)
        case forms[2]?:
            let expected = "a range [first, end) of rows: two integers 0 ≤ first < end"
            let rows = ConfigFormat<Range<Int>>(expected: expected, read: { v, file in
                let a = try v.items(expected, file: file)
                guard a.count == 2, case let .number(x) = a[0].kind, case let .number(y) = a[1].kind,
                      x == x.rounded(), y == y.rounded() else { throw ConfigError.wrongType(v, expected, file: file) }
                guard x >= 0, x < y, y < ConfigValue.exactIntegerLimit else { throw ConfigError.invalid(v, expected, file: file) }
                return Int(x)..<Int(y)
            }, write: { _ in .null })
            return .rows(train: try read("train_rows", rows), validation: try read("validation_rows", rows), test: try read("test_rows", rows))
        default:
            let f = ConfigFormat.number(.unit)
            let train = try read("train", f, 0.6), validation = try read("validation", f, 0.2), test = try read("test", f, 0.2)
            guard abs(train + validation + test - 1) <= 1e-6 else {
                let p = value.path, show = ConfigValue.format
                throw ConfigError.at(value, .invalidValue, "the split fractions `\(p).train`, `\(p).validation` and `\(p).test` must sum to 1, got \(show(train)) + \(show(validation)) + \(show(test)) = \(show(((train + validation + test) * 1e9).rounded() / 1e9))",
                                     file: file, hint: "give all three fractions (absent ones default to 0.6, 0.2, 0.2)")
            }
            guard train > 0 else { throw ConfigError.invalid(value["train"] ?? value, "a fraction > 0", file: file) }
            return .fractions(train: train, validation: validation, test: test)
        }
    }
}
