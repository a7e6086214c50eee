import RecurKernels
import RecurTensor

/// Gated recurrent unit (Keras `GRU`; with `resetAfter` the same function as PyTorch's
/// `nn.GRU`, whose gates are ordered r, z, n instead):
///
///     z = σ(x_t·W_z + b_xz + h_{t−1}·U_z + b_hz)                 // σ = recurrentActivation
///     r = σ(x_t·W_r + b_xr + h_{t−1}·U_r + b_hr)
///     resetAfter:  ĥ = act(x_t·W_h + b_xh + r ⊙ (h_{t−1}·U_h + b_hh))
///     otherwise:   ĥ = act(x_t·W_h + (r ⊙ h_{t−1})·U_h + b_h)
///     h_t = z ⊙ h_{t−1} + (1 − z) ⊙ ĥ
///
/// Shapes: input `[T, B, inputSize]` (time-major); output `[T, B, units]` with
/// `returnSequences`, else `[B, units]`. Parameters, Keras layout (H = units, blocks z, r, h):
/// `kernel` `[inputSize, 3H]` (glorot uniform), `recurrent_kernel` `[H, 3H]` (orthogonal),
/// `bias` `[2, 3H]` with `resetAfter` (row 0 input bias, row 1 recurrent bias), else `[3H]`
/// (zeros). One state, h (`[B, H]`).
public final class GRU: RecurrentLayerBase, RecurrentLayer {
    public var name: String
    public let kind = LayerKind.gru
    public let inputSize: Int
    public let units: Int
    public var outputSize: Int { units }
    public let returnSequences: Bool
    /// Where the reset gate applies: after the recurrent product (Keras 3 default, PyTorch,
    /// cuDNN) or before it (the original GRU).
    public let resetAfter: Bool
    /// Applied to the candidate ĥ.
    public let activation: Activation
    /// Applied to the gates z and r.
    public let recurrentActivation: Activation
    /// `[inputSize, 3H]`, gate blocks z, r, h.
    public let kernel: Parameter
    /// `[H, 3H]`.
    public let recurrentKernel: Parameter
    /// `[2, 3H]` with `resetAfter`, else `[3H]`.
    public let bias: Parameter
    public var parameters: [Parameter] { [kernel, recurrentKernel, bias] }
    public var stateCount: Int { 1 }


    private var input: Tensor?                  // [T, B, In], the last forward's input (not copied)
    private let gates = Tensor(shape: [0])      // [T, B, 3H] input projections, then z, r, ĥ
    /// resetAfter: h_{t−1}·U_h + b_hh per step; otherwise r ⊙ h_{t−1}.
    private let recurrentCache = Tensor(shape: [0])  // [T, B, H]
    private let stepProjection = Tensor(shape: [0])  // [B, 3H] h_{t−1}·U of the current step
    private let dGates = Tensor(shape: [0])     // [T, B, 3H] gradients of the input-side pre-activations
    private let dRecurrent = Tensor(shape: [0]) // resetAfter: [T, B, 3H] recurrent-side; else [B, H] d(r ⊙ h)
    private let dInput = Tensor(shape: [0])     // [T, B, In]
    /// The recurrent kernel (resetAfter: all of U; otherwise U[:, 0..<2H]) packed once per pass:
    /// forward U's blocks, backward their transposes.
    private let packedA = PackedMatrix()
    /// Otherwise-variant only: U[:, 2H..<3H] (forward) or its transpose (backward).
    private let packedB = PackedMatrix()

    /// - Throws: `NNError.invalidArgument` for a non-positive size.
    public init(inputSize: Int, units: Int, returnSequences: Bool = false, resetAfter: Bool = true,
                activation: Activation = .tanh, recurrentActivation: Activation = .sigmoid, name: String = "gru",
                initializeWeights: Bool = true,
                rng: inout RandomGenerator) throws {
        try LayerChecks.positive(inputSize, "inputSize", layer: name)
        try LayerChecks.positive(units, "units", layer: name)
        self.name = name
        self.inputSize = inputSize
        self.units = units
        self.returnSequences = returnSequences
        self.resetAfter = resetAfter
        self.activation = activation
        self.recurrentActivation = recurrentActivation
        (kernel, recurrentKernel, bias) = RecurrentParameters.make(
            inputSize: inputSize, units: units, gates: 3, twoBiasRows: resetAfter,
            initialize: initializeWeights, rng: &rng)
        super.init(core: RecurrentCore(inputSize: inputSize, units: units, stateCount: 1))
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try core.outputShape(for: inputShape, layer: name, returnSequences: returnSequences)
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let (T, B) = try core.begin(input, layer: name)
        self.input = input
        let H = units, G = 3 * H, In = inputSize, BH = B * H
        gates.resize([T, B, G])
        recurrentCache.resize([T, B, H])
        stepProjection.resize([B, G])
        let W = kernel.value.data, U = recurrentKernel.value.data, bx = UnsafePointer(bias.value.data)
        let hs = core.hSeq.data, gs = gates.data, rc = recurrentCache.data, p = stepProjection.data
        let act = activation, ra = recurrentActivation, resetAfter = self.resetAfter
        let fused = act == .tanh && ra == .sigmoid  // RecurKernels' gate passes (either reset placement)
        // Rows of the batch are independent through the whole time loop: each part runs every
        // step on its own rows (no barrier between steps).
        let parts = Parallel.parts(rows: B, work: 2 * Double(T * B) * Double(In + H) * Double(G))
        if resetAfter {
            packedA.pack(U, ld: G, k: H, n: G, parts: parts)
        } else {
            packedA.pack(U, ld: G, k: H, n: 2 * H, parts: parts)
            packedB.pack(U + 2 * H, ld: G, k: H, n: H, parts: parts)
        }
        let packedA = self.packedA, packedB = self.packedB
        // All steps' input projections: [T*B, In] x [In, 3H] (rows split between the parts).
        RecurrentProducts.projectInputs(parts: parts, rows: T * B, inputSize: In, G: G, x: input.data, kernel: W,
                                        into: gs, ldz: G)
        Parallel.run(parts) { part in
            let rows = Parallel.range(part, of: parts, count: B)
            let nb = rows.count, r0 = rows.lowerBound
            if nb == 0 { return }
            if resetAfter {
                let bh = bx + G
                for t in 0..<T {
                    let hPrev = hs + t * BH, h = hPrev + BH, gt = gs + t * B * G, rct = rc + t * BH
                    packedA.multiply(m: nb, a: hPrev + r0 * H, lda: H, c: p + r0 * G, ldc: G)
                    if fused {
                        recur_gru_forward_gates(Int32(nb), Int32(H), gt + r0 * G, p + r0 * G, bx, bh,
                                                hPrev + r0 * H, rct + r0 * H, h + r0 * H)
                        continue
                    }
                    for r in rows {
                        let x = gt + r * G, q = p + r * G, o = r * H
                        for j in 0..<H {
                            let zg = ra.apply(x[j] + bx[j] + q[j] + bh[j])
                            let rg = ra.apply(x[H + j] + bx[H + j] + q[H + j] + bh[H + j])
                            let hr = q[2 * H + j] + bh[2 * H + j]
                            let hh = act.apply(x[2 * H + j] + bx[2 * H + j] + rg * hr)
                            x[j] = zg; x[H + j] = rg; x[2 * H + j] = hh
                            rct[o + j] = hr
                            h[o + j] = zg * hPrev[o + j] + (1 - zg) * hh
                        }
                    }
                }
            } else {
                for t in 0..<T {
                    let hPrev = hs + t * BH, h = hPrev + BH, gt = gs + t * B * G, rh = rc + t * BH
                    // z, r blocks: h_{t−1} · U[:, 0..<2H]
                    packedA.multiply(m: nb, a: hPrev + r0 * H, lda: H, c: p + r0 * G, ldc: G)
                    if fused {
                        recur_gru_reset_before_gates(Int32(nb), Int32(H), gt + r0 * G, p + r0 * G, bx, hPrev + r0 * H,
                                                     rh + r0 * H)
                    } else {
                        for r in rows {
                            let x = gt + r * G, q = p + r * G, o = r * H
                            for j in 0..<H {
                                let zg = ra.apply(x[j] + bx[j] + q[j])
                                let rg = ra.apply(x[H + j] + bx[H + j] + q[H + j])
                                x[j] = zg; x[H + j] = rg
                                rh[o + j] = rg * hPrev[o + j]
                            }
                        }
                    }
                    // h block: (r ⊙ h_{t−1}) · U[:, 2H..<3H]
                    packedB.multiply(m: nb, a: rh + r0 * H, lda: H, c: p + r0 * G + 2 * H, ldc: G)
                    if fused {
                        recur_gru_reset_before_output(Int32(nb), Int32(H), gt + r0 * G, p + r0 * G, bx, hPrev + r0 * H,
                                                      h + r0 * H)
                        continue
                    }
                    for r in rows {
                        let x = gt + r * G, q = p + r * G, o = r * H
                        for j in 0..<H {
                            let hh = act.apply(x[2 * H + j] + bx[2 * H + j] + q[2 * H + j])
                            let zg = x[j]
                            x[2 * H + j] = hh
                            h[o + j] = zg * hPrev[o + j] + (1 - zg) * hh
                        }
                    }
                }
            }
        }
        core.storeFinalState(0, from: hs + T * BH)
        return core.output(returnSequences: returnSequences)
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard let input else { preconditionFailure("\(name): backward called before forward") }
        core.beginBackward(dOutput, layer: name, returnSequences: returnSequences)
        let T = core.steps, B = core.batch, H = units, G = 3 * H, In = inputSize, BH = B * H
        dGates.resize([T, B, G])
        dRecurrent.resize(resetAfter ? [T, B, G] : [B, H])
        dInput.resize([T, B, In])
        let hs = core.hSeq.data, gs = gates.data, rc = recurrentCache.data
        let dgs = dGates.data, drs = dRecurrent.data, dOut = dOutput.data
        let dh = core.stateGradients[0].data  // running dL/dh_t, ends as dL/dh₀
        if returnSequences { dh.update(repeating: 0, count: BH) } else { dh.update(from: dOut, count: BH) }
        let U = recurrentKernel.value.data, act = activation, ra = recurrentActivation
        let resetAfter = self.resetAfter, returnSequences = self.returnSequences
        let fused = act == .tanh && ra == .sigmoid  // RecurKernels' gate passes (either reset placement)
        let parts = Parallel.parts(rows: B, work: 4 * Double(T * B) * Double(In + H) * Double(G))
        if resetAfter {
            packedA.pack(U, ld: G, k: G, n: H, transposed: true, parts: parts)  // Uᵀ [3H, H]
        } else {
            packedA.pack(U, ld: G, k: 2 * H, n: H, transposed: true, parts: parts)  // U[:, 0..<2H]ᵀ
            packedB.pack(U + 2 * H, ld: G, k: H, n: H, transposed: true, parts: parts)  // U[:, 2H..<3H]ᵀ
        }
        let packedA = self.packedA, packedB = self.packedB
        Parallel.run(parts) { part in
            let rows = Parallel.range(part, of: parts, count: B)
            let nb = rows.count, r0 = rows.lowerBound
            if nb == 0 { return }
            for t in stride(from: T - 1, through: 0, by: -1) {
                let hPrev = hs + t * BH, gt = gs + t * B * G, dgt = dgs + t * B * G, rct = rc + t * BH
                let dOutT: UnsafePointer<Float>? = returnSequences ? UnsafePointer(dOut + t * BH) : nil
                if resetAfter {
                    let drt = drs + t * B * G
                    if fused {
                        recur_gru_backward_gates(Int32(nb), Int32(H), gt + r0 * G, hPrev + r0 * H, rct + r0 * H,
                                                 dOutT.map { $0 + r0 * H }, dh + r0 * H, dgt + r0 * G, drt + r0 * G)
                    } else {
                        for r in rows {
                            let x = gt + r * G, dx = dgt + r * G, dq = drt + r * G, o = r * H
                            for j in 0..<H {
                                var dhv = dh[o + j]
                                if let dOutT { dhv += dOutT[o + j] }
                                let zg = x[j], rg = x[H + j], hh = x[2 * H + j], hr = rct[o + j]
                                let dz = dhv * (hPrev[o + j] - hh) * ra.derivative(output: zg)
                                let da = dhv * (1 - zg) * act.derivative(output: hh)
                                let dr = da * hr * ra.derivative(output: rg)
                                dx[j] = dz; dx[H + j] = dr; dx[2 * H + j] = da
                                dq[j] = dz; dq[H + j] = dr; dq[2 * H + j] = da * rg
                                dh[o + j] = dhv * zg
                            }
                        }
                    }
                    // dh_{t−1} += dq_t · Uᵀ: [nb, 3H] x [3H, H]
                    packedA.multiply(m: nb, a: drt + r0 * G, lda: G, c: dh + r0 * H, ldc: H, accumulate: true)
                } else {
                    if fused {
                        recur_gru_reset_before_backward_zh(Int32(nb), Int32(H), gt + r0 * G, hPrev + r0 * H,
                                                           dOutT.map { $0 + r0 * H }, dh + r0 * H, dgt + r0 * G)
                    } else {
                        for r in rows {
                            let x = gt + r * G, dx = dgt + r * G, o = r * H
                            for j in 0..<H {
                                var dhv = dh[o + j]
                                if let dOutT { dhv += dOutT[o + j] }
                                let zg = x[j], hh = x[2 * H + j]
                                dx[j] = dhv * (hPrev[o + j] - hh) * ra.derivative(output: zg)
                                dx[2 * H + j] = dhv * (1 - zg) * act.derivative(output: hh)
                                dh[o + j] = dhv * zg
                            }
                        }
                    }
                    // d(r ⊙ h_{t−1}) = dĥ_t · U_hᵀ: [nb, H] x [H, H]
                    packedB.multiply(m: nb, a: dgt + r0 * G + 2 * H, lda: G, c: drs + r0 * H, ldc: H)
                    if fused {
                        recur_gru_reset_before_backward_r(Int32(nb), Int32(H), gt + r0 * G, hPrev + r0 * H, drs + r0 * H,
                                                          dh + r0 * H, dgt + r0 * G)
                    } else {
                        for r in rows {
                            let x = gt + r * G, dx = dgt + r * G, o = r * H
                            for j in 0..<H {
                                let rg = x[H + j], drh = drs[o + j]
                                dx[H + j] = drh * hPrev[o + j] * ra.derivative(output: rg)
                                dh[o + j] += drh * rg
                            }
                        }
                    }
                    // dh_{t−1} += [dz, dr]_t · U[:, 0..<2H]ᵀ
                    packedA.multiply(m: nb, a: dgt + r0 * G, lda: G, c: dh + r0 * H, ldc: H, accumulate: true)
                }
            }
        }
        let rows = T * B
        let dU = recurrentKernel.gradient.data, dB = bias.gradient.data
        RecurrentProducts.gradients(
            rows: rows, inputSize: In, units: H, G: G, x: UnsafePointer(input.data), dz: dgs, kernel: kernel.value.data,
            kernelGradient: kernel.gradient.data, biasRows: [dB], dInput: dInput.data
        ) { cols in
            if resetAfter {
                // d recurrent_kernel += [h₀ … h_{T−1}]ᵀ · dq; the recurrent bias row gets dq's sums.
                RecurrentProducts.accumulateRecurrentKernelGradient(columns: cols, rows: rows, units: H, G: G, states: hs,
                                                                    dz: drs, into: dU)
                Kernels.accumulateColumnSums(rows: rows, cols: cols.count, ldm: G, drs + cols.lowerBound,
                                             into: dB + G + cols.lowerBound)
                return
            }
            // Columns of the z, r blocks from h_{t−1}; those of the h block from r ⊙ h_{t−1}.
            RecurrentProducts.accumulateRecurrentKernelGradient(columns: cols.clamped(to: 0..<(2 * H)), rows: rows, units: H,
                                                                G: G, states: hs, dz: dgs, into: dU)
            RecurrentProducts.accumulateRecurrentKernelGradient(columns: cols.clamped(to: (2 * H)..<G), rows: rows, units: H,
                                                                G: G, states: rc, dz: dgs, into: dU)
        }
        return dInput
    }
}
