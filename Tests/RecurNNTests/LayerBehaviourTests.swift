import Foundation
import RecurNN
import RecurTensor
import RecurTestSupport
import XCTest

/// Initializers, forward results against plain reference loops, dropout, state handling and
/// workspace reuse.
final class LayerBehaviourTests: XCTestCase {
    func uniformTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        let t = Tensor(shape: shape)
        rng.fillUniform(t, -scale, scale)
        return t
    }

    // MARK: Activations

    func testActivationValuesAndDerivatives() {
        let hs = Activation.hardSigmoid
        XCTAssertEqual(hs.rawValue, "hard_sigmoid")
        XCTAssertEqual(hs.apply(-3), 0)
        XCTAssertEqual(hs.apply(-10), 0)
        XCTAssertEqual(hs.apply(0), 0.5)
        XCTAssertEqual(hs.apply(3), 1)
        XCTAssertEqual(hs.apply(1.5), 0.75, accuracy: 1e-7)
        XCTAssertEqual(Activation.relu.apply(-2), 0)
        XCTAssertEqual(Activation.sigmoid.apply(0), 0.5)
        XCTAssertEqual(Activation.tanh.apply(0.3), Float(Foundation.tanh(0.3)), accuracy: 1e-7)
        // Derivative from the output agrees with a central difference of the function.
        for act in Activation.allCases {
            for x: Float in [-2.5, -0.7, 0.2, 1.3, 2.9] {
                let e: Float = 1e-3
                let numeric = (Double(act.apply(x + e)) - Double(act.apply(x - e))) / Double(2 * e)
                XCTAssertEqual(Double(act.derivative(output: act.apply(x))), numeric, accuracy: 2e-3, "\(act) at \(x)")
            }
        }
        XCTAssertEqual(hs.derivative(output: hs.apply(4)), 0)
        XCTAssertEqual(hs.derivative(output: hs.apply(-4)), 0)
    }

    // MARK: Initializers

    func testGlorotBoundsAndZeroBiases() throws {
        var rng = RandomGenerator(seed: 1)
        let lstm = try LSTM(inputSize: 7, units: 16, rng: &rng)
        let limit = Float((6.0 / Double(7 + 64)).squareRoot())
        let k = lstm.kernel.value.scalars
        XCTAssertEqual(lstm.kernel.shape, [7, 64])
        XCTAssertTrue(k.allSatisfy { abs($0) <= limit })
        XCTAssertGreaterThan(k.map(abs).max()!, 0.9 * limit)  // fills the interval
        XCTAssertEqual(Double(k.reduce(0, +)) / Double(k.count), 0, accuracy: 0.1 * Double(limit))
        let dense = try Dense(inputSize: 5, units: 3, rng: &rng)
        let dl = Float((6.0 / 8.0).squareRoot())
        XCTAssertTrue(dense.kernel.value.scalars.allSatisfy { abs($0) <= dl })
        XCTAssertEqual(dense.bias.value.scalars, [0, 0, 0])
        let gru = try GRU(inputSize: 4, units: 6, rng: &rng)
        let gl = Float((6.0 / Double(4 + 18)).squareRoot())
        XCTAssertTrue(gru.kernel.value.scalars.allSatisfy { abs($0) <= gl })
        XCTAssertEqual(gru.bias.shape, [2, 18])
        XCTAssertTrue(gru.bias.value.scalars.allSatisfy { $0 == 0 })
        let gruBefore = try GRU(inputSize: 4, units: 6, resetAfter: false, rng: &rng)
        XCTAssertEqual(gruBefore.bias.shape, [18])
    }

    /// Keras's Orthogonal on [H, G*H] (rows < cols) gives orthonormal rows: U Uᵀ = I_H across
    /// all gate blocks together (the blocks themselves are not orthogonal).
    func testOrthogonalRecurrentKernels() throws {
        var rng = RandomGenerator(seed: 2)
        let H = 8
        let layers: [(any RecurrentLayer, Int)] = [
            (try LSTM(inputSize: 3, units: H, rng: &rng), 4),
            (try GRU(inputSize: 3, units: H, rng: &rng), 3),
            (try SimpleRNN(inputSize: 3, units: H, rng: &rng), 1),
        ]
        for (layer, G) in layers {
            let u = layer.parameters[1]
            XCTAssertEqual(u.name, "recurrent_kernel")
            XCTAssertEqual(u.role, .recurrentKernel)
            XCTAssertEqual(u.shape, [H, G * H])
            let v = u.value.scalars
            for i in 0..<H {
                for j in 0..<H {
                    var dot = 0.0
                    for c in 0..<(G * H) { dot += Double(v[i * G * H + c]) * Double(v[j * G * H + c]) }
                    XCTAssertEqual(dot, i == j ? 1 : 0, accuracy: 1e-5, "\(layer.kind) U Uᵀ[\(i), \(j)]")
                }
            }
        }
        // A tall matrix gets orthonormal columns, QᵀQ = I.
        let q = Tensor(shape: [12, 5])
        Initializers.orthogonal(q, rows: 12, cols: 5, rng: &rng)
        for i in 0..<5 {
            for j in 0..<5 {
                var dot = 0.0
                for r in 0..<12 { dot += Double(q[r * 5 + i]) * Double(q[r * 5 + j]) }
                XCTAssertEqual(dot, i == j ? 1 : 0, accuracy: 1e-5)
            }
        }
    }

    func testForgetBiasAndParameterLayout() throws {
        var rng = RandomGenerator(seed: 3)
        let H = 5
        let lstm = try LSTM(inputSize: 2, units: H, rng: &rng)
        let b = lstm.bias.value.scalars
        XCTAssertEqual(Array(b[0..<H]), [Float](repeating: 0, count: H))
        XCTAssertEqual(Array(b[H..<(2 * H)]), [Float](repeating: 1, count: H))
        XCTAssertEqual(Array(b[(2 * H)...]), [Float](repeating: 0, count: 2 * H))
        let plain = try LSTM(inputSize: 2, units: H, unitForgetBias: false, rng: &rng)
        XCTAssertTrue(plain.bias.value.scalars.allSatisfy { $0 == 0 })
        XCTAssertEqual(lstm.parameters.map(\.name), ["kernel", "recurrent_kernel", "bias"])
        XCTAssertEqual(lstm.parameters.map(\.role), [.kernel, .recurrentKernel, .bias])
        XCTAssertEqual(lstm.parameters.map(\.shape), [[2, 20], [5, 20], [20]])
        XCTAssertEqual(lstm.kind, .lstm)
        XCTAssertEqual("\(lstm.kind)", "LSTM")
        XCTAssertEqual(lstm.activation, .tanh)
        XCTAssertEqual(lstm.recurrentActivation, .sigmoid)
        XCTAssertEqual(lstm.stateCount, 2)
        let rnn = try SimpleRNN(inputSize: 2, units: 3, rng: &rng)
        XCTAssertEqual(rnn.parameters.map(\.shape), [[2, 3], [3, 3], [3]])
        let dense = try Dense(inputSize: 2, units: 3, activation: .relu, rng: &rng)
        XCTAssertEqual(dense.parameters.map(\.name), ["kernel", "bias"])
        XCTAssertEqual(dense.activation, .relu)
    }

    /// A layer with separate bias rows (a, b) computes what a single-bias layer with a + b
    /// does, and both rows get the single bias's gradient.
    func testSeparateRecurrentBiasMatchesSummedBias() throws {
        let (T, B, In, H) = (5, 3, 2, 4)
        for kind in ["LSTM", "SimpleRNN"] {
            for seq in [true, false] {
                func build(_ separate: Bool) throws -> any RecurrentLayer {
                    var rng = RandomGenerator(seed: 31)
                    return kind == "LSTM"
                        ? try LSTM(inputSize: In, units: H, returnSequences: seq, separateRecurrentBias: separate, rng: &rng)
                        : try SimpleRNN(inputSize: In, units: H, returnSequences: seq, separateRecurrentBias: separate, rng: &rng)
                }
                let single = try build(false), separate = try build(true)
                let G = (kind == "LSTM" ? 4 : 1) * H
                XCTAssertEqual(separate.parameters.map(\.shape), [[In, G], [H, G], [2, G]])
                if let lstm = separate as? LSTM {  // unit forget bias: ones in row 0 only
                    XCTAssertTrue(lstm.separateRecurrentBias)
                    XCTAssertEqual(Array(lstm.bias.value.scalars[H..<(2 * H)]), [Float](repeating: 1, count: H))
                    XCTAssertTrue(lstm.bias.value.scalars[G...].allSatisfy { $0 == 0 })
                }
                if let rnn = separate as? SimpleRNN { XCTAssertTrue(rnn.separateRecurrentBias) }
                let sb = single.parameters[2].value, pb = separate.parameters[2].value
                for j in 0..<G {
                    let a = 0.3 * sin(Float(j) + 1), b = -0.2 * cos(Float(2 * j))
                    pb[j] = a
                    pb[G + j] = b
                    sb[j] = a + b
                }
                var rng = RandomGenerator(seed: 32)
                let x = Tensor(shape: [T, B, In])
                rng.fillUniform(x, -1, 1)
                let ySingle = try single.forward(x, training: true).clone()
                let ySeparate = try separate.forward(x, training: true).clone()
                assertClose(ySeparate.scalars, ySingle.scalars, atol: 1e-6, "\(kind) seq=\(seq) output")
                let dy = Tensor(shape: ySingle.shape)
                rng.fillUniform(dy, -1, 1)
                let dxSingle = single.backward(dy).clone(), dxSeparate = separate.backward(dy).clone()
                assertClose(dxSeparate.scalars, dxSingle.scalars, atol: 1e-6, "\(kind) seq=\(seq) dInput")
                let g = single.parameters[2].gradient.scalars, gg = separate.parameters[2].gradient.scalars
                assertClose(Array(gg[0..<G]), g, atol: 1e-6, "\(kind) seq=\(seq) d b_ih")
                assertClose(Array(gg[G...]), g, atol: 1e-6, "\(kind) seq=\(seq) d b_hh")
                for k in 0..<2 {
                    assertClose(separate.parameters[k].gradient.scalars, single.parameters[k].gradient.scalars,
                                atol: 1e-6, "\(kind) seq=\(seq) \(single.parameters[k].name) gradient")
                }
            }
        }
    }

    func testSameSeedGivesBitIdenticalWeights() throws {
        func build(_ seed: UInt64) throws -> [[Float]] {
            var rng = RandomGenerator(seed: seed)
            let layers: [Layer] = [
                try LSTM(inputSize: 3, units: 6, rng: &rng), try GRU(inputSize: 6, units: 5, rng: &rng),
                try GRU(inputSize: 6, units: 5, resetAfter: false, rng: &rng),
                try SimpleRNN(inputSize: 5, units: 4, rng: &rng), try Dense(inputSize: 4, units: 2, rng: &rng),
            ]
            return layers.flatMap { $0.parameters.map(\.value.scalars) }
        }
        let a = try build(42), b = try build(42), c = try build(43)
        XCTAssertEqual(a.map { $0.map(\.bitPattern) }, b.map { $0.map(\.bitPattern) })
        XCTAssertNotEqual(a[0], c[0])
    }

    // MARK: Forward against reference loops (the Keras equations, in Double)

    struct Ref {
        static func matVec(_ x: [Double], _ w: [Float], cols: Int, offset: Int, width: Int) -> [Double] {
            var y = [Double](repeating: 0, count: width)
            for j in 0..<width {
                for i in 0..<x.count { y[j] += x[i] * Double(w[i * cols + offset + j]) }
            }
            return y
        }
        static func sig(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
    }

    func testLSTMForwardMatchesReference() throws {
        let T = 5, B = 2, In = 3, H = 4
        var rng = RandomGenerator(seed: 4)
        let lstm = try LSTM(inputSize: In, units: H, returnSequences: true, rng: &rng)
        for j in 0..<(4 * H) { lstm.bias.value[j] = 0.1 * Float(j % 3) - 0.1 }
        let x = uniformTensor([T, B, In], seed: 5)
        let h0 = uniformTensor([B, H], seed: 6, scale: 0.5), c0 = uniformTensor([B, H], seed: 7, scale: 0.5)
        lstm.initialStates = [h0, c0]
        let y = try lstm.forward(x, training: false).scalars
        let W = lstm.kernel.value.scalars, U = lstm.recurrentKernel.value.scalars, bias = lstm.bias.value.scalars
        for b in 0..<B {
            var h: [Double] = (0..<H).map { Double(h0[b * H + $0]) }
            var c: [Double] = (0..<H).map { Double(c0[b * H + $0]) }
            for t in 0..<T {
                let xt = (0..<In).map { Double(x[(t * B + b) * In + $0]) }
                func gate(_ k: Int) -> [Double] {
                    let a = Ref.matVec(xt, W, cols: 4 * H, offset: k * H, width: H)
                    let r = Ref.matVec(h, U, cols: 4 * H, offset: k * H, width: H)
                    return (0..<H).map { a[$0] + r[$0] + Double(bias[k * H + $0]) }
                }
                let i = gate(0).map(Ref.sig), f = gate(1).map(Ref.sig)
                let g: [Double] = gate(2).map { tanh($0) }
                let o = gate(3).map(Ref.sig)
                for j in 0..<H {
                    c[j] = f[j] * c[j] + i[j] * g[j]
                    h[j] = o[j] * tanh(c[j])
                }
                for j in 0..<H { XCTAssertEqual(Double(y[(t * B + b) * H + j]), h[j], accuracy: 2e-6, "t\(t) b\(b) j\(j)") }
            }
            for j in 0..<H {
                XCTAssertEqual(Double(lstm.finalStates[0][b * H + j]), h[j], accuracy: 2e-6)
                XCTAssertEqual(Double(lstm.finalStates[1][b * H + j]), c[j], accuracy: 2e-6)
            }
        }
    }

    func testGRUForwardMatchesReference() throws {
        let T = 5, B = 2, In = 3, H = 4, G = 3 * H
        for resetAfter in [true, false] {
            var rng = RandomGenerator(seed: 8)
            let gru = try GRU(inputSize: In, units: H, returnSequences: true, resetAfter: resetAfter, rng: &rng)
            for j in 0..<gru.bias.value.count { gru.bias.value[j] = 0.05 * Float(j % 5) - 0.1 }
            let x = uniformTensor([T, B, In], seed: 9)
            let h0 = uniformTensor([B, H], seed: 10, scale: 0.5)
            gru.initialStates = [h0]
            let y = try gru.forward(x, training: false).scalars
            let W = gru.kernel.value.scalars, U = gru.recurrentKernel.value.scalars, bias = gru.bias.value.scalars
            let bx = Array(bias[0..<G]).map(Double.init)
            let bh = resetAfter ? Array(bias[G..<(2 * G)]).map(Double.init) : [Double](repeating: 0, count: G)
            for b in 0..<B {
                var h = (0..<H).map { Double(h0[b * H + $0]) }
                for t in 0..<T {
                    let xt = (0..<In).map { Double(x[(t * B + b) * In + $0]) }
                    let xp = Ref.matVec(xt, W, cols: G, offset: 0, width: G)
                    let hp = Ref.matVec(h, U, cols: G, offset: 0, width: G)
                    let z = (0..<H).map { Ref.sig(xp[$0] + bx[$0] + hp[$0] + bh[$0]) }
                    let r = (0..<H).map { Ref.sig(xp[H + $0] + bx[H + $0] + hp[H + $0] + bh[H + $0]) }
                    let hh: [Double]
                    if resetAfter {
                        hh = (0..<H).map { tanh(xp[2 * H + $0] + bx[2 * H + $0] + r[$0] * (hp[2 * H + $0] + bh[2 * H + $0])) }
                    } else {
                        let rh = (0..<H).map { r[$0] * h[$0] }
                        let rp = Ref.matVec(rh, U, cols: G, offset: 2 * H, width: H)
                        hh = (0..<H).map { tanh(xp[2 * H + $0] + bx[2 * H + $0] + rp[$0]) }
                    }
                    h = (0..<H).map { z[$0] * h[$0] + (1 - z[$0]) * hh[$0] }
                    for j in 0..<H {
                        XCTAssertEqual(Double(y[(t * B + b) * H + j]), h[j], accuracy: 2e-6, "resetAfter \(resetAfter) t\(t) b\(b)")
                    }
                }
            }
        }
    }

    func testSimpleRNNAndDenseForwardMatchReference() throws {
        let T = 4, B = 2, In = 3, H = 5
        var rng = RandomGenerator(seed: 11)
        let rnn = try SimpleRNN(inputSize: In, units: H, rng: &rng)
        for j in 0..<H { rnn.bias.value[j] = 0.1 * Float(j) }
        let x = uniformTensor([T, B, In], seed: 12)
        let y = try rnn.forward(x, training: false)
        XCTAssertEqual(y.shape, [B, H])
        let W = rnn.kernel.value.scalars, U = rnn.recurrentKernel.value.scalars
        for b in 0..<B {
            var h = [Double](repeating: 0, count: H)
            for t in 0..<T {
                let xt = (0..<In).map { Double(x[(t * B + b) * In + $0]) }
                let a = Ref.matVec(xt, W, cols: H, offset: 0, width: H), r = Ref.matVec(h, U, cols: H, offset: 0, width: H)
                h = (0..<H).map { tanh(a[$0] + r[$0] + Double(rnn.bias.value[$0])) }
            }
            for j in 0..<H { XCTAssertEqual(Double(y[b * H + j]), h[j], accuracy: 2e-6) }
        }
        let dense = try Dense(inputSize: H, units: 2, activation: .sigmoid, rng: &rng)
        dense.bias.value[1] = 0.3
        let d = try dense.forward(y, training: false)
        XCTAssertEqual(d.shape, [B, 2])
        for b in 0..<B {
            let row = (0..<H).map { Double(y[b * H + $0]) }
            let z = Ref.matVec(row, dense.kernel.value.scalars, cols: 2, offset: 0, width: 2)
            for j in 0..<2 { XCTAssertEqual(Double(d[b * 2 + j]), Ref.sig(z[j] + Double(dense.bias.value[j])), accuracy: 1e-6) }
        }
    }

    // MARK: Dropout

    func testDropoutInferenceIsIdentity() throws {
        let dropout = try Dropout(size: 4, rate: 0.5, seed: 1)
        let x = uniformTensor([3, 4], seed: 2)
        let y = try dropout.forward(x, training: false)
        XCTAssertEqual(y.scalars, x.scalars)
        let dy = uniformTensor([3, 4], seed: 3)
        XCTAssertEqual(dropout.backward(dy).scalars, dy.scalars)
        XCTAssertEqual(dropout.rate, 0.5)
        // Rate 0 is the identity in training too.
        let none = try Dropout(size: 4, rate: 0, seed: 1)
        XCTAssertEqual(try none.forward(x, training: true).scalars, x.scalars)
    }

    func testDropoutTrainingZeroesAboutRateAndScalesTheRest() throws {
        for rate: Float in [0.2, 0.5, 0.8] {
            let dropout = try Dropout(size: 100, rate: rate, seed: 7)
            let x = Tensor(shape: [500, 100], value: 2)
            let y = try dropout.forward(x, training: true).scalars
            let zeros = y.filter { $0 == 0 }.count
            XCTAssertEqual(Double(zeros) / Double(y.count), Double(rate), accuracy: 0.01, "rate \(rate)")
            let kept = 2 / (1 - rate)
            XCTAssertTrue(y.allSatisfy { $0 == 0 || abs($0 - kept) <= 1e-6 * kept })
            // Backward uses the same mask.
            let dx = dropout.backward(Tensor(shape: [500, 100], value: 1)).scalars
            for i in 0..<y.count { XCTAssertEqual(dx[i] * 2, y[i]) }
        }
    }

    func testDropoutMasksBySeed() throws {
        let x = Tensor(shape: [8, 16], value: 1)
        let a = try Dropout(size: 16, rate: 0.5, seed: 3), b = try Dropout(size: 16, rate: 0.5, seed: 3)
        let c = try Dropout(size: 16, rate: 0.5, seed: 4)
        let ya1 = try a.forward(x, training: true).scalars
        XCTAssertEqual(ya1, try b.forward(x, training: true).scalars)
        XCTAssertNotEqual(ya1, try c.forward(x, training: true).scalars)
        // A new mask each training forward, unless frozen.
        let ya2 = try a.forward(x, training: true).scalars
        XCTAssertNotEqual(ya1, ya2)
        a.freezeMask = true
        XCTAssertEqual(try a.forward(x, training: true).scalars, ya2)
        // Restarting the generator repeats the sequence.
        a.freezeMask = false
        a.resetMaskGenerator()
        XCTAssertEqual(try a.forward(x, training: true).scalars, ya1)
    }

    // MARK: States

    func makeRecurrent(_ kind: String, returnSequences: Bool, seed: UInt64) throws -> any RecurrentLayer {
        var rng = RandomGenerator(seed: seed)
        switch kind {
        case "LSTM": return try LSTM(inputSize: 3, units: 4, returnSequences: returnSequences, rng: &rng)
        case "GRU": return try GRU(inputSize: 3, units: 4, returnSequences: returnSequences, rng: &rng)
        case "GRU0": return try GRU(inputSize: 3, units: 4, returnSequences: returnSequences, resetAfter: false, rng: &rng)
        default: return try SimpleRNN(inputSize: 3, units: 4, returnSequences: returnSequences, rng: &rng)
        }
    }

    func slice(_ x: Tensor, steps: Range<Int>) -> Tensor {
        let per = x.count / x.shape[0]
        return try! Tensor(shape: [steps.count] + x.shape.dropFirst(),
                           values: Array(x.scalars[(steps.lowerBound * per)..<(steps.upperBound * per)]))
    }

    func testStatefulHalvesEqualOneFullRun() throws {
        let x = uniformTensor([6, 2, 3], seed: 13)
        for kind in ["LSTM", "GRU", "GRU0", "SimpleRNN"] {
            let full = try makeRecurrent(kind, returnSequences: true, seed: 14)
            let whole = try full.forward(x, training: false).scalars
            let wholeFinal = full.finalStates.map(\.scalars)
            let halves = try makeRecurrent(kind, returnSequences: true, seed: 14)
            halves.stateful = true
            let first = try halves.forward(slice(x, steps: 0..<3), training: false).scalars
            let second = try halves.forward(slice(x, steps: 3..<6), training: false).scalars
            assertClose(first + second, whole, atol: 1e-6, "\(kind) stateful halves")
            for (a, b) in zip(halves.finalStates.map(\.scalars), wholeFinal) { assertClose(a, b, atol: 1e-6, kind) }
            // resetStates starts from zeros again: the second half alone, from zero state.
            halves.resetStates()
            let fresh = try makeRecurrent(kind, returnSequences: true, seed: 14)
            assertClose(try halves.forward(slice(x, steps: 3..<6), training: false).scalars,
                        try fresh.forward(slice(x, steps: 3..<6), training: false).scalars, atol: 0, kind)
            // Not stateful: every forward starts from zeros.
            let plain = try makeRecurrent(kind, returnSequences: true, seed: 14)
            _ = try plain.forward(slice(x, steps: 0..<3), training: false)
            assertClose(try plain.forward(slice(x, steps: 3..<6), training: false).scalars,
                        try fresh.forward(slice(x, steps: 3..<6), training: false).scalars, atol: 0, kind)
        }
    }

    func testLastStepEqualsReturnSequencesFalse() throws {
        let x = uniformTensor([5, 3, 3], seed: 15)
        for kind in ["LSTM", "GRU", "GRU0", "SimpleRNN"] {
            let seq = try makeRecurrent(kind, returnSequences: true, seed: 16)
            let last = try makeRecurrent(kind, returnSequences: false, seed: 16)
            let ys = try seq.forward(x, training: false)
            let yl = try last.forward(x, training: false)
            XCTAssertEqual(ys.shape, [5, 3, 4])
            XCTAssertEqual(yl.shape, [3, 4])
            XCTAssertEqual(Array(ys.scalars[(4 * 12)...]), yl.scalars, kind)
            XCTAssertEqual(last.finalStates[0].scalars, yl.scalars, kind)
        }
    }

    func testInitialStatesAreUsed() throws {
        let x = uniformTensor([3, 2, 3], seed: 17)
        for kind in ["LSTM", "GRU", "SimpleRNN"] {
            let layer = try makeRecurrent(kind, returnSequences: false, seed: 18)
            let zero = try layer.forward(x, training: false).scalars
            layer.initialStates = (0..<layer.stateCount).map { _ in Tensor(shape: [2, 4]) }
            XCTAssertEqual(try layer.forward(x, training: false).scalars, zero, "explicit zeros = default")
            layer.initialStates = (0..<layer.stateCount).map { uniformTensor([2, 4], seed: 19 + UInt64($0)) }
            XCTAssertNotEqual(try layer.forward(x, training: false).scalars, zero)
        }
    }

    // MARK: Workspaces

    func testNoReallocationBetweenForwardsOfTheSameShape() throws {
        let x = uniformTensor([4, 3, 3], seed: 20)
        var rng = RandomGenerator(seed: 21)
        var layers: [Layer] = []
        for seq in [true, false] {
            layers.append(try LSTM(inputSize: 3, units: 4, returnSequences: seq, rng: &rng))
            layers.append(try GRU(inputSize: 3, units: 4, returnSequences: seq, rng: &rng))
            layers.append(try GRU(inputSize: 3, units: 4, returnSequences: seq, resetAfter: false, rng: &rng))
            layers.append(try SimpleRNN(inputSize: 3, units: 4, returnSequences: seq, rng: &rng))
        }
        layers.append(try Dense(inputSize: 3, units: 2, activation: .tanh, rng: &rng))
        layers.append(try Dropout(size: 3, rate: 0.3, seed: 1))
        for layer in layers {
            let y1 = try layer.forward(x, training: true)
            let p1 = y1.data
            let d1 = layer.backward(Tensor(shape: y1.shape, value: 1)).data
            let y2 = try layer.forward(x, training: true)
            XCTAssertEqual(y2.data, p1, "\(layer.kind) output moved")
            XCTAssertEqual(layer.backward(Tensor(shape: y2.shape, value: 1)).data, d1, "\(layer.kind) dInput moved")
            // A smaller batch fits in the same memory.
            let y3 = try layer.forward(slice(x, steps: 0..<2), training: true)
            if layer is Dense || layer is Dropout { XCTAssertEqual(y3.data, p1, "\(layer.kind) shrink moved") }
        }
    }
}
