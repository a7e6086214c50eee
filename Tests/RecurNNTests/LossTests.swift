import Foundation
import RecurNN
import RecurTensor
import RecurTestSupport
import XCTest

final class LossTests: XCTestCase {
    let prediction = try! Tensor(shape: [2, 2], values: [0.5, -1.0, 2.0, 3.0])
    let target = try! Tensor(shape: [2, 2], values: [1.0, 1.0, 0.0, 2.5])

    func testMeanSquaredErrorValueAndGradient() throws {
        // d = [-0.5, -2, 2, 0.5]; d² = [0.25, 4, 4, 0.25]; mean 2.125; grad 2d/4.
        let g = Tensor(shape: [0])
        let v = try Loss.meanSquaredError.valueAndGradient(prediction: prediction, target: target, into: g)
        XCTAssertEqual(v, 2.125, accuracy: 1e-6)
        XCTAssertEqual(g.shape, [2, 2])
        assertClose(g.scalars, [-0.25, -1, 1, 0.25], atol: 1e-7, "mse gradient")
        XCTAssertEqual(try Loss.meanSquaredError.value(prediction: prediction, target: target), v)
    }

    func testMeanAbsoluteError() throws {
        let g = Tensor(shape: [0])
        let v = try Loss.meanAbsoluteError.valueAndGradient(prediction: prediction, target: target, into: g)
        XCTAssertEqual(v, (0.5 + 2 + 2 + 0.5) / 4, accuracy: 1e-6)
        assertClose(g.scalars, [-0.25, -0.25, 0.25, 0.25], atol: 1e-7, "mae gradient")
        let same = Tensor([1, 2])
        _ = try Loss.meanAbsoluteError.valueAndGradient(prediction: same, target: same.clone(), into: g)
        XCTAssertEqual(g.scalars, [0, 0], "sign(0) = 0, as PyTorch")
    }

    func testHuber() throws {
        // delta 1: |d| = [0.5, 2, 2, 0.5] -> [0.125, 1.5, 1.5, 0.125]; mean 0.8125.
        let g = Tensor(shape: [0])
        let v = try Loss.huber(delta: 1).valueAndGradient(prediction: prediction, target: target, into: g)
        XCTAssertEqual(v, 0.8125, accuracy: 1e-6)
        assertClose(g.scalars, [-0.125, -0.25, 0.25, 0.125], atol: 1e-7, "huber gradient")
        // delta 2.5: all quadratic -> half the MSE.
        let v2 = try Loss.huber(delta: 2.5).value(prediction: prediction, target: target)
        XCTAssertEqual(v2, 2.125 / 2, accuracy: 1e-6)
    }

    func testBinaryCrossEntropyOnLogitsIsStable() throws {
        let logits = Tensor([0, 2, -3, 100, -100])
        let labels = Tensor([1, 0, 0, 1, 0])
        let g = Tensor(shape: [0])
        let v = try Loss.binaryCrossEntropy.valueAndGradient(prediction: logits, target: labels, into: g)
        func reference(_ x: Double, _ y: Double) -> Double {
            let p = 1 / (1 + exp(-x))
            return -(y * log(max(p, 1e-300)) + (1 - y) * log(max(1 - p, 1e-300)))
        }
        let expected = (reference(0, 1) + reference(2, 0) + reference(-3, 0) + 0 + 0) / 5
        XCTAssertEqual(Double(v), expected, accuracy: 1e-6)
        XCTAssertTrue(v.isFinite)
        for i in 0..<5 {
            let s = 1 / (1 + exp(-Double(logits[i])))
            XCTAssertEqual(Double(g[i]), (s - Double(labels[i])) / 5, accuracy: 1e-7)
        }
    }

    func testGradientsMatchFiniteDifferences() throws {
        var rng = RandomGenerator(seed: 7)
        let p = Tensor(shape: [3, 4]), t = Tensor(shape: [3, 4])
        rng.fillNormal(p)
        rng.fillUniform(t, 0, 1)
        for loss in [Loss.meanSquaredError, .meanAbsoluteError, .huber(delta: 0.7), .binaryCrossEntropy] {
            let g = Tensor(shape: [0])
            _ = try loss.valueAndGradient(prediction: p, target: t, into: g)
            for i in 0..<p.count {
                let saved = p[i]
                let h: Float = 1e-2
                p[i] = saved + h
                let up = Double(try loss.value(prediction: p, target: t))
                p[i] = saved - h
                let down = Double(try loss.value(prediction: p, target: t))
                p[i] = saved
                XCTAssertEqual(Double(g[i]), (up - down) / (2 * Double(h)), accuracy: 2e-4, "\(loss) element \(i)")
            }
        }
    }

    func testNamesFromConfigs() throws {
        XCTAssertEqual(try Loss(name: "mse"), .meanSquaredError)
        XCTAssertEqual(try Loss(name: "mean_squared_error"), .meanSquaredError)
        XCTAssertEqual(try Loss(name: "mae"), .meanAbsoluteError)
        XCTAssertEqual(try Loss(name: "mean_absolute_error"), .meanAbsoluteError)
        XCTAssertEqual(try Loss(name: "huber"), .huber(delta: 1))
        XCTAssertEqual(try Loss(name: "huber", huberDelta: 0.5), .huber(delta: 0.5))
        XCTAssertEqual(try Loss(name: "binary_crossentropy"), .binaryCrossEntropy)
        XCTAssertThrowsError(try Loss(name: "hinge")) { error in
            XCTAssertTrue("\(error)".contains("hinge"), "\(error)")
        }
        XCTAssertThrowsError(try Loss(name: "huber", huberDelta: 0))
    }

    func testShapeMismatchAndNaNTargetThrow() throws {
        let g = Tensor(shape: [0])
        XCTAssertThrowsError(try Loss.meanSquaredError.value(prediction: prediction, target: Tensor([1, 2, 3, 4]))) { error in
            guard case NNError.shapeMismatch = error else { return XCTFail("\(error)") }
        }
        let bad = target.clone()
        bad[2] = .nan
        XCTAssertThrowsError(try Loss.meanSquaredError.valueAndGradient(prediction: prediction, target: bad, into: g)) { error in
            guard case let NNError.nonFinite(what, index, _) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(what.contains("target"))
            XCTAssertEqual(index, [1, 0])
        }
    }
}
