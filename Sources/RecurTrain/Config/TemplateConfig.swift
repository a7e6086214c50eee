/// The old platform's configuration template (`seed-config-template.json`), read as it is and
/// mapped onto the native schema as DESIGN.md section 2 states: `table` declares each template
/// key once (what it must be and the native key it sets; docs/config.md's table is checked
/// against it by `ConfigDocsTests`), and the checked template becomes a native document whose
/// values keep their template key paths and positions, so later errors still name template keys.
/// A document is a template when its top level has `input_csv`, `numeric_var` or `base_config`.
/// Everything else takes the native defaults (batch 32, shuffle, seed 42, split 0.6/0.2/0.2, minmax).
public enum TemplateConfig {
    /// Keys that mark a document as a template.
    public static let markers = ["input_csv", "numeric_var", "base_config"]

    /// The search parameter names the template's `hyperopt_pars` maps to.
    public enum SearchNames {
        public static let firstMult = "model.width_rule.first.mult"
        public static let firstDropout = "model.width_rule.first.dropout"
        public static let middleCount = "model.width_rule.middle.count"
        public static let middleMult = "model.width_rule.middle.mult"
        public static let middleDropout = "model.width_rule.middle.dropout"
        public static let lastMult = "model.width_rule.last.mult"
        public static let lastDropout = "model.width_rule.last.dropout"
    }

    /// One template key: its path, the native key it sets (nil: checked, not copied), whether it
    /// must be given (when its object is), and its check (nil: an object of the keys below it).
    struct Key {
        var path: String
        var native: String?
        var required: Bool
        var expected: String
        var check: ((ConfigValue, String?) throws -> Void)?

        init<T>(_ path: String, _ native: String?, _ format: ConfigFormat<T>, required: Bool = false) {
            (self.path, self.native, self.required, self.expected) = (path, native, required, format.expected)
            check = { _ = try format.read($0, $1) }
        }

        init(object path: String, required: Bool) { (self.path, self.native, self.required, self.expected) = (path, nil, required, "an object") }

        var name: String { String(path.split(separator: ".").last!) }
        var parent: String { path.split(separator: ".").dropLast().joined(separator: ".") }
    }

    static var table: [Key] {
        let string = ConfigFormat<String>.string, positive = ConfigFormat<Double>.number(.positive), rate = ConfigFormat<Double>.number(.rate)
        let count = ConfigFormat<Int>.int(min: 1), atLeast0 = ConfigFormat<Int>.int(min: 0)
        let pair = ConfigFormat.list(ConfigFormat<Double>.number(), "[low, high], two numbers").checked { $0.count == 2 ? nil : "[low, high], two numbers" }
        let range = ConfigFormat.list(rate, "[low, high], two numbers in [0, 1)")
            .checked { $0.count == 2 ? nil : "[low, high], two numbers in [0, 1)" }
            .checked({ $0[0] <= $0[1] ? nil : ConfigWords.lowHigh }, hint: ConfigWords.emptyRange)
        var keys: [Key] = [.init("input_csv", "data.path", string, required: true),
                           .init("output_log_file", "output.log_file", string),
                           .init("output_models_path", "output.directory", string),
                           .init("output_results_path", "output.results_csv", string),
                           .init("n_past_steps", "window.n_past_steps", count, required: true),
                           .init("date_col", "data.date_column", string, required: true),
                           .init("hr_col", "data.hour_column", string),
                           .init("numeric_var", "data.target", string, required: true),
                           .init("sensor_var", "data.station_column", string),
                           .init("target_sensor", "data.station", string),
                           .init("early_stop_patience", "training.early_stopping.patience", atLeast0),
                           .init("epochs", "training.epochs", count, required: true),
                           .init(object: "base_config", required: true)]
        for (group, native) in [("base_config.first_layer", "first"), ("base_config.last_layer", "last"), ("mid_layers_config", "middle")] {
            let rule = "model.width_rule." + native
            keys += [.init(object: group, required: true), .init(group + ".mult", rule + ".mult", positive, required: true),
                     .init(group + ".dropout_rate", rule + ".dropout", rate), .init(group + ".dropout_range", nil, pair)]
        }
        return keys + [.init("mid_layers_config.n_layers", SearchNames.middleCount, ConfigFormat<Int>.int(min: 0, max: WidthRule.maxMiddleLayers), required: true),
                       .init(object: "hyperopt_pars", required: false),
                       .init("hyperopt_pars.mid_layers", nil, ConfigFormat.list(atLeast0, "a non-empty array of numbers", nonEmpty: true), required: true),
                       .init("hyperopt_pars.mults", nil, ConfigFormat.list(positive, "a non-empty array of numbers", nonEmpty: true), required: true),
                       .init("hyperopt_pars.dropout_rate_range", nil, range, required: true),
                       .init("hyperopt_pars.max_evals", "search.max_evals", count, required: true),
                       .init("model_loss", "training.loss", LossConfig.nameFormat),
                       .init("optimizer", "training.optimizer", ConfigFormat.choice(OptimizerConfig.Name.self))]
    }

    /// The template's top-level keys.
    static var keyNames: [String] { table.filter { $0.parent.isEmpty }.map(\.name) }

    /// Whether `tree` is a template rather than a native config.
    public static func isTemplate(_ tree: ConfigValue) -> Bool { tree.members?.contains { markers.contains($0.key) } ?? false }

    /// The template key that sets the native `key` (`data.target` → `numeric_var`), or `key` itself.
    static func key(forNative key: String) -> String { table.first { $0.native == key }?.path ?? key }

    /// The checked template as a native document.
    /// - Throws: `ConfigError` naming the template key.
    static func nativeTree(_ tree: ConfigValue, file: String?) throws -> ConfigValue {
        try check(tree, at: "", file: file)
        for (given, needed, what) in [("sensor_var", "target_sensor", "the station to keep"), ("target_sensor", "sensor_var", "the station column")]
        where tree[given: given] != nil && tree[given: needed] == nil {
            throw ConfigError.missing(tree, needed, "\(what), since `\(given)` is given", file: file)
        }
        var native = ConfigValue(.object([]))
        func value(_ path: String) -> ConfigValue? {
            path.split(separator: ".").reduce(Optional(tree)) { $0?[given: String($1)] }
        }
        func put(_ path: String, _ value: ConfigValue) { native = native.setting(path.split(separator: ".").map(String.init)[...], to: value) }
        for k in table { if let n = k.native, let v = value(k.path) { put(n, v) } }
        if var r = value("output_results_path"), case let .string(s) = r.kind, !s.lowercased().hasSuffix(".csv") {
            r.kind = .string(ConfigPaths.join(s, "results.csv"))
            put("output.results_csv", r)
        }
        if value("output_models_path") == nil { put("output.directory", ConfigValue(.string("models/"))) }
        if let h = value("hyperopt_pars") {
            // The middle group's settings matter only when there are middle layers.
            let middle = (try? h["mid_layers"]!.items("", file: nil))?.contains { $0.kind == .number(0) } ?? false
            let atLeast = ConfigValue(.object([.init(key: "parameter", value: ConfigValue(.string(SearchNames.middleCount))),
                                               .init(key: "at_least", value: ConfigValue(.number(1)))]))
            let n = SearchNames.self
            let space = [(n.firstMult, "choice", "mults", false), (n.firstDropout, "uniform", "dropout_rate_range", false),
                         (n.middleCount, "choice", "mid_layers", false), (n.middleMult, "choice", "mults", middle),
                         (n.middleDropout, "uniform", "dropout_rate_range", middle), (n.lastMult, "choice", "mults", false),
                         (n.lastDropout, "uniform", "dropout_rate_range", false)].map { name, kind, values, conditional in
                ConfigValue.Member(key: name, value: ConfigValue(.object([.init(key: kind, value: h[values]!)] + (conditional ? [.init(key: "condition", value: atLeast)] : [])),
                                                                 path: "search.space." + name))
            }
            put("search.space", ConfigValue(.object(space), path: "search.space"))
        }
        return native
    }

    /// Checks the object at `prefix` against the keys `table` declares below it.
    static func check(_ object: ConfigValue, at prefix: String, file: String?) throws {
        let keys = table.filter { $0.parent == prefix }
        try object.checkKeys(keys.map(\.name), file: file, what: prefix.isEmpty ? "a JSON object" : "an object")
        for k in keys {
            guard let v = object[given: k.name] else {
                if k.required { throw ConfigError.missing(object, k.name, k.expected, file: file, hint: k.native) }
                continue
            }
            if let read = k.check { try read(v, file) } else { try check(v, at: k.path, file: file) }
        }
    }
}

extension ConfigValue {
    /// A copy with `value` (as it is: its path and location) at the key path `keys`, objects created on the way.
    func setting(_ keys: ArraySlice<String>, to value: ConfigValue) -> ConfigValue {
        guard let key = keys.first else { return value }
        var members = self.members ?? []
        let k = members.firstIndex { $0.key == key } ?? members.count
        if k == members.count { members.append(.init(key: key, value: ConfigValue(.object([]), path: ConfigValue.childPath(path, key)))) }
        members[k].value = members[k].value.setting(keys.dropFirst(), to: value)
        var copy = self
        copy.kind = .object(members)
        return copy
    }
}
