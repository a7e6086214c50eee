/// The shape of supervised samples cut from a series: `nPastSteps` input steps (all features as
/// channels) followed by `horizon` target steps (feature 0). Codable for model packages.
public struct WindowSpec: Codable, Equatable, Sendable {
    /// Input steps per sample (n_past_steps), ≥ 1.
    public var nPastSteps: Int
    /// Target steps per sample, ≥ 1 (1: one-step-ahead forecasts).
    public var horizon: Int
    /// Steps between the starts of consecutive samples, ≥ 1.
    public var stride: Int

    public init(nPastSteps: Int, horizon: Int = 1, stride: Int = 1) {
        self.nPastSteps = nPastSteps
        self.horizon = horizon
        self.stride = stride
    }

    /// Steps one sample spans, nPastSteps + horizon.
    public var span: Int { nPastSteps + horizon }

    /// Throws `invalidSetting` for a non-positive length.
    public func validate() throws {
        if nPastSteps < 1 { throw DataError.invalidSetting(key: "n_past_steps", value: "\(nPastSteps)", expected: "an integer ≥ 1") }
        if horizon < 1 { throw DataError.invalidSetting(key: "horizon", value: "\(horizon)", expected: "an integer ≥ 1") }
        if stride < 1 { throw DataError.invalidSetting(key: "stride", value: "\(stride)", expected: "an integer ≥ 1") }
    }
}

/// Supervised samples, batch-major and flat, ready for a recurrent network.
/// (The seed lesson's "1 timestep of nPast features" layout is the same memory read as
/// [count, 1, nPastSteps * featureCount].)
public struct WindowSet: Equatable, Sendable {
    /// Inputs, [count, nPastSteps, featureCount] row-major.
    public var x: [Float]
    /// Targets (feature 0), [count, horizon] row-major.
    public var y: [Float]
    /// Number of samples N.
    public var count: Int
    public var nPastSteps: Int
    public var featureCount: Int
    public var horizon: Int
    /// For each sample, the series step of its first target: [count]. Its inputs are steps
    /// `targetStep - nPastSteps ..< targetStep`.
    public var targetSteps: [Int]

    /// Shape of `x`: [count, nPastSteps, featureCount].
    public var xShape: [Int] { [count, nPastSteps, featureCount] }
    /// Shape of `y`: [count, horizon].
    public var yShape: [Int] { [count, horizon] }
}

extension CleanSeries {
    /// Cuts the samples whose steps all lie in `range` (default: the whole series) and are all
    /// valid; samples touching an invalid step are skipped. With `inputsMayPrecede`, only the
    /// targets must lie in `range` and the inputs may reach back before it (for validation and
    /// test parts that follow training data). `what` names the part in errors.
    ///
    /// Throws `tooFewRows` when the range holds fewer than nPastSteps + horizon steps and
    /// `noValidWindows` when every window touches an invalid step.
    public func windows(_ spec: WindowSpec, range: Range<Int>? = nil, inputsMayPrecede: Bool = false,
                        what: String = "the series") throws -> WindowSet {
        try spec.validate()
        let range = range ?? 0..<count
        guard range.lowerBound >= 0, range.upperBound <= count else {
            throw DataError.invalidSetting(key: "range", value: "\(range)", expected: "rows within 0..<\(count)")
        }
        let F = featureCount, P = spec.nPastSteps, H = spec.horizon
        let firstTarget = inputsMayPrecede ? max(P, range.lowerBound) : range.lowerBound + P
        let available = range.upperBound - (inputsMayPrecede ? max(0, range.lowerBound - P) : range.lowerBound)
        guard available >= spec.span else {
            throw DataError.tooFewRows(what: what, have: max(available, 0), need: spec.span, nPastSteps: P, horizon: H)
        }
        // invalidBefore[i] = number of invalid steps in [0, i).
        var invalidBefore = [Int](repeating: 0, count: count + 1)
        for i in 0..<count { invalidBefore[i + 1] = invalidBefore[i] + (valid[i] ? 0 : 1) }
        var targetSteps: [Int] = []
        var t = firstTarget
        while t + H <= range.upperBound {
            if invalidBefore[t + H] - invalidBefore[t - P] == 0 { targetSteps.append(t) }
            t += spec.stride
        }
        guard !targetSteps.isEmpty else {
            throw DataError.noValidWindows(what: what, steps: range.count, nPastSteps: P, horizon: H)
        }
        let N = targetSteps.count
        var x = [Float](repeating: 0, count: N * P * F)  // [N, P, F]
        var y = [Float](repeating: 0, count: N * H)      // [N, H]
        values.withUnsafeBufferPointer { v in
            x.withUnsafeMutableBufferPointer { xb in
                y.withUnsafeMutableBufferPointer { yb in
                    for (s, t) in targetSteps.enumerated() {
                        let source = (t - P) * F
                        for k in 0..<(P * F) { xb[s * P * F + k] = v[source + k] }
                        for h in 0..<H { yb[s * H + h] = v[(t + h) * F] }
                    }
                }
            }
        }
        return WindowSet(x: x, y: y, count: N, nPastSteps: P, featureCount: F, horizon: H, targetSteps: targetSteps)
    }
}
