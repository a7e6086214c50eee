import RecurKernels

/// A matrix B `[k, n]` packed once into 32-column panels for repeated products `A · B`
/// (`RecurKernels`' own GEMM): a recurrent layer packs its recurrent kernel once per forward
/// (and its transpose once per backward) and multiplies by it at every time step, where
/// OpenBLAS would repack it at every call. The packing is read-only while multiplying, so
/// several threads can share one.
///
/// Each output row is summed over k in order whatever the row blocking, so splitting A's
/// rows between threads gives bit-identical results.
public final class PackedMatrix {
    /// Rows of B (the inner dimension of the product).
    public private(set) var k = 0
    /// Columns of B.
    public private(set) var n = 0
    private let storage = Tensor(shape: [0])

    public init() {}

    /// Packs B `[k, n]` with row stride `ld`, or, with `transposed`, the transpose of a
    /// `[n, k]` matrix with row stride `ld`. Grows the storage only when needed. With `parts` > 1
    /// the panels are split between that many threads (`Parallel`); pass the parts the caller
    /// splits its own work into, so that small or single-row work (a forecast) never forks.
    public func pack(_ source: UnsafePointer<Float>, ld: Int, k: Int, n: Int, transposed: Bool = false, parts: Int = 1) {
        self.k = k
        self.n = n
        gateGrouped = false
        let needed = Int(recur_packed_count(Int32(k), Int32(n)))
        if storage.count < needed { storage.resize([needed]) }
        let width = Int(RECUR_PANEL_WIDTH)
        let panels = (n + width - 1) / width, packed = storage.data
        let parts = Swift.max(1, Swift.min(parts, panels))
        Parallel.run(parts) { part in
            let r = Parallel.range(part, of: parts, count: panels)
            recur_pack_panels(source, Int32(ld), Int32(k), Int32(n), transposed ? 1 : 0, packed,
                              Int32(r.lowerBound), Int32(r.upperBound))
        }
    }

    /// Whether the last pack was `packGateGroups` (columns permuted: use `lstmForwardStep`, not
    /// `multiply`).
    public private(set) var gateGrouped = false

    /// Whether `packGateGroups` takes an LSTM of `units` units: a multiple of 16 (the C kernels'
    /// `RECUR_GATE_GROUP`).
    public static func gateGroupsFit(units: Int) -> Bool { units > 0 && units % Int(RECUR_GATE_GROUP) == 0 }

    /// Packs an LSTM recurrent kernel U `[H, 4H]` (row stride `ld`, gate blocks i, f, c, o;
    /// `gateGroupsFit(units: H)`) with its columns grouped 16 units at a time, the four gates of
    /// a group in two adjacent panels, for `lstmForwardStep`. `parts` as in `pack`.
    public func packGateGroups(_ source: UnsafePointer<Float>, ld: Int, units H: Int, parts: Int = 1) {
        precondition(Self.gateGroupsFit(units: H), "packGateGroups: \(H) units is not a multiple of \(RECUR_GATE_GROUP)")
        k = H
        n = 4 * H
        gateGrouped = true
        let needed = Int(recur_packed_count(Int32(k), Int32(n)))
        if storage.count < needed { storage.resize([needed]) }
        let panels = n / Int(RECUR_PANEL_WIDTH), packed = storage.data
        let parts = Swift.max(1, Swift.min(parts, panels))
        Parallel.run(parts) { part in
            let r = Parallel.range(part, of: parts, count: panels, align: 2)
            recur_pack_gate_groups(source, Int32(ld), Int32(H), packed, Int32(r.lowerBound), Int32(r.upperBound))
        }
    }

    /// One LSTM forward step (tanh / sigmoid) for `m` rows with U packed by `packGateGroups`:
    /// z `[m, 4H]` (row stride 4H) holds x·kernel and receives i, f, g, o (z += hPrev · U, then
    /// the gate pass, group by group while z is in L1); hPrev `[m, H]` (row stride `lda`); bias
    /// `[4H]`; cPrev, c, actC, h `[m, H]` (row stride H). The same floats as `multiply`
    /// (accumulate) then `recur_lstm_forward_gates`, bit for bit.
    @inline(__always)
    public func lstmForwardStep(m: Int, hPrev: UnsafePointer<Float>, lda: Int, z: UnsafeMutablePointer<Float>,
                                bias: UnsafePointer<Float>, cPrev: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                                actC: UnsafeMutablePointer<Float>, h: UnsafeMutablePointer<Float>) {
        recur_lstm_forward_step(Int32(m), Int32(k), hPrev, Int32(lda), storage.data, z, bias, cPrev, c, actC, h)
    }

    /// C `[m, n]` = A `[m, k]` · B, or C += A · B with `accumulate` (row-major; `lda` and
    /// `ldc` are row strides).
    @inline(__always)
    public func multiply(m: Int, a: UnsafePointer<Float>, lda: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                         accumulate: Bool = false) {
        recur_gemm_packed(Int32(m), Int32(n), Int32(k), a, Int32(lda), storage.data, c, Int32(ldc), accumulate ? 1 : 0)
    }
}

/// Which build of the C kernels (`RecurKernels`) runs: chosen once from the processor's
/// features (AVX-512F + FMA, AVX2 + FMA, or portable vectors).
public enum KernelLevel: Int32, Sendable, CaseIterable {
    case generic = 0
    case avx2 = 1
    case avx512 = 2

    /// The level in use.
    public static var current: KernelLevel { KernelLevel(rawValue: recur_kernels_isa()) ?? .generic }
    /// The best level this processor supports.
    public static var best: KernelLevel { KernelLevel(rawValue: recur_kernels_best_isa()) ?? .generic }
    /// Every level this processor can run, portable first.
    public static var supported: [KernelLevel] { allCases.filter { $0.rawValue <= best.rawValue } }
    /// Selects a level (at most `best`) and returns the one in effect. For tests and
    /// benchmarks: do not change it while a model trains.
    @discardableResult
    public static func select(_ level: KernelLevel) -> KernelLevel {
        KernelLevel(rawValue: recur_kernels_set_isa(level.rawValue)) ?? .generic
    }

    /// "AVX-512", "AVX2+FMA" or "generic".
    public var name: String {
        switch self {
        case .generic: return "generic"
        case .avx2: return "AVX2+FMA"
        case .avx512: return "AVX-512"
        }
    }
}
