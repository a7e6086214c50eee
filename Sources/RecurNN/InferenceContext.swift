import Foundation
import RecurKernels
import RecurTensor

/// A reusable, forward-only evaluator of one sample through a `Sequential`, for serving:
/// the recurrent kernels are packed once (not at every call, as `Sequential.forward` packs
/// them), there is no transpose, no per-layer NaN scan (the window is scanned once) and no
/// backward cache, and after the first call of a given length nothing is allocated: every
/// buffer is sized on the first call and reused (`workspaceAllocations` counts the growths).
///
/// Shapes: a window `[T, F]` (one sample, F = `model.inputSize`, row-major) in; the model's
/// output for it out: `[U]` (U = `model.outputSize`), or `[T, U]` for a model whose output is a
/// sequence. The numbers are those of `model.predict` on a batch of one (same kernels, same
/// order of operations).
///
/// The weights are read when the context is made and by `refreshWeights()`: call it after the
/// model's weights change. Not thread-safe: one context per thread.
public final class InferenceContext {
    /// The model evaluated.
    public let model: Sequential
    private let stages: [InferenceStage]
    private var window = InferenceBuffer()       // [T, F], the recursive forecast's moving window
    /// How many times a buffer had to grow (the first call of a length sizes them; later calls of
    /// the same or a shorter length add nothing).
    public var workspaceAllocations: Int { stages.reduce(window.growths) { $0 + $1.growths } }
    /// Floats held by the buffers (packed kernels included).
    public var workspaceFloats: Int { stages.reduce(window.capacity) { $0 + $1.floats } }

    deinit { window.release() }

    /// - Throws: `NNError.invalidArgument` for a layer kind it cannot run (none today).
    public init(model: Sequential) throws {
        self.model = model
        stages = try model.layers.map { layer -> InferenceStage in
            switch layer {
            case let l as LSTM: return LSTMStage(l)
            case let l as GRU: return GRUStage(l)
            case let l as SimpleRNN: return SimpleRNNStage(l)
            case let l as Dense: return DenseStage(l)
            case is Dropout: return IdentityStage()
            default:
                throw NNError.invalidArgument(layer: layer.name, argument: "kind", value: "\(layer.kind)",
                                              expected: "LSTM, GRU, SimpleRNN, Dense or Dropout")
            }
        }
        refreshWeights()
    }

    /// Re-reads the weights (packs the recurrent kernels, sums split biases).
    public func refreshWeights() { for s in stages { s.refresh() } }

    /// The model's output for one window `[steps, F]`: `[U]`, or `[steps, U]` for a sequence
    /// output. The pointer is the context's own buffer, valid until its next call.
    /// - Throws: `NNError.nonFinite` for a NaN or infinite input (its `[step, feature]` index).
    public func predict(_ window: UnsafePointer<Float>, steps: Int) throws -> UnsafePointer<Float> {
        precondition(steps > 0, "InferenceContext.predict: steps must be positive")
        let n = steps * model.inputSize
        let bad = recur_first_nonfinite(n, window)
        if bad >= 0 {
            throw NNError.nonFinite(what: "\(model.name) input", index: [bad / model.inputSize, bad % model.inputSize],
                                    value: window[bad])
        }
        return run(window, steps: steps)
    }

    private func run(_ window: UnsafePointer<Float>, steps: Int) -> UnsafePointer<Float> {
        var x = window, rows = steps
        for s in stages { (x, rows) = s.run(x, rows: rows, steps: steps) }
        return x
    }

    /// The recursive forecast of `horizon` steps from one window `[steps, F]`: each step
    /// predicts output 0, moves the window one step on, and writes the prediction into feature
    /// `target` of the new last step; the new step's other features come from `future`
    /// (`[horizon, F]`, row k for forecast step k) or, when nil, repeat the previous last step's.
    /// Writes `horizon` values into `output`.
    /// - Throws: `NNError.nonFinite` for a NaN or infinite window or future value.
    public func forecast(window source: UnsafePointer<Float>, steps: Int, horizon: Int, target: Int = 0,
                         future: UnsafePointer<Float>? = nil, into output: UnsafeMutablePointer<Float>) throws {
        let F = model.inputSize
        precondition(steps > 0 && horizon >= 0 && target >= 0 && target < F, "InferenceContext.forecast: bad arguments")
        if let future, horizon > 0 {
            let bad = recur_first_nonfinite(horizon * F, future)
            if bad >= 0 {
                throw NNError.nonFinite(what: "\(model.name) future features", index: [bad / F, bad % F], value: future[bad])
            }
        }
        let bad = recur_first_nonfinite(steps * F, source)
        if bad >= 0 {
            throw NNError.nonFinite(what: "\(model.name) input", index: [bad / F, bad % F], value: source[bad])
        }
        window.ensure(steps * F)
        let w = window.pointer
        w.update(from: source, count: steps * F)
        let at = model.returnsSequences ? (steps - 1) * model.outputSize : 0
        for k in 0..<horizon {
            let value = run(UnsafePointer(w), steps: steps)[at]
            output[k] = value
            if k == horizon - 1 { break }
            memmove(w, w + F, (steps - 1) * F * MemoryLayout<Float>.stride)
            let last = w + (steps - 1) * F
            if let future { last.update(from: future + k * F, count: F) }  // else keeps the previous last step
            last[target] = value
        }
    }
}

/// A growable float buffer (grows only; counts its growths). Its owner deallocates it
/// (`release`).
struct InferenceBuffer {
    private var storage: UnsafeMutablePointer<Float>?
    private(set) var capacity = 0
    private(set) var growths = 0

    /// The floats (call `ensure` first).
    var pointer: UnsafeMutablePointer<Float> { storage! }

    mutating func ensure(_ n: Int) {
        if n <= capacity { return }
        storage?.deallocate()
        let p = UnsafeMutablePointer<Float>.allocate(capacity: n)
        p.initialize(repeating: 0, count: n)
        storage = p
        capacity = n
        growths += 1
    }

    func release() { storage?.deallocate() }
}

/// One layer of an `InferenceContext`: maps `rows` rows of input (a sequence of `steps` rows,
/// or one row) to its output rows.
class InferenceStage {
    var buffers: [InferenceBuffer] = []
    var packed: [PackedMatrix] = []
    var growths: Int { buffers.reduce(0) { $0 + $1.growths } }
    var floats: Int { buffers.reduce(0) { $0 + $1.capacity } + packed.reduce(0) { $0 + Int(recur_packed_count(Int32($1.k), Int32($1.n))) } }
    func refresh() {}
    func run(_ x: UnsafePointer<Float>, rows: Int, steps: Int) -> (UnsafePointer<Float>, Int) { (x, rows) }
    /// Buffer `i` with at least `n` floats.
    @inline(__always) func buffer(_ i: Int, _ n: Int) -> UnsafeMutablePointer<Float> {
        buffers[i].ensure(n)
        return buffers[i].pointer
    }
    deinit { for b in buffers { b.release() } }
}

/// Dropout at inference: the identity.
final class IdentityStage: InferenceStage {}

/// Dense: y = act(x · kernel + bias) for every row.
final class DenseStage: InferenceStage {
    let layer: Dense
    init(_ layer: Dense) {
        self.layer = layer
        super.init()
        buffers = [InferenceBuffer()]
    }
    override func run(_ x: UnsafePointer<Float>, rows: Int, steps: Int) -> (UnsafePointer<Float>, Int) {
        let U = layer.units, y = buffer(0, rows * U), b = layer.bias.value.data, act = layer.activation
        BLAS.gemm(m: rows, n: U, k: layer.inputSize, a: x, lda: layer.inputSize, b: layer.kernel.value.data, ldb: U,
                  c: y, ldc: U)
        for r in 0..<rows {
            let row = y + r * U
            for j in 0..<U { row[j] = act.apply(row[j] + b[j]) }
        }
        return (UnsafePointer(y), rows)
    }
}

/// What the three recurrent stages share: the hidden sequence `[T + 1, H]` (row 0 is h₀ = 0)
/// and the output (the sequence or the last row).
class RecurrentStage: InferenceStage {
    let units: Int
    let returnSequences: Bool
    init(units: Int, returnSequences: Bool, buffers count: Int) {
        self.units = units
        self.returnSequences = returnSequences
        super.init()
        buffers = Array(repeating: InferenceBuffer(), count: count)
    }
    /// Buffer 0: hSeq `[T + 1, H]` with row 0 zeroed.
    func states(_ T: Int) -> UnsafeMutablePointer<Float> {
        let hs = buffer(0, (T + 1) * units)
        hs.update(repeating: 0, count: units)
        return hs
    }
    func output(_ hs: UnsafeMutablePointer<Float>, _ T: Int) -> (UnsafePointer<Float>, Int) {
        returnSequences ? (UnsafePointer(hs + units), T) : (UnsafePointer(hs + T * units), 1)
    }
}

/// LSTM: as `LSTM.forward` for one batch row.
final class LSTMStage: RecurrentStage {
    let layer: LSTM
    private var bias = InferenceBuffer()
    init(_ layer: LSTM) {
        self.layer = layer
        super.init(units: layer.units, returnSequences: layer.returnSequences, buffers: 4)  // hSeq, gates, cSeq, actC
        packed = [PackedMatrix()]
    }
    override func refresh() {
        let H = units, G = 4 * H
        packed[0].pack(layer.recurrentKernel.value.data, ld: G, k: H, n: G)
        bias.ensure(G)
        let b = layer.bias.value.data
        for j in 0..<G { bias.pointer[j] = layer.separateRecurrentBias ? b[j] + b[G + j] : b[j] }
    }
    override func run(_ x: UnsafePointer<Float>, rows T: Int, steps: Int) -> (UnsafePointer<Float>, Int) {
        let H = units, G = 4 * H, In = layer.inputSize
        let hs = states(T), gs = buffer(1, T * G), cs = buffer(2, (T + 1) * H), acs = buffer(3, H)
        cs.update(repeating: 0, count: H)
        BLAS.gemm(m: T, n: G, k: In, a: x, lda: In, b: layer.kernel.value.data, ldb: G, c: gs, ldc: G)
        let pu = packed[0], bias = UnsafePointer(self.bias.pointer)
        let act = layer.activation, ra = layer.recurrentActivation
        let fused = act == .tanh && ra == .sigmoid
        for t in 0..<T {
            let hPrev = hs + t * H, h = hPrev + H, cPrev = cs + t * H, c = cPrev + H, z = gs + t * G
            pu.multiply(m: 1, a: hPrev, lda: H, c: z, ldc: G, accumulate: true)
            if fused {
                recur_lstm_forward_gates(1, Int32(H), z, bias, cPrev, c, acs, h)
                continue
            }
            for j in 0..<H {
                let ig = ra.apply(z[j] + bias[j]), fg = ra.apply(z[H + j] + bias[H + j])
                let gg = act.apply(z[2 * H + j] + bias[2 * H + j]), og = ra.apply(z[3 * H + j] + bias[3 * H + j])
                let cv = fg * cPrev[j] + ig * gg
                c[j] = cv
                h[j] = og * act.apply(cv)
            }
        }
        return output(hs, T)
    }
    deinit { bias.release() }
}

/// GRU: as `GRU.forward` for one batch row (reset after or before the recurrent product).
final class GRUStage: RecurrentStage {
    let layer: GRU
    init(_ layer: GRU) {
        self.layer = layer
        super.init(units: layer.units, returnSequences: layer.returnSequences, buffers: 4)  // hSeq, gates, q, r⊙h / hr
        packed = [PackedMatrix(), PackedMatrix()]
    }
    override func refresh() {
        let H = units, G = 3 * H, U = layer.recurrentKernel.value.data
        if layer.resetAfter {
            packed[0].pack(U, ld: G, k: H, n: G)
        } else {
            packed[0].pack(U, ld: G, k: H, n: 2 * H)
            packed[1].pack(U + 2 * H, ld: G, k: H, n: H)
        }
    }
    override func run(_ x: UnsafePointer<Float>, rows T: Int, steps: Int) -> (UnsafePointer<Float>, Int) {
        let H = units, G = 3 * H, In = layer.inputSize
        let hs = states(T), gs = buffer(1, T * G), p = buffer(2, G), rh = buffer(3, H)
        BLAS.gemm(m: T, n: G, k: In, a: x, lda: In, b: layer.kernel.value.data, ldb: G, c: gs, ldc: G)
        let bx = UnsafePointer(layer.bias.value.data), act = layer.activation, ra = layer.recurrentActivation
        let pa = packed[0], pb = packed[1]
        for t in 0..<T {
            let hPrev = hs + t * H, h = hPrev + H, xg = gs + t * G
            if layer.resetAfter {
                let bh = bx + G
                pa.multiply(m: 1, a: hPrev, lda: H, c: p, ldc: G)
                if act == .tanh && ra == .sigmoid {
                    recur_gru_forward_gates(1, Int32(H), xg, p, bx, bh, hPrev, rh, h)
                    continue
                }
                for j in 0..<H {
                    let zg = ra.apply(xg[j] + bx[j] + p[j] + bh[j])
                    let rg = ra.apply(xg[H + j] + bx[H + j] + p[H + j] + bh[H + j])
                    let hh = act.apply(xg[2 * H + j] + bx[2 * H + j] + rg * (p[2 * H + j] + bh[2 * H + j]))
                    h[j] = zg * hPrev[j] + (1 - zg) * hh
                }
            } else {
                pa.multiply(m: 1, a: hPrev, lda: H, c: p, ldc: G)
                for j in 0..<H {
                    let zg = ra.apply(xg[j] + bx[j] + p[j])
                    let rg = ra.apply(xg[H + j] + bx[H + j] + p[H + j])
                    xg[j] = zg
                    rh[j] = rg * hPrev[j]
                }
                pb.multiply(m: 1, a: rh, lda: H, c: p + 2 * H, ldc: G)
                for j in 0..<H {
                    let hh = act.apply(xg[2 * H + j] + bx[2 * H + j] + p[2 * H + j])
                    let zg = xg[j]
                    h[j] = zg * hPrev[j] + (1 - zg) * hh
                }
            }
        }
        return output(hs, T)
    }
}

/// SimpleRNN: as `SimpleRNN.forward` for one batch row.
final class SimpleRNNStage: RecurrentStage {
    let layer: SimpleRNN
    private var bias = InferenceBuffer()
    init(_ layer: SimpleRNN) {
        self.layer = layer
        super.init(units: layer.units, returnSequences: layer.returnSequences, buffers: 1)
        packed = [PackedMatrix()]
    }
    override func refresh() {
        let H = units
        packed[0].pack(layer.recurrentKernel.value.data, ld: H, k: H, n: H)
        bias.ensure(H)
        let b = layer.bias.value.data, two = layer.bias.value.count == 2 * H
        for j in 0..<H { bias.pointer[j] = two ? b[j] + b[H + j] : b[j] }
    }
    override func run(_ x: UnsafePointer<Float>, rows T: Int, steps: Int) -> (UnsafePointer<Float>, Int) {
        let H = units, In = layer.inputSize, hs = states(T), act = layer.activation, bias = bias.pointer
        BLAS.gemm(m: T, n: H, k: In, a: x, lda: In, b: layer.kernel.value.data, ldb: H, c: hs + H, ldc: H)
        for t in 0..<T {
            let hPrev = hs + t * H, h = hPrev + H
            packed[0].multiply(m: 1, a: hPrev, lda: H, c: h, ldc: H, accumulate: true)
            for j in 0..<H { h[j] = act.apply(h[j] + bias[j]) }
        }
        return output(hs, T)
    }
    deinit { bias.release() }
}
