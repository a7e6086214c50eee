import Dispatch
import RecurTensor

/// GFLOP/s of the engine's packed recurrent product on one thread at W3's per-thread step shape
/// (32 rows of h [32, 256] times a packed recurrent kernel [256, 1024]) and of OpenBLAS's sgemm
/// on the same product, best of 5 x 200 each.
func measurePackedGFLOPS(m: Int = 32, n: Int = 1024, k: Int = 256) -> (packed: Double, openblas: Double) {
    var rng = RandomGenerator(seed: 1)
    let a = Tensor(shape: [m, k]), b = Tensor(shape: [k, n]), c = Tensor(shape: [m, n])
    rng.fillUniform(a, -1, 1)
    rng.fillUniform(b, -1, 1)
    let packed = PackedMatrix()
    packed.pack(b.data, ld: n, k: k, n: n)
    let flops = 2 * Double(m * n * k) * 200
    func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    var best = (packed: 0.0, openblas: 0.0)
    for _ in 0..<5 {
        let p = seconds { for _ in 0..<200 { packed.multiply(m: m, a: a.data, lda: k, c: c.data, ldc: n, accumulate: true) } }
        best.packed = max(best.packed, flops / p / 1e9)
        // The same product through OpenBLAS, as the layers ran it before (it packs B every call).
        let o = seconds { for _ in 0..<200 { BLAS.gemm(m: m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: n, beta: 1, c: c.data, ldc: n) } }
        best.openblas = max(best.openblas, flops / o / 1e9)
    }
    return best
}
