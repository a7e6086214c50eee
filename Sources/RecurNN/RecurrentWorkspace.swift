import RecurTensor

/// Argument checks shared by the layers' initializers.
enum LayerChecks {
    static func positive(_ value: Int, _ argument: String, layer: String) throws {
        guard value > 0 else {
            throw NNError.invalidArgument(layer: layer, argument: argument, value: String(value),
                                          expected: "a positive integer")
        }
    }

    /// Throws `NNError.nonFinite` naming the layer and the multi-index of the first NaN/Inf.
    static func finite(_ input: Tensor, layer: String) throws {
        if let i = input.firstNonFinite() {
            throw NNError.nonFinite(what: "\(layer) input", index: input.multiIndex(of: i), value: input[i])
        }
    }
}

/// The bookkeeping the three recurrent layers share: input checks, the hidden-state sequence,
/// initial, carried and final states, and the state gradients.
///
/// Buffers (H = units, B = batch, T = steps):
/// - `hSeq`: `[T + 1, B, H]`, step 0 holds the initial state h₀ and step t + 1 the output of
///   step t, so `hSeq[0..<T]` is every step's h_{t−1} (one GEMM gives d recurrent_kernel) and
///   `hSeq[1...T]` is the returned sequence (`sequenceView`, no copy).
/// - `finalStates[k]`, `stateGradients[k]`: `[B, H]` each.
final class RecurrentCore {
    let inputSize: Int
    let units: Int
    let stateCount: Int
    /// See `RecurrentLayer.initialStates`. Kept until set to nil (not consumed by forward).
    var initialStates: [Tensor]?
    /// See `RecurrentLayer.stateful`.
    var stateful = false { didSet { if !stateful { hasCarried = false } } }
    /// Whether `finalStates` hold states to carry into the next forward (stateful mode).
    private(set) var hasCarried = false
    /// Whether forward scans its input for NaN/Inf.
    var checksInput = true

    let finalStates: [Tensor]            // each [B, H]
    let stateGradients: [Tensor]         // each [B, H]
    let hSeq = Tensor(shape: [0])        // [T + 1, B, H]
    private(set) var sequenceView = Tensor(shape: [0])  // [T, B, H] view of hSeq[1...]
    private(set) var steps = 0
    private(set) var batch = 0
    /// Whether a forward has run (backward needs one).
    private(set) var hasForward = false

    init(inputSize: Int, units: Int, stateCount: Int) {
        self.inputSize = inputSize
        self.units = units
        self.stateCount = stateCount
        finalStates = (0..<stateCount).map { _ in Tensor(shape: [0, units]) }
        stateGradients = (0..<stateCount).map { _ in Tensor(shape: [0, units]) }
    }

    func resetStates() { hasCarried = false }

    func outputShape(for inputShape: [Int], layer: String, returnSequences: Bool) throws -> [Int] {
        guard inputShape.count == 3, inputShape[2] == inputSize, inputShape[0] > 0, inputShape[1] > 0 else {
            throw NNError.shapeMismatch(
                layer: layer, expected: "[T, B, \(inputSize)] (time-major, T ≥ 1, B ≥ 1)", got: inputShape)
        }
        return returnSequences ? [inputShape[0], inputShape[1], units] : [inputShape[1], units]
    }

    /// Validates the input and the states, sizes `hSeq` for it and loads h₀ into `hSeq[0]`.
    /// Returns (T, B). Further states (the LSTM's c₀) are loaded with `loadInitialState`.
    func begin(_ input: Tensor, layer: String) throws -> (Int, Int) {
        _ = try outputShape(for: input.shape, layer: layer, returnSequences: true)
        let T = input.shape[0], B = input.shape[1]
        if checksInput { try LayerChecks.finite(input, layer: layer) }
        if let states = initialStates {
            guard states.count == stateCount else {
                throw NNError.shapeMismatch(
                    layer: "\(layer) initialStates",
                    expected: "\(stateCount) state tensor\(stateCount == 1 ? "" : "s") of [\(B), \(units)]",
                    got: [states.count])
            }
            for (k, s) in states.enumerated() {
                guard s.shape == [B, units] else {
                    throw NNError.shapeMismatch(layer: "\(layer) initialStates[\(k)]",
                                                expected: "[\(B), \(units)]", got: s.shape)
                }
                if checksInput, let i = s.firstNonFinite() {
                    throw NNError.nonFinite(what: "\(layer) initialStates[\(k)]", index: s.multiIndex(of: i), value: s[i])
                }
            }
        } else if stateful && hasCarried && finalStates[0].shape[0] != B {
            throw NNError.shapeMismatch(
                layer: "\(layer) (stateful: batch size must stay \(finalStates[0].shape[0]) until resetStates())",
                expected: "[T, \(finalStates[0].shape[0]), \(inputSize)]", got: input.shape)
        }
        if T != steps || B != batch || hSeq.count != (T + 1) * B * units {
            hSeq.resize([T + 1, B, units])
            sequenceView = Tensor(viewing: hSeq, offset: B * units, shape: [T, B, units])
            steps = T
            batch = B
        }
        loadInitialState(0, into: hSeq.data)
        hasForward = true
        return (T, B)
    }

    /// Copies initial state `k` (`[B, H]`) into `destination`: the given one, the carried one
    /// (stateful), or zeros.
    func loadInitialState(_ k: Int, into destination: UnsafeMutablePointer<Float>) {
        let n = batch * units
        if let states = initialStates {
            destination.update(from: states[k].data, count: n)
        } else if stateful && hasCarried {
            destination.update(from: finalStates[k].data, count: n)
        } else {
            destination.update(repeating: 0, count: n)
        }
    }

    /// Stores final state `k` from `source` (`[B, H]`); call for every k at the end of forward.
    func storeFinalState(_ k: Int, from source: UnsafePointer<Float>) {
        finalStates[k].resize([batch, units])
        finalStates[k].data.update(from: source, count: batch * units)
        if k == stateCount - 1 { hasCarried = true }
    }

    /// The tensor forward returns.
    func output(returnSequences: Bool) -> Tensor {
        returnSequences ? sequenceView : finalStates[0]
    }

    /// Checks dOutput against the last forward and sizes the state gradients.
    func beginBackward(_ dOutput: Tensor, layer: String, returnSequences: Bool) {
        precondition(hasForward, "\(layer): backward called before forward")
        let expected = returnSequences ? steps * batch * units : batch * units
        precondition(dOutput.count == expected,
                     "\(layer): dOutput has shape \(dOutput.shape), forward returned \(returnSequences ? [steps, batch, units] : [batch, units])")
        for g in stateGradients { g.resize([batch, units]) }
    }
}

/// The state plumbing LSTM, GRU and SimpleRNN share: `RecurrentLayer`'s state properties,
/// delegated to the layer's `RecurrentCore` (initial, carried and final states, their
/// gradients, stateful mode, the input check).
public class RecurrentLayerBase {
    let core: RecurrentCore

    init(core: RecurrentCore) { self.core = core }

    /// See `RecurrentLayer.initialStates`.
    public var initialStates: [Tensor]? {
        get { core.initialStates }
        set { core.initialStates = newValue }
    }
    /// See `RecurrentLayer.finalStates`.
    public var finalStates: [Tensor] { core.finalStates }
    /// See `RecurrentLayer.initialStateGradients`.
    public var initialStateGradients: [Tensor] { core.stateGradients }
    /// See `RecurrentLayer.stateful`.
    public var stateful: Bool {
        get { core.stateful }
        set { core.stateful = newValue }
    }
    /// See `RecurrentLayer.resetStates()`.
    public func resetStates() { core.resetStates() }
    /// Whether forward scans the input for NaN/Inf.
    public var checksInput: Bool {
        get { core.checksInput }
        set { core.checksInput = newValue }
    }
}

/// The parameters every recurrent layer has, in Keras's layout: `kernel` `[inputSize, G·H]`,
/// `recurrent_kernel` `[H, G·H]` and `bias` `[G·H]` (or `[2, G·H]`: input and recurrent rows),
/// initialised as Keras does (glorot-uniform kernel, orthogonal recurrent kernel, zero bias).
enum RecurrentParameters {
    /// - Parameters:
    ///   - gates: G, the number of gate blocks (LSTM 4, GRU 3, SimpleRNN 1).
    ///   - twoBiasRows: whether the bias is `[2, G·H]`.
    ///   - initialize: false skips the random draws, for weights about to be loaded (a package).
    static func make(inputSize: Int, units: Int, gates: Int, twoBiasRows: Bool, initialize: Bool,
                     rng: inout RandomGenerator) -> (kernel: Parameter, recurrentKernel: Parameter, bias: Parameter) {
        let G = gates * units
        let kernel = Parameter(name: "kernel", shape: [inputSize, G], role: .kernel)
        let recurrentKernel = Parameter(name: "recurrent_kernel", shape: [units, G], role: .recurrentKernel)
        let bias = Parameter(name: "bias", shape: twoBiasRows ? [2, G] : [G], role: .bias)
        if initialize {
            Initializers.glorotUniform(kernel.value, fanIn: inputSize, fanOut: G, rng: &rng)
            Initializers.orthogonal(recurrentKernel.value, rows: units, cols: G, rng: &rng)
        }
        return (kernel, recurrentKernel, bias)
    }

    /// The bias the gates add (`[G]`): `bias` itself, or, when it has two rows (PyTorch's
    /// b_ih, b_hh), their sum written into `sum` (`[G]`) once per forward.
    static func gateBias(_ bias: Parameter, twoRows: Bool, width G: Int, sum: Tensor) -> UnsafePointer<Float> {
        let b = bias.value.data
        guard twoRows else { return UnsafePointer(b) }
        let s = sum.data
        for j in 0..<G { s[j] = b[j] + b[G + j] }
        return UnsafePointer(s)
    }
}

/// The two whole-sequence products every recurrent layer has, split across the cores the same
/// way: the input projection by rows, the weight and input gradients by columns and rows.
enum RecurrentProducts {
    /// z `[T*B, G]` = x `[T*B, In]` · kernel `[In, G]` (overwrites z; row stride `ldz`), the rows
    /// split into `parts`.
    static func projectInputs(parts: Int, rows: Int, inputSize In: Int, G: Int, x: UnsafePointer<Float>,
                              kernel W: UnsafePointer<Float>, into z: UnsafeMutablePointer<Float>, ldz: Int) {
        let start = Profiler.now()
        defer { Profiler.add(.inputProjection, since: start) }
        Parallel.run(parts) { part in
            let r = Parallel.range(part, of: parts, count: rows)
            BLAS.gemm(m: r.count, n: G, k: In, a: x + r.lowerBound * In, lda: In, b: W, ldb: G,
                      c: z + r.lowerBound * ldz, ldc: ldz)
        }
    }

    /// d recurrent_kernel `[H, G]` += statesᵀ · dz over all `rows` rows, for the columns
    /// `columns` only: states `[rows, H]` (h_{t−1} of every step, or r ⊙ h_{t−1}), dz
    /// `[rows, G]` (row stride G). Called from `gradients`' per-column closure.
    static func accumulateRecurrentKernelGradient(columns: Range<Int>, rows: Int, units H: Int, G: Int,
                                                  states: UnsafePointer<Float>, dz: UnsafePointer<Float>,
                                                  into dU: UnsafeMutablePointer<Float>) {
        if columns.isEmpty { return }
        BLAS.gemm(transA: true, m: H, n: columns.count, k: rows, a: states, lda: H, b: dz + columns.lowerBound, ldb: G,
                  beta: 1, c: dU + columns.lowerBound, ldc: G)
    }

    /// Over all `rows` = T*B rows, from dz `[rows, G]` (the gradients of the input-side
    /// pre-activations): d kernel `[In, G]` += xᵀ · dz, each of `biasRows` (`[G]` each) += dz's
    /// column sums, `recurrent(columns)` adds the recurrent kernel's gradient for a column range,
    /// and dInput `[rows, In]` = dz · kernelᵀ. Columns (in multiples of 8) and dInput's rows are
    /// split between the cores when the work is large enough.
    static func gradients(rows: Int, inputSize In: Int, units H: Int, G: Int, x: UnsafePointer<Float>,
                          dz: UnsafePointer<Float>, kernel W: UnsafePointer<Float>, kernelGradient dW: UnsafeMutablePointer<Float>,
                          biasRows: [UnsafeMutablePointer<Float>], dInput: UnsafeMutablePointer<Float>,
                          recurrent: (Range<Int>) -> Void) {
        let start = Profiler.now()
        defer { Profiler.add(.weightGradients, since: start) }
        let parts = Parallel.parts(rows: G / 8, work: 4 * Double(rows) * Double(In + H) * Double(G))
        Parallel.run(parts) { part in
            let cols = Parallel.range(part, of: parts, count: G, align: 8)
            if !cols.isEmpty {
                let c0 = cols.lowerBound, nc = cols.count
                recurrent(cols)
                BLAS.gemm(transA: true, m: In, n: nc, k: rows, a: x, lda: In, b: dz + c0, ldb: G, beta: 1,
                          c: dW + c0, ldc: G)
                for dB in biasRows { Kernels.accumulateColumnSums(rows: rows, cols: nc, ldm: G, dz + c0, into: dB + c0) }
            }
            let r = Parallel.range(part, of: parts, count: rows)
            if !r.isEmpty {
                BLAS.gemm(transB: true, m: r.count, n: In, k: G, a: dz + r.lowerBound * G, lda: G, b: W, ldb: G,
                          c: dInput + r.lowerBound * In, ldc: In)
            }
        }
    }
}
