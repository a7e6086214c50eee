import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Row-major single-precision matrix multiplication through a BLAS library loaded at run
/// time, with the kernel choice made by Recur.
///
/// Why `dlopen` rather than linking: OpenBLAS picks its kernels once, when it is loaded,
/// from `OPENBLAS_CORETYPE` or its own CPU detection, and Debian's OpenBLAS 0.3.21
/// misdetects newer processors (Prescott kernels on recent Xeons: 6x slower). A linked
/// library is loaded before `main`, too early to choose. Loading it on first use lets Recur
/// set the core type from the processor's instruction sets (`CPUFeatures`) first, in the
/// library, the tests, the benchmarks and the command line alike.
///
/// The choice, in order: `RECUR_BLAS_CORETYPE` when set (`auto` means: leave OpenBLAS to
/// decide, honouring an inherited `OPENBLAS_CORETYPE`); otherwise the core type suggested by
/// `CPUFeatures`. After loading, a self-test compares a 67x45x71 product with a plain loop;
/// if the library is missing or fails it, Recur uses its own (slow, exact) loop and says so
/// in `BLAS.info` and `recur doctor`.
public enum BLAS {
    /// What was loaded and how it behaves.
    public struct Info: Sendable {
        /// The shared library's path or name, or `"builtin"` for Recur's own loop.
        public var library: String
        /// OpenBLAS's build configuration string (`openblas_get_config`).
        public var config: String
        /// The kernels in use (`openblas_get_corename`), e.g. `SkylakeX`.
        public var kernels: String
        /// The core type Recur asked for, or `nil` when it left the choice to OpenBLAS.
        public var requestedCoreType: String?
        /// Why that core type: which rule or variable decided.
        public var reason: String
        /// The `OPENBLAS_CORETYPE` the process inherited, if any.
        public var inheritedCoreType: String?
        /// Whether the self-test matched the reference loop.
        public var selfTestPassed: Bool
        /// Notes for the user (fallbacks, failures).
        public var warnings: [String]
    }

    typealias SgemmFn = @convention(c) (
        Int32, Int32, Int32, Int32, Int32, Int32, Float,
        UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32, Float,
        UnsafeMutablePointer<Float>?, Int32
    ) -> Void
    typealias StringFn = @convention(c) () -> UnsafeMutablePointer<CChar>?
    typealias SetThreadsFn = @convention(c) (Int32) -> Void
    typealias GetThreadsFn = @convention(c) () -> Int32

    struct Library: @unchecked Sendable {
        var sgemm: SgemmFn?
        var setThreads: SetThreadsFn?
        var getThreads: GetThreadsFn?
        var info: Info
    }

    /// Candidate library names, most specific first.
    static let candidates = [
        "libopenblas.so.0", "libopenblas.so",
        "/usr/lib/x86_64-linux-gnu/libopenblas.so.0", "/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
        "libopenblas.dylib",
    ]

    static let library: Library = load()

    /// Details of the loaded BLAS (loads it on first use).
    public static var info: Info { library.info }

    /// Whether products go through an optimized BLAS rather than Recur's own loop.
    public static var isAccelerated: Bool { library.sgemm != nil }

    /// The number of threads BLAS uses for one product (1 for the built-in loop).
    public static var threadCount: Int { library.getThreads.map { Int($0()) } ?? 1 }

    /// Sets the number of BLAS threads for the whole process.
    public static func setThreadCount(_ n: Int) { library.setThreads?(Int32(Swift.max(1, n))) }

    /// The process-wide thread rule of every Recur executable (`recur`, RecurBench): one BLAS
    /// thread by default — recurrent models' products are small, the engine splits large
    /// layers across the cores itself (`Parallel`), and tuning runs trials in parallel —
    /// and `RECUR_THREADS=N` gives BLAS N threads (and the engine N parts, see `Parallel`).
    public static func applyThreadSetting(environment: [String: String] = ProcessInfo.processInfo.environment) {
        setThreadCount(environment["RECUR_THREADS"].flatMap { Int($0) } ?? 1)
    }

    private static func load() -> Library {
        let env = ProcessInfo.processInfo.environment
        let inherited = env["OPENBLAS_CORETYPE"].flatMap { $0.isEmpty ? nil : $0 }
        var requested: String?
        var reason: String
        if let explicit = env["RECUR_BLAS_CORETYPE"], !explicit.isEmpty {
            if explicit.lowercased() == "auto" {
                requested = inherited
                reason = inherited == nil
                    ? "RECUR_BLAS_CORETYPE=auto: OpenBLAS's own detection"
                    : "RECUR_BLAS_CORETYPE=auto: inherited OPENBLAS_CORETYPE"
            } else {
                requested = explicit
                reason = "RECUR_BLAS_CORETYPE=\(explicit)"
            }
        } else if let suggested = CPUFeatures.current.suggestedOpenBLASCoreType {
            requested = suggested
            reason = "chosen from CPU features (\(CPUFeatures.current.architecture))"
        } else {
            requested = inherited
            reason = "no rule for this CPU: OpenBLAS's own detection"
        }
        if let requested {
            setenv("OPENBLAS_CORETYPE", requested, 1)
        } else {
            unsetenv("OPENBLAS_CORETYPE")
        }
        var info = Info(library: "builtin", config: "Recur reference loop", kernels: "builtin",
                        requestedCoreType: requested, reason: reason, inheritedCoreType: inherited,
                        selfTestPassed: true, warnings: [])
        var handle: UnsafeMutableRawPointer?
        for name in candidates {
            handle = dlopen(name, RTLD_NOW | RTLD_LOCAL)
            if handle != nil { info.library = name; break }
        }
        // Restore the environment children of this process see.
        if let inherited { setenv("OPENBLAS_CORETYPE", inherited, 1) } else { unsetenv("OPENBLAS_CORETYPE") }
        guard let handle, let sym = dlsym(handle, "cblas_sgemm") else {
            info.library = "builtin"
            info.warnings.append(
                "OpenBLAS not found (tried \(candidates.joined(separator: ", "))): using Recur's slow reference loop. Install it with: apt-get install libopenblas0")
            return Library(sgemm: nil, setThreads: nil, getThreads: nil, info: info)
        }
        let sgemm = unsafeBitCast(sym, to: SgemmFn.self)
        func string(_ symbol: String) -> String? {
            guard let s = dlsym(handle, symbol) else { return nil }
            return unsafeBitCast(s, to: StringFn.self)().map { String(cString: $0) }
        }
        info.config = string("openblas_get_config") ?? "unknown BLAS"
        info.kernels = (string("openblas_get_corename") ?? "unknown").trimmingCharacters(in: .whitespaces)
        let setThreads = dlsym(handle, "openblas_set_num_threads").map { unsafeBitCast($0, to: SetThreadsFn.self) }
        let getThreads = dlsym(handle, "openblas_get_num_threads").map { unsafeBitCast($0, to: GetThreadsFn.self) }
        var lib = Library(sgemm: sgemm, setThreads: setThreads, getThreads: getThreads, info: info)
        if !selfTest(lib) {
            lib.info.selfTestPassed = false
            lib.info.warnings.append(
                "\(info.library) with \(info.kernels) kernels failed Recur's self-test: using the slow reference loop. Set RECUR_BLAS_CORETYPE to another core type (or auto) and run `recur doctor`.")
            lib.sgemm = nil
        }
        return lib
    }

    /// Compares the library's product of odd-sized matrices (all four transpose cases)
    /// with the reference loop.
    private static func selfTest(_ lib: Library) -> Bool {
        guard let sgemm = lib.sgemm else { return false }
        let m = 67, n = 45, k = 71
        var rng = RandomGenerator(seed: 7)
        let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
        let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            var c1 = [Float](repeating: 0.5, count: m * n), c2 = c1
            let lda = ta ? m : k, ldb = tb ? k : n
            sgemm(101, ta ? 112 : 111, tb ? 112 : 111, Int32(m), Int32(n), Int32(k), 1.5,
                  a, Int32(lda), b, Int32(ldb), 0.25, &c1, Int32(n))
            referenceGemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1.5, a: a, lda: lda,
                          b: b, ldb: ldb, beta: 0.25, c: &c2, ldc: n)
            for i in 0..<(m * n) where !(abs(c1[i] - c2[i]) <= 1e-4 * Float(k)) { return false }
        }
        return true
    }

    /// C = alpha * op(A) * op(B) + beta * C, row-major, where op(A) is [m, k] and op(B) is
    /// [k, n]; `lda`, `ldb`, `ldc` are the row strides of A, B and C as stored.
    /// With `beta == 0`, C's previous contents are ignored (NaNs there do not propagate).
    @inline(__always)
    public static func gemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        if let sgemm = library.sgemm {
            sgemm(101, transA ? 112 : 111, transB ? 112 : 111, Int32(m), Int32(n), Int32(k), alpha,
                  a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        } else {
            referenceGemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a,
                          lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }

    /// The plain triple loop (accumulating in Double) that checks and backs up the library.
    public static func referenceGemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let av = transA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                    s += Double(av) * Double(bv)
                }
                let prior = beta == 0 ? 0 : beta * c[i * ldc + j]
                c[i * ldc + j] = alpha * Float(s) + prior
            }
        }
    }

    /// Matrix product of tensors: `c = alpha * op(a) * op(b) + beta * c`, shapes checked.
    /// `a` and `b` are read as matrices of their first dimensions times their last.
    public static func matmul(_ a: Tensor, _ b: Tensor, into c: Tensor, transA: Bool = false,
                              transB: Bool = false, alpha: Float = 1, beta: Float = 0) {
        let (ar, ac) = (a.count / a.shape.last!, a.shape.last!)
        let (br, bc) = (b.count / b.shape.last!, b.shape.last!)
        let (m, k) = transA ? (ac, ar) : (ar, ac)
        let (k2, n) = transB ? (bc, br) : (br, bc)
        precondition(k == k2 && c.count == m * n, "matmul \(a.shape) x \(b.shape) -> \(c.shape)")
        gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a.data, lda: ac,
             b: b.data, ldb: bc, beta: beta, c: c.data, ldc: n)
    }

    /// Measures sgemm throughput on two `size` x `size` matrices, in GFLOP/s (best of `repeats`).
    public static func measureGFLOPS(size: Int = 1024, repeats: Int = 5) -> Double {
        let a = Tensor(shape: [size, size]), b = Tensor(shape: [size, size]), c = Tensor(shape: [size, size])
        var rng = RandomGenerator(seed: 1)
        rng.fillUniform(a, -1, 1)
        rng.fillUniform(b, -1, 1)
        matmul(a, b, into: c)  // warm-up
        var best = Double.infinity
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            matmul(a, b, into: c)
            let t = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
            best = Swift.min(best, t)
        }
        return 2 * Double(size) * Double(size) * Double(size) / best / 1e9
    }
}
