/// The old platform's configuration template (`seed-config-template.json`), read as it is and
/// mapped onto `RecurConfig` as DESIGN.md section 2 states (the key-by-key table is in
/// docs/config.md, checked against `schema` by `ConfigDocsTests`). A document is a template when
/// its top level has `input_csv`, `numeric_var` or `base_config`. Everything else takes the
/// native defaults (batch 32, shuffle, seed 42, split 0.6/0.2/0.2, minmax).
public struct TemplateConfig: Equatable, Sendable, ConfigSchema {
    /// One layer group of `base_config` or `mid_layers_config`.
    public struct LayerGroup: Equatable, Sendable, ConfigSchema {
        /// Units multiplier, > 0; required.
        public var mult: Double = 1
        /// Rate of the Dropout after each layer of the group.
        public var dropoutRate = 0.2
        /// Accepted, not used by training (the search uses `hyperopt_pars`).
        public var dropoutRange: [Double]?
        /// `mid_layers_config` only, required there.
        public var nLayers: Int?

        static var defaults: LayerGroup { LayerGroup() }
        static var schema: [ConfigKey<LayerGroup>] {
            [.key("mult", \.mult, .number(.positive), required: true, "units multiplier"),
             .key("dropout_rate", \.dropoutRate, .number(.rate), "rate of the Dropout after each layer"),
             .optional("dropout_range", \.dropoutRange, .list(.number(), "[low, high], two numbers").checked { $0.count == 2 ? nil : "[low, high], two numbers" },
                       "accepted, unused by training"),
             .optional("n_layers", \.nLayers, .int(min: 0, max: WidthRule.maxMiddleLayers), "middle layers")]
        }

        /// `n_layers` only, and then required, in the middle group.
        static func configFormat(middle: Bool) -> ConfigFormat<LayerGroup> {
            ConfigFormat(expected: "an object such as {\"mult\": 2, \"dropout_rate\": 0.2\(middle ? ", \"n_layers\": 2" : "")}", read: { v, file in
                try ConfigReader.checkKeys(v, allowed: keyNames.filter { middle || $0 != "n_layers" }, file: file)
                let g = try decode(v, file: file)
                if middle, g.nLayers == nil { throw ConfigError.missing(v, "n_layers", ConfigReader.intDescription(min: 0, max: WidthRule.maxMiddleLayers), file: file) }
                return g
            }, write: { $0.encoded })
        }
    }

    /// `base_config`.
    public struct BaseConfig: Equatable, Sendable, ConfigSchema {
        public var firstLayer = LayerGroup()
        public var lastLayer = LayerGroup()

        static var defaults: BaseConfig { BaseConfig() }
        static var schema: [ConfigKey<BaseConfig>] {
            [.key("first_layer", \.firstLayer, LayerGroup.configFormat(middle: false), required: true, "model.width_rule.first"),
             .key("last_layer", \.lastLayer, LayerGroup.configFormat(middle: false), required: true, "model.width_rule.last")]
        }
    }

    /// `hyperopt_pars`.
    public struct Hyperopt: Equatable, Sendable, ConfigSchema {
        /// Choices for the number of middle layers.
        public var midLayers: [Int] = []
        /// Choices of multiplier, for each of the first, middle and last groups.
        public var mults: [Double] = []
        /// [low, high] of the uniform dropout rate of each group.
        public var dropoutRateRange: [Double] = []
        /// Trials.
        public var maxEvals = 1

        static var defaults: Hyperopt { Hyperopt() }
        static var schema: [ConfigKey<Hyperopt>] {
            func nonEmpty<E>(_ f: ConfigFormat<E>) -> ConfigFormat<[E]> {
                ConfigFormat<[E]>.list(f, "a non-empty array of numbers").checked({ $0.isEmpty ? "a non-empty array of numbers" : nil },
                                                                             hint: { _ in "an empty choice list leaves nothing to try" })
            }
            let range = ConfigFormat<[Double]>.list(.number(.rate), "[low, high], two numbers in [0, 1)")
                .checked({ $0.count == 2 ? nil : "[low, high], two numbers in [0, 1)" })
                .checked({ $0[0] <= $0[1] ? nil : "a range with low ≤ high" }, hint: { _ in "the range is empty; swap the bounds" })
            return [.key("mid_layers", \.midLayers, nonEmpty(.int(min: 0)), required: true, "choices of the number of middle layers"),
                    .key("mults", \.mults, nonEmpty(.number(.positive)), required: true, "choices of multiplier"),
                    .key("dropout_rate_range", \.dropoutRateRange, range, required: true, "[low, high] of the dropout rates tried"),
                    .key("max_evals", \.maxEvals, .int(min: 1), required: true, "trials")]
        }
    }

    public var inputCSV = ""
    public var outputLogFile: String?
    public var outputModelsPath: String?
    public var outputResultsPath: String?
    public var nPastSteps = 1
    public var dateCol = ""
    public var hrCol: String?
    /// The target column.
    public var numericVar = ""
    /// The station column.
    public var sensorVar: String?
    /// The station kept.
    public var targetSensor: String?
    /// nil: no early stopping.
    public var earlyStopPatience: Int?
    public var epochs = 1
    public var baseConfig = BaseConfig()
    public var midLayers = LayerGroup()
    public var hyperopt: Hyperopt?
    /// A loss name, as written.
    public var modelLoss = "mean_squared_error"
    /// An optimizer name.
    public var optimizer = "adam"

    /// Keys that mark a document as a template.
    public static let markers = ["input_csv", "numeric_var", "base_config"]

    static var defaults: TemplateConfig { TemplateConfig() }
    static var objectWording: String { "a JSON object" }
    static var schema: [ConfigKey<TemplateConfig>] {
        let loss = ConfigFormat<String>.string.checked { LossConfig.canonical($0) == nil ? LossConfig.expected : nil }
        let optimizer = ConfigFormat<OptimizerConfig.Name>.choice(OptimizerConfig.Name.self).map({ $0.rawValue }, { OptimizerConfig.Name(rawValue: $0) ?? .adam })
        return [.key("input_csv", \.inputCSV, .string, required: true, "data.path"),
                .optional("output_log_file", \.outputLogFile, .string, "output.log_file"),
                .optional("output_models_path", \.outputModelsPath, .string, "output.directory (default models/)"),
                .optional("output_results_path", \.outputResultsPath, .string, "output.results_csv: a .csv file or a folder"),
                .key("n_past_steps", \.nPastSteps, .int(min: 1), required: true, "window.n_past_steps"),
                .key("date_col", \.dateCol, .string, required: true, "data.date_column"),
                .optional("hr_col", \.hrCol, .string, "data.hour_column"),
                .key("numeric_var", \.numericVar, .string, required: true, "data.target"),
                .optional("sensor_var", \.sensorVar, .string, "data.station_column"),
                .optional("target_sensor", \.targetSensor, .string, "data.station"),
                .optional("early_stop_patience", \.earlyStopPatience, .int(min: 0), "training.early_stopping.patience"),
                .key("epochs", \.epochs, .int(min: 1), required: true, "training.epochs"),
                .key("base_config", \.baseConfig, BaseConfig.configFormat, required: true, "model.width_rule first and last"),
                .key("mid_layers_config", \.midLayers, LayerGroup.configFormat(middle: true), required: true, "model.width_rule.middle"),
                .optional("hyperopt_pars", \.hyperopt, Hyperopt.configFormat, "search (tpe)"),
                .key("model_loss", \.modelLoss, loss, "training.loss"),
                .key("optimizer", \.optimizer, optimizer, "training.optimizer")]
    }

    mutating func validate(_ v: ConfigValue, file: String?) throws {
        if sensorVar != nil, targetSensor == nil { throw ConfigError.missing(v, "target_sensor", "the station to keep, since `sensor_var` is given", file: file) }
        if targetSensor != nil, sensorVar == nil { throw ConfigError.missing(v, "sensor_var", "the station column, since `target_sensor` is given", file: file) }
    }

    /// Whether `tree` is a template rather than a native config.
    public static func isTemplate(_ tree: ConfigValue) -> Bool {
        guard let members = tree.members else { return false }
        return members.contains { markers.contains($0.key) }
    }

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

    /// The native config; relative paths resolve against `baseDirectory` (the template's folder).
    public func recurConfig(file: String?, baseDirectory: String?) -> RecurConfig {
        let data = DataConfig(path: ConfigPaths.resolve(inputCSV, against: baseDirectory), dateColumn: dateCol, hourColumn: hrCol,
                              stationColumn: sensorVar, station: targetSensor, target: numericVar)
        let rule = WidthRule(cell: .lstm,
                             first: .init(mult: baseConfig.firstLayer.mult, dropout: baseConfig.firstLayer.dropoutRate, count: 1),
                             middle: .init(mult: midLayers.mult, dropout: midLayers.dropoutRate, count: midLayers.nLayers ?? 0),
                             last: .init(mult: baseConfig.lastLayer.mult, dropout: baseConfig.lastLayer.dropoutRate, count: 1))
        var training = TrainingConfig(epochs: epochs)
        training.loss = LossConfig(name: LossConfig.canonical(modelLoss) ?? "mse")
        training.optimizer = OptimizerConfig(name: OptimizerConfig.Name(rawValue: optimizer) ?? .adam)
        if let p = earlyStopPatience { training.earlyStopping = EarlyStoppingConfig(patience: p) }
        let directory = ConfigPaths.resolve(outputModelsPath ?? "models/", against: baseDirectory)
        var results: String? = nil
        if let r = outputResultsPath {
            let isCSV = r.lowercased().hasSuffix(".csv")
            results = ConfigPaths.resolve(isCSV ? r : ConfigPaths.join(r, "results.csv"), against: baseDirectory)
        }
        let output = OutputConfig(directory: directory, resultsCSV: results,
                                  logFile: outputLogFile.map { ConfigPaths.resolve($0, against: baseDirectory) })
        var search: SearchConfig? = nil
        if let h = hyperopt {
            let mults = h.mults.map { SearchValue.number($0) }
            let rate = SearchDistribution.uniform(low: h.dropoutRateRange[0], high: h.dropoutRateRange[1])
            // The middle group's settings matter only when there are middle layers.
            let middle = h.midLayers.contains(0) ? SearchCondition(parameter: SearchNames.middleCount, atLeast: 1) : nil
            search = SearchConfig(maxEvals: h.maxEvals, sampler: .tpe, space: [
                SearchParameter(name: SearchNames.firstMult, distribution: .choice(mults)),
                SearchParameter(name: SearchNames.firstDropout, distribution: rate),
                SearchParameter(name: SearchNames.middleCount, distribution: .choice(h.midLayers.map { .number(Double($0)) })),
                SearchParameter(name: SearchNames.middleMult, distribution: .choice(mults), condition: middle),
                SearchParameter(name: SearchNames.middleDropout, distribution: rate, condition: middle),
                SearchParameter(name: SearchNames.lastMult, distribution: .choice(mults)),
                SearchParameter(name: SearchNames.lastDropout, distribution: rate),
            ])
        }
        return RecurConfig(format: .template, sourceFile: file, data: data, window: WindowConfig(nPastSteps: nPastSteps),
                           model: .widthRule(rule), training: training, output: output, search: search)
    }
}
