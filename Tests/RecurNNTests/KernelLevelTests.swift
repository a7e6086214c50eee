import Foundation
import RecurKernels
import RecurNN
import RecurTensor
import RecurTestSupport
import XCTest

/// The LSTM's and GRU's C gate passes (RecurKernels) against the equations in Double, and whole training
/// steps at every instruction-set level this processor supports against each other.
final class KernelLevelTests: XCTestCase {
    override func setUp() {
        super.setUp()
        restoreProcessSettingsAfterTest()
    }

    static func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }

    /// `n` values uniform in [−scale, scale) from `rng`.
    static func uniform(_ n: Int, _ scale: Float, _ rng: inout RandomGenerator) -> [Float] {
        (0..<n).map { _ in (rng.nextUniform() * 2 - 1) * scale }
    }

    func testLSTMGatePassesMatchTheEquationsAtEveryLevel() {
        var rng = RandomGenerator(seed: 5)
        for level in KernelLevel.supported {
            KernelLevel.select(level)
            for H in [1, 5, 8, 16, 19, 24, 33] {
                let rows = 3, G = 4 * H
                // Pre-activations over a wide range (saturated gates included).
                var z = (0..<(rows * G)).map { _ in (rng.nextUniform() * 2 - 1) * 12 }
                let z0 = z
                let bias = (0..<G).map { _ in rng.nextUniform() - 0.5 }
                let cPrev = (0..<(rows * H)).map { _ in (rng.nextUniform() * 2 - 1) * 3 }
                var c = [Float](repeating: .nan, count: rows * H), actC = c, h = c
                recur_lstm_forward_gates(Int32(rows), Int32(H), &z, bias, cPrev, &c, &actC, &h)
                var worst = 0.0
                for r in 0..<rows {
                    for j in 0..<H {
                        func pre(_ g: Int) -> Double { Double(z0[r * G + g * H + j]) + Double(bias[g * H + j]) }
                        let i = Self.sigmoid(pre(0)), f = Self.sigmoid(pre(1)), g = Foundation.tanh(pre(2)), o = Self.sigmoid(pre(3))
                        let cv = f * Double(cPrev[r * H + j]) + i * g
                        let expected = [i, f, g, o, cv, Foundation.tanh(cv), o * Foundation.tanh(cv)]
                        let got = [z[r * G + j], z[r * G + H + j], z[r * G + 2 * H + j], z[r * G + 3 * H + j],
                                   c[r * H + j], actC[r * H + j], h[r * H + j]]
                        for (e, v) in zip(expected, got) { worst = max(worst, abs(e - Double(v))) }
                    }
                }
                XCTAssertLessThan(worst, 1e-6, "\(level.name) H \(H): forward gates off by \(worst)")

                // Backward from those activations.
                let dh = (0..<(rows * H)).map { _ in rng.nextUniform() - 0.5 }
                let dOut = (0..<(rows * H)).map { _ in rng.nextUniform() - 0.5 }
                let dc0 = (0..<(rows * H)).map { _ in rng.nextUniform() - 0.5 }
                for withOut in [false, true] {
                    var dc = dc0
                    var dz = [Float](repeating: .nan, count: rows * G)
                    if withOut {
                        recur_lstm_backward_gates(Int32(rows), Int32(H), z, cPrev, actC, dOut, dh, &dc, &dz)
                    } else {
                        recur_lstm_backward_gates(Int32(rows), Int32(H), z, cPrev, actC, nil, dh, &dc, &dz)
                    }
                    var worstB = 0.0
                    for r in 0..<rows {
                        for j in 0..<H {
                            let k = r * H + j
                            let i = Double(z[r * G + j]), f = Double(z[r * G + H + j])
                            let g = Double(z[r * G + 2 * H + j]), o = Double(z[r * G + 3 * H + j])
                            let a = Double(actC[k])
                            let dhv = Double(dh[k]) + (withOut ? Double(dOut[k]) : 0)
                            let dct = Double(dc0[k]) + dhv * o * (1 - a * a)
                            let expected = [dct * g * i * (1 - i), dct * Double(cPrev[k]) * f * (1 - f),
                                            dct * i * (1 - g * g), dhv * a * o * (1 - o), dct * f]
                            let got = [dz[r * G + j], dz[r * G + H + j], dz[r * G + 2 * H + j], dz[r * G + 3 * H + j], dc[k]]
                            for (e, v) in zip(expected, got) { worstB = max(worstB, abs(e - Double(v))) }
                        }
                    }
                    XCTAssertLessThan(worstB, 1e-6, "\(level.name) H \(H) dOut \(withOut): backward gates off by \(worstB)")
                }
            }
        }
    }

    /// The LSTM step with the gate pass inside the packed product (U gate-grouped) gives the
    /// same floats as the product then the gate pass, at every level, for ragged row counts.
    func testFusedLSTMStepEqualsProductThenGatesBitForBit() {
        var rng = RandomGenerator(seed: 21)
        for level in KernelLevel.supported {
            KernelLevel.select(level)
            for H in [16, 32, 48, 96, 256] {
                for rows in [1, 3, 8, 9, 17] {
                    let G = 4 * H, lda = H + 3
                    let u = (0..<(H * G)).map { _ in (rng.nextUniform() * 2 - 1) * 0.4 }
                    let hPrev = (0..<(rows * lda)).map { _ in rng.nextUniform() * 2 - 1 }
                    let z0 = (0..<(rows * G)).map { _ in (rng.nextUniform() * 2 - 1) * 4 }
                    let bias = (0..<G).map { _ in rng.nextUniform() - 0.5 }
                    let cPrev = (0..<(rows * H)).map { _ in (rng.nextUniform() * 2 - 1) * 3 }
                    let plain = PackedMatrix(), grouped = PackedMatrix()
                    u.withUnsafeBufferPointer {
                        plain.pack($0.baseAddress!, ld: G, k: H, n: G)
                        grouped.packGateGroups($0.baseAddress!, ld: G, units: H, parts: 2)
                    }
                    var zA = z0, zB = z0
                    var cA = [Float](repeating: .nan, count: rows * H), aA = cA, hA = cA, cB = cA, aB = cA, hB = cA
                    hPrev.withUnsafeBufferPointer { hp in
                        zA.withUnsafeMutableBufferPointer {
                            plain.multiply(m: rows, a: hp.baseAddress!, lda: lda, c: $0.baseAddress!, ldc: G, accumulate: true)
                        }
                        recur_lstm_forward_gates(Int32(rows), Int32(H), &zA, bias, cPrev, &cA, &aA, &hA)
                        grouped.lstmForwardStep(m: rows, hPrev: hp.baseAddress!, lda: lda, z: &zB, bias: bias, cPrev: cPrev,
                                                c: &cB, actC: &aB, h: &hB)
                    }
                    let what = "\(level.name) H \(H) rows \(rows)"
                    XCTAssertEqual(zA.map(\.bitPattern), zB.map(\.bitPattern), "\(what): gates")
                    XCTAssertEqual(cA.map(\.bitPattern), cB.map(\.bitPattern), "\(what): c")
                    XCTAssertEqual(aA.map(\.bitPattern), aB.map(\.bitPattern), "\(what): tanh(c)")
                    XCTAssertEqual(hA.map(\.bitPattern), hB.map(\.bitPattern), "\(what): h")
                }
            }
        }
        XCTAssertFalse(PackedMatrix.gateGroupsFit(units: 24))
        XCTAssertTrue(PackedMatrix.gateGroupsFit(units: 192))
    }

    func testGRUGatePassesMatchTheEquationsAtEveryLevel() {
        var rng = RandomGenerator(seed: 8)
        for level in KernelLevel.supported {
            KernelLevel.select(level)
            for H in [1, 7, 16, 24, 35] {
                let rows = 3, G = 3 * H
                func uniform(_ n: Int, _ scale: Float) -> [Float] { Self.uniform(n, scale, &rng) }
                var x = uniform(rows * G, 8)
                let x0 = x, q = uniform(rows * G, 4), bx = uniform(G, 0.5), bh = uniform(G, 0.5)
                let hPrev = uniform(rows * H, 1)
                var hr = [Float](repeating: .nan, count: rows * H), h = hr
                recur_gru_forward_gates(Int32(rows), Int32(H), &x, q, bx, bh, hPrev, &hr, &h)
                var worst = 0.0
                for r in 0..<rows {
                    for j in 0..<H {
                        func d(_ a: [Float], _ i: Int) -> Double { Double(a[i]) }
                        let zi = r * G + j, ri = zi + H, hi = zi + 2 * H
                        let z = Self.sigmoid(d(x0, zi) + d(bx, j) + d(q, zi) + d(bh, j))
                        let rg = Self.sigmoid(d(x0, ri) + d(bx, H + j) + d(q, ri) + d(bh, H + j))
                        let hrv = d(q, hi) + d(bh, 2 * H + j)
                        let hh = Foundation.tanh(d(x0, hi) + d(bx, 2 * H + j) + rg * hrv)
                        let expected = [z, rg, hh, hrv, z * d(hPrev, r * H + j) + (1 - z) * hh]
                        let got = [x[zi], x[ri], x[hi], hr[r * H + j], h[r * H + j]]
                        for (e, v) in zip(expected, got) { worst = max(worst, abs(e - Double(v))) }
                    }
                }
                XCTAssertLessThan(worst, 2e-6, "\(level.name) H \(H): GRU forward gates off by \(worst)")

                let dh0 = uniform(rows * H, 0.5), dOut = uniform(rows * H, 0.5)
                for withOut in [false, true] {
                    var dh = dh0
                    var dx = [Float](repeating: .nan, count: rows * G), dq = dx
                    if withOut {
                        recur_gru_backward_gates(Int32(rows), Int32(H), x, hPrev, hr, dOut, &dh, &dx, &dq)
                    } else {
                        recur_gru_backward_gates(Int32(rows), Int32(H), x, hPrev, hr, nil, &dh, &dx, &dq)
                    }
                    var worstB = 0.0
                    for r in 0..<rows {
                        for j in 0..<H {
                            let k = r * H + j, zi = r * G + j
                            let z = Double(x[zi]), rg = Double(x[zi + H]), hh = Double(x[zi + 2 * H])
                            let dhv = Double(dh0[k]) + (withOut ? Double(dOut[k]) : 0)
                            let dz = dhv * (Double(hPrev[k]) - hh) * z * (1 - z)
                            let da = dhv * (1 - z) * (1 - hh * hh)
                            let dr = da * Double(hr[k]) * rg * (1 - rg)
                            let expected = [dz, dr, da, dz, dr, da * rg, dhv * z]
                            let got = [dx[zi], dx[zi + H], dx[zi + 2 * H], dq[zi], dq[zi + H], dq[zi + 2 * H], dh[k]]
                            for (e, v) in zip(expected, got) { worstB = max(worstB, abs(e - Double(v))) }
                        }
                    }
                    XCTAssertLessThan(worstB, 1e-6, "\(level.name) H \(H) dOut \(withOut): GRU backward gates off by \(worstB)")
                }
            }
        }
    }

    /// The passes of a GRU with the reset gate before the recurrent product (Keras's
    /// `reset_after=False`) against the equations in Double, at every level, with the two
    /// recurrent products' results given (q's z and r blocks, then its h block).
    func testGRUResetBeforePassesMatchTheEquationsAtEveryLevel() {
        var rng = RandomGenerator(seed: 12)
        for level in KernelLevel.supported {
            KernelLevel.select(level)
            for H in [1, 7, 16, 24, 35] {
                let rows = 3, G = 3 * H
                func uniform(_ n: Int, _ scale: Float) -> [Float] { Self.uniform(n, scale, &rng) }
                var x = uniform(rows * G, 8)
                let x0 = x, q = uniform(rows * G, 4), bx = uniform(G, 0.5), hPrev = uniform(rows * H, 1)
                var rh = [Float](repeating: .nan, count: rows * H), h = rh
                recur_gru_reset_before_gates(Int32(rows), Int32(H), &x, q, bx, hPrev, &rh)
                recur_gru_reset_before_output(Int32(rows), Int32(H), &x, q, bx, hPrev, &h)
                var worst = 0.0
                for r in 0..<rows {
                    for j in 0..<H {
                        func d(_ a: [Float], _ i: Int) -> Double { Double(a[i]) }
                        let zi = r * G + j, ri = zi + H, hi = zi + 2 * H, k = r * H + j
                        let z = Self.sigmoid(d(x0, zi) + d(bx, j) + d(q, zi))
                        let rg = Self.sigmoid(d(x0, ri) + d(bx, H + j) + d(q, ri))
                        let hh = Foundation.tanh(d(x0, hi) + d(bx, 2 * H + j) + d(q, hi))
                        let expected = [z, rg, rg * d(hPrev, k), hh, z * d(hPrev, k) + (1 - z) * hh]
                        let got = [x[zi], x[ri], rh[k], x[hi], h[k]]
                        for (e, v) in zip(expected, got) { worst = max(worst, abs(e - Double(v))) }
                    }
                }
                XCTAssertLessThan(worst, 2e-6, "\(level.name) H \(H): GRU reset-before forward passes off by \(worst)")

                let dh0 = uniform(rows * H, 0.5), dOut = uniform(rows * H, 0.5), drh = uniform(rows * H, 0.5)
                for withOut in [false, true] {
                    var dh = dh0
                    var dx = [Float](repeating: .nan, count: rows * G)
                    recur_gru_reset_before_backward_zh(Int32(rows), Int32(H), x, hPrev, withOut ? dOut : nil, &dh, &dx)
                    let direct = dh
                    recur_gru_reset_before_backward_r(Int32(rows), Int32(H), x, hPrev, drh, &dh, &dx)
                    var worstB = 0.0
                    for r in 0..<rows {
                        for j in 0..<H {
                            let k = r * H + j, zi = r * G + j
                            let z = Double(x[zi]), rg = Double(x[zi + H]), hh = Double(x[zi + 2 * H])
                            let dhv = Double(dh0[k]) + (withOut ? Double(dOut[k]) : 0), hp = Double(hPrev[k])
                            let expected = [dhv * (hp - hh) * z * (1 - z), Double(drh[k]) * hp * rg * (1 - rg),
                                            dhv * (1 - z) * (1 - hh * hh), dhv * z, dhv * z + Double(drh[k]) * rg]
                            let got = [dx[zi], dx[zi + H], dx[zi + 2 * H], direct[k], dh[k]]
                            for (e, v) in zip(expected, got) { worstB = max(worstB, abs(e - Double(v))) }
                        }
                    }
                    XCTAssertLessThan(worstB, 1e-6, "\(level.name) H \(H) dOut \(withOut): GRU reset-before backward passes off by \(worstB)")
                }
            }
        }
    }

    /// Five Adam steps of an LSTM/GRU stack (both GRU reset placements) give the same weights (within float rounding) at every
    /// level, and the same bits when repeated at one level.
    func testTrainingAgreesAcrossLevels() throws {
        func train() throws -> [Float] {
            var rng = RandomGenerator(seed: 21)
            let model = try Sequential([
                LSTM(inputSize: 3, units: 37, returnSequences: true, rng: &rng),
                GRU(inputSize: 37, units: 21, returnSequences: true, rng: &rng),
                GRU(inputSize: 21, units: 19, returnSequences: true, resetAfter: false, rng: &rng),
                LSTM(inputSize: 19, units: 16, rng: &rng),
                Dense(inputSize: 16, units: 1, rng: &rng)])
            let trainer = BatchTrainer(model: model, loss: .meanSquaredError, optimizer: try Adam())
            let x = Tensor(shape: [9, 11, 3]), y = Tensor(shape: [9, 1])
            rng.fillUniform(x, -1, 1)
            rng.fillUniform(y, -1, 1)
            for _ in 0..<5 { _ = try trainer.step(input: x, target: y) }
            return model.parameters.values.scalars
        }
        KernelLevel.select(.best)
        let best = try train()
        XCTAssertEqual(try train().map(\.bitPattern), best.map(\.bitPattern), "not reproducible")
        for level in KernelLevel.supported {
            KernelLevel.select(level)
            assertClose(try train(), best, atol: 2e-5, "\(level.name) against \(KernelLevel.best.name)")
        }
    }

    /// Keras-style Adam over 103 values (16-lane chunks and a tail), three steps with changing
    /// gradients, against the formula in Double, at every level.
    /// Dropout's mask is a function of the seed and the element's index only: the same at
    /// every ISA level and with the elements split across threads or not; about `rate` dropped.
    func testDropoutMaskIsTheSameAtEveryLevelAndThreadCount() throws {
        let n = 300_001  // above the split threshold, not a multiple of the vector width
        let x = Tensor(shape: [n / 7 + 1, 7])
        for i in 0..<x.count { x.data[i] = Float(i % 97) * 0.01 + 1 }
        func masks(threads: Int) throws -> [Float] {
            Parallel.threadCount = threads
            let layer = try Dropout(size: 7, rate: 0.25, seed: 3)
            let a = try layer.forward(x, training: true).scalars
            let b = try layer.forward(x, training: true).scalars  // the next draw
            return a + b
        }
        KernelLevel.select(.best)
        let reference = try masks(threads: 1)
        for level in KernelLevel.supported {
            KernelLevel.select(level)
            for threads in [1, 2] {
                XCTAssertEqual(try masks(threads: threads), reference, "\(level.name), \(threads) threads")
            }
        }
        let first = reference[0..<x.count], second = reference[x.count...]
        XCTAssertNotEqual(Array(first), Array(second), "each training forward draws a new mask")
        let dropped = first.filter { $0 == 0 }.count
        XCTAssertEqual(Double(dropped) / Double(x.count), 0.25, accuracy: 0.005)
        for (i, y) in first.enumerated() where y != 0 {
            XCTAssertEqual(y, x.data[i] / 0.75, accuracy: 1e-6 * y)
        }
    }

    func testKerasAdamMatchesTheFormulaAtEveryLevel() throws {
        let n = 103, lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-7
        var rng = RandomGenerator(seed: 4)
        let w0 = (0..<n).map { _ in Double(rng.nextUniform() * 2 - 1) }
        let grads = (0..<3).map { _ in (0..<n).map { _ in Double(rng.nextUniform() * 2 - 1) } }
        var expected = w0, m = [Double](repeating: 0, count: n), v = m
        for (t, g) in grads.enumerated() {
            let alpha = lr * (1 - pow(b2, Double(t + 1))).squareRoot() / (1 - pow(b1, Double(t + 1)))
            for i in 0..<n {
                m[i] += (g[i] - m[i]) * (1 - b1)
                v[i] += (g[i] * g[i] - v[i]) * (1 - b2)
                expected[i] -= alpha * m[i] / (v[i].squareRoot() + eps)
            }
        }
        for level in KernelLevel.supported {
            KernelLevel.select(level)
            let p = Parameter(name: "kernel", shape: [n], role: .kernel)
            let set = ParameterSet([p])
            for i in 0..<n { set.values[i] = Float(w0[i]) }
            let adam = try Adam(learningRate: Float(lr), style: .keras)
            for g in grads {
                for i in 0..<n { set.gradients[i] = Float(g[i]) }
                try adam.step(set)
            }
            assertClose(set.values.scalars, expected.map { Float($0) }, atol: 2e-6, "\(level.name)")
        }
    }
}
