import Foundation
import RecurKernels
import RecurTensor
import RecurTestSupport
import XCTest

/// RecurKernels' column sums and non-finite scan at every instruction-set level this processor
/// supports.
final class KernelReductionTests: XCTestCase {
    override func setUp() {
        super.setUp()
        restoreProcessSettingsAfterTest()
    }

    func testColumnSumsMatchDoubleSumsAtEveryLevel() {
        var rng = RandomGenerator(seed: 9)
        for level in KernelLevel.supported {
            KernelLevel.select(level)
            for (rows, cols, ldm) in [(1, 1, 1), (3, 7, 9), (50, 128, 128), (33, 200, 260), (7, 1024, 1024), (0, 5, 5)] {
                let m = (0..<(max(rows, 1) * ldm)).map { _ in rng.nextUniform() * 2 - 1 }
                let start = (0..<cols).map { _ in rng.nextUniform() }
                var sums = start
                Kernels.accumulateColumnSums(rows: rows, cols: cols, ldm: ldm, m, into: &sums)
                var expected = [Float](repeating: 0, count: cols)
                for j in 0..<cols {
                    var s = Double(start[j])
                    for r in 0..<rows { s += Double(m[r * ldm + j]) }
                    expected[j] = Float(s)
                }
                assertClose(sums, expected, atol: 1e-5, "\(level.name) rows \(rows) cols \(cols) ldm \(ldm)")
            }
        }
    }

    func testFirstNonFiniteFindsTheFirstBadValueAtEveryLevel() {
        for level in KernelLevel.supported {
            KernelLevel.select(level)
            for n in [1, 15, 16, 63, 64, 65, 200] {
                let clean = Tensor(shape: [n], value: 1.5)
                XCTAssertNil(clean.firstNonFinite(), "\(level.name) n \(n)")
                for bad: Float in [.nan, .infinity, -.infinity] {
                    for at in Set([0, n / 2, n - 1]) {
                        let t = Tensor(shape: [n], value: -3)
                        t[at] = bad
                        if at + 1 < n { t[n - 1] = .nan }  // a later one must not win
                        XCTAssertEqual(t.firstNonFinite(), at, "\(level.name) n \(n) \(bad) at \(at)")
                    }
                }
                let extremes = Tensor([Float.greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, -0.0])
                XCTAssertNil(extremes.firstNonFinite(), "\(level.name): finite extremes")
            }
        }
    }

    /// Large tensors (a model's gradients) are scanned and filled on two threads: the first bad
    /// value still wins, whichever part finds it, and every element is filled.
    func testSplitScanAndFillCoverEveryElementOnTwoThreads() {
        Parallel.threadCount = 2
        let n = 300_001
        let t = Tensor(shape: [n])
        t.fill(2)
        XCTAssertTrue(t.scalars.allSatisfy { $0 == 2 }, "fill left an element")
        XCTAssertNil(t.firstNonFinite())
        for at in [0, 64, n / 2 - 1, n / 2, n / 2 + 1, n - 1] {
            t.fill(-1)
            t[at] = .nan
            t[n - 1] = .infinity  // a later one (in the other part) must not win
            XCTAssertEqual(t.firstNonFinite(), at, "at \(at)")
        }
    }
}
