import RecurTensor

/// `search`: the hyperparameter search run by `recur tune`. Parameters are named by the config
/// key path they set (e.g. `training.optimizer.learning_rate`, `model.width_rule.first.mult`):
/// a trial is the config with each sampled value applied like a `--set` override.
public struct SearchConfig: Codable, Equatable, Sendable, ConfigSchema {
    /// Samplers (`sampler`).
    public enum Sampler: String, Codable, CaseIterable, Sendable {
        case tpe, random, grid
    }

    /// Pruners (`pruner`).
    public enum Pruner: String, Codable, CaseIterable, Sendable {
        case none, median, asha
    }

    public var maxEvals: Int
    public var sampler: Sampler
    /// Sampler seed; nil: `training.seed`.
    public var seed: UInt64?
    public var startupTrials: Int
    public var pruner: Pruner
    public var jobs: Int
    /// What is minimized: `val_loss` or `val_<metric>`.
    public var objective: String
    /// The parameters, in file order.
    public var space: [SearchParameter]
    public var heartbeatSeconds: Double = 10
    public var maxRetries: Int = 2
    /// After the search, the best trial's settings trained as an ensemble of this many networks
    /// (`training.ensemble`; the best trial's own seed first), kept as `<study>.ensemble`; 1: none.
    public var ensemble: Int = 1

    public init(maxEvals: Int = 20, sampler: Sampler = .tpe, seed: UInt64? = nil, startupTrials: Int = 10,
                pruner: Pruner = .none, jobs: Int = 1, objective: String = "val_loss", space: [SearchParameter] = []) {
        (self.maxEvals, self.sampler, self.seed, self.startupTrials) = (maxEvals, sampler, seed, startupTrials)
        (self.pruner, self.jobs, self.objective, self.space) = (pruner, jobs, objective, space)
    }

    /// The parameter called `name`.
    public func parameter(_ name: String) -> SearchParameter? { space.first { $0.name == name } }

    static var defaults: SearchConfig { SearchConfig() }
    static var schema: [ConfigKey<SearchConfig>] {
        let space = ConfigFormat<[SearchParameter]>(expected: "an object of parameters", read: { v, file in
            guard let members = v.members else { throw ConfigError.wrongType(v, "an object of parameters", file: file) }
            guard !members.isEmpty else { throw ConfigError.invalid(v, "at least one parameter", file: file) }
            return try members.map { try SearchParameter.decode(name: $0.key, $0.value, file: file) }
        }, write: { .object($0.map { ConfigValue.Member(key: $0.name, value: ConfigValue($0.encoded)) }) })
        return [
            .key("max_evals", \.maxEvals, .int(min: 1), "trials to finish"),
            .key("sampler", \.sampler, .choice(Sampler.self), "grid needs every parameter to be a choice, int or quantized"),
            .optional("seed", \.seed, .seed, "sampler seed", defaultNote: "training.seed"),
            .key("startup_trials", \.startupTrials, .int(min: 0), "random trials before TPE models the results"),
            .key("pruner", \.pruner, .choice(Pruner.self), "stop hopeless trials early"),
            .key("jobs", \.jobs, .int(min: 1), "trials run at once"),
            .key("objective", \.objective, .oneOf(Array(TrainingConfig.monitors.dropFirst()),
                                                 hint: "the test split is never used to choose; optimize a validation value"), "what is minimized"),
            .key("heartbeat_seconds", \.heartbeatSeconds, .number(.positive), "seconds between a running trial's heartbeats"),
            .key("max_retries", \.maxRetries, .int(min: 0), "retries of a trial whose worker was lost (each a new trial linked to it)"),
            .key("ensemble", \.ensemble, .int(min: 1, max: Ensemble.maxMembers), "after the search, train the best trial's settings as an ensemble of this many networks, kept as <study>.ensemble"),
            .key("space", \.space, space, required: true, "the parameters, named by the key path they set"),
        ]
    }

    /// Conditions name another parameter of the space, without cycles; the grid sampler needs
    /// every parameter enumerable.
    mutating func validate(_ v: ConfigValue, file: String?) throws {
        let values = v["space"]!.members!.map(\.value), names = space.map(\.name)
        for (k, p) in space.enumerated() {
            guard let c = p.condition else { continue }
            let cv = values[k]["condition"]!
            guard names.contains(c.parameter), c.parameter != p.name else {
                let hint = ConfigWords.didYouMean(c.parameter, names.filter { $0 != p.name }, quote: "`") ?? "the parameters are: " + names.joined(separator: ", ")
                throw ConfigError(kind: .invalidValue, file: file, keyPath: cv.path + ".parameter", location: cv["parameter"]?.location ?? cv.location,
                                  message: "`\(cv.path).parameter` refers to `\(c.parameter)`, which is not \(c.parameter == p.name ? "another" : "a") parameter of the search space",
                                  hint: hint)
            }
            var seen: Set<String> = [p.name]
            var next = parameter(c.parameter)
            while let q = next, let qc = q.condition {
                guard seen.insert(q.name).inserted else { throw ConfigError.conflict(cv, "the conditions of `\(p.name)` form a cycle", file: file) }
                next = parameter(qc.parameter)
            }
        }
        if sampler == .grid, let k = space.firstIndex(where: { $0.distribution.gridValues == nil }) {
            throw ConfigError.invalid(values[k], "a choice, int or quantized range for the grid sampler", file: file,
                                      hint: "continuous ranges cannot be enumerated; use tpe or random, or quantize the range")
        }
    }
}

/// One parameter of a search space: `{"<distribution>": [...], "condition": {...}}`; sampled
/// only when its condition holds, otherwise left at the config's value.
public struct SearchParameter: Codable, Equatable, Sendable {
    /// The config key path the sampled value sets.
    public var name: String
    public var distribution: SearchDistribution
    public var condition: SearchCondition?

    public init(name: String, distribution: SearchDistribution, condition: SearchCondition? = nil) {
        (self.name, self.distribution, self.condition) = (name, distribution, condition)
    }

    static func decode(name: String, _ v: ConfigValue, file: String?) throws -> SearchParameter {
        let kinds = SearchDistribution.kinds, listed = kinds.map { "`\($0)`" }.joined(separator: ", ")
        try v.checkKeys(kinds + ["condition"], file: file, what: "an object with one of " + listed)
        let given = kinds.filter { v[given: $0] != nil }
        guard given.count == 1 else {
            if given.isEmpty { throw ConfigError.at(v, .missingKey, "`\(v.path)` needs a distribution: one of " + listed, file: file) }
            throw ConfigError.conflict(v[given[1]]!, "`\(v.path)` has more than one distribution (\(given.joined(separator: ", ")))", file: file)
        }
        return SearchParameter(name: name, distribution: try SearchDistribution.decode(given[0], v[given[0]]!, file: file),
                               condition: try v[given: "condition"].map { try SearchCondition.decode($0, file: file) })
    }

    var encoded: ConfigValue.Kind {
        let d = distribution.written
        return .object([.init(key: d.key, value: ConfigValue(.array(d.values.map { ConfigValue($0.kind) })))]
                       + (condition.map { [.init(key: "condition", value: ConfigValue($0.encoded))] } ?? []))
    }
}

/// A distribution to sample a parameter from.
public enum SearchDistribution: Codable, Equatable, Sendable {
    /// `{"choice": [a, b, …]}`: one of the values (numbers, strings, booleans), non-empty.
    case choice([SearchValue])
    /// `{"uniform": [low, high]}`, low ≤ high.
    case uniform(low: Double, high: Double)
    /// `{"log_uniform": [low, high]}`: uniform in log space, 0 < low ≤ high.
    case logUniform(low: Double, high: Double)
    /// `{"quantized": [low, high, q]}`: uniform, rounded to a multiple of q > 0 (hyperopt's quniform).
    case quantized(low: Double, high: Double, q: Double)
    /// `{"int": [low, high]}`: an integer in [low, high], both included.
    case int(low: Int, high: Int)

    static let kinds = ["choice", "uniform", "log_uniform", "quantized", "int"]

    /// The key and values it is written with.
    var written: (key: String, values: [SearchValue]) {
        switch self {
        case let .choice(v): return ("choice", v)
        case let .uniform(l, h): return ("uniform", [.number(l), .number(h)])
        case let .logUniform(l, h): return ("log_uniform", [.number(l), .number(h)])
        case let .quantized(l, h, q): return ("quantized", [.number(l), .number(h), .number(q)])
        case let .int(l, h): return ("int", [.number(Double(l)), .number(Double(h))])
        }
    }

    /// All values, for the grid sampler; nil for continuous ranges.
    public var gridValues: [SearchValue]? {
        switch self {
        case let .choice(v): return v
        case let .int(l, h): return (l...h).map { .number(Double($0)) }
        case let .quantized(l, h, q):
            var out: [SearchValue] = []
            var k = (l / q).rounded(.up)
            while k * q <= h + 1e-12 * max(1, abs(h)) { out.append(.number(k * q)); k += 1 }
            return out
        default: return nil
        }
    }

    /// The low end of a range (or the first choice), as a value to try.
    var lowValue: SearchValue? { written.values.first }

    static func decode(_ kind: String, _ v: ConfigValue, file: String?) throws -> SearchDistribution {
        if kind == "choice" {
            return .choice(try ConfigFormat.list(SearchValue.format, ConfigWords.nonEmptyValues, nonEmpty: true).read(v, file))
        }
        let count = kind == "quantized" ? 3 : 2
        let expected = kind == "quantized" ? "[low, high, q], three numbers" : (kind == "int" ? "[low, high], two integers" : "[low, high], two numbers")
        let x = try v.items(expected, file: file).map { item -> Double in
            guard case let .number(n) = item.kind else { throw ConfigError.wrongType(v, expected, file: file) }
            return n
        }
        guard x.count == count else { throw ConfigError.wrongType(v, expected, file: file) }
        guard x[0] <= x[1] else { throw ConfigError.invalid(v, ConfigWords.lowHigh, file: file, hint: ConfigWords.emptyRange) }
        switch kind {
        case "uniform": return .uniform(low: x[0], high: x[1])
        case "log_uniform":
            guard x[0] > 0 else { throw ConfigError.invalid(v, "a range with 0 < low ≤ high (log scale)", file: file) }
            return .logUniform(low: x[0], high: x[1])
        case "quantized":
            guard x[2] > 0 else { throw ConfigError.invalid(v, "[low, high, q] with a step q > 0", file: file) }
            return .quantized(low: x[0], high: x[1], q: x[2])
        default:
            guard x.allSatisfy({ $0 == $0.rounded() && abs($0) < ConfigValue.exactIntegerLimit }) else { throw ConfigError.wrongType(v, expected, file: file) }
            return .int(low: Int(x[0]), high: Int(x[1]))
        }
    }
}

/// A scalar a search can take: a number, a string or a boolean.
public enum SearchValue: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    case number(Double)
    case string(String)
    case bool(Bool)

    /// The value as `--set` text (JSON).
    public var description: String { ConfigValue(kind).description }

    /// The value as a config node.
    var kind: ConfigValue.Kind {
        switch self {
        case let .number(x): return .number(x)
        case let .string(s): return .string(s)
        case let .bool(b): return .bool(b)
        }
    }

    static var format: ConfigFormat<SearchValue> { ConfigFormat(expected: "a number, string or boolean", read: { v, file in
        switch v.kind {
        case let .number(x): return .number(x)
        case let .string(s): return .string(s)
        case let .bool(b): return .bool(b)
        default: throw ConfigError.wrongType(v, "a number, string or boolean", file: file)
        }
    }, write: \.kind) }
}

/// `condition`: `{"parameter": "model.width_rule.middle.count", "in": [2, 3]}` or
/// `{"parameter": …, "at_least": 2}`; the parameter is sampled only when it holds.
public struct SearchCondition: Codable, Equatable, Sendable, ConfigSchema {
    /// The parameter the condition looks at (another parameter of the space).
    public var parameter: String
    /// Holds when that parameter's value is one of these.
    public var oneOf: [SearchValue]?
    /// Holds when that parameter's value is a number ≥ this.
    public var atLeast: Double?

    public init(parameter: String, oneOf: [SearchValue]? = nil, atLeast: Double? = nil) {
        (self.parameter, self.oneOf, self.atLeast) = (parameter, oneOf, atLeast)
    }

    /// Whether the condition holds for `value` of `parameter`.
    public func holds(for value: SearchValue) -> Bool {
        if let oneOf, !oneOf.contains(value) { return false }
        guard let atLeast else { return true }
        if case let .number(x) = value { return x >= atLeast }
        return false
    }

    static var defaults: SearchCondition { SearchCondition(parameter: "") }
    static var objectWording: String { "an object such as {\"parameter\": \"model.width_rule.middle.count\", \"at_least\": 2}" }
    static var schema: [ConfigKey<SearchCondition>] {
        var name = ConfigFormat<String>.string
        name.expected = "the name of another parameter of the space"
        return [.key("parameter", \.parameter, name, required: true, "the parameter looked at"),
                .optional("in", \.oneOf, .list(SearchValue.format, ConfigWords.nonEmptyValues, nonEmpty: true), "holds for these values"),
                .optional("at_least", \.atLeast, .number(), "holds for a number at least this")]
    }

    mutating func validate(_ v: ConfigValue, file: String?) throws {
        if oneOf == nil, atLeast == nil { throw ConfigError.at(v, .missingKey, "`\(v.path)` needs `in` (a list of values) or `at_least` (a number)", file: file) }
    }
}
