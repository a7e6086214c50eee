/// `model`: the network, as an explicit list of layers or as the template's width rule.
/// The output Dense layer is added automatically when needed (see `ModelConfig+Architecture.swift`).
public enum ModelConfig: Codable, Equatable, Sendable {
    /// `{"layers": [...]}`.
    case layers([LayerConfig])
    /// `{"width_rule": {...}}`.
    case widthRule(WidthRule)

    /// The default model: one LSTM sized by the `"auto"` rule, then the output Dense.
    public static let standard = ModelConfig.layers([LayerConfig(type: .lstm, units: .auto)])

    static let keys = ["layers", "width_rule"]

    static func decode(_ value: ConfigValue, file: String?) throws -> ModelConfig {
        let r = try ObjectReader(value, allowed: keys, file: file)
        switch (r.value("layers"), r.value("width_rule")) {
        case (_?, let w?):
            throw ConfigError.conflict(w, "`\(r.path("layers"))` and `\(w.path)` cannot both be given", file: file,
                                       hint: "describe the network either layer by layer or by the width rule")
        case (let l?, nil):
            let items = try ConfigReader.array(l, "an array of layers", file: file)
            guard !items.isEmpty else { throw ConfigError.invalid(l, "a non-empty array of layers", file: file) }
            let layers = try items.map { try LayerConfig.decode($0, file: file) }
            try checkOutput(layers, items)
            return .layers(layers)
        case (nil, let w?):
            return .widthRule(try WidthRule.decode(w, file: file))
        case (nil, nil):
            throw ConfigError(kind: .missingKey, file: file, keyPath: r.path("layers"), location: value.location,
                              message: "`\(r.path)` needs `layers` (a list of layers) or `width_rule`")
        }

        func checkOutput(_ layers: [LayerConfig], _ items: [ConfigValue]) throws {
            guard layers.contains(where: { $0.type.isRecurrent }) else {
                throw ConfigError.invalid(value["layers"]!, "a list with at least one recurrent layer (lstm, gru or simple_rnn)", file: file)
            }
            if let first = layers.firstIndex(where: { $0.type.isRecurrent }),
               let bad = layers[..<first].firstIndex(where: { $0.type == .dense }) {
                throw ConfigError.invalid(items[bad], "a layer after the first recurrent one (a dense layer before it is not supported)", file: file)
            }
        }
    }
}

/// One entry of `model.layers`.
public struct LayerConfig: Codable, Equatable, Sendable {
    /// Layer kinds (`type`).
    public enum LayerType: String, Codable, CaseIterable, Sendable {
        case lstm, gru
        case simpleRNN = "simple_rnn"
        case dense, dropout

        /// LSTM, GRU or SimpleRNN.
        public var isRecurrent: Bool { self == .lstm || self == .gru || self == .simpleRNN }
    }

    /// `type`, required.
    public var type: LayerType
    /// `units`: a count or `"auto"`; required for recurrent layers, nil for dropout, nil for dense
    /// meaning the model's output width.
    public var units: Units?
    /// `return_sequences`; nil: true when another recurrent layer follows, else false.
    public var returnSequences: Bool?
    /// `activation`; nil: tanh for recurrent layers, linear for dense.
    public var activation: String?
    /// `recurrent_activation` (LSTM, GRU); nil: sigmoid.
    public var recurrentActivation: String?
    /// `reset_after` (GRU); nil: true (Keras 3, PyTorch, cuDNN).
    public var resetAfter: Bool?
    /// `dropout`: adds a Dropout layer of this rate after this one.
    public var dropout: Double?
    /// `rate` (dropout layers), in [0, 1).
    public var rate: Double?

    public init(type: LayerType, units: Units? = nil, returnSequences: Bool? = nil, activation: String? = nil,
                recurrentActivation: String? = nil, resetAfter: Bool? = nil, dropout: Double? = nil, rate: Double? = nil) {
        self.type = type
        self.units = units
        self.returnSequences = returnSequences
        self.activation = activation
        self.recurrentActivation = recurrentActivation
        self.resetAfter = resetAfter
        self.dropout = dropout
        self.rate = rate
    }

    /// Activation names the engine knows.
    public static let activations = ["tanh", "sigmoid", "hard_sigmoid", "relu", "linear"]

    static func keys(for type: LayerType) -> [String] {
        switch type {
        case .lstm: return ["type", "units", "return_sequences", "activation", "recurrent_activation", "dropout"]
        case .gru: return ["type", "units", "return_sequences", "activation", "recurrent_activation", "reset_after", "dropout"]
        case .simpleRNN: return ["type", "units", "return_sequences", "activation", "dropout"]
        case .dense: return ["type", "units", "activation", "dropout"]
        case .dropout: return ["type", "rate"]
        }
    }

    static func decode(_ value: ConfigValue, file: String?) throws -> LayerConfig {
        guard value.members != nil else { throw ConfigError.wrongType(value, "a layer object such as {\"type\": \"lstm\", \"units\": 32}", file: file) }
        let typeValue = try ObjectReader(value, allowed: value.members!.map(\.key), file: file)
            .require("type", "the layer type: " + ConfigReader.alternatives(LayerType.allCases.map(\.rawValue)))
        let type = try ConfigReader.choice(typeValue, LayerType.self, file: file)
        let r = try ObjectReader(value, allowed: keys(for: type), file: file)
        var layer = LayerConfig(type: type)
        switch type {
        case .dropout:
            layer.rate = try ConfigReader.double(try r.require("rate", "the dropout rate, a number in [0, 1)"), .rate, file: file)
        case .dense:
            if let u = r.value("units") { layer.units = try Units.decode(u, file: file) }
        default:
            layer.units = try Units.decode(try r.require("units", "a positive integer or \"auto\""), file: file)
        }
        layer.returnSequences = try r.bool("return_sequences")
        layer.activation = try activation(r, "activation")
        layer.recurrentActivation = try activation(r, "recurrent_activation")
        layer.resetAfter = try r.bool("reset_after")
        layer.dropout = try r.double("dropout", .rate)
        return layer
    }

    static func activation(_ r: ObjectReader, _ key: String) throws -> String? {
        guard let v = r.value(key) else { return nil }
        let s = try ConfigReader.string(v, file: r.file)
        guard activations.contains(s) else {
            throw ConfigError.invalid(v, "one of " + ConfigReader.alternatives(activations), file: r.file,
                                      hint: Suggestion.closest(to: s, among: activations).map { "did you mean \"\($0)\"?" })
        }
        return s
    }
}

/// A layer's `units`: a fixed count or the seeds' `"auto"` rule.
public enum Units: Codable, Equatable, Sendable, CustomStringConvertible {
    /// The smallest power of two at least twice the number of inputs (`Units.autoUnits`).
    case auto
    /// A fixed count, ≥ 1.
    case count(Int)

    /// The seeds' sizing rule: the smallest power of two ≥ 2 × `inputCount`, where
    /// `inputCount = n_past_steps × features`. E.g. 3 inputs → 8, 12 → 32, 16 → 32.
    public static func autoUnits(inputCount: Int) -> Int {
        let want = max(1, 2 * inputCount)
        var units = 1
        while units < want { units <<= 1 }
        return units
    }

    /// The count for a model with `inputCount` inputs per sample.
    public func resolved(inputCount: Int) -> Int {
        switch self {
        case .auto: return Units.autoUnits(inputCount: inputCount)
        case let .count(n): return n
        }
    }

    public var description: String {
        switch self {
        case .auto: return "auto"
        case let .count(n): return "\(n)"
        }
    }

    static func decode(_ v: ConfigValue, file: String?) throws -> Units {
        if case .string("auto") = v.kind { return .auto }
        guard case .number = v.kind else { throw ConfigError.wrongType(v, "a positive integer or \"auto\"", file: file) }
        do {
            return .count(try ConfigReader.int(v, min: 1, file: file))
        } catch {
            throw ConfigError.invalid(v, "a positive integer or \"auto\"", file: file)
        }
    }
}

/// `model.width_rule`: the template's architecture. The first recurrent layer has
/// `first.mult × n_past_steps` units; each of the `middle.count` middle layers `middle.mult ×`
/// the previous layer's units; the last `last.mult ×` the previous layer's units (units are
/// rounded to the nearest integer, at least 1). Every recurrent layer is followed by
/// Dropout(its `dropout`), then comes the output Dense.
public struct WidthRule: Codable, Equatable, Sendable {
    /// One layer group's multiplier and dropout rate.
    public struct Group: Codable, Equatable, Sendable {
        /// Units multiplier, > 0 (`mult`, default 2).
        public var mult: Double
        /// Rate of the Dropout after each layer, in [0, 1) (`dropout`, default 0.2).
        public var dropout: Double
        /// Number of layers (`count`, middle group only, default 2; 0 allowed).
        public var count: Int

        public init(mult: Double = 2, dropout: Double = 0.2, count: Int = 1) {
            self.mult = mult
            self.dropout = dropout
            self.count = count
        }
    }

    /// Recurrent cell type (`cell`), default lstm.
    public var cell: LayerConfig.LayerType
    /// `first`.
    public var first: Group
    /// `middle` (uses `count`).
    public var middle: Group
    /// `last`.
    public var last: Group

    public init(cell: LayerConfig.LayerType = .lstm, first: Group = Group(), middle: Group = Group(count: 2), last: Group = Group()) {
        self.cell = cell
        self.first = first
        self.middle = middle
        self.last = last
    }

    /// Where `units(nPastSteps:)` saturates, far beyond any model that fits in memory.
    static let saturatedUnits = 1 << 40
    /// The most middle layers (`middle.count`, the template's `n_layers`).
    public static let maxMiddleLayers = 100

    /// Units of every recurrent layer, first to last, for windows of `nPastSteps` steps.
    /// E.g. the template (mult 2 throughout, 2 middle layers, 12 steps): [24, 48, 96, 192].
    public func units(nPastSteps: Int) -> [Int] {
        // Saturates (at 2⁴⁰) rather than trapping on a huge product; the size check refuses it.
        func scaled(_ mult: Double, _ base: Int) -> Int {
            let x = (mult * Double(base)).rounded()
            return x < Double(WidthRule.saturatedUnits) ? max(1, Int(x)) : WidthRule.saturatedUnits
        }
        var units = [scaled(first.mult, nPastSteps)]
        for _ in 0..<middle.count { units.append(scaled(middle.mult, units.last!)) }
        units.append(scaled(last.mult, units.last!))
        return units
    }

    static func decode(_ value: ConfigValue, file: String?) throws -> WidthRule {
        let r = try ObjectReader(value, allowed: ["cell", "first", "middle", "last"], file: file)
        var rule = WidthRule()
        if let c = r.value("cell") {
            let cell = try ConfigReader.choice(c, LayerConfig.LayerType.self, file: file)
            guard cell.isRecurrent else { throw ConfigError.invalid(c, "one of \"lstm\", \"gru\" or \"simple_rnn\"", file: file) }
            rule.cell = cell
        }
        func group(_ key: String, _ fallback: Group, withCount: Bool) throws -> Group {
            guard let v = r.value(key) else { return fallback }
            let g = try ObjectReader(v, allowed: withCount ? ["count", "mult", "dropout"] : ["mult", "dropout"], file: file)
            return Group(mult: try g.double("mult", .positive) ?? fallback.mult,
                         dropout: try g.double("dropout", .rate) ?? fallback.dropout,
                         count: try g.int("count", min: 0, max: WidthRule.maxMiddleLayers) ?? fallback.count)
        }
        rule.first = try group("first", rule.first, withCount: false)
        rule.middle = try group("middle", rule.middle, withCount: true)
        rule.last = try group("last", rule.last, withCount: false)
        return rule
    }
}
