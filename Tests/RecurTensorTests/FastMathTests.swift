import Foundation
import RecurTensor
import XCTest

/// FastMath against libm (in Double) over a dense grid and the extremes.
final class FastMathTests: XCTestCase {
    /// Every 1/4096 in [-lo, hi], plus points near the branch switch, tiny values and extremes.
    static func grid(_ lo: Float, _ hi: Float) -> [Float] {
        var xs: [Float] = []
        var x = lo
        while x <= hi { xs.append(x); x += 1 / 4096 }
        for s: Float in [1, -1] {
            for v: Float in [0, 1e-30, 1e-10, 1e-6, 1e-3, 0.3, 0.6249, 0.625, 0.6251, 8.9, 9.5, 10, 20, 40, 80, 87, 88, 88.7, 1e4, .greatestFiniteMagnitude] {
                xs.append(s * v)
            }
        }
        return xs
    }

    /// The largest relative error of `f` against `reference` where the reference is at least
    /// `floor` in magnitude (below it, the absolute error must be under `floor`), for the
    /// scalar and the SIMD form, which must agree bit for bit.
    func check(_ name: String, xs: [Float], scalar: (Float) -> Float, vector: (FastMath.Vector) -> FastMath.Vector,
               reference: (Double) -> Double, rtol: Double, floor: Double = 1e-37) {
        var worst = 0.0, worstX: Float = 0
        var i = 0
        while i < xs.count {
            var v = FastMath.Vector(repeating: 0)
            let c = min(8, xs.count - i)
            for k in 0..<c { v[k] = xs[i + k] }
            let out = vector(v)
            for k in 0..<c {
                let x = xs[i + k]
                let s = scalar(x)
                XCTAssertEqual(s.bitPattern, out[k].bitPattern, "\(name)(\(x)): scalar \(s) vs SIMD \(out[k])")
                let r = reference(Double(x))
                XCTAssertTrue(s.isFinite, "\(name)(\(x)) = \(s)")
                let err = abs(Double(s) - r)
                if abs(r) >= floor {
                    let rel = err / abs(r)
                    if rel > worst { worst = rel; worstX = x }
                } else {
                    XCTAssertLessThan(err, floor, "\(name)(\(x)) = \(s), libm \(r)")
                }
            }
            i += 8
        }
        XCTAssertLessThanOrEqual(worst, rtol, "\(name): worst relative error \(worst) at x = \(worstX)")
        print("FastMath.\(name): worst relative error \(worst) at x = \(worstX) over \(xs.count) points")
    }

    func testExpMatchesLibm() {
        check("exp", xs: Self.grid(-87, 88).filter { $0 >= -87 && $0 <= 88 }, scalar: FastMath.exp, vector: FastMath.exp,
              reference: Foundation.exp, rtol: 1e-7)
    }

    func testSigmoidMatchesLibm() {
        check("sigmoid", xs: Self.grid(-40, 40), scalar: FastMath.sigmoid, vector: FastMath.sigmoid,
              reference: { 1 / (1 + Foundation.exp(-$0)) }, rtol: 2e-7)
    }

    func testTanhMatchesLibm() {
        check("tanh", xs: Self.grid(-20, 20), scalar: FastMath.tanh, vector: FastMath.tanh,
              reference: Foundation.tanh, rtol: 2e-7, floor: 1e-37)
    }

    func testLimitsAndSymmetry() {
        XCTAssertEqual(FastMath.tanh(30), 1)
        XCTAssertEqual(FastMath.tanh(-30), -1)
        XCTAssertEqual(FastMath.tanh(0), 0)
        XCTAssertEqual(FastMath.sigmoid(0), 0.5)
        XCTAssertEqual(FastMath.sigmoid(100), 1)
        XCTAssertLessThan(FastMath.sigmoid(-200), 1e-37)
        XCTAssertGreaterThanOrEqual(FastMath.sigmoid(-200), 0)
        for x: Float in [0.1, 0.7, 3, 12] { XCTAssertEqual(FastMath.tanh(-x), -FastMath.tanh(x)) }
    }

    func testBufferFormsMatchScalar() {
        for n in [1, 5, 8, 13, 24] {
            let xs = (0..<n).map { Float($0) * 0.37 - 2 }
            var a = xs, b = xs
            a.withUnsafeMutableBufferPointer { FastMath.sigmoid(n, $0.baseAddress!) }
            b.withUnsafeMutableBufferPointer { FastMath.tanh(n, $0.baseAddress!) }
            for i in 0..<n {
                XCTAssertEqual(a[i], FastMath.sigmoid(xs[i]))
                XCTAssertEqual(b[i], FastMath.tanh(xs[i]))
            }
        }
    }
}
