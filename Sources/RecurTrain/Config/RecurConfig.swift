import Foundation
import RecurTensor

/// A complete, checked training configuration: what `recur train` and `recur tune` run, and what
/// a model package records (Codable; encode with `.convertToSnakeCase` to get the config's key
/// names). Read one with `RecurConfig.load(path:overrides:)`; the schema is documented in
/// `docs/config.md`. Paths in it are already resolved against the config file's folder.
public struct RecurConfig: Codable, Equatable, Sendable {
    /// Which format the file was written in.
    public enum Format: String, Codable, Sendable {
        /// The native schema.
        case native
        /// The old platform's template (`TemplateConfig`).
        case template
    }

    /// The format read.
    public var format: Format
    /// The config file, when read from one.
    public var sourceFile: String?
    /// `description`: free text, e.g. what the experiment is for.
    public var description: String?
    /// `data`, required.
    public var data: DataConfig
    /// `window`, required (`n_past_steps` has no default).
    public var window: WindowConfig
    /// `split`, default fractions 0.6/0.2/0.2.
    public var split: SplitConfig
    /// `scaling`, default minmax.
    public var scaling: ScalingConfig
    /// `model`, default one LSTM with `"auto"` units.
    public var model: ModelConfig
    /// `training`, required (`epochs` has no default).
    public var training: TrainingConfig
    /// `output`, default folder "runs/".
    public var output: OutputConfig
    /// `search`, for `recur tune`; nil when absent.
    public var search: SearchConfig?
    /// `intervals`: prediction interval levels and method; nil means the defaults
    /// (`intervalSettings`).
    public var intervals: IntervalConfig?

    public init(format: Format = .native, sourceFile: String? = nil, description: String? = nil, data: DataConfig,
                window: WindowConfig, split: SplitConfig = .standard, scaling: ScalingConfig = .minmax,
                model: ModelConfig = .standard, training: TrainingConfig, output: OutputConfig = OutputConfig(),
                search: SearchConfig? = nil) {
        self.format = format
        self.sourceFile = sourceFile
        self.description = description
        self.data = data
        self.window = window
        self.split = split
        self.scaling = scaling
        self.model = model
        self.training = training
        self.output = output
        self.search = search
    }

    /// The top-level keys of the native schema.
    public static let keys = ["description", "data", "window", "split", "scaling", "model", "training", "output", "search", "intervals"]

    /// Inputs per sample, `n_past_steps × (1 + features.count)`: what `units: "auto"` sizes from.
    public var inputCount: Int { window.inputCount(featureCount: data.featureCount) }

    /// The layers actually built (units resolved, dropout and output layers in place).
    public func architecture() throws -> ModelArchitecture {
        try model.architecture(window: window, featureCount: data.featureCount, outputsPerStep: training.loss.outputsPerStep, file: sourceFile)
    }

    /// Units for `units` of this config's model (the `"auto"` rule resolved).
    public func resolvedUnits(_ units: Units) -> Int { units.resolved(inputCount: inputCount) }

    // MARK: Loading

    /// Reads the config at `path` (native or template, told apart by its keys), applies the
    /// `--set` overrides in order, and checks everything.
    /// - Throws: `ConfigError` naming the file, key path, and line and column where known.
    public static func load(path: String, overrides: [String] = []) throws -> RecurConfig {
        let url = URL(fileURLWithPath: path)
        let text: String
        do {
            let bytes = try Data(contentsOf: url)
            guard let t = String(data: bytes, encoding: .utf8) else {
                throw ConfigError(kind: .io, file: path, message: "the config file is not UTF-8 text")
            }
            text = t
        } catch let error as ConfigError {
            throw error
        } catch {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            if exists, isDirectory.boolValue {
                throw ConfigError(kind: .io, file: path, message: "\(path) is a folder, not a config file",
                                  hint: "give the path of the JSON config file itself")
            }
            throw ConfigError(kind: .io, file: path,
                              message: exists ? "cannot read the config file: \(FileErrorText.describe(error))" : "no config file at \(path)",
                              hint: exists ? nil : "check the path (relative paths are taken from the current folder, \(FileManager.default.currentDirectoryPath))")
        }
        let folder = url.standardizedFileURL.deletingLastPathComponent().path
        return try parse(text, file: path, baseDirectory: folder, overrides: overrides)
    }

    /// Parses config text; `file` names it in errors and `baseDirectory` resolves relative paths
    /// (nil leaves them as written).
    public static func parse(_ text: String, file: String? = nil, baseDirectory: String? = nil,
                             overrides: [String] = []) throws -> RecurConfig {
        var tree = try ConfigParser.parse(text, file: file)
        let isTemplate = TemplateConfig.isTemplate(tree)
        // On a template, overrides of native sections (`data.cleaning.sentinels`, `training.seed`)
        // are applied to the mapped native config, after the template's own keys.
        var native: [ConfigOverride] = []
        do {
            for text in overrides {
                let o = try ConfigOverride(text)
                if isTemplate, case let .key(k)? = o.components.first, keys.contains(k), !TemplateConfig.keys.contains(k) {
                    native.append(o)
                } else {
                    tree = try o.apply(to: tree)
                }
            }
            var config = try decode(tree, file: file, baseDirectory: baseDirectory)
            if !native.isEmpty {
                var mapped = config.nativeValue()
                for o in native { mapped = try o.apply(to: mapped) }
                config = try decode(mapped, file: file, baseDirectory: baseDirectory)
                config.format = .template
            }
            return config
        } catch var error as ConfigError {
            error.file = error.file ?? file
            throw error
        }
    }

    /// Checks a parsed (and overridden) tree, template or native.
    public static func decode(_ tree: ConfigValue, file: String? = nil, baseDirectory: String? = nil) throws -> RecurConfig {
        if TemplateConfig.isTemplate(tree) {
            let template = try TemplateConfig.decode(tree, file: file)
            let config = template.recurConfig(file: file, baseDirectory: baseDirectory)
            try config.checkConsistency(tree: nil)
            return config
        }
        let r = try ObjectReader(tree, allowed: keys, file: file, what: "a JSON object")
        let data = try DataConfig.decode(try r.require("data", "an object describing the CSV file (path, time columns, target)"),
                                         file: file, baseDirectory: baseDirectory)
        let window = try WindowConfig.decode(try r.require("window", "an object with at least `n_past_steps`"), file: file)
        let training = try TrainingConfig.decode(try r.require("training", "an object with at least `epochs`"), file: file)
        var config = RecurConfig(format: .native, sourceFile: file, description: try r.string("description"),
                                 data: data, window: window, training: training)
        if let s = r.value("split") { config.split = try SplitConfig.decode(s, file: file) }
        if let s = r.value("scaling") { config.scaling = try ConfigReader.choice(s, ScalingConfig.self, file: file) }
        if let m = r.value("model") { config.model = try ModelConfig.decode(m, file: file) }
        config.output = try OutputConfig.decode(r.value("output"), file: file, baseDirectory: baseDirectory)
        if let s = r.value("search") { config.search = try SearchConfig.decode(s, file: file) }
        if let i = r.value("intervals") { config.intervals = try IntervalConfig.decode(i, file: file) }
        try config.checkConsistency(tree: tree)
        return config
    }

    /// Checks across sections: the model fits the window, the recursive strategy has no extra
    /// features to forecast, and each search parameter sets a valid config value.
    func checkConsistency(tree: ConfigValue?) throws {
        try checkModelSize(try architecture(), tree: tree)
        try checkIntervals(tree: tree)
        if window.strategy == .recursive, window.horizon > 1, !data.features.isEmpty {
            throw ConfigError(kind: .conflict, file: sourceFile, keyPath: "window.strategy", location: tree?["window"]?["strategy"]?.location,
                              message: "`window.strategy` \"recursive\" cannot forecast \(window.horizon) steps with extra features (`data.features`): their future values are unknown",
                              hint: "use the direct strategy, or drop the extra features")
        }
        guard let search, let tree else { return }
        var base = tree
        if case var .object(members) = base.kind {
            members.removeAll { $0.key == "search" }
            base.kind = .object(members)
        }
        for p in search.space {
            guard let sample = p.distribution.gridValues?.first ?? p.distribution.lowValue else { continue }
            let spaceValue = tree["search"]?["space"]?[p.name]
            do {
                let o = try ConfigOverride(p.name + "=" + sample.description)
                _ = try RecurConfig.decode(try o.apply(to: base), file: nil, baseDirectory: nil)
            } catch let error as ConfigError {
                throw ConfigError(kind: .invalidValue, file: sourceFile, keyPath: spaceValue?.path, location: spaceValue?.location,
                                  message: "the search parameter `\(p.name)` does not set a valid config value (tried \(sample)): \(error.message)",
                                  hint: "a parameter is named by the key path it sets, e.g. training.optimizer.learning_rate")
            }
        }
    }
}

extension SearchDistribution {
    /// The low end of a range, as a value to try.
    var lowValue: SearchValue? {
        switch self {
        case let .uniform(l, _), let .logUniform(l, _), let .quantized(l, _, _): return .number(l)
        case let .int(l, _): return .number(Double(l))
        case let .choice(v): return v.first
        }
    }
}
