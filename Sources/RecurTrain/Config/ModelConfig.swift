/// `model`: the network, as an explicit list of layers or as the template's width rule.
/// The output Dense layer is added automatically when needed (see `ModelConfig+Architecture.swift`).
public enum ModelConfig: Equatable, Sendable {
    /// `{"layers": [...]}`.
    case layers([LayerConfig])
    /// `{"width_rule": {...}}`.
    case widthRule(WidthRule)

    /// The default model: one LSTM sized by the `"auto"` rule, then the output Dense.
    public static let standard = ModelConfig.layers([LayerConfig(type: .lstm, units: .auto)])

    static var configFormat: ConfigFormat<ModelConfig> {
        ConfigFormat(expected: "an object", read: decode, write: { model in
            switch model {
            case let .layers(l): return .object([.init(key: "layers", value: ConfigValue(.array(l.map { ConfigValue($0.encoded) })))])
            case let .widthRule(w): return .object([.init(key: "width_rule", value: ConfigValue(w.encoded))])
            }
        })
    }

    static func decode(_ value: ConfigValue, file: String?) throws -> ModelConfig {
        try value.checkKeys(["layers", "width_rule"], file: file)
        switch (value[given: "layers"], value[given: "width_rule"]) {
        case (_?, let w?):
            throw ConfigError.conflict(w, "`\(value.path).layers` and `\(w.path)` cannot both be given", file: file,
                                       hint: "describe the network either layer by layer or by the width rule")
        case (let l?, nil):
            let items = try l.items("an array of layers", file: file)
            guard !items.isEmpty else { throw ConfigError.invalid(l, "a non-empty array of layers", file: file) }
            let layers = try items.map { try LayerConfig.decode($0, file: file) }
            guard let first = layers.firstIndex(where: { $0.type.isRecurrent }) else {
                throw ConfigError.invalid(l, "a list with at least one recurrent layer (lstm, gru or simple_rnn)", file: file)
            }
            if let bad = layers[..<first].firstIndex(where: { $0.type == .dense }) {
                throw ConfigError.invalid(items[bad], "a layer after the first recurrent one (a dense layer before it is not supported)", file: file)
            }
            return .layers(layers)
        case (nil, let w?):
            return .widthRule(try WidthRule.decode(w, file: file))
        case (nil, nil):
            throw ConfigError(kind: .missingKey, file: file, keyPath: ConfigValue.childPath(value.path, "layers"), location: value.location,
                              message: "`\(value.path)` needs `layers` (a list of layers) or `width_rule`")
        }
    }
}

/// One entry of `model.layers` (the keys each layer type takes are declared in `schema`).
public struct LayerConfig: Equatable, Sendable, ConfigSchema {
    /// Layer kinds (`type`).
    public enum LayerType: String, Codable, CaseIterable, Sendable {
        case lstm, gru
        case simpleRNN = "simple_rnn"
        case dense, dropout

        /// LSTM, GRU or SimpleRNN.
        public var isRecurrent: Bool { self != .dense && self != .dropout }
    }

    public var type: LayerType
    /// A count or `"auto"`; required for recurrent layers, nil for dropout, nil for dense
    /// meaning the model's output width.
    public var units: Units?
    /// nil: true when another recurrent layer follows, else false.
    public var returnSequences: Bool?
    /// nil: tanh for recurrent layers, linear for dense.
    public var activation: String?
    /// nil: sigmoid.
    public var recurrentActivation: String?
    /// nil: true (Keras 3, PyTorch, cuDNN).
    public var resetAfter: Bool?
    /// Adds a Dropout layer of this rate after this one.
    public var dropout: Double?
    /// Dropout layers' rate, in [0, 1).
    public var rate: Double?

    /// Activation names the engine knows.
    public static let activations = ["tanh", "sigmoid", "hard_sigmoid", "relu", "linear"]

    static var defaults: LayerConfig { LayerConfig(type: .lstm) }
    static var objectWording: String { "a layer object such as {\"type\": \"lstm\", \"units\": 32}" }
    static var schema: [ConfigKey<LayerConfig>] {
        let recurrent = ["lstm", "gru", "simple_rnn"], weighted = recurrent + ["dense"]
        return [.key("type", \.type, .choice(LayerType.self), required: true, "layer kind"),
                .optional("units", \.units, Units.configFormat, "a count or \"auto\"").only(weighted),
                .optional("return_sequences", \.returnSequences, .bool, "return every step's output").only(recurrent),
                .optional("activation", \.activation, .oneOf(activations), "output activation").only(weighted),
                .optional("recurrent_activation", \.recurrentActivation, .oneOf(activations), "gate activation").only("lstm", "gru"),
                .optional("reset_after", \.resetAfter, .bool, "GRU formulation with two biases").only("gru"),
                .optional("dropout", \.dropout, .number(.rate), "adds a Dropout layer of this rate after this one").only(weighted),
                .optional("rate", \.rate, .number(.rate), "dropout rate").only("dropout")]
    }

    mutating func validate(_ v: ConfigValue, file: String?) throws {
        try v.checkKeys(Self.keyNames(for: type.rawValue), file: file)
        if type == .dropout, rate == nil { throw ConfigError.missing(v, "rate", "the dropout rate, a number in [0, 1)", file: file) }
        if type.isRecurrent, units == nil { throw ConfigError.missing(v, "units", Units.expected, file: file) }
    }
}

/// A layer's `units`: a fixed count (≥ 1) or the seeds' `"auto"` rule (`Units.autoUnits`).
public enum Units: Codable, Equatable, Sendable, CustomStringConvertible {
    case auto
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
        guard case let .count(n) = self else { return Units.autoUnits(inputCount: inputCount) }
        return n
    }

    public var description: String {
        guard case let .count(n) = self else { return "auto" }
        return "\(n)"
    }

    static let expected = "a positive integer or \"auto\""

    static var configFormat: ConfigFormat<Units> {
        .word("auto", .auto, or: ConfigFormat.int(min: 1).map(Units.count, { if case let .count(n) = $0 { n } else { 0 } }), expected: expected)
    }
}

/// `model.width_rule`: the template's architecture. The first recurrent layer has
/// `first.mult × n_past_steps` units; each of the `middle.count` middle layers `middle.mult ×`
/// the previous layer's units; the last `last.mult ×` the previous layer's units (units are
/// rounded to the nearest integer, at least 1). Every recurrent layer is followed by
/// Dropout(its `dropout`), then comes the output Dense.
public struct WidthRule: Equatable, Sendable, ConfigSchema {
    /// One layer group's multiplier (> 0), Dropout rate ([0, 1)) and, in the middle group only,
    /// number of layers (0 allowed).
    public struct Group: Equatable, Sendable, ConfigSchema {
        public var count: Int
        public var mult: Double
        public var dropout: Double

        public init(mult: Double = 2, dropout: Double = 0.2, count: Int = 1) { (self.mult, self.dropout, self.count) = (mult, dropout, count) }

        static var defaults: Group { Group() }
        static var schema: [ConfigKey<Group>] {
            [.key("count", \.count, .int(min: 0, max: WidthRule.maxMiddleLayers), "number of middle layers"),
             .key("mult", \.mult, .number(.positive), "units multiplier"),
             .key("dropout", \.dropout, .number(.rate), "rate of the Dropout after each layer")]
        }

        /// The group as a key of a width rule: `count` only in the middle group; absent keys from `start`.
        static func configFormat(middle: Bool, start: Group) -> ConfigFormat<Group> {
            ConfigFormat(expected: "an object", read: { v, file in
                if !middle { try v.checkKeys(["mult", "dropout"], file: file) }
                return try decode(v, file: file, from: start)
            }, write: { g in
                guard !middle, case let .object(m) = g.encoded else { return g.encoded }
                return .object(m.filter { $0.key != "count" })
            })
        }
    }

    public var cell = LayerConfig.LayerType.lstm
    public var first = Group()
    public var middle = Group(count: 2)
    public var last = Group()

    static var defaults: WidthRule { WidthRule() }
    static var schema: [ConfigKey<WidthRule>] {
        let cells = LayerConfig.LayerType.allCases.filter(\.isRecurrent)
        return [.key("cell", \.cell, .choice(cells.map { ($0.rawValue, $0) }), "recurrent cell of every layer"),
                .key("first", \.first, Group.configFormat(middle: false, start: defaults.first), "first layer: mult × n_past_steps units"),
                .key("middle", \.middle, Group.configFormat(middle: true, start: defaults.middle), "count layers, each mult × the previous"),
                .key("last", \.last, Group.configFormat(middle: false, start: defaults.last), "last layer: mult × the previous layer's units")]
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
}
