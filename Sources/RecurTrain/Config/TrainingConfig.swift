import RecurNN

/// `training`: the fit loop, its loss and optimizer, and its callbacks (each key's meaning and
/// default is declared in `schema`; nil callbacks are off).
public struct TrainingConfig: Equatable, Sendable, ConfigSchema {
    public var epochs = 1
    public var batchSize = 32
    public var shuffle = true
    public var loss = LossConfig()
    public var optimizer = OptimizerConfig()
    public var seed: UInt64 = 42
    public var earlyStopping: EarlyStoppingConfig?
    public var reduceLROnPlateau: ReduceLROnPlateauConfig?
    public var checkpoint = true
    /// TensorBoard log folder (`true` in a config means "tensorboard"); nil: none.
    public var tensorboard: String?
    public var historyCSV = true
    public var validationEvery = 1
    /// Networks trained from seeds seed, seed + 1, … whose forecasts are averaged (`Ensemble`); 1: one model.
    public var ensemble = 1

    /// Metrics that can be monitored or optimized (as `val_<metric>`).
    public static let metrics = ["rmse", "mae", "r2", "max_error", "mape", "smape", "mase"]
    /// Accepted `monitor` values: `loss`, `val_loss` and `val_<metric>`.
    public static let monitors = ["loss", "val_loss"] + metrics.map { "val_" + $0 }

    static var defaults: TrainingConfig { TrainingConfig() }
    static var schema: [ConfigKey<TrainingConfig>] {
        let folder = "true, false or a folder name"
        let tensorboard = ConfigFormat<String?>(expected: folder, read: { v, file in
            switch v.kind {
            case let .bool(b): return b ? "tensorboard" : nil
            case let .string(s) where !s.isEmpty: return s
            default: throw ConfigError.wrongType(v, folder, file: file)
            }
        }, write: { $0.map { .string($0) } ?? .bool(false) })
        return [
            .key("epochs", \.epochs, .int(min: 1), required: true, "passes over the training samples"),
            .key("batch_size", \.batchSize, .int(min: 1), "samples per gradient step (Keras's fit default)"),
            .key("shuffle", \.shuffle, .bool, "shuffle the training samples every epoch"),
            .key("loss", \.loss, LossConfig.configFormat, "the loss"),
            .key("optimizer", \.optimizer, OptimizerConfig.configFormat, "the optimizer", defaultNote: "\"adam\""),
            .key("seed", \.seed, .seed, "seeds weights, shuffling and dropout"),
            .key("early_stopping", \.earlyStopping, .nullable(EarlyStoppingConfig.configFormat), "stop when the monitored value stops improving"),
            .key("reduce_lr_on_plateau", \.reduceLROnPlateau, .nullable(ReduceLROnPlateauConfig.configFormat), "reduce the learning rate on a plateau"),
            .key("checkpoint", \.checkpoint, .bool, "keep the best model so far on disk"),
            .key("tensorboard", \.tensorboard, tensorboard, "TensorBoard log folder"),
            .key("history_csv", \.historyCSV, .bool, "write the per-epoch history as CSV"),
            .key("validation_every", \.validationEvery, .int(min: 1), "evaluate on the validation part every this many epochs"),
            .key("ensemble", \.ensemble, .int(min: 1, max: Ensemble.maxMembers), "networks trained from seeds seed, seed + 1, …; the forecast is their mean"),
        ]
    }
}

/// `training.loss`: a name (`"mse"`), `{"name": "huber", "delta": 1.0}`, or a quantile loss
/// `{"quantile": [0.1, 0.5, 0.9]}` (`IntervalConfig.swift`).
public struct LossConfig: Equatable, Sendable, ConfigSchema {
    /// The canonical short name: mse, mae, huber, binary_crossentropy or quantile.
    public var name = "mse"
    /// Huber's delta, > 0, default 1.
    public var delta: Double?
    /// The quantile loss's quantiles, increasing, each in (0, 1), 0.5 among them; nil for the others.
    public var quantiles: [Double]?

    /// Accepted names (any case) and their canonical short names.
    public static let aliases: [String: String] = [
        "mse": "mse", "mean_squared_error": "mse", "meansquarederror": "mse",
        "mae": "mae", "mean_absolute_error": "mae", "meanabsoluteerror": "mae",
        "huber": "huber", "huber_loss": "huber",
        "binary_crossentropy": "binary_crossentropy", "bce": "binary_crossentropy", "binarycrossentropy": "binary_crossentropy",
    ]

    /// The canonical name for `name`, or nil when unknown.
    public static func canonical(_ name: String) -> String? { aliases[name.lowercased()] }

    static let expected = "one of \"mse\", \"mae\", \"huber\", \"binary_crossentropy\" (or the Keras names \"mean_squared_error\", \"mean_absolute_error\", \"huber_loss\")"

    /// A loss name, checked and made canonical.
    static var nameFormat: ConfigFormat<String> {
        ConfigFormat(expected: expected, read: { v, file in
            let s = try ConfigFormat.string.read(v, file)
            guard let c = canonical(s) else { throw ConfigError.invalid(v, expected, file: file, hint: ConfigWords.didYouMean(s, aliases.keys.sorted(), quote: "\"")) }
            return c
        }, write: { .string($0) })
    }

    static var defaults: LossConfig { LossConfig(name: "") }
    static var schema: [ConfigKey<LossConfig>] {
        [.key("name", \.name, nameFormat, required: true, "the loss"), .optional("delta", \.delta, .number(.positive), "Huber's delta")]
    }

    mutating func validate(_ v: ConfigValue, file: String?) throws {
        if let d = v[given: "delta"], name != "huber" { throw ConfigError.conflict(d, "`\(d.path)` applies to the huber loss only", file: file) }
    }

    static var configFormat: ConfigFormat<LossConfig> {
        let object = ConfigFormat<LossConfig>(expected: "", read: { v, file in try v["quantile"] != nil ? quantileLoss(v, file: file) : decode(v, file: file) }, write: { $0.encoded })
        return .nameOrObject("a loss name, {\"name\": …, \"delta\": …} or {\"quantile\": [0.1, 0.5, 0.9]}",
                             name: nameFormat.map({ LossConfig(name: $0) }, \.name), object: object) { loss in
            if let q = loss.quantiles { return .object([.init(key: "quantile", value: ConfigValue(.array(q.map { ConfigValue(.number($0)) })))]) }
            return loss.delta == nil ? .string(loss.name) : loss.encoded
        }
    }
}

/// `training.optimizer`: a name (`"adam"`) or an object with `name`, `learning_rate`, the
/// optimizer's own keys, gradient clipping and regularisation. Absent values take the engine
/// optimizer's defaults (`OptimizerConfig+Engine.swift`).
public struct OptimizerConfig: Equatable, Sendable, ConfigSchema {
    /// The optimizers (the keys each takes are declared in `schema`).
    public enum Name: String, Codable, CaseIterable, Sendable {
        case sgd, adam, adamw, rmsprop, adagrad, adadelta
    }

    public var name: Name = .adam
    public var learningRate, momentum: Double?
    public var nesterov: Bool?
    public var beta1, beta2, epsilon, rho: Double?
    public var centered: Bool?
    public var initialAccumulator, clipNorm, clipValue, l2, weightDecay: Double?
    /// Epsilon placement and defaults; nil: keras.
    public var style: OptimizerStyle?

    public init(name: Name = .adam, learningRate: Double? = nil) { (self.name, self.learningRate) = (name, learningRate) }

    static var defaults: OptimizerConfig { OptimizerConfig() }
    static var schema: [ConfigKey<OptimizerConfig>] {
        [.key("name", \.name, .choice(Name.self), required: true, "the optimizer"),
         .optional("learning_rate", \.learningRate, .number(.positive), "step size; default 0.001 (sgd 0.01)"),
         .optional("momentum", \.momentum, .number(.rate), "momentum").only("sgd", "rmsprop"),
         .optional("nesterov", \.nesterov, .bool, "Nesterov momentum; needs momentum > 0").only("sgd"),
         .optional("beta1", \.beta1, .number(.rate), "first-moment decay").only("adam", "adamw"),
         .optional("beta2", \.beta2, .number(.rate), "second-moment decay").only("adam", "adamw"),
         .optional("epsilon", \.epsilon, .number(.positive), "default depends on style").only("adam", "adamw", "rmsprop", "adagrad", "adadelta"),
         .optional("rho", \.rho, .number(.rate), "moving-average decay").only("rmsprop", "adadelta"),
         .optional("centered", \.centered, .bool, "centered RMSprop").only("rmsprop"),
         .optional("initial_accumulator", \.initialAccumulator, .number(.nonNegative), "starting accumulator").only("adagrad"),
         .optional("clip_norm", \.clipNorm, .number(.positive), "clip the global gradient norm"),
         .optional("clip_value", \.clipValue, .number(.positive), "clip each gradient element to ±value"),
         .optional("l2", \.l2, .number(.nonNegative), "L2 penalty added to the loss"),
         .optional("weight_decay", \.weightDecay, .number(.nonNegative), "decoupled weight decay"),
         .optional("style", \.style, .choice([("keras", OptimizerStyle.keras), ("pytorch", .torch)]), "epsilon placement and default")]
    }

    mutating func validate(_ v: ConfigValue, file: String?) throws {
        try v.checkKeys(Self.keyNames(for: name.rawValue), file: file)
        if nesterov == true, (momentum ?? 0) == 0 {
            throw ConfigError.conflict(v["nesterov"]!, "`\(v.path).nesterov` needs `\(v.path).momentum` > 0", file: file)
        }
    }

    /// A name, or an object whose keys are checked against its optimizer's.
    static var configFormat: ConfigFormat<OptimizerConfig> {
        .nameOrObject("an optimizer name or an object with `name` and settings", name: ConfigFormat.choice(Name.self).map({ OptimizerConfig(name: $0) }, \.name),
                      object: ConfigFormat<OptimizerConfig>(expected: "", read: { try decode($0, file: $1) }, write: { $0.encoded }), write: { $0.encoded })
    }
}

/// `training.early_stopping`: stop when the monitored value stops improving.
public struct EarlyStoppingConfig: Equatable, Sendable, ConfigSchema {
    public var monitor = "val_loss"
    public var patience = 10
    public var minDelta: Double = 0
    public var restoreBestWeights = true

    static var defaults: EarlyStoppingConfig { EarlyStoppingConfig() }
    static var objectWording: String { "an object such as {\"patience\": 10}, or null" }
    static var schema: [ConfigKey<EarlyStoppingConfig>] {
        [.key("monitor", \.monitor, .oneOf(TrainingConfig.monitors), "the value watched"),
         .key("patience", \.patience, .int(min: 0), "epochs without improvement before stopping"),
         .key("min_delta", \.minDelta, .number(.nonNegative), ConfigWords.minDelta),
         .key("restore_best_weights", \.restoreBestWeights, .bool, "put back the best epoch's weights at the end")]
    }
}

/// `training.reduce_lr_on_plateau`: multiply the learning rate by `factor` when the monitored
/// value stops improving (Keras's defaults).
public struct ReduceLROnPlateauConfig: Equatable, Sendable, ConfigSchema {
    public var monitor = "val_loss"
    public var factor = 0.1
    public var patience = 10
    public var minLearningRate: Double = 0
    public var minDelta = 1e-4
    public var cooldown = 0

    static var defaults: ReduceLROnPlateauConfig { ReduceLROnPlateauConfig() }
    static var objectWording: String { "an object such as {\"factor\": 0.5, \"patience\": 5}, or null" }
    static var schema: [ConfigKey<ReduceLROnPlateauConfig>] {
        [.key("monitor", \.monitor, .oneOf(TrainingConfig.monitors), "the value watched"),
         .key("factor", \.factor, .number(.openUnit), "learning-rate multiplier"),
         .key("patience", \.patience, .int(min: 0), "epochs without improvement before reducing"),
         .key("min_lr", \.minLearningRate, .number(.nonNegative), "lowest learning rate"),
         .key("min_delta", \.minDelta, .number(.nonNegative), ConfigWords.minDelta),
         .key("cooldown", \.cooldown, .int(min: 0), "epochs to wait after a reduction")]
    }
}
