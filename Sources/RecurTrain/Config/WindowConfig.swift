/// `window`: how samples are cut from the series.
public struct WindowConfig: Codable, Equatable, Sendable {
    /// How forecasts longer than one step are made (`strategy`).
    public enum Strategy: String, Codable, CaseIterable, Sendable {
        /// One model output per horizon step (default).
        case direct
        /// A one-step model applied repeatedly, feeding its forecasts back.
        case recursive
    }

    /// How a sample is presented to the network (`layout`).
    public enum Layout: String, Codable, CaseIterable, Sendable {
        /// `n_past_steps` timesteps of F features each (default).
        case steps
        /// One timestep of `n_past_steps × F` features (the seed lesson's "lag as features").
        case features
    }

    /// Input steps per sample (`n_past_steps`), ≥ 1; required.
    public var nPastSteps: Int
    /// Steps forecast per sample (`horizon`), ≥ 1, default 1.
    public var horizon: Int
    /// Default `.direct`.
    public var strategy: Strategy
    /// Default `.steps`.
    public var layout: Layout
    /// Steps between the starts of consecutive samples (`stride`), ≥ 1, default 1.
    public var stride: Int

    public init(nPastSteps: Int, horizon: Int = 1, strategy: Strategy = .direct, layout: Layout = .steps, stride: Int = 1) {
        self.nPastSteps = nPastSteps
        self.horizon = horizon
        self.strategy = strategy
        self.layout = layout
        self.stride = stride
    }

    /// Network outputs per sample: `horizon` for the direct strategy, 1 for the recursive one.
    public var outputCount: Int { strategy == .direct ? horizon : 1 }

    /// Timesteps the network sees per sample: `nPastSteps`, or 1 with the `features` layout.
    public var timesteps: Int { layout == .steps ? nPastSteps : 1 }

    /// Inputs per sample, `nPastSteps × featureCount` (what `units: "auto"` sizes from).
    public func inputCount(featureCount: Int) -> Int { nPastSteps * featureCount }

    static let keys = ["n_past_steps", "horizon", "strategy", "layout", "stride"]

    static func decode(_ value: ConfigValue, file: String?) throws -> WindowConfig {
        let r = try ObjectReader(value, allowed: keys, file: file)
        var w = WindowConfig(nPastSteps: try r.requiredInt("n_past_steps", min: 1))
        w.horizon = try r.int("horizon", min: 1) ?? 1
        w.strategy = try r.choice("strategy", Strategy.self) ?? .direct
        w.layout = try r.choice("layout", Layout.self) ?? .steps
        w.stride = try r.int("stride", min: 1) ?? 1
        return w
    }
}
