import Foundation
import RecurKernels
import RecurTensor
import RecurTestSupport
import XCTest

/// The C kernels' exp, sigmoid and tanh (those of the LSTM and GRU gate passes) against libm in
/// Double, at every instruction-set level this processor supports, over FastMathTests' grid.
/// Measured worst relative errors (AVX-512, AVX2+FMA, portable): exp 8.3e-8, sigmoid 1.5e-7,
/// tanh 1.3e-7: the bounds FastMath's Swift forms have.
final class KernelMathTests: XCTestCase {
    override func setUp() {
        super.setUp()
        restoreProcessSettingsAfterTest()
    }

    /// The worst relative error where |reference| >= floor (below it the absolute error must be
    /// under floor).
    func check(_ name: String, kind: Int32, xs: [Float], reference: (Double) -> Double, rtol: Double,
               floor: Double = 1e-37) {
        for level in KernelLevel.supported {
            KernelLevel.select(level)
            var ys = xs
            recur_activate(kind, ys.count, &ys)
            var worst = 0.0, worstX: Float = 0
            for (x, y) in zip(xs, ys) {
                let r = reference(Double(x)), err = abs(Double(y) - r)
                XCTAssertTrue(y.isFinite, "\(level.name) \(name)(\(x)) = \(y)")
                if abs(r) >= floor {
                    if err / abs(r) > worst { worst = err / abs(r); worstX = x }
                } else {
                    XCTAssertLessThan(err, floor, "\(level.name) \(name)(\(x)) = \(y), libm \(r)")
                }
            }
            XCTAssertLessThanOrEqual(worst, rtol, "\(level.name) \(name): worst relative error \(worst) at x = \(worstX)")
        }
    }

    func testExp() {
        check("exp", kind: 2, xs: FastMathTests.grid(-87, 88).filter { $0 >= -87 && $0 <= 88 },
              reference: Foundation.exp, rtol: 1e-7)
    }

    func testSigmoid() {
        check("sigmoid", kind: 0, xs: FastMathTests.grid(-40, 40), reference: { 1 / (1 + Foundation.exp(-$0)) }, rtol: 2e-7)
    }

    func testTanh() {
        check("tanh", kind: 1, xs: FastMathTests.grid(-20, 20), reference: Foundation.tanh, rtol: 2e-7)
    }

    func testLimits() {
        for level in KernelLevel.supported {
            KernelLevel.select(level)
            var t: [Float] = [30, -30, 0, -0.0, 1e4, -1e4]
            recur_activate(1, t.count, &t)
            XCTAssertEqual(t, [1, -1, 0, 0, 1, -1], "\(level.name) tanh limits")
            var s: [Float] = [0, 100, -200, .greatestFiniteMagnitude]
            recur_activate(0, s.count, &s)
            XCTAssertEqual(s[0], 0.5, "\(level.name)")
            XCTAssertEqual(s[1], 1, "\(level.name)")
            XCTAssertTrue(s[2] >= 0 && s[2] < 1e-37, "\(level.name) sigmoid(-200) = \(s[2])")
            XCTAssertEqual(s[3], 1, "\(level.name)")
        }
    }
}
