import Foundation
import RecurTensor
import RecurTestSupport
import XCTest

/// RecurKernels' packed GEMM against the Double reference loop, at every instruction-set level
/// this processor supports (so the AVX-512, AVX2 and portable builds are all exercised here).
final class PackedMatrixTests: XCTestCase {
    override func setUp() {
        super.setUp()
        restoreProcessSettingsAfterTest()
    }

    static func random(_ count: Int, _ rng: inout RandomGenerator) -> [Float] {
        (0..<count).map { _ in rng.nextUniform() * 2 - 1 }
    }

    func testMatchesReferenceForRaggedShapesAtEveryLevel() {
        var rng = RandomGenerator(seed: 7)
        // Rows around the 2/3/8-row tiles, columns around the 32-column panels, inner sizes
        // from 1 to the W3 recurrent width.
        let shapes = [(1, 1, 1), (3, 5, 7), (8, 32, 16), (9, 33, 24), (17, 70, 40), (64, 96, 24),
                      (2, 31, 1), (7, 64, 3), (33, 200, 97), (16, 1024, 256)]
        for level in KernelLevel.supported {
            XCTAssertEqual(KernelLevel.select(level), level)
            for (m, n, k) in shapes {
                for transposed in [false, true] {
                    let a = Self.random(m * k, &rng)
                    let b = Self.random(k * n, &rng)  // [k, n], or [n, k] when transposed
                    let c0 = Self.random(m * n, &rng)
                    let packed = PackedMatrix()
                    b.withUnsafeBufferPointer { packed.pack($0.baseAddress!, ld: transposed ? k : n, k: k, n: n, transposed: transposed) }
                    for accumulate in [false, true] {
                        var c = c0
                        a.withUnsafeBufferPointer { ap in
                            c.withUnsafeMutableBufferPointer { cp in
                                packed.multiply(m: m, a: ap.baseAddress!, lda: k, c: cp.baseAddress!, ldc: n, accumulate: accumulate)
                            }
                        }
                        var expected = c0
                        BLAS.referenceGemm(transA: false, transB: transposed, m: m, n: n, k: k, alpha: 1, a: a, lda: k,
                                           b: b, ldb: transposed ? k : n, beta: accumulate ? 1 : 0, c: &expected, ldc: n)
                        assertClose(c, expected, atol: 2e-6 * Float(k) + 1e-6, rtol: 1e-6,
                                    "\(level.name) m \(m) n \(n) k \(k) transposed \(transposed) accumulate \(accumulate)")
                    }
                }
            }
        }
    }

    func testStridedOperandsLeaveOtherMemoryAlone() {
        var rng = RandomGenerator(seed: 3)
        let m = 5, n = 37, k = 11, lda = 13, ldc = 41
        let a = Self.random(m * lda, &rng), b = Self.random(k * n, &rng)
        for level in KernelLevel.supported {
            KernelLevel.select(level)
            let packed = PackedMatrix()
            b.withUnsafeBufferPointer { packed.pack($0.baseAddress!, ld: n, k: k, n: n) }
            var c = [Float](repeating: 9, count: m * ldc)
            a.withUnsafeBufferPointer { ap in
                c.withUnsafeMutableBufferPointer { packed.multiply(m: m, a: ap.baseAddress!, lda: lda, c: $0.baseAddress!, ldc: ldc) }
            }
            var expected = [Float](repeating: 9, count: m * ldc)
            BLAS.referenceGemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: lda, b: b, ldb: n,
                               beta: 0, c: &expected, ldc: ldc)
            assertClose(c, expected, atol: 1e-5, "\(level.name)")
            for i in 0..<m { for j in n..<ldc { XCTAssertEqual(c[i * ldc + j], 9, "\(level.name): wrote outside C") } }
        }
    }

    /// Packing a [n, k] matrix as its transpose (8 x 8 blocks transposed in registers, ragged
    /// edges element by element) packs the same floats as packing the explicit transpose: the
    /// products agree bit for bit.
    func testTransposedPackingEqualsPackingTheTransposeBitForBit() {
        var rng = RandomGenerator(seed: 13)
        for level in KernelLevel.supported {
            KernelLevel.select(level)
            for (n, k, ld) in [(1, 1, 1), (5, 7, 9), (24, 96, 96), (33, 97, 101), (40, 17, 17), (192, 768, 768)] {
                let src = Self.random(n * ld, &rng)  // [n, k] with row stride ld
                var explicit = [Float](repeating: 0, count: k * n)  // its transpose [k, n]
                for j in 0..<n { for p in 0..<k { explicit[p * n + j] = src[j * ld + p] } }
                let viaTranspose = PackedMatrix(), direct = PackedMatrix()
                src.withUnsafeBufferPointer { viaTranspose.pack($0.baseAddress!, ld: ld, k: k, n: n, transposed: true, parts: 2) }
                explicit.withUnsafeBufferPointer { direct.pack($0.baseAddress!, ld: n, k: k, n: n) }
                let m = 9, a = Self.random(m * k, &rng)
                var c1 = [Float](repeating: 0, count: m * n), c2 = c1
                a.withUnsafeBufferPointer { ap in
                    c1.withUnsafeMutableBufferPointer { viaTranspose.multiply(m: m, a: ap.baseAddress!, lda: k, c: $0.baseAddress!, ldc: n) }
                    c2.withUnsafeMutableBufferPointer { direct.multiply(m: m, a: ap.baseAddress!, lda: k, c: $0.baseAddress!, ldc: n) }
                }
                XCTAssertEqual(c1.map(\.bitPattern), c2.map(\.bitPattern), "\(level.name) n \(n) k \(k) ld \(ld)")
            }
        }
    }

    /// Splitting A's rows between threads must not change a single bit (Parallel's contract).
    func testRowSplitsGiveBitIdenticalRows() {
        var rng = RandomGenerator(seed: 11)
        let m = 32, n = 768, k = 192
        let a = Self.random(m * k, &rng), b = Self.random(k * n, &rng)
        for level in KernelLevel.supported {
            KernelLevel.select(level)
            let packed = PackedMatrix()
            b.withUnsafeBufferPointer { packed.pack($0.baseAddress!, ld: n, k: k, n: n) }
            var whole = [Float](repeating: 0, count: m * n), split = whole
            a.withUnsafeBufferPointer { ap in
                whole.withUnsafeMutableBufferPointer { packed.multiply(m: m, a: ap.baseAddress!, lda: k, c: $0.baseAddress!, ldc: n) }
                split.withUnsafeMutableBufferPointer { cp in
                    for rows in [0..<5, 5..<19, 19..<32] {
                        packed.multiply(m: rows.count, a: ap.baseAddress! + rows.lowerBound * k, lda: k,
                                        c: cp.baseAddress! + rows.lowerBound * n, ldc: n)
                    }
                }
            }
            XCTAssertEqual(whole.map(\.bitPattern), split.map(\.bitPattern), "\(level.name)")
        }
    }

    func testLevelSelectionIsClampedToTheProcessor() {
        XCTAssertEqual(KernelLevel.current, KernelLevel.best, "the best level is chosen at start-up")
        XCTAssertEqual(KernelLevel.select(.generic), .generic)
        XCTAssertEqual(KernelLevel.current, .generic)
        XCTAssertLessThanOrEqual(KernelLevel.select(.avx512).rawValue, KernelLevel.best.rawValue)
    }
}
