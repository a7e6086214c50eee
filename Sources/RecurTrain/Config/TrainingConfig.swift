/// `training`: the fit loop, its loss and optimizer, and its callbacks.
public struct TrainingConfig: Codable, Equatable, Sendable {
    /// Passes over the training samples (`epochs`), ≥ 1; required.
    public var epochs: Int
    /// Samples per gradient step (`batch_size`), ≥ 1, default 32 (Keras's `fit` default).
    public var batchSize: Int
    /// Shuffle the training samples every epoch (`shuffle`), default true (Keras's default).
    public var shuffle: Bool
    /// `loss`, default mse.
    public var loss: LossConfig
    /// `optimizer`, default adam with its defaults.
    public var optimizer: OptimizerConfig
    /// Seed of weights, shuffling and dropout (`seed`), default 42.
    public var seed: UInt64
    /// `early_stopping`; nil (the default): off.
    public var earlyStopping: EarlyStoppingConfig?
    /// `reduce_lr_on_plateau`; nil (the default): off.
    public var reduceLROnPlateau: ReduceLROnPlateauConfig?
    /// Keep the best model so far on disk (`checkpoint`), default true.
    public var checkpoint: Bool
    /// TensorBoard log folder (`tensorboard`: true means "tensorboard" in the run folder, a
    /// string names the folder); nil (the default, or false): none.
    public var tensorboard: String?
    /// Write the per-epoch history as CSV (`history_csv`), default true.
    public var historyCSV: Bool
    /// Evaluate on the validation part every this many epochs (`validation_every`), ≥ 1, default 1.
    public var validationEvery: Int

    public init(epochs: Int, batchSize: Int = 32, shuffle: Bool = true, loss: LossConfig = LossConfig(),
                optimizer: OptimizerConfig = OptimizerConfig(), seed: UInt64 = 42,
                earlyStopping: EarlyStoppingConfig? = nil, reduceLROnPlateau: ReduceLROnPlateauConfig? = nil,
                checkpoint: Bool = true, tensorboard: String? = nil, historyCSV: Bool = true, validationEvery: Int = 1) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.loss = loss
        self.optimizer = optimizer
        self.seed = seed
        self.earlyStopping = earlyStopping
        self.reduceLROnPlateau = reduceLROnPlateau
        self.checkpoint = checkpoint
        self.tensorboard = tensorboard
        self.historyCSV = historyCSV
        self.validationEvery = validationEvery
    }

    // Spelled so that `.convertToSnakeCase` / `.convertFromSnakeCase` round-trip (history_csv, reduce_lr_on_plateau).
    enum CodingKeys: String, CodingKey {
        case epochs, batchSize, shuffle, loss, optimizer, seed, earlyStopping, checkpoint, tensorboard, validationEvery
        case reduceLROnPlateau = "reduceLrOnPlateau"
        case historyCSV = "historyCsv"
    }

    /// Metrics that can be monitored or optimized (as `val_<metric>`).
    public static let metrics = ["rmse", "mae", "r2", "max_error", "mape", "smape", "mase"]
    /// Accepted `monitor` values: `loss`, `val_loss` and `val_<metric>`.
    public static let monitors = ["loss", "val_loss"] + metrics.map { "val_" + $0 }

    static let keys = ["epochs", "batch_size", "shuffle", "loss", "optimizer", "seed", "early_stopping",
                       "reduce_lr_on_plateau", "checkpoint", "tensorboard", "history_csv", "validation_every"]

    static func decode(_ value: ConfigValue, file: String?) throws -> TrainingConfig {
        let r = try ObjectReader(value, allowed: keys, file: file)
        var t = TrainingConfig(epochs: try r.requiredInt("epochs", min: 1))
        t.batchSize = try r.int("batch_size", min: 1) ?? 32
        t.shuffle = try r.bool("shuffle") ?? true
        if let l = r.value("loss") { t.loss = try LossConfig.decode(l, file: file) }
        if let o = r.value("optimizer") { t.optimizer = try OptimizerConfig.decode(o, file: file) }
        if let s = try r.int("seed", min: 0) { t.seed = UInt64(s) }
        if let e = r.value("early_stopping") { t.earlyStopping = try EarlyStoppingConfig.decode(e, file: file) }
        if let p = r.value("reduce_lr_on_plateau") { t.reduceLROnPlateau = try ReduceLROnPlateauConfig.decode(p, file: file) }
        t.checkpoint = try r.bool("checkpoint") ?? true
        if let tb = r.value("tensorboard") {
            switch tb.kind {
            case let .bool(b): t.tensorboard = b ? "tensorboard" : nil
            case let .string(s) where !s.isEmpty: t.tensorboard = s
            default: throw ConfigError.wrongType(tb, "true, false or a folder name", file: file)
            }
        }
        t.historyCSV = try r.bool("history_csv") ?? true
        t.validationEvery = try r.int("validation_every", min: 1) ?? 1
        return t
    }

    static func monitor(_ r: ObjectReader, _ key: String) throws -> String {
        guard let v = r.value(key) else { return "val_loss" }
        let s = try ConfigReader.string(v, file: r.file)
        guard monitors.contains(s) else {
            throw ConfigError.invalid(v, "one of " + ConfigReader.alternatives(monitors), file: r.file,
                                      hint: Suggestion.closest(to: s, among: monitors).map { "did you mean \"\($0)\"?" })
        }
        return s
    }
}

/// `training.loss`: a name (`"mse"`), `{"name": "huber", "delta": 1.0}`, or a quantile loss
/// `{"quantile": [0.1, 0.5, 0.9]}` (see `QuantileLossConfig.swift`).
public struct LossConfig: Codable, Equatable, Sendable {
    /// The canonical short name: mse, mae, huber, binary_crossentropy or quantile.
    public var name: String
    /// Huber's delta, > 0, default 1.
    public var delta: Double?
    /// The quantile loss's quantiles, increasing, each in (0, 1), 0.5 among them; nil for
    /// the other losses.
    public var quantiles: [Double]?

    public init(name: String = "mse", delta: Double? = nil, quantiles: [Double]? = nil) {
        self.name = name
        self.delta = delta
        self.quantiles = quantiles
    }

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

    static func decode(_ v: ConfigValue, file: String?) throws -> LossConfig {
        func named(_ nv: ConfigValue) throws -> String {
            let s = try ConfigReader.string(nv, file: file)
            guard let c = canonical(s) else {
                throw ConfigError.invalid(nv, expected, file: file,
                                          hint: Suggestion.closest(to: s, among: Array(aliases.keys).sorted()).map { "did you mean \"\($0)\"?" })
            }
            return c
        }
        switch v.kind {
        case .string: return LossConfig(name: try named(v))
        case .object where v["quantile"] != nil:
            return try quantileLoss(v, file: file)
        case .object:
            let r = try ObjectReader(v, allowed: ["name", "delta"], file: file)
            var loss = LossConfig(name: try named(try r.require("name", expected)))
            loss.delta = try r.double("delta", .positive)
            if let d = r.value("delta"), loss.name != "huber" {
                throw ConfigError.conflict(d, "`\(d.path)` applies to the huber loss only", file: file)
            }
            return loss
        default:
            throw ConfigError.wrongType(v, "a loss name, {\"name\": …, \"delta\": …} or {\"quantile\": [0.1, 0.5, 0.9]}", file: file)
        }
    }
}

/// `training.optimizer`: a name (`"adam"`) or an object with `name`, `learning_rate`, the
/// optimizer's own keys, gradient clipping and regularisation. Absent values take the
/// optimizer's defaults (Keras's).
public struct OptimizerConfig: Codable, Equatable, Sendable {
    /// The optimizers and their own keys.
    public enum Name: String, Codable, CaseIterable, Sendable {
        case sgd, adam, adamw, rmsprop, adagrad, adadelta

        /// Keys this optimizer accepts besides the common ones.
        public var ownKeys: [String] {
            switch self {
            case .sgd: return ["momentum", "nesterov"]
            case .adam, .adamw: return ["beta1", "beta2", "epsilon"]
            case .rmsprop: return ["rho", "epsilon", "momentum", "centered"]
            case .adagrad: return ["initial_accumulator", "epsilon"]
            case .adadelta: return ["rho", "epsilon"]
            }
        }
    }

    /// Epsilon placement and defaults (`style`).
    public enum Style: String, Codable, CaseIterable, Sendable {
        case keras, pytorch
    }

    public var name: Name
    /// `learning_rate`, > 0; nil: the optimizer's default (0.001; 0.01 for sgd).
    public var learningRate: Double?
    /// `momentum` (sgd, rmsprop), in [0, 1).
    public var momentum: Double?
    /// `nesterov` (sgd).
    public var nesterov: Bool?
    /// `beta1`, `beta2` (adam, adamw), in [0, 1).
    public var beta1: Double?
    public var beta2: Double?
    /// `epsilon`, > 0.
    public var epsilon: Double?
    /// `rho` (rmsprop, adadelta), in [0, 1).
    public var rho: Double?
    /// `centered` (rmsprop).
    public var centered: Bool?
    /// `initial_accumulator` (adagrad), ≥ 0.
    public var initialAccumulator: Double?
    /// `clip_norm`: clip the global gradient norm to this, > 0.
    public var clipNorm: Double?
    /// `clip_value`: clip every gradient element to ±this, > 0.
    public var clipValue: Double?
    /// `l2`: L2 penalty added to the loss, ≥ 0.
    public var l2: Double?
    /// `weight_decay`: decoupled weight decay, ≥ 0 (adamw's default 0.01).
    public var weightDecay: Double?
    /// `style`: keras (default) or pytorch.
    public var style: Style?

    public init(name: Name = .adam, learningRate: Double? = nil) {
        self.name = name
        self.learningRate = learningRate
    }

    static let commonKeys = ["name", "learning_rate", "clip_norm", "clip_value", "l2", "weight_decay", "style"]

    static func decode(_ v: ConfigValue, file: String?) throws -> OptimizerConfig {
        switch v.kind {
        case .string: return OptimizerConfig(name: try ConfigReader.choice(v, Name.self, file: file))
        case .object: break
        default: throw ConfigError.wrongType(v, "an optimizer name or an object with `name` and settings", file: file)
        }
        let nameValue = try ObjectReader(v, allowed: v.members!.map(\.key), file: file)
            .require("name", "the optimizer: " + ConfigReader.alternatives(Name.allCases.map(\.rawValue)))
        let name = try ConfigReader.choice(nameValue, Name.self, file: file)
        let r = try ObjectReader(v, allowed: commonKeys + name.ownKeys, file: file)
        var o = OptimizerConfig(name: name, learningRate: try r.double("learning_rate", .positive))
        o.momentum = try r.double("momentum", .rate)
        o.nesterov = try r.bool("nesterov")
        o.beta1 = try r.double("beta1", .rate)
        o.beta2 = try r.double("beta2", .rate)
        o.epsilon = try r.double("epsilon", .positive)
        o.rho = try r.double("rho", .rate)
        o.centered = try r.bool("centered")
        o.initialAccumulator = try r.double("initial_accumulator", .nonNegative)
        o.clipNorm = try r.double("clip_norm", .positive)
        o.clipValue = try r.double("clip_value", .positive)
        o.l2 = try r.double("l2", .nonNegative)
        o.weightDecay = try r.double("weight_decay", .nonNegative)
        o.style = try r.choice("style", Style.self)
        if o.nesterov == true, (o.momentum ?? 0) == 0 {
            throw ConfigError.conflict(r.value("nesterov")!, "`\(r.path("nesterov"))` needs `\(r.path("momentum"))` > 0", file: file)
        }
        return o
    }
}

/// `training.early_stopping`: stop when the monitored value stops improving.
public struct EarlyStoppingConfig: Codable, Equatable, Sendable {
    /// `monitor`, default val_loss.
    public var monitor: String
    /// Epochs without improvement before stopping (`patience`), ≥ 0, default 10.
    public var patience: Int
    /// Smallest change that counts as improvement (`min_delta`), ≥ 0, default 0.
    public var minDelta: Double
    /// Put back the best epoch's weights at the end (`restore_best_weights`), default true.
    public var restoreBestWeights: Bool

    public init(monitor: String = "val_loss", patience: Int = 10, minDelta: Double = 0, restoreBestWeights: Bool = true) {
        self.monitor = monitor
        self.patience = patience
        self.minDelta = minDelta
        self.restoreBestWeights = restoreBestWeights
    }

    static func decode(_ v: ConfigValue, file: String?) throws -> EarlyStoppingConfig {
        let r = try ObjectReader(v, allowed: ["monitor", "patience", "min_delta", "restore_best_weights"], file: file,
                                 what: "an object such as {\"patience\": 10}, or null")
        return EarlyStoppingConfig(monitor: try TrainingConfig.monitor(r, "monitor"),
                                   patience: try r.int("patience", min: 0) ?? 10,
                                   minDelta: try r.double("min_delta", .nonNegative) ?? 0,
                                   restoreBestWeights: try r.bool("restore_best_weights") ?? true)
    }
}

/// `training.reduce_lr_on_plateau`: multiply the learning rate by `factor` when the monitored
/// value stops improving (Keras's defaults).
public struct ReduceLROnPlateauConfig: Codable, Equatable, Sendable {
    /// `monitor`, default val_loss.
    public var monitor: String
    /// `factor`, in (0, 1), default 0.1.
    public var factor: Double
    /// `patience`, ≥ 0, default 10.
    public var patience: Int
    /// `min_lr`, ≥ 0, default 0.
    public var minLearningRate: Double
    /// `min_delta`, ≥ 0, default 1e-4.
    public var minDelta: Double
    /// `cooldown`: epochs to wait after a reduction, ≥ 0, default 0.
    public var cooldown: Int

    public init(monitor: String = "val_loss", factor: Double = 0.1, patience: Int = 10, minLearningRate: Double = 0,
                minDelta: Double = 1e-4, cooldown: Int = 0) {
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.minLearningRate = minLearningRate
        self.minDelta = minDelta
        self.cooldown = cooldown
    }

    static func decode(_ v: ConfigValue, file: String?) throws -> ReduceLROnPlateauConfig {
        let r = try ObjectReader(v, allowed: ["monitor", "factor", "patience", "min_lr", "min_delta", "cooldown"], file: file,
                                 what: "an object such as {\"factor\": 0.5, \"patience\": 5}, or null")
        return ReduceLROnPlateauConfig(monitor: try TrainingConfig.monitor(r, "monitor"),
                                       factor: try r.double("factor", NumberRange(low: 0, lowInclusive: false, high: 1, highInclusive: false)) ?? 0.1,
                                       patience: try r.int("patience", min: 0) ?? 10,
                                       minLearningRate: try r.double("min_lr", .nonNegative) ?? 0,
                                       minDelta: try r.double("min_delta", .nonNegative) ?? 1e-4,
                                       cooldown: try r.int("cooldown", min: 0) ?? 0)
    }
}
