import RecurTensor

/// Finite-difference checking of layers' backward passes.
///
/// For a chain of layers (each one's output is the next one's input) and an input, the check
/// draws a random upstream weighting R (uniform in ±1, the shape of the last output) and takes
/// the scalar L = Σ output ⊙ R, accumulated in Double. `backward(R)` gives the analytic
/// gradient of L with respect to every parameter, the input and every initial state that is
/// set; each element is then perturbed by ±ε and compared with the central difference
/// (L(x + ε) − L(x − ε)) / (2ε), the denominator taken from the perturbed Float values.
///
/// ## Tolerances, for a Float32 engine
/// An element passes when |numeric − analytic| ≤ atol + rtol · |numeric|.
/// - ε = 1e-2. The central difference's truncation error is ε²/6 · L‴ ≈ 2e-5 · L‴, with L‴
///   of order one for tanh/sigmoid networks with weights and inputs of order one. Its
///   rounding error is about δL / ε, where δL, the Float rounding of the forward pass summed
///   into L, is about 1e-7 · Σ|output| ≈ 1e-6 for the test sizes here, so ≈ 1e-4 at ε = 1e-2;
///   a smaller ε (1e-3) makes rounding dominate at ≈ 1e-3, a larger one lets curvature in.
/// - atol = 2e-4 and rtol = 2e-3. Observed in `LayerGradientTests` (every layer, B = 3,
///   T = 4, H = 4 or 5): the largest |numeric − analytic| is 2.2e-4 (on a gradient of about
///   1.3, i.e. 1.7e-4 relative: curvature, not rounding), and the worst ratio of error to
///   this tolerance is about 0.13, so the bounds leave an ~8x margin while a relative slip of
///   0.2 % is still caught; a genuinely wrong term (a missing factor, a gate read from the
///   wrong step) is off by percents or more. Half these bounds (1e-4, 1e-3) also pass today,
///   with a 4x margin; larger layers sum more rounding into L, so do not go tighter.
/// Keep inputs modest (uniform ±1) and avoid kinks (relu at 0, hard_sigmoid at ±3): a
/// difference that straddles a kink is not a derivative.
public enum GradientCheck {
    /// The default perturbation.
    public static let defaultEpsilon: Float = 1e-2
    /// The default absolute tolerance.
    public static let defaultAbsoluteTolerance: Double = 2e-4
    /// The default relative tolerance.
    public static let defaultRelativeTolerance: Double = 2e-3

    /// The outcome of a check.
    public struct Report: CustomStringConvertible, Sendable {
        /// Elements compared.
        public var checked = 0
        /// Elements outside the tolerance.
        public var failures = 0
        /// The largest |numeric − analytic|.
        public var worstAbsoluteError = 0.0
        /// The largest |numeric − analytic| / (atol + rtol · |numeric|): below 1 passes.
        public var worstToleranceRatio = 0.0
        /// Where `worstToleranceRatio` occurred, e.g. `lstm.kernel[5]`.
        public var worstElement = ""
        /// The first failures, described.
        public var messages: [String] = []
        /// Whether every element passed.
        public var passed: Bool { failures == 0 }

        public var description: String {
            "\(checked) elements, \(failures) failures, worst |num − ana| \(worstAbsoluteError), "
                + "worst ratio to tolerance \(worstToleranceRatio) at \(worstElement)"
                + (messages.isEmpty ? "" : "; " + messages.joined(separator: "; "))
        }
    }

    /// Checks `layers`' backward passes against central differences (see the type's notes).
    /// Runs forward in training mode; `Dropout` layers keep their first mask for the whole
    /// check (`freezeMask`); recurrent layers run non-stateful. Initial states that are set on
    /// recurrent layers are checked too. All settings are restored afterwards.
    /// - Throws: whatever the layers' forward throws.
    public static func check(
        _ layers: [Layer], input: Tensor, seed: UInt64 = 1, epsilon: Float = defaultEpsilon,
        atol: Double = defaultAbsoluteTolerance, rtol: Double = defaultRelativeTolerance
    ) throws -> Report {
        precondition(!layers.isEmpty)
        let dropouts = layers.compactMap { $0 as? Dropout }
        let frozen = dropouts.map(\.freezeMask)
        let recurrent = layers.compactMap { $0 as? any RecurrentLayer }
        let wasStateful = recurrent.map(\.stateful)
        defer {
            for (d, f) in zip(dropouts, frozen) { d.freezeMask = f }
            for (r, s) in zip(recurrent, wasStateful) { r.stateful = s }
        }
        for r in recurrent { r.stateful = false }

        func run() throws -> Tensor {
            var x = input
            for layer in layers { x = try layer.forward(x, training: true) }
            return x
        }
        // Analytic gradients.
        let out = try run()
        for d in dropouts { d.freezeMask = true }
        var rng = RandomGenerator(seed: seed)
        let weighting = Tensor(shape: out.shape)
        rng.fillUniform(weighting, -1, 1)
        let w = weighting.scalars
        for layer in layers { for p in layer.parameters { p.gradient.fill(0) } }
        var d = weighting.clone()
        for layer in layers.reversed() { d = layer.backward(d) }
        let inputGradient = d.scalars

        func loss() throws -> Double {
            let y = try run()
            var s = 0.0
            for i in 0..<y.count { s += Double(y[i]) * Double(w[i]) }
            return s
        }

        var report = Report()
        func compare(_ target: Tensor, analytic: [Float], label: String) throws {
            for i in 0..<target.count {
                let saved = target[i]
                target[i] = saved + epsilon
                let up = target[i]
                let lPlus = try loss()
                target[i] = saved - epsilon
                let down = target[i]
                let lMinus = try loss()
                target[i] = saved
                let numeric = (lPlus - lMinus) / (Double(up) - Double(down))
                let ana = Double(analytic[i])
                let error = abs(numeric - ana)
                let ratio = error / (atol + rtol * abs(numeric))
                report.checked += 1
                report.worstAbsoluteError = max(report.worstAbsoluteError, error)
                if ratio > report.worstToleranceRatio || ratio.isNaN {
                    report.worstToleranceRatio = ratio.isNaN ? .infinity : ratio
                    report.worstElement = "\(label)\(target.multiIndex(of: i))"
                }
                if !(ratio <= 1) {
                    report.failures += 1
                    if report.messages.count < 8 {
                        report.messages.append("\(label)\(target.multiIndex(of: i)): numeric \(numeric), analytic \(ana)")
                    }
                }
            }
        }

        // Copy every analytic gradient before the perturbed evaluations.
        var parameterGradients: [(Parameter, String, [Float])] = []
        for layer in layers {
            for p in layer.parameters { parameterGradients.append((p, "\(layer.name).\(p.name)", p.gradient.scalars)) }
        }
        var stateGradients: [(Tensor, String, [Float])] = []
        for r in recurrent {
            guard let states = r.initialStates else { continue }
            for (k, s) in states.enumerated() {
                stateGradients.append((s, "\(r.name).initialStates[\(k)]", r.initialStateGradients[k].scalars))
            }
        }
        for (p, label, g) in parameterGradients { try compare(p.value, analytic: g, label: label) }
        try compare(input, analytic: inputGradient, label: "input")
        for (s, label, g) in stateGradients { try compare(s, analytic: g, label: label) }
        return report
    }
}
