/// The old platform's configuration template (`seed-config-template.json`), read as it is and
/// mapped onto `RecurConfig` as DESIGN.md section 2 states. A document is a template when its
/// top level has `input_csv`, `numeric_var` or `base_config`.
///
/// | template key | native setting |
/// |---|---|
/// | `input_csv` | `data.path` |
/// | `date_col`, `hr_col` | `data.date_column`, `data.hour_column` |
/// | `numeric_var` | `data.target` |
/// | `sensor_var`, `target_sensor` | `data.station_column`, `data.station` |
/// | `n_past_steps` | `window.n_past_steps` |
/// | `epochs`, `early_stop_patience` | `training.epochs`, `training.early_stopping.patience` |
/// | `base_config.first_layer`, `mid_layers_config`, `base_config.last_layer` | `model.width_rule` (cell lstm) |
/// | `hyperopt_pars` | `search` (tpe) |
/// | `model_loss`, `optimizer` | `training.loss`, `training.optimizer` |
/// | `output_models_path`, `output_results_path`, `output_log_file` | `output.directory`, `output.results_csv`, `output.log_file` |
///
/// Everything else takes the native defaults (batch 32, shuffle, seed 42, split 0.6/0.2/0.2, minmax).
public struct TemplateConfig: Codable, Equatable, Sendable {
    /// One layer group of `base_config` or `mid_layers_config`.
    public struct LayerGroup: Codable, Equatable, Sendable {
        /// `mult`: units multiplier.
        public var mult: Double
        /// `dropout_rate`: rate of the Dropout after each layer of the group.
        public var dropoutRate: Double
        /// `dropout_range`: accepted, not used by training (the search uses `hyperopt_pars`).
        public var dropoutRange: [Double]?
        /// `n_layers` (`mid_layers_config` only).
        public var nLayers: Int?
    }

    /// `hyperopt_pars`.
    public struct Hyperopt: Codable, Equatable, Sendable {
        /// `mid_layers`: choices for the number of middle layers.
        public var midLayers: [Int]
        /// `mults`: choices of multiplier, for each of the first, middle and last groups.
        public var mults: [Double]
        /// `dropout_rate_range`: [low, high] of the uniform dropout rate of each group.
        public var dropoutRateRange: [Double]
        /// `max_evals`: trials.
        public var maxEvals: Int
    }

    /// `input_csv`.
    public var inputCSV: String
    /// `output_log_file`.
    public var outputLogFile: String?
    /// `output_models_path`.
    public var outputModelsPath: String?
    /// `output_results_path`.
    public var outputResultsPath: String?
    /// `n_past_steps`.
    public var nPastSteps: Int
    /// `date_col`.
    public var dateCol: String
    /// `hr_col`.
    public var hrCol: String?
    /// `numeric_var`: the target column.
    public var numericVar: String
    /// `sensor_var`: the station column.
    public var sensorVar: String?
    /// `target_sensor`: the station kept.
    public var targetSensor: String?
    /// `early_stop_patience`; nil: no early stopping.
    public var earlyStopPatience: Int?
    /// `epochs`.
    public var epochs: Int
    /// `base_config.first_layer`.
    public var firstLayer: LayerGroup
    /// `base_config.last_layer`.
    public var lastLayer: LayerGroup
    /// `mid_layers_config`.
    public var midLayers: LayerGroup
    /// `hyperopt_pars`.
    public var hyperopt: Hyperopt?
    /// `model_loss` (default mean_squared_error).
    public var modelLoss: String
    /// `optimizer` (default adam).
    public var optimizer: String

    // Spelled so that `.convertToSnakeCase` / `.convertFromSnakeCase` round-trip (input_csv).
    enum CodingKeys: String, CodingKey {
        case outputLogFile, outputModelsPath, outputResultsPath, nPastSteps, dateCol, hrCol, numericVar, sensorVar
        case targetSensor, earlyStopPatience, epochs, firstLayer, lastLayer, midLayers, hyperopt, modelLoss, optimizer
        case inputCSV = "inputCsv"
    }

    /// Keys that mark a document as a template.
    public static let markers = ["input_csv", "numeric_var", "base_config"]
    /// Every top-level key of the template.
    public static let keys = ["input_csv", "output_log_file", "output_models_path", "output_results_path", "n_past_steps",
                              "date_col", "hr_col", "numeric_var", "sensor_var", "target_sensor", "early_stop_patience",
                              "epochs", "base_config", "mid_layers_config", "hyperopt_pars", "model_loss", "optimizer"]

    /// Whether `tree` is a template rather than a native config.
    public static func isTemplate(_ tree: ConfigValue) -> Bool {
        guard let members = tree.members else { return false }
        return members.contains { markers.contains($0.key) }
    }

    /// Reads and checks a template document; errors name the template's own keys.
    public static func decode(_ tree: ConfigValue, file: String?) throws -> TemplateConfig {
        let r = try ObjectReader(tree, allowed: keys, file: file, what: "a JSON object")
        func group(_ v: ConfigValue?, _ path: String, middle: Bool) throws -> LayerGroup {
            guard let v else {
                throw ConfigError(kind: .missingKey, file: file, keyPath: path, location: tree.location,
                                  message: "`\(path)` is required: {\"mult\": …, \"dropout_rate\": …\(middle ? ", \"n_layers\": …" : "")}")
            }
            let g = try ObjectReader(v, allowed: ["mult", "dropout_rate", "dropout_range"] + (middle ? ["n_layers"] : []), file: file)
            var range: [Double]? = nil
            if let dr = g.value("dropout_range") {
                let items = try ConfigReader.array(dr, "[low, high], two numbers", file: file)
                guard items.count == 2 else { throw ConfigError.wrongType(dr, "[low, high], two numbers", file: file) }
                range = try items.map { try ConfigReader.double($0, file: file) }
            }
            return LayerGroup(mult: try ConfigReader.double(try g.require("mult", "the units multiplier, a number > 0"), .positive, file: file),
                              dropoutRate: try g.double("dropout_rate", .rate) ?? 0.2,
                              dropoutRange: range,
                              nLayers: middle ? try g.requiredInt("n_layers", min: 0, max: WidthRule.maxMiddleLayers) : nil)
        }
        let base = try r.require("base_config", "{\"first_layer\": {…}, \"last_layer\": {…}}")
        let b = try ObjectReader(base, allowed: ["first_layer", "last_layer"], file: file)
        var hyperopt: Hyperopt? = nil
        if let h = r.value("hyperopt_pars") {
            let hr = try ObjectReader(h, allowed: ["mid_layers", "mults", "dropout_rate_range", "max_evals"], file: file)
            func nonEmpty(_ key: String) throws -> [ConfigValue] {
                let v = try hr.require(key, "a non-empty array")
                let a = try ConfigReader.array(v, "a non-empty array of numbers", file: file)
                guard !a.isEmpty else { throw ConfigError.invalid(v, "a non-empty array of numbers", file: file, hint: "an empty choice list leaves nothing to try") }
                return a
            }
            let rangeValue = try hr.require("dropout_rate_range", "[low, high] of the dropout rates tried")
            let range = try ConfigReader.array(rangeValue, "[low, high], two numbers in [0, 1)", file: file)
            guard range.count == 2 else { throw ConfigError.wrongType(rangeValue, "[low, high], two numbers in [0, 1)", file: file) }
            let rates = try range.map { try ConfigReader.double($0, .rate, file: file) }
            guard rates[0] <= rates[1] else { throw ConfigError.invalid(rangeValue, "a range with low ≤ high", file: file, hint: "the range is empty; swap the bounds") }
            hyperopt = Hyperopt(midLayers: try nonEmpty("mid_layers").map { try ConfigReader.int($0, min: 0, file: file) },
                                mults: try nonEmpty("mults").map { try ConfigReader.double($0, .positive, file: file) },
                                dropoutRateRange: rates,
                                maxEvals: try hr.requiredInt("max_evals", min: 1))
        }
        let lossValue = r.value("model_loss")
        var loss = "mean_squared_error"
        if let lossValue {
            loss = try ConfigReader.string(lossValue, file: file)
            guard LossConfig.canonical(loss) != nil else { throw ConfigError.invalid(lossValue, LossConfig.expected, file: file) }
        }
        var optimizer = "adam"
        if let o = r.value("optimizer") { optimizer = try ConfigReader.choice(o, OptimizerConfig.Name.self, file: file).rawValue }
        let sensorVar = try r.string("sensor_var"), targetSensor = try r.string("target_sensor")
        if sensorVar != nil, targetSensor == nil { _ = try r.require("target_sensor", "the station to keep, since `sensor_var` is given") }
        if targetSensor != nil, sensorVar == nil { _ = try r.require("sensor_var", "the station column, since `target_sensor` is given") }
        return TemplateConfig(
            inputCSV: try r.requiredString("input_csv", "the CSV file to read"),
            outputLogFile: try r.string("output_log_file"),
            outputModelsPath: try r.string("output_models_path"),
            outputResultsPath: try r.string("output_results_path"),
            nPastSteps: try r.requiredInt("n_past_steps", min: 1),
            dateCol: try r.requiredString("date_col", "the date column"),
            hrCol: try r.string("hr_col"),
            numericVar: try r.requiredString("numeric_var", "the column to forecast"),
            sensorVar: sensorVar, targetSensor: targetSensor,
            earlyStopPatience: try r.int("early_stop_patience", min: 0),
            epochs: try r.requiredInt("epochs", min: 1),
            firstLayer: try group(b.value("first_layer"), b.path("first_layer"), middle: false),
            lastLayer: try group(b.value("last_layer"), b.path("last_layer"), middle: false),
            midLayers: try group(r.value("mid_layers_config"), r.path("mid_layers_config"), middle: true),
            hyperopt: hyperopt, modelLoss: loss, optimizer: optimizer)
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
                             first: .init(mult: firstLayer.mult, dropout: firstLayer.dropoutRate, count: 1),
                             middle: .init(mult: midLayers.mult, dropout: midLayers.dropoutRate, count: midLayers.nLayers ?? 0),
                             last: .init(mult: lastLayer.mult, dropout: lastLayer.dropoutRate, count: 1))
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
