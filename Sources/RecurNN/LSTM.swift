import RecurKernels
import RecurTensor

/// Long short-term memory (Keras `LSTM`, the same equations as PyTorch's `nn.LSTM`):
///
///     z = x_t · kernel + h_{t−1} · recurrent_kernel + bias        // [B, 4H], blocks i, f, c, o
///     i = σ(z_i), f = σ(z_f), g = act(z_c), o = σ(z_o)            // σ = recurrentActivation
///     c_t = f ⊙ c_{t−1} + i ⊙ g
///     h_t = o ⊙ act(c_t)
///
/// Shapes: input `[T, B, inputSize]` (time-major); output `[T, B, units]` with
/// `returnSequences`, else `[B, units]`. Parameters, Keras layout (H = units):
/// `kernel` `[inputSize, 4H]` (glorot uniform over the whole matrix), `recurrent_kernel`
/// `[H, 4H]` (orthogonal), `bias` `[4H]` (zeros; the forget block ones with `unitForgetBias`).
/// States: h and c, `[B, H]` each.
///
/// With `separateRecurrentBias` the bias is `[2, 4H]` instead, PyTorch's layout (like GRU with
/// `resetAfter`): row 0 is the input bias `b_ih`, row 1 the recurrent bias `b_hh`, and the
/// gates use their sum. The function is the same; the difference is in training: both rows get
/// the same gradient and an optimizer steps each, so an adaptive optimizer (Adam) moves their
/// sum as PyTorch's `nn.LSTM` does (twice as far as one bias would move). Use it to fine-tune
/// PyTorch weights exactly as PyTorch would. `unitForgetBias` puts its ones in row 0 only.
public final class LSTM: RecurrentLayerBase, RecurrentLayer {
    public var name: String
    public let kind = LayerKind.lstm
    public let inputSize: Int
    public let units: Int
    public var outputSize: Int { units }
    public let returnSequences: Bool
    /// Applied to the candidate g and to c before the output gate.
    public let activation: Activation
    /// Applied to the gates i, f, o.
    public let recurrentActivation: Activation
    /// Whether the forget-gate bias started at one.
    public let unitForgetBias: Bool
    /// `[inputSize, 4H]`, gate blocks i, f, c, o.
    public let kernel: Parameter
    /// `[H, 4H]`.
    public let recurrentKernel: Parameter
    /// Whether `bias` is `[2, 4H]` (PyTorch's `b_ih`, `b_hh`) rather than `[4H]`.
    public let separateRecurrentBias: Bool
    /// `[4H]`, or `[2, 4H]` (rows b_ih, b_hh) with `separateRecurrentBias`.
    public let bias: Parameter
    public var parameters: [Parameter] { [kernel, recurrentKernel, bias] }
    public var stateCount: Int { 2 }


    private var input: Tensor?                  // [T, B, In], the last forward's input (not copied)
    private let gates = Tensor(shape: [0])      // [T, B, 4H] projections, then activations i, f, g, o
    private let cSeq = Tensor(shape: [0])       // [T + 1, B, H] cell states; step 0 holds c₀
    private let actC = Tensor(shape: [0])       // [T, B, H] act(c_t)
    private let dGates = Tensor(shape: [0])     // [T, B, 4H] gradients of the gate pre-activations
    private let dInput = Tensor(shape: [0])     // [T, B, In]
    private let biasSum: Tensor                 // separateRecurrentBias: [4H] row 0 + row 1; else [0]
    private let packedU = PackedMatrix()        // recurrent_kernel [H, 4H], packed once per forward
    private let packedUT = PackedMatrix()       // its transpose [4H, H], packed once per backward

    /// - Throws: `NNError.invalidArgument` for a non-positive size.
    public init(inputSize: Int, units: Int, returnSequences: Bool = false, activation: Activation = .tanh,
                recurrentActivation: Activation = .sigmoid, unitForgetBias: Bool = true,
                separateRecurrentBias: Bool = false, name: String = "lstm",
                initializeWeights: Bool = true,
                rng: inout RandomGenerator) throws {
        try LayerChecks.positive(inputSize, "inputSize", layer: name)
        try LayerChecks.positive(units, "units", layer: name)
        self.name = name
        self.inputSize = inputSize
        self.units = units
        self.returnSequences = returnSequences
        self.activation = activation
        self.recurrentActivation = recurrentActivation
        self.unitForgetBias = unitForgetBias
        self.separateRecurrentBias = separateRecurrentBias
        let G = 4 * units
        (kernel, recurrentKernel, bias) = RecurrentParameters.make(
            inputSize: inputSize, units: units, gates: 4, twoBiasRows: separateRecurrentBias,
            initialize: initializeWeights, rng: &rng)
        biasSum = Tensor(shape: [separateRecurrentBias ? G : 0])
        if unitForgetBias { for j in units..<(2 * units) { bias.value[j] = 1 } }
        super.init(core: RecurrentCore(inputSize: inputSize, units: units, stateCount: 2))
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try core.outputShape(for: inputShape, layer: name, returnSequences: returnSequences)
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let (T, B) = try core.begin(input, layer: name)
        self.input = input
        let H = units, G = 4 * H, In = inputSize, BH = B * H
        gates.resize([T, B, G])
        cSeq.resize([T + 1, B, H])
        actC.resize([T, B, H])
        let W = kernel.value.data, U = recurrentKernel.value.data
        let bias = RecurrentParameters.gateBias(self.bias, twoRows: separateRecurrentBias, width: G, sum: biasSum)
        let hs = core.hSeq.data, cs = cSeq.data, gs = gates.data, acs = actC.data
        core.loadInitialState(1, into: cs)
        // Rows of the batch are independent through the whole time loop: with `parts` > 1 each
        // part runs every step on its own rows (no barrier between steps).
        let parts = Parallel.parts(rows: B, work: 2 * Double(T * B) * Double(In + H) * Double(G))
        let fused = activation == .tanh && recurrentActivation == .sigmoid
        // tanh / sigmoid with H a multiple of 16 (AVX2 or AVX-512): the gate pass runs inside the
        // per-step product, group by group while the gates are in L1 (the same floats).
        let fusedStep = fused && PackedMatrix.gateGroupsFit(units: H) && KernelLevel.current != .generic
        Profiler.measure(.packing) {
            if fusedStep { self.packedU.packGateGroups(U, ld: G, units: H, parts: parts) }
            else { self.packedU.pack(U, ld: G, k: H, n: G, parts: parts) }
        }
        let packedU = self.packedU
        let x = UnsafePointer(input.data)
        let act = activation, ra = recurrentActivation
        // All steps' input projections: [T*B, In] x [In, 4H] (rows split between the parts).
        RecurrentProducts.projectInputs(parts: parts, rows: T * B, inputSize: In, G: G, x: x, kernel: W, into: gs, ldz: G)
        let loopStart = Profiler.now()
        defer { Profiler.add(.forwardLoop, since: loopStart) }
        // The loop splits at far less work than the products above (one fork for all steps).
        let loopParts = Parallel.loopParts(rows: B, work: 2 * Double(T * B) * Double(H) * Double(G))
        Parallel.run(loopParts) { part in
            let rows = Parallel.range(part, of: loopParts, count: B)
            let nb = rows.count, r0 = rows.lowerBound
            if nb == 0 { return }
            for t in 0..<T {
                let hPrev = hs + t * BH, cPrev = cs + t * BH, h = hPrev + BH, c = cPrev + BH
                let gt = gs + t * B * G, ac = acs + t * BH
                let t0 = Profiler.now()
                if fusedStep {
                    packedU.lstmForwardStep(m: nb, hPrev: hPrev + r0 * H, lda: H, z: gt + r0 * G, bias: bias,
                                            cPrev: cPrev + r0 * H, c: c + r0 * H, actC: ac + r0 * H, h: h + r0 * H)
                    Profiler.add(.stepProducts, since: t0, part: part)
                    continue
                }
                packedU.multiply(m: nb, a: hPrev + r0 * H, lda: H, c: gt + r0 * G, ldc: G, accumulate: true)
                Profiler.add(.stepProducts, since: t0, part: part)
                let t1 = Profiler.now()
                defer { Profiler.add(.forwardGates, since: t1, part: part) }
                if fused {
                    recur_lstm_forward_gates(Int32(nb), Int32(H), gt + r0 * G, bias, cPrev + r0 * H,
                                             c + r0 * H, ac + r0 * H, h + r0 * H)
                    continue
                }
                for r in rows {
                    let z = gt + r * G, o = r * H
                    for j in 0..<H {
                        let ig = ra.apply(z[j] + bias[j])
                        let fg = ra.apply(z[H + j] + bias[H + j])
                        let gg = act.apply(z[2 * H + j] + bias[2 * H + j])
                        let og = ra.apply(z[3 * H + j] + bias[3 * H + j])
                        let cv = fg * cPrev[o + j] + ig * gg
                        let a = act.apply(cv)
                        z[j] = ig; z[H + j] = fg; z[2 * H + j] = gg; z[3 * H + j] = og
                        c[o + j] = cv
                        ac[o + j] = a
                        h[o + j] = og * a
                    }
                }
            }
        }
        core.storeFinalState(0, from: hs + T * BH)
        core.storeFinalState(1, from: cs + T * BH)
        return core.output(returnSequences: returnSequences)
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard let input else { preconditionFailure("\(name): backward called before forward") }
        core.beginBackward(dOutput, layer: name, returnSequences: returnSequences)
        let T = core.steps, B = core.batch, H = units, G = 4 * H, In = inputSize, BH = B * H
        dGates.resize([T, B, G])
        dInput.resize([T, B, In])
        let hs = core.hSeq.data, cs = cSeq.data, gs = gates.data, acs = actC.data
        let dgs = dGates.data, dOut = dOutput.data
        let dh = core.stateGradients[0].data  // running dL/dh_t, ends as dL/dh₀
        let dc = core.stateGradients[1].data  // running dL/dc_t (from later steps), ends as dL/dc₀
        if returnSequences { dh.update(repeating: 0, count: BH) } else { dh.update(from: dOut, count: BH) }
        dc.update(repeating: 0, count: BH)
        let act = activation, ra = recurrentActivation
        let fused = activation == .tanh && recurrentActivation == .sigmoid
        let parts = Parallel.parts(rows: B, work: 4 * Double(T * B) * Double(In + H) * Double(G))
        Profiler.measure(.packing) {
            self.packedUT.pack(recurrentKernel.value.data, ld: G, k: G, n: H, transposed: true, parts: parts)
        }
        let packedUT = self.packedUT
        let loopStart = Profiler.now()
        let loopParts = Parallel.loopParts(rows: B, work: 2 * Double(T * B) * Double(H) * Double(G))
        Parallel.run(loopParts) { part in
            let rows = Parallel.range(part, of: loopParts, count: B)
            let nb = rows.count, r0 = rows.lowerBound
            if nb == 0 { return }
            for t in stride(from: T - 1, through: 0, by: -1) {
                let cPrev = cs + t * BH, gt = gs + t * B * G, dgt = dgs + t * B * G, ac = acs + t * BH
                let dOutT: UnsafePointer<Float>? = returnSequences ? UnsafePointer(dOut + t * BH) : nil
                let t0 = Profiler.now()
                if fused {
                    recur_lstm_backward_gates(Int32(nb), Int32(H), gt + r0 * G, cPrev + r0 * H, ac + r0 * H,
                                              dOutT.map { $0 + r0 * H }, dh + r0 * H, dc + r0 * H, dgt + r0 * G)
                } else {
                    for r in rows {
                        let z = gt + r * G, dz = dgt + r * G, o = r * H
                        for j in 0..<H {
                            var dhv = dh[o + j]
                            if let dOutT { dhv += dOutT[o + j] }
                            let ig = z[j], fg = z[H + j], gg = z[2 * H + j], og = z[3 * H + j], a = ac[o + j]
                            let dct = dc[o + j] + dhv * og * act.derivative(output: a)
                            dz[j] = dct * gg * ra.derivative(output: ig)
                            dz[H + j] = dct * cPrev[o + j] * ra.derivative(output: fg)
                            dz[2 * H + j] = dct * ig * act.derivative(output: gg)
                            dz[3 * H + j] = dhv * a * ra.derivative(output: og)
                            dc[o + j] = dct * fg
                        }
                    }
                }
                Profiler.add(.backwardGates, since: t0, part: part)
                let t1 = Profiler.now()
                // dh_{t−1} = dz_t · recurrent_kernelᵀ: [nb, 4H] x [4H, H]
                packedUT.multiply(m: nb, a: dgt + r0 * G, lda: G, c: dh + r0 * H, ldc: H)
                Profiler.add(.backwardProducts, since: t1, part: part)
            }
        }
        Profiler.add(.backwardLoop, since: loopStart)
        let rows = T * B
        let dU = recurrentKernel.gradient.data, dB = bias.gradient.data
        // d recurrent_kernel += [h₀ … h_{T−1}]ᵀ · dz over all steps: [H, T*B] x [T*B, 4H]; the
        // kernel, bias (both rows with separateRecurrentBias: d b_hh = d b_ih) and input gradients.
        RecurrentProducts.gradients(
            rows: rows, inputSize: In, units: H, G: G, x: UnsafePointer(input.data), dz: dgs, kernel: kernel.value.data,
            kernelGradient: kernel.gradient.data, biasRows: separateRecurrentBias ? [dB, dB + G] : [dB],
            dInput: dInput.data
        ) { cols in
            RecurrentProducts.accumulateRecurrentKernelGradient(columns: cols, rows: rows, units: H, G: G, states: hs,
                                                                dz: dgs, into: dU)
        }
        return dInput
    }
}
