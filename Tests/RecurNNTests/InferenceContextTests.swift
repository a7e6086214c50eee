import Foundation
import RecurNN
import RecurTensor
import XCTest

/// `InferenceContext`: the same numbers as `Sequential.predict` on a batch of one, for every
/// layer kind and gate variant; repeated calls identical; nothing grows after the first call.
final class InferenceContextTests: XCTestCase {
    /// Every recurrent variant the context runs: LSTM fused and generic (hard sigmoid, split
    /// bias), GRU reset after (fused) and before, GRU with relu, SimpleRNN, Dropout, Dense with
    /// an activation, a sequence-returning last recurrent layer followed by Dense.
    func makeModel(returnSequences: Bool = false) throws -> Sequential {
        var rng = RandomGenerator(seed: 5)
        let model = try Sequential([
            LSTM(inputSize: 3, units: 20, returnSequences: true, rng: &rng),
            Dropout(size: 20, rate: 0.3, seed: 1),
            GRU(inputSize: 20, units: 19, returnSequences: true, resetAfter: true, rng: &rng),
            GRU(inputSize: 19, units: 17, returnSequences: true, resetAfter: false, rng: &rng),
            GRU(inputSize: 17, units: 9, returnSequences: true, resetAfter: true, activation: .relu, rng: &rng),
            SimpleRNN(inputSize: 9, units: 20, returnSequences: true, rng: &rng),
            LSTM(inputSize: 20, units: 12, returnSequences: returnSequences, recurrentActivation: .hardSigmoid,
                 separateRecurrentBias: true, rng: &rng),
            Dense(inputSize: 12, units: 2, activation: .tanh, rng: &rng)])
        // Non-zero biases, so that every bias path is exercised.
        for p in model.parameters.parameters where p.role == .bias { rng.fillUniform(p.value, -0.5, 0.5) }
        return model
    }

    func window(_ T: Int, _ F: Int, seed: UInt64 = 9) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        return (0..<(T * F)).map { _ in rng.uniform(-1, 1) }
    }

    func testPredictEqualsSequentialOnABatchOfOne() throws {
        for sequences in [false, true] {
            let model = try makeModel(returnSequences: sequences)
            let T = 6, F = 3, w = window(T, F)
            let expected = try model.predict(try Tensor(shape: [1, T, F], values: w)).scalars
            let context = try InferenceContext(model: model)
            let got = try w.withUnsafeBufferPointer { p in
                Array(UnsafeBufferPointer(start: try context.predict(p.baseAddress!, steps: T), count: expected.count))
            }
            XCTAssertEqual(got.count, expected.count)
            for (a, b) in zip(got, expected) { XCTAssertEqual(a, b, accuracy: 1e-6 * max(1, abs(b)), "sequences \(sequences)") }
        }
    }

    func testRepeatedForecastsAreIdenticalAndAllocateNothingAfterTheFirst() throws {
        let model = try makeModel()
        let T = 8, F = 3, horizon = 5, w = window(T, F)
        let future = window(horizon, F, seed: 3)
        let context = try InferenceContext(model: model)
        func forecast() throws -> [Float] {
            var out = [Float](repeating: .nan, count: horizon)
            try w.withUnsafeBufferPointer { wp in try future.withUnsafeBufferPointer { fp in
                try out.withUnsafeMutableBufferPointer { op in
                    try context.forecast(window: wp.baseAddress!, steps: T, horizon: horizon, target: 0,
                                         future: fp.baseAddress!, into: op.baseAddress!)
                } } }
            return out
        }
        let first = try forecast()
        let growths = context.workspaceAllocations, floats = context.workspaceFloats
        XCTAssertGreaterThan(growths, 0)
        for _ in 0..<3 { XCTAssertEqual(try forecast(), first) }
        XCTAssertEqual(context.workspaceAllocations, growths, "a repeated call grew a workspace")
        XCTAssertEqual(context.workspaceFloats, floats)
        // A shorter window reuses the buffers too.
        _ = try w.withUnsafeBufferPointer { try context.predict($0.baseAddress!, steps: T - 2) }
        XCTAssertEqual(context.workspaceAllocations, growths)

        // The recursion by hand through Sequential.predict: window moved on, the prediction in
        // feature 0 of the new step, the other features from `future`.
        var moving = w, expected: [Float] = []
        for k in 0..<horizon {
            let y = try model.predict(try Tensor(shape: [1, T, F], values: moving)).scalars[0]
            expected.append(y)
            moving.removeFirst(F)
            var next = Array(future[(k * F)..<((k + 1) * F)])
            next[0] = y
            moving += next
        }
        for (a, b) in zip(first, expected) { XCTAssertEqual(a, b, accuracy: 1e-6 * max(1, abs(b))) }
    }

    func testWeightsChangeNeedsRefreshAndNonFiniteInputIsRefused() throws {
        let model = try makeModel()
        let T = 4, F = 3, w = window(T, F)
        let context = try InferenceContext(model: model)
        let before = try w.withUnsafeBufferPointer { try context.predict($0.baseAddress!, steps: T)[0] }
        let rk = model.parameters.parameters.first { $0.role == .recurrentKernel }!
        for i in 0..<rk.value.count { rk.value.data[i] *= 0.5 }
        context.refreshWeights()
        let after = try w.withUnsafeBufferPointer { try context.predict($0.baseAddress!, steps: T)[0] }
        let expected = try model.predict(try Tensor(shape: [1, T, F], values: w)).scalars[0]
        XCTAssertNotEqual(before, after)
        XCTAssertEqual(after, expected, accuracy: 1e-6)
        var bad = w
        bad[7] = .nan
        XCTAssertThrowsError(try bad.withUnsafeBufferPointer { try context.predict($0.baseAddress!, steps: T) }) { error in
            XCTAssertTrue("\(error)".contains("[2, 1]"), "\(error)")
        }
    }
}
