import Foundation
import RecurNN
import RecurTensor
import RecurTestSupport
import XCTest

final class OptimizerTests: XCTestCase {
    /// A kernel [2] and a bias [1] with given values and gradients.
    func makeSet(_ w: [Float] = [1, -2], _ b: [Float] = [0.5], gw: [Float] = [0.5, 0.25], gb: [Float] = [-1])
        -> ParameterSet {
        let kernel = Parameter(name: "kernel", shape: [2], role: .kernel)
        let bias = Parameter(name: "bias", shape: [1], role: .bias)
        let set = ParameterSet([kernel, bias])
        for (i, v) in (w + b).enumerated() { set.values[i] = v }
        for (i, v) in (gw + gb).enumerated() { set.gradients[i] = v }
        return set
    }

    let w0: [Double] = [1, -2, 0.5]
    let g0: [Double] = [0.5, 0.25, -1]

    func expect(_ set: ParameterSet, _ expected: [Double], atol: Float = 1e-6, _ what: String) {
        assertClose(set.values.scalars, expected.map { Float($0) }, atol: atol, what)
    }

    func testSGDPlainMomentumNesterov() throws {
        let plain = makeSet()
        try SGD(learningRate: 0.1).step(plain)
        expect(plain, zip(w0, g0).map { $0 - 0.1 * $1 }, "sgd")

        let momentum = makeSet(), sgdM = try SGD(learningRate: 0.1, momentum: 0.9)
        try sgdM.step(momentum)
        try sgdM.step(momentum)  // same gradients: buffer g then 1.9 g
        expect(momentum, zip(w0, g0).map { $0 - 0.1 * $1 - 0.1 * 1.9 * $1 }, "sgd momentum")

        let nesterov = makeSet(), sgdN = try SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)
        try sgdN.step(nesterov)
        try sgdN.step(nesterov)  // d = 1.9 g, then g + 0.9 * 1.9 g = 2.71 g
        expect(nesterov, zip(w0, g0).map { $0 - 0.1 * 1.9 * $1 - 0.1 * 2.71 * $1 }, "sgd nesterov")
    }

    func testAdamOneStepBothStyles() throws {
        let lr = 0.01, b1 = 0.9, b2 = 0.999
        let keras = makeSet()
        try Adam(learningRate: Float(lr), style: .keras).step(keras)
        expect(keras, zip(w0, g0).map { w, g in
            let m = (1 - b1) * g, v = (1 - b2) * g * g
            let alpha = lr * (1 - b2).squareRoot() / (1 - b1)
            return w - alpha * m / (v.squareRoot() + 1e-7)
        }, "adam keras")
        let torch = makeSet()
        let adam = try Adam(learningRate: Float(lr), style: .torch)
        XCTAssertEqual(adam.epsilon, 1e-8)
        try adam.step(torch)
        expect(torch, zip(w0, g0).map { w, g in
            let m = (1 - b1) * g, v = (1 - b2) * g * g
            return w - lr / (1 - b1) * m / ((v / (1 - b2)).squareRoot() + 1e-8)
        }, "adam torch")
        // Two steps, torch style, by hand.
        let two = makeSet()
        let adam2 = try Adam(learningRate: Float(lr), style: .torch)
        try adam2.step(two)
        try adam2.step(two)
        expect(two, zip(w0, g0).map { w, g in
            var w = w, m = 0.0, v = 0.0
            for t in 1...2 {
                m = b1 * m + (1 - b1) * g
                v = b2 * v + (1 - b2) * g * g
                w -= lr / (1 - pow(b1, Double(t))) * m / ((v / (1 - pow(b2, Double(t)))).squareRoot() + 1e-8)
            }
            return w
        }, "adam torch two steps")
    }

    func testAdamWDecaysKernelsOnly() throws {
        let set = makeSet()
        let opt = try AdamW(learningRate: 0.01, weightDecay: 0.1, style: .torch)
        try opt.step(set)
        expect(set, zip(w0, g0).enumerated().map { i, pair in
            let (w, g) = pair
            let decayed = i < 2 ? w * (1 - 0.01 * 0.1) : w
            return decayed - 0.01 * g / (abs(g) + 1e-8)
        }, "adamw")
        XCTAssertEqual(opt.name, "adamw")
    }

    func testRMSpropAdadeltaAdagradOneStep() throws {
        let lr = 0.01
        let rk = makeSet()
        try RMSprop(learningRate: Float(lr)).step(rk)  // keras: rho 0.9, eps 1e-7 inside the root
        expect(rk, zip(w0, g0).map { w, g in w - lr * g / (0.1 * g * g + 1e-7).squareRoot() }, "rmsprop keras")
        let rt = makeSet()
        try RMSprop(learningRate: Float(lr), rho: 0.99, epsilon: 1e-8, style: .torch).step(rt)
        expect(rt, zip(w0, g0).map { w, g in w - lr * g / ((0.01 * g * g).squareRoot() + 1e-8) }, "rmsprop torch")
        let rc = makeSet()
        try RMSprop(learningRate: Float(lr), momentum: 0.5, centered: true).step(rc)
        expect(rc, zip(w0, g0).map { w, g in w - lr * g / (0.1 * g * g - 0.01 * g * g + 1e-7).squareRoot() },
               "rmsprop centred")

        let ad = makeSet()
        try Adadelta(learningRate: 1.0, rho: 0.95, epsilon: 1e-6).step(ad)
        expect(ad, zip(w0, g0).map { w, g in w - (1e-6).squareRoot() / (0.05 * g * g + 1e-6).squareRoot() * g },
               "adadelta")

        let ak = makeSet()
        try Adagrad(learningRate: Float(lr)).step(ak)
        expect(ak, zip(w0, g0).map { w, g in w - lr * g / (0.1 + g * g + 1e-7).squareRoot() }, "adagrad keras")
        let at = makeSet()
        try Adagrad(learningRate: Float(lr), initialAccumulator: 0, epsilon: 1e-10, style: .torch).step(at)
        expect(at, zip(w0, g0).map { w, g in w - lr * g / ((g * g).squareRoot() + 1e-10) }, "adagrad torch")
    }

    /// Quadratic toy problem: gradient = w - target, repeated `steps` times.
    func train(_ optimizer: Optimizer, steps: Int) throws -> [Float] {
        let set = makeSet([0.8, -1.3], [0.4])
        let target: [Float] = [0.1, 0.2, 0.3]
        for _ in 0..<steps {
            for i in 0..<3 { set.gradients[i] = set.values[i] - target[i] }
            try optimizer.step(set)
        }
        return set.values.scalars
    }

    func testL2EqualsDecoupledDecayForPlainSGDButNotForAdam() throws {
        let lambda: Float = 0.05
        let l2 = try train(SGD(learningRate: 0.1, regularization: Regularization(l2: lambda)), steps: 25)
        let decay = try train(SGD(learningRate: 0.1, regularization: Regularization(weightDecay: 2 * lambda)), steps: 25)
        let none = try train(SGD(learningRate: 0.1), steps: 25)
        assertClose(l2, decay, atol: 1e-6, "SGD: l2 λ and weight decay 2λ")
        XCTAssertGreaterThan(maxAbsDifference(l2, none), 1e-3, "regularisation has an effect")
        XCTAssertEqual(l2[2], none[2], "the bias is never regularised")

        let adamL2 = try train(Adam(learningRate: 0.05, regularization: Regularization(l2: lambda)), steps: 25)
        let adamDecay = try train(Adam(learningRate: 0.05, regularization: Regularization(weightDecay: 2 * lambda)),
                                  steps: 25)
        XCTAssertGreaterThan(maxAbsDifference(adamL2, adamDecay), 1e-3, "Adam: l2 and decoupled decay differ")
    }

    func testPenaltyCoversKernelsOnly() throws {
        let set = makeSet()
        let opt = try SGD(learningRate: 0.1, regularization: Regularization(l2: 0.5))
        XCTAssertEqual(opt.penalty(set), 0.5 * (1 + 4), accuracy: 1e-6)
        XCTAssertEqual(try SGD().penalty(set), 0)
    }

    func testClipping() throws {
        let byNorm = makeSet(gw: [3, 4], gb: [0])
        let norm = GradientClipping.clip(byNorm.gradients, byGlobalNorm: 1)
        XCTAssertEqual(norm, 5, accuracy: 1e-6)
        assertClose(byNorm.gradients.scalars, [0.6, 0.8, 0], atol: 1e-6, "clip by norm")
        let small = makeSet(gw: [0.3, 0.4], gb: [0])
        GradientClipping.clip(small.gradients, byGlobalNorm: 1)
        assertClose(small.gradients.scalars, [0.3, 0.4, 0], atol: 0, "below the limit: unchanged")

        // Inside an optimizer: value clipping before the update.
        let set = makeSet(gw: [3, -0.2], gb: [-4])
        try SGD(learningRate: 1, clipping: GradientClipping(value: 0.5)).step(set)
        expect(set, [1 - 0.5, -2 + 0.2, 0.5 + 0.5], "clip by value")
        let set2 = makeSet(gw: [3, 4], gb: [0])
        try SGD(learningRate: 1, clipping: GradientClipping(globalNorm: 1)).step(set2)
        expect(set2, [1 - 0.6, -2 - 0.8, 0.5], "clip by global norm")
        XCTAssertThrowsError(try SGD(clipping: GradientClipping(globalNorm: 0)))
    }

    func testLearningRateChangesBetweenSteps() throws {
        let set = makeSet()
        let opt = try SGD(learningRate: 0.1)
        try opt.step(set)
        opt.learningRate = 0.2
        try opt.step(set)
        expect(set, zip(w0, g0).map { $0 - 0.3 * $1 }, "lr 0.1 then 0.2")
        opt.learningRate = -1
        XCTAssertThrowsError(try opt.step(set))
    }

    func testNaNGradientThrowsWithoutTouchingWeights() throws {
        for opt in [try Optimizer.named("adam"), try Optimizer.named("sgd")] {
            let set = makeSet(gw: [0.5, .nan])
            let before = set.values.scalars
            XCTAssertThrowsError(try opt.step(set)) { error in
                guard case let NNError.nonFinite(what, index, _) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(what.contains("kernel"), what)
                XCTAssertEqual(index, [1])
            }
            XCTAssertEqual(set.values.scalars, before)
            XCTAssertEqual(opt.stepCount, 0)
        }
    }

    func testValidation() {
        func assertInvalid(_ make: @autoclosure () throws -> Optimizer, _ argument: String, line: UInt = #line) {
            XCTAssertThrowsError(try make(), line: line) { error in
                guard case let NNError.invalidArgument(_, arg, _, _) = error else {
                    return XCTFail("\(error)", line: line)
                }
                XCTAssertEqual(arg, argument, line: line)
            }
        }
        assertInvalid(try SGD(learningRate: -0.1), "learningRate")
        assertInvalid(try SGD(learningRate: .nan), "learningRate")
        assertInvalid(try SGD(momentum: 1), "momentum")
        assertInvalid(try SGD(nesterov: true), "momentum")
        assertInvalid(try Adam(beta1: 1), "beta1")
        assertInvalid(try Adam(beta2: -0.1), "beta2")
        assertInvalid(try Adam(epsilon: 0), "epsilon")
        assertInvalid(try RMSprop(rho: 1.5), "rho")
        assertInvalid(try Adadelta(epsilon: -1), "epsilon")
        assertInvalid(try Adagrad(initialAccumulator: -1), "initialAccumulator")
        assertInvalid(try SGD(regularization: Regularization(l2: -1)), "l2")
        assertInvalid(try AdamW(weightDecay: -0.1), "weightDecay")
        assertInvalid(try Optimizer.named("lbfgs"), "name")
    }

    func testFactoryNames() throws {
        XCTAssertTrue(try Optimizer.named("sgd") is SGD)
        XCTAssertTrue(try Optimizer.named("RMSprop") is RMSprop)
        XCTAssertTrue(try Optimizer.named("adam") is Adam)
        let adamw = try Optimizer.named("adamw", learningRate: 0.003)
        XCTAssertTrue(adamw is AdamW)
        XCTAssertEqual(adamw.learningRate, 0.003)
        XCTAssertEqual(adamw.regularization.weightDecay, AdamW.defaultWeightDecay)
        XCTAssertTrue(try Optimizer.named("adadelta") is Adadelta)
        XCTAssertTrue(try Optimizer.named("adagrad") is Adagrad)
        for name in Optimizer.acceptedNames { XCTAssertEqual(try Optimizer.named(name).name, name) }
    }

    func testOptimizerRejectsAnotherSet() throws {
        let opt = try Adam()
        try opt.step(makeSet())
        let other = ParameterSet([Parameter(name: "kernel", shape: [5], role: .kernel)])
        XCTAssertThrowsError(try opt.step(other))
        opt.reset()
        XCTAssertNoThrow(try opt.step(other))
    }
}
