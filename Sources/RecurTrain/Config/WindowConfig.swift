/// `window`: how samples are cut from the series.
public struct WindowConfig: Codable, Equatable, Sendable, ConfigSchema {
    /// How forecasts longer than one step are made: one model output per horizon step (`direct`,
    /// default), or a one-step model applied repeatedly, fed its forecasts (`recursive`).
    public enum Strategy: String, Codable, CaseIterable, Sendable {
        case direct, recursive
    }

    /// How a sample is presented to the network: `n_past_steps` timesteps of F features each
    /// (`steps`, default), or one timestep of `n_past_steps × F` features (`features`, the seed
    /// lesson's "lag as features").
    public enum Layout: String, Codable, CaseIterable, Sendable {
        case steps, features
    }

    public var nPastSteps: Int
    public var horizon = 1
    public var strategy = Strategy.direct
    public var layout = Layout.steps
    public var stride = 1

    static var defaults: WindowConfig { WindowConfig(nPastSteps: 1) }
    static var schema: [ConfigKey<WindowConfig>] {
        [.key("n_past_steps", \.nPastSteps, .int(min: 1), required: true, "input steps per sample"),
         .key("horizon", \.horizon, .int(min: 1), "steps forecast per sample"),
         .key("strategy", \.strategy, .choice(Strategy.self), "direct: one output per horizon step; recursive: a one-step model fed its forecasts"),
         .key("layout", \.layout, .choice(Layout.self), "steps: n_past_steps timesteps; features: one timestep of all lags"),
         .key("stride", \.stride, .int(min: 1), "steps between the starts of consecutive samples")]
    }

    /// Network outputs per sample: `horizon` for the direct strategy, 1 for the recursive one.
    public var outputCount: Int { strategy == .direct ? horizon : 1 }

    /// Timesteps the network sees per sample: `nPastSteps`, or 1 with the `features` layout.
    public var timesteps: Int { layout == .steps ? nPastSteps : 1 }

    /// Inputs per sample, `nPastSteps × featureCount` (what `units: "auto"` sizes from).
    public func inputCount(featureCount: Int) -> Int { nPastSteps * featureCount }
}

/// `scaling`: how features are scaled, fitted on the training part only (bridged to RecurData's
/// `ScalerKind` in `RecurConfig+RecurData.swift`): `minmax` (default) to [0, 1]; `standard` to
/// mean 0 and standard deviation 1; `none`; `window`: each sample relative to its own window (the
/// target minus the window's last observed value, over the training part's RMS one-step change,
/// `WindowScaler.swift`); `auto`: trains with `minmax` and with `window` (same seed) and keeps the
/// lower validation RMSE in original units (`AutoScaling`).
public enum ScalingConfig: String, Codable, CaseIterable, Sendable {
    case minmax, standard, none, window, auto
}

/// `output`: where runs are written.
public struct OutputConfig: Equatable, Sendable, ConfigSchema {
    /// Folder for model packages and run files.
    public var directory: String
    /// CSV file gaining one row per run, default `<directory>/results.csv`.
    public var resultsCSV: String
    /// Log file; nil: logs go to stderr only.
    public var logFile: String?

    public init(directory: String = "runs/", resultsCSV: String? = nil, logFile: String? = nil) {
        (self.directory, self.resultsCSV, self.logFile) = (directory, resultsCSV ?? ConfigPaths.join(directory, "results.csv"), logFile)
    }

    static var defaults: OutputConfig { OutputConfig(resultsCSV: "") }
    static var schema: [ConfigKey<OutputConfig>] {
        [.key("directory", \.directory, .string, "folder for model packages and run files"),
         // Left out when it is the default, so that overriding the directory moves it too.
         ConfigKey(name: "results_csv", doc: "CSV gaining one row per run", expected: "a string", defaultNote: "<directory>/results.csv",
                   read: { $0.resultsCSV = try ConfigFormat.string.read($1, $2) },
                   write: { $0.resultsCSV.isEmpty || $0.resultsCSV == ConfigPaths.join($0.directory, "results.csv") ? nil : .string($0.resultsCSV) }),
         .optional("log_file", \.logFile, .string, "log file, besides stderr")]
    }

    /// Paths resolved against the config's folder; an absent `results_csv` goes in the directory.
    func resolved(against base: String?) -> OutputConfig {
        OutputConfig(directory: ConfigPaths.resolve(directory, against: base), resultsCSV: resultsCSV.isEmpty ? nil : ConfigPaths.resolve(resultsCSV, against: base),
                     logFile: logFile.map { ConfigPaths.resolve($0, against: base) })
    }
}
