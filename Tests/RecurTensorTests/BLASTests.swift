import RecurTensor
import RecurTestSupport
import XCTest

final class BLASTests: XCTestCase {
    func testLoadedLibraryPassesSelfTestAndUsesVectorKernels() {
        let info = BLAS.info
        XCTAssertTrue(info.selfTestPassed, info.warnings.joined(separator: "; "))
        XCTAssertTrue(BLAS.isAccelerated, "OpenBLAS should be installed (libopenblas0): \(info.warnings)")
        XCTAssertNotEqual(info.kernels.lowercased(), "prescott", "the slow SSE3 kernels were chosen")
        if let requested = info.requestedCoreType, !info.reason.hasPrefix("RECUR_BLAS_CORETYPE=auto") {
            XCTAssertEqual(info.kernels.lowercased(), requested.lowercased())
        }
    }

    func testGemmMatchesReferenceInAllTransposeCases() {
        var rng = RandomGenerator(seed: 3)
        let m = 13, n = 9, k = 17
        let a = Tensor(shape: [m * k]), b = Tensor(shape: [k * n])
        rng.fillUniform(a, -1, 1)
        rng.fillUniform(b, -1, 1)
        for ta in [false, true] {
            for tb in [false, true] {
                let c1 = Tensor(shape: [m * n], value: 1), c2 = Tensor(shape: [m * n], value: 1)
                let lda = ta ? m : k, ldb = tb ? k : n
                BLAS.gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 0.5, a: a.data, lda: lda,
                          b: b.data, ldb: ldb, beta: 2, c: c1.data, ldc: n)
                BLAS.referenceGemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 0.5, a: a.data, lda: lda,
                                   b: b.data, ldb: ldb, beta: 2, c: c2.data, ldc: n)
                assertClose(c1, c2, atol: 1e-5, "transA \(ta) transB \(tb)")
            }
        }
    }

    func testCoreTypeRulesByInstructionSet() {
        let xeon = CPUFeatures(architecture: "x86_64", cpuinfo: "vendor_id : GenuineIntel\nflags : fpu avx avx2 fma avx512f avx512bw avx512dq avx512vl\n", logicalCores: 2)
        XCTAssertEqual(xeon.suggestedOpenBLASCoreType, "SkylakeX")
        let haswell = CPUFeatures(architecture: "x86_64", cpuinfo: "flags : avx avx2 fma\n", logicalCores: 2)
        XCTAssertEqual(haswell.suggestedOpenBLASCoreType, "Haswell")
        let old = CPUFeatures(architecture: "x86_64", cpuinfo: "flags : sse3\n", logicalCores: 2)
        XCTAssertNil(old.suggestedOpenBLASCoreType)
        let graviton = CPUFeatures(architecture: "aarch64", cpuinfo: "Features : fp asimd evtstrm aes\nCPU implementer : 0x41\n", logicalCores: 2)
        XCTAssertEqual(graviton.suggestedOpenBLASCoreType, "NEOVERSEN1")
    }
}
