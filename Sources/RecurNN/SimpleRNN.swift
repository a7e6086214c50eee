import RecurTensor

/// A fully connected recurrent layer (Keras `SimpleRNN`):
/// `h_t = activation(x_t · kernel + h_{t−1} · recurrent_kernel + bias)`.
///
/// Shapes: input `[T, B, inputSize]` (time-major); output `[T, B, units]` with
/// `returnSequences`, else `[B, units]` (the last step). Parameters, Keras layout:
/// `kernel` `[inputSize, H]` (glorot uniform), `recurrent_kernel` `[H, H]` (orthogonal),
/// `bias` `[H]` (zeros), with H = units. One state, h (`[B, H]`).
///
/// With `separateRecurrentBias` the bias is `[2, H]` instead, PyTorch's `nn.RNN` layout (like
/// GRU with `resetAfter`): row 0 is the input bias `b_ih`, row 1 the recurrent bias `b_hh`, and
/// the step uses their sum. The function is the same; the difference is in training: both rows
/// get the same gradient and an optimizer steps each, so an adaptive optimizer (Adam) moves
/// their sum as PyTorch does (twice as far as one bias would move). Use it to fine-tune PyTorch
/// weights exactly as PyTorch would.
public final class SimpleRNN: RecurrentLayerBase, RecurrentLayer {
    public var name: String
    public let kind = LayerKind.simpleRNN
    public let inputSize: Int
    public let units: Int
    public var outputSize: Int { units }
    public let returnSequences: Bool
    public let activation: Activation
    /// `[inputSize, H]`.
    public let kernel: Parameter
    /// `[H, H]`.
    public let recurrentKernel: Parameter
    /// Whether `bias` is `[2, H]` (PyTorch's `b_ih`, `b_hh`) rather than `[H]`.
    public let separateRecurrentBias: Bool
    /// `[H]`, or `[2, H]` (rows b_ih, b_hh) with `separateRecurrentBias`.
    public let bias: Parameter
    public var parameters: [Parameter] { [kernel, recurrentKernel, bias] }
    public var stateCount: Int { 1 }


    private var input: Tensor?                  // [T, B, In], the last forward's input (not copied)
    private let dPre = Tensor(shape: [0])       // [T, B, H] gradient of the pre-activations
    private let dInput = Tensor(shape: [0])     // [T, B, In]
    private let biasSum: Tensor                 // separateRecurrentBias: [H] row 0 + row 1; else [0]
    private let packedU = PackedMatrix()        // recurrent_kernel (forward) or its transpose (backward)

    /// - Throws: `NNError.invalidArgument` for a non-positive size.
    public init(inputSize: Int, units: Int, returnSequences: Bool = false, activation: Activation = .tanh,
                separateRecurrentBias: Bool = false, name: String = "simple_rnn", initializeWeights: Bool = true,
                rng: inout RandomGenerator) throws {
        try LayerChecks.positive(inputSize, "inputSize", layer: name)
        try LayerChecks.positive(units, "units", layer: name)
        self.name = name
        self.inputSize = inputSize
        self.units = units
        self.returnSequences = returnSequences
        self.activation = activation
        self.separateRecurrentBias = separateRecurrentBias
        (kernel, recurrentKernel, bias) = RecurrentParameters.make(
            inputSize: inputSize, units: units, gates: 1, twoBiasRows: separateRecurrentBias,
            initialize: initializeWeights, rng: &rng)
        biasSum = Tensor(shape: [separateRecurrentBias ? units : 0])
        super.init(core: RecurrentCore(inputSize: inputSize, units: units, stateCount: 1))
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try core.outputShape(for: inputShape, layer: name, returnSequences: returnSequences)
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let (T, B) = try core.begin(input, layer: name)
        self.input = input
        let H = units, In = inputSize, BH = B * H
        let W = kernel.value.data, U = recurrentKernel.value.data
        let bias = RecurrentParameters.gateBias(self.bias, twoRows: separateRecurrentBias, width: H, sum: biasSum)
        let hs = core.hSeq.data  // [T + 1, B, H]
        let x = UnsafePointer(input.data)
        let act = activation
        // Rows of the batch are independent through the whole time loop (see LSTM).
        let parts = Parallel.parts(rows: B, work: 2 * Double(T * B) * Double(In + H) * Double(H))
        packedU.pack(U, ld: H, k: H, n: H, parts: parts)
        let packedU = self.packedU
        // All steps' input projections straight into hSeq[1...]: [T*B, In] x [In, H].
        RecurrentProducts.projectInputs(parts: parts, rows: T * B, inputSize: In, G: H, x: x, kernel: W, into: hs + BH, ldz: H)
        Parallel.run(parts) { part in
            let rows = Parallel.range(part, of: parts, count: B)
            if rows.isEmpty { return }
            let r0 = rows.lowerBound
            for t in 0..<T {
                let hPrev = hs + t * BH, h = hPrev + BH
                packedU.multiply(m: rows.count, a: hPrev + r0 * H, lda: H, c: h + r0 * H, ldc: H, accumulate: true)
                for r in rows {
                    let row = h + r * H
                    for j in 0..<H { row[j] = act.apply(row[j] + bias[j]) }
                }
            }
        }
        core.storeFinalState(0, from: hs + T * BH)
        return core.output(returnSequences: returnSequences)
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard let input else { preconditionFailure("\(name): backward called before forward") }
        core.beginBackward(dOutput, layer: name, returnSequences: returnSequences)
        let T = core.steps, B = core.batch, H = units, In = inputSize, BH = B * H
        dPre.resize([T, B, H])
        dInput.resize([T, B, In])
        let hs = core.hSeq.data, da = dPre.data, dOut = dOutput.data
        let dh = core.stateGradients[0].data  // running dL/dh_t, ends as dL/dh₀
        if returnSequences { dh.update(repeating: 0, count: BH) } else { dh.update(from: dOut, count: BH) }
        let act = activation, returnSequences = self.returnSequences
        let parts = Parallel.parts(rows: B, work: 4 * Double(T * B) * Double(In + H) * Double(H))
        packedU.pack(recurrentKernel.value.data, ld: H, k: H, n: H, transposed: true, parts: parts)
        let packedU = self.packedU
        Parallel.run(parts) { part in
            let rows = Parallel.range(part, of: parts, count: B)
            if rows.isEmpty { return }
            let lo = rows.lowerBound * H, hi = rows.upperBound * H
            for t in stride(from: T - 1, through: 0, by: -1) {
                let h = hs + (t + 1) * BH, dat = da + t * BH
                if returnSequences {
                    let d = dOut + t * BH
                    for i in lo..<hi { dat[i] = (dh[i] + d[i]) * act.derivative(output: h[i]) }
                } else {
                    for i in lo..<hi { dat[i] = dh[i] * act.derivative(output: h[i]) }
                }
                // dh_{t−1} = da_t · Uᵀ
                packedU.multiply(m: rows.count, a: dat + lo, lda: H, c: dh + lo, ldc: H)
            }
        }
        let rows = T * B
        let dU = recurrentKernel.gradient.data, dB = bias.gradient.data
        // d recurrent_kernel += [h₀ … h_{T−1}]ᵀ · da; the kernel, bias (both rows with
        // separateRecurrentBias: d b_hh = d b_ih) and input gradients.
        RecurrentProducts.gradients(
            rows: rows, inputSize: In, units: H, G: H, x: UnsafePointer(input.data), dz: da, kernel: kernel.value.data,
            kernelGradient: kernel.gradient.data, biasRows: separateRecurrentBias ? [dB, dB + H] : [dB],
            dInput: dInput.data
        ) { cols in
            RecurrentProducts.accumulateRecurrentKernelGradient(columns: cols, rows: rows, units: H, G: H, states: hs,
                                                                dz: da, into: dU)
        }
        return dInput
    }
}
