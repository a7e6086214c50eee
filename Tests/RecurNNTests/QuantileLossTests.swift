import RecurNN
import RecurTensor
import RecurTestSupport
import XCTest

final class QuantileLossTests: XCTestCase {
    /// Hand-computed pinball losses: target [2, 0] (a [1, 2] batch), quantiles 0.1 and 0.9.
    func testPinballValueAndGradientByHand() throws {
        let loss = try Loss.quantiles([0.1, 0.9])
        // element 0: target 2, predictions 1 (u = 1) and 3 (u = -1); element 1: target 0, predictions -1 (u = 1), 0.5 (u = -0.5)
        let p = try Tensor(shape: [1, 4], values: [1, 3, -1, 0.5]), t = try Tensor(shape: [1, 2], values: [2, 0])
        let g = Tensor(shape: [0])
        let v = try loss.valueAndGradient(prediction: p, target: t, into: g)
        // 0.1·1 + (0.9-1)·(-1)=0.1 + 0.1·1 + 0.1·0.5 = 0.1 + 0.1 + 0.1 + 0.05 = 0.35; mean over 4
        XCTAssertEqual(v, 0.35 / 4, accuracy: 1e-7)
        assertClose(g.scalars, [-0.1 / 4, 0.1 / 4, -0.1 / 4, 0.1 / 4], atol: 1e-7, "pinball gradient")
        XCTAssertEqual(g.shape, [1, 4])
    }

    func testGradientMatchesFiniteDifferences() throws {
        var rng = RandomGenerator(seed: 11)
        let loss = try Loss.quantiles([0.05, 0.25, 0.5, 0.9])
        let p = Tensor(shape: [5, 12]), t = Tensor(shape: [5, 3])
        rng.fillNormal(p)
        rng.fillNormal(t)
        let g = Tensor(shape: [0])
        _ = try loss.valueAndGradient(prediction: p, target: t, into: g)
        let h: Float = 1e-3
        var checked = 0
        for i in 0..<p.count {
            // The pinball loss has a kink where the prediction equals its target.
            guard abs(p[i] - t[i / 4]) > 4 * h else { continue }
            let saved = p[i]
            p[i] = saved + h
            let up = Double(try loss.value(prediction: p, target: t))
            p[i] = saved - h
            let down = Double(try loss.value(prediction: p, target: t))
            p[i] = saved
            XCTAssertEqual(Double(g[i]), (up - down) / (2 * Double(h)), accuracy: 2e-4, "element \(i)")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 50)
    }

    /// Trained on data with known quantiles, a free parameter per quantile converges to them.
    func testMinimiserIsTheQuantile() throws {
        let loss = try Loss.quantiles([0.1, 0.5, 0.9])
        let n = 1000
        let t = try Tensor(shape: [n, 1], values: (0..<n).map { Float($0) / Float(n - 1) })  // uniform on [0, 1]
        var best: [Float] = []
        for q in 0..<3 {
            var lowest = Float.infinity, arg: Float = 0
            for c in stride(from: Float(0), through: 1, by: 0.01) {
                var values = [Float](repeating: 0.5, count: 3 * n)
                for i in 0..<n { values[i * 3 + q] = c }
                let v = try loss.value(prediction: try Tensor(shape: [n, 3], values: values), target: t)
                if v < lowest { lowest = v; arg = c }
            }
            best.append(arg)
        }
        assertClose(best, [0.1, 0.5, 0.9], atol: 0.011, "argmin per quantile")
    }

    func testBadLevelsAndShapesThrow() throws {
        for bad in [[0.0, 0.5], [0.5, 1.0], [0.5, 0.5], [0.9, 0.1], [], [-0.2], [Double.nan]] {
            XCTAssertThrowsError(try Loss.quantiles(bad), "\(bad)") { error in
                guard case NNError.invalidArgument = error else { return XCTFail("\(error)") }
            }
        }
        let loss = try Loss.quantiles([0.1, 0.9])
        XCTAssertThrowsError(try loss.value(prediction: Tensor(shape: [2, 3]), target: Tensor(shape: [2, 2]))) { error in
            guard case NNError.shapeMismatch = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(loss.outputsPerTarget, 2)
        XCTAssertEqual(Loss.meanSquaredError.outputsPerTarget, 1)
    }
}
