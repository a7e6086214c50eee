import Foundation
import RecurData
import RecurTensor

/// A complete, checked training configuration: what `recur train` and `recur tune` run, and what
/// a model package records (Codable: as its native document, `nativeJSON()`). Read one with
/// `RecurConfig.load(path:overrides:)`; the schema is documented in `docs/config.md`, checked
/// against `schema` by `ConfigDocsTests`. Paths in it are already resolved against the config
/// file's folder.
public struct RecurConfig: Equatable, Sendable, ConfigSchema {
    /// Which format the file was written in: the native schema or the old platform's template (`TemplateConfig`).
    public enum Format: String, Codable, Sendable {
        case native, template
    }

    public var format = Format.native
    /// The config file, when read from one.
    public var sourceFile: String?
    public var description: String?
    public var data: DataConfig
    public var window: WindowConfig
    public var split = SplitSpec.standard
    public var scaling = ScalingConfig.minmax
    public var model = ModelConfig.standard
    public var training: TrainingConfig
    public var output = OutputConfig()
    /// For `recur tune`; nil when absent.
    public var search: SearchConfig?
    /// nil means the defaults (`intervalSettings`).
    public var intervals: IntervalConfig?

    static var defaults: RecurConfig {
        RecurConfig(data: DataConfig(), window: .defaults, training: TrainingConfig(), output: OutputConfig(resultsCSV: ""))
    }
    static var objectWording: String { "a JSON object" }
    static var schema: [ConfigKey<RecurConfig>] {
        [.optional("description", \.description, .string, "free text, e.g. what the experiment is for"),
         .key("data", \.data, DataConfig.configFormat, required: true, "the CSV file: path, time columns, target"),
         .key("window", \.window, WindowConfig.configFormat, required: true, "how samples are cut (at least n_past_steps)"),
         .key("split", \.split, SplitSpec.configFormat, "training, validation and test parts"),
         .key("scaling", \.scaling, .choice(ScalingConfig.self), "how features are scaled"),
         .key("model", \.model, ModelConfig.configFormat, "the network"),
         .key("training", \.training, TrainingConfig.configFormat, required: true, "the fit loop (at least epochs)"),
         .key("output", \.output, OutputConfig.configFormat, "where runs are written"),
         .optional("search", \.search, SearchConfig.configFormat, "the search run by recur tune"),
         .optional("intervals", \.intervals, IntervalConfig.configFormat, "prediction intervals calibrated")]
    }

    /// Inputs per sample, `n_past_steps × (1 + features.count)`: what `units: "auto"` sizes from.
    public var inputCount: Int { window.inputCount(featureCount: data.featureCount) }

    /// The layers actually built (units resolved, dropout and output layers in place).
    public func architecture() throws -> ModelArchitecture {
        try model.architecture(window: window, featureCount: data.featureCount, outputsPerStep: training.loss.outputsPerStep, file: sourceFile)
    }

    // MARK: Loading

    /// Reads the config at `path` (native or template, told apart by its keys), applies the
    /// `--set` overrides in order, and checks everything.
    /// - Throws: `ConfigError` naming the file, key path, and line and column where known.
    public static func load(path: String, overrides: [String] = []) throws -> RecurConfig {
        let url = URL(fileURLWithPath: path)
        let bytes: Data
        do { bytes = try Data(contentsOf: url) } catch {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            if exists, isDirectory.boolValue {
                throw ConfigError(kind: .io, file: path, message: "\(path) is a folder, not a config file", hint: "give the path of the JSON config file itself")
            }
            throw ConfigError(kind: .io, file: path, message: exists ? "cannot read the config file: \(FileErrorText.describe(error))" : "no config file at \(path)",
                              hint: exists ? nil : "check the path (relative paths are taken from the current folder, \(FileManager.default.currentDirectoryPath))")
        }
        guard let text = String(data: bytes, encoding: .utf8) else { throw ConfigError(kind: .io, file: path, message: "the config file is not UTF-8 text") }
        return try parse(text, file: path, baseDirectory: url.standardizedFileURL.deletingLastPathComponent().path, overrides: overrides)
    }

    /// The `--set` override that puts `seed` into `training.seed`, written as the seed format
    /// writes it (a decimal string from `ConfigValue.exactIntegerLimit` on), so any UInt64 reads back exactly.
    public static func seedOverride(_ seed: UInt64) -> String {
        "training.seed=" + ConfigValue(ConfigFormat.seed.write(seed)).description
    }

    /// Parses config text; `file` names it in errors and `baseDirectory` resolves relative paths
    /// (nil leaves them as written).
    public static func parse(_ text: String, file: String? = nil, baseDirectory: String? = nil, overrides: [String] = []) throws -> RecurConfig {
        do {
            var tree = try ConfigParser.parse(text, file: file)
            // On a template, overrides of native sections (`data.cleaning.sentinels`, `training.seed`)
            // are applied to the native document it maps to, after the template's own keys.
            var native: [ConfigOverride] = []
            for o in try overrides.map(ConfigOverride.init) {
                if TemplateConfig.isTemplate(tree), case let .key(k)? = o.components.first, keyNames.contains(k), !TemplateConfig.keyNames.contains(k) {
                    native.append(o)
                } else {
                    tree = try o.apply(to: tree)
                }
            }
            return try decode(tree, file: file, baseDirectory: baseDirectory, nativeOverrides: native)
        } catch var error as ConfigError {
            error.file = error.file ?? file
            throw error
        }
    }

    /// Checks a parsed (and overridden) tree, template or native; `nativeOverrides` apply to
    /// the native document a template maps to.
    public static func decode(_ tree: ConfigValue, file: String? = nil, baseDirectory: String? = nil,
                              nativeOverrides: [ConfigOverride] = []) throws -> RecurConfig {
        var tree = tree, format = Format.native
        if TemplateConfig.isTemplate(tree) {
            tree = try nativeOverrides.reduce(try TemplateConfig.nativeTree(tree, file: file)) { try $1.apply(to: $0) }
            format = .template
        }
        var config = try decode(tree, file: file, from: defaults)
        (config.format, config.sourceFile) = (format, file)
        config.data.path = ConfigPaths.resolve(config.data.path, against: baseDirectory)
        config.output = config.output.resolved(against: baseDirectory)
        try config.checkConsistency(tree: tree)
        return config
    }

    /// Checks across sections: the model fits the window, the recursive strategy has no extra
    /// features to forecast, and each search parameter sets a valid config value.
    func checkConsistency(tree: ConfigValue) throws {
        try checkModelSize(try architecture(), tree: tree)
        try checkIntervals(tree: tree)
        if window.strategy == .recursive, window.horizon > 1, !data.features.isEmpty {
            throw ConfigError(kind: .conflict, file: sourceFile, keyPath: "window.strategy", location: tree["window"]?["strategy"]?.location,
                              message: "`window.strategy` \"recursive\" cannot forecast \(window.horizon) steps with extra features (`data.features`): their future values are unknown",
                              hint: "use the direct strategy, or drop the extra features")
        }
        guard let search else { return }
        // Each parameter is tried as a trial is made (`applying`: on the native echo, defaults
        // written out, so a key left at its default, e.g. the optimizer, can be searched), less `search`.
        var base = self
        base.search = nil
        for p in search.space {
            guard let sample = p.distribution.gridValues?.first ?? p.distribution.lowValue else { continue }
            let spaceValue = tree["search"]?["space"]?[p.name]
            do {
                _ = try base.applying([(p.name, sample)])
            } catch let error as ConfigError {
                throw ConfigError(kind: .invalidValue, file: sourceFile, keyPath: spaceValue?.path, location: spaceValue?.location,
                                  message: "the search parameter `\(p.name)` does not set a valid config value (tried \(sample)): \(error.message)",
                                  hint: "a parameter is named by the key path it sets, e.g. training.optimizer.learning_rate")
            }
        }
    }
}

extension RecurConfig: Codable {
    enum CodingKeys: String, CodingKey { case format, sourceFile, document }

    /// Decoded from its native document (`nativeJSON()`), checked again.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let document = try c.decode(String.self, forKey: .document)
        do {
            self = try RecurConfig.parse(document)
        } catch let error as ConfigError {
            throw DecodingError.dataCorruptedError(forKey: .document, in: c, debugDescription: error.description)
        }
        format = try c.decode(Format.self, forKey: .format)
        sourceFile = try c.decodeIfPresent(String.self, forKey: .sourceFile)
    }

    /// The format, the source file and the native document as JSON text (keys in order).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(format, forKey: .format)
        try c.encodeIfPresent(sourceFile, forKey: .sourceFile)
        try c.encode(nativeJSON(), forKey: .document)
    }
}

extension RecurConfig {
    /// The config as a native document (every key present; paths as resolved): the one
    /// serialisation, for the echo, the manifest and the tuner.
    public func nativeValue() -> ConfigValue { ConfigValue(encoded).rebased(at: "") }

    /// The native document as indented JSON text.
    public func nativeJSON() -> String { nativeValue().prettyJSON() }

    /// This config with `parameters` (key path → value, e.g. a tuning trial's) applied like
    /// `--set` overrides, checked again.
    /// - Throws: `ConfigError` when a value does not fit its key.
    public func applying(_ parameters: [(name: String, value: SearchValue)]) throws -> RecurConfig {
        var tree = nativeValue()
        for p in parameters { tree = try ConfigOverride(p.name + "=" + p.value.description).apply(to: tree) }
        var config = try RecurConfig.decode(tree, file: sourceFile, baseDirectory: nil)
        config.format = format
        return config
    }
}
