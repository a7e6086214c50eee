import RecurNN

/// `intervals`: the prediction intervals a package is calibrated for (docs/forecasting.md):
/// nominal coverages `levels`, each in (0, 1) (default `[0.8, 0.95]`; `[]` calibrates none), made
/// by `method`: `conformal` (default: split-conformal on the validation part's residuals per
/// horizon step; CQR for a model trained with a quantile loss) or `quantile` (the quantile
/// model's own quantiles `(1 - level)/2` and `(1 + level)/2`, uncalibrated; the model needs both).
public struct IntervalConfig: Equatable, Sendable, ConfigSchema {
    /// How interval bounds are made.
    public enum Method: String, Codable, CaseIterable, Sendable {
        case conformal, quantile
    }

    /// Nominal coverages in (0, 1), increasing.
    public var levels: [Double]
    public var method: Method

    public init(levels: [Double] = IntervalConfig.defaultLevels, method: Method = .conformal) { (self.levels, self.method) = (levels, method) }

    public static let defaultLevels = [0.8, 0.95]
    /// What a config without `intervals` gets.
    public static let standard = IntervalConfig()

    static var defaults: IntervalConfig { .standard }
    static var objectWording: String { "an object such as {\"levels\": [0.8, 0.95], \"method\": \"conformal\"}" }
    static var schema: [ConfigKey<IntervalConfig>] {
        [.key("levels", \.levels, .probabilities("interval level", example: "[0.8, 0.95]"), "interval levels calibrated for ([] for none)"),
         .key("method", \.method, .choice(Method.self), "conformal: split-conformal on the validation part; quantile: a quantile model's own")]
    }

    /// The quantiles a level's bounds sit at: `(1 - level)/2` and `(1 + level)/2`.
    public static func bounds(level: Double) -> (lower: Double, upper: Double) { ((1 - level) / 2, (1 + level) / 2) }

    /// A probability as short text: 0.025000000000000022 → "0.025".
    public static func format(_ x: Double) -> String { "\(Double(String(format: "%.9g", x)) ?? x)" }

    /// A level as the percent used in column names and JSON keys: 0.8 → "80", 0.975 → "97.5".
    public static func percent(_ level: Double) -> String {
        let p = (level * 1000).rounded() / 10
        return p == p.rounded() ? String(Int(p)) : String(p)
    }
}

extension ConfigFormat where T == [Double] {
    /// A list of distinct numbers in the open interval (0, 1), returned sorted.
    static func probabilities(_ what: String, example: String) -> Self {
        let number = ConfigFormat<Double>.number(.openUnit), expected = "a list of numbers in (0, 1) such as \(example)"
        return Self(expected: expected, read: { v, file in
            var seen: [Double] = []
            for item in try v.items(expected, file: file) {
                let x = try number.read(item, file)
                if seen.contains(x) { throw ConfigError.invalid(item, "a \(what) not already in the list", file: file, hint: "remove the repeated \(x)") }
                seen.append(x)
            }
            return seen.sorted()
        }, write: { .array($0.map { ConfigValue(.number($0)) }) })
    }
}

extension LossConfig {
    /// The median, which is a quantile model's point forecast.
    public static let medianQuantile = 0.5

    /// `{"quantile": [..]}`: increasing after sorting, each in (0, 1), none repeated, 0.5 among them.
    static func quantileLoss(_ v: ConfigValue, file: String?) throws -> LossConfig {
        try v.checkKeys(["quantile"], file: file, what: "{\"quantile\": [0.1, 0.5, 0.9]}")
        let format = ConfigFormat.probabilities("quantile", example: "[0.1, 0.5, 0.9]")
        guard let list = v[given: "quantile"] else { throw ConfigError.missing(v, "quantile", format.expected, file: file) }
        let q = try format.read(list, file)
        guard q.contains(medianQuantile) else {
            throw ConfigError.invalid(list, "a list of quantiles that contains 0.5", file: file,
                                      hint: "add 0.5: a quantile model's point forecast (the `value` column, RMSE and the other metrics) is its median")
        }
        return LossConfig(name: "quantile", quantiles: q)
    }
}

extension RecurConfig {
    /// `intervals`, or the defaults.
    public var intervalSettings: IntervalConfig { intervals ?? .standard }

    /// Checks `intervals` against the loss: the quantile method needs a quantile model with
    /// both bounds of every level among its quantiles.
    func checkIntervals(tree: ConfigValue) throws {
        guard intervalSettings.method == .quantile else { return }
        let conformal = ", or use intervals.method \"conformal\""
        guard let q = training.loss.quantiles else {
            throw ConfigError(kind: .conflict, file: sourceFile, keyPath: "intervals.method", location: tree["intervals"]?["method"]?.location,
                              message: "`intervals.method` \"quantile\" needs a model trained with a quantile loss, but `training.loss` is \(training.loss.name)",
                              hint: "set training.loss to {\"quantile\": [0.025, 0.1, 0.5, 0.9, 0.975]}" + conformal)
        }
        for level in intervalSettings.levels {
            let (lo, hi) = IntervalConfig.bounds(level: level), f = IntervalConfig.format
            let missing = [lo, hi].filter { b in !q.contains { abs($0 - b) < 1e-9 } }
            guard missing.isEmpty else {
                throw ConfigError(kind: .conflict, file: sourceFile, keyPath: "intervals.levels", location: tree["intervals"]?["levels"]?.location,
                                  message: "`intervals.levels` \(level) with method \"quantile\" needs the quantiles \(f(lo)) and \(f(hi)), but `training.loss.quantile` is \(q)",
                                  hint: "add \(missing.map(f).joined(separator: " and ")) to training.loss.quantile" + conformal)
            }
        }
    }
}
