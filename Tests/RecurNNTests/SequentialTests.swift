import Foundation
import RecurNN
import RecurTensor
import RecurTestSupport
import XCTest

final class SequentialTests: XCTestCase {
    func makeModel(seed: UInt64 = 42, units: Int = 5, returnSequences: Bool = false) throws -> Sequential {
        var rng = RandomGenerator(seed: seed)
        return try Sequential([
            try LSTM(inputSize: 3, units: units, returnSequences: true, rng: &rng),
            try Dropout(size: units, rate: 0.2, seed: seed),
            try GRU(inputSize: units, units: 4, returnSequences: returnSequences, rng: &rng),
            try Dense(inputSize: 4, units: 2, rng: &rng),
        ])
    }

    func randomInput(_ shape: [Int], seed: UInt64 = 9) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        let t = Tensor(shape: shape)
        rng.fillUniform(t, -1, 1)
        return t
    }

    /// `name` in a fresh temporary folder removed when the test ends.
    func temporaryPath(_ name: String) throws -> String {
        try temporaryFolder("recur-seq").appendingPathComponent(name).path
    }

    func testConnectionErrorsNameTheLayer() throws {
        var rng = RandomGenerator(seed: 1)
        XCTAssertThrowsError(try Sequential([
            try LSTM(inputSize: 3, units: 4, rng: &rng), try Dense(inputSize: 5, units: 1, name: "head", rng: &rng),
        ])) { error in
            guard case let NNError.shapeMismatch(layer, expected, got) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(layer.contains("head"), layer)
            XCTAssertTrue(expected.contains("4"), expected)
            XCTAssertEqual(got, [5])
        }
        XCTAssertThrowsError(try Sequential([
            try LSTM(inputSize: 3, units: 4, returnSequences: false, rng: &rng),
            try LSTM(inputSize: 4, units: 4, name: "second", rng: &rng),
        ])) { error in
            guard case let NNError.shapeMismatch(layer, expected, _) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(layer.contains("second"), layer)
            XCTAssertTrue(expected.contains("returnSequences"), expected)
        }
        XCTAssertThrowsError(try Sequential([Layer]()))
        // Dense between recurrent layers keeps the sequence.
        XCTAssertNoThrow(try Sequential([
            try LSTM(inputSize: 3, units: 4, returnSequences: true, rng: &rng),
            try Dense(inputSize: 4, units: 6, rng: &rng),
            try GRU(inputSize: 6, units: 2, rng: &rng),
        ]))
    }

    func testRepeatedNamesGetKerasSuffixes() throws {
        var rng = RandomGenerator(seed: 1)
        let model = try Sequential([
            try LSTM(inputSize: 2, units: 3, returnSequences: true, rng: &rng),
            try LSTM(inputSize: 3, units: 3, returnSequences: true, name: "lstm_1", rng: &rng),
            try LSTM(inputSize: 3, units: 3, returnSequences: true, rng: &rng),
            try Dropout(size: 3, rate: 0.1, seed: 1),
            try Dense(inputSize: 3, units: 3, rng: &rng),
            try Dense(inputSize: 3, units: 1, rng: &rng),
        ])
        XCTAssertEqual(model.layers.map(\.name), ["lstm", "lstm_1", "lstm_2", "dropout", "dense", "dense_1"])
        XCTAssertEqual(model.parameterNames.prefix(4), ["lstm/kernel", "lstm/recurrent_kernel", "lstm/bias", "lstm_1/kernel"])
    }

    func testSummary() throws {
        var rng = RandomGenerator(seed: 1)
        let model = try Sequential([
            try LSTM(inputSize: 1, units: 24, returnSequences: true, rng: &rng),
            try Dropout(size: 24, rate: 0.2, seed: 3),
            try LSTM(inputSize: 24, units: 48, rng: &rng),
            try Dense(inputSize: 48, units: 1, rng: &rng),
        ])
        let text = model.summary(timesteps: 12)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines[0], "Model: \"sequential\"")
        XCTAssertTrue(lines.contains(" lstm (LSTM)                 (None, 12, 24)            2,496"), text)
        XCTAssertTrue(lines.contains(" dropout (Dropout)           (None, 12, 24)            0"), text)
        XCTAssertTrue(lines.contains(" lstm_1 (LSTM)               (None, 48)                14,016"), text)
        XCTAssertTrue(lines.contains(" dense (Dense)               (None, 1)                 49"), text)
        let total = 2496 + 14016 + 49
        XCTAssertEqual(model.parameterCount, total)
        XCTAssertTrue(text.contains("Total params: 16,561 (64.69 KB)"), text)
        XCTAssertTrue(text.contains("Trainable params: 16,561"), text)
        XCTAssertTrue(model.summary().contains("(None, None, 24)"))
    }

    func testBatchMajorForwardAndBackwardMatchTimeMajorLayers() throws {
        let (b, t, f) = (2, 5, 3)
        let model = try makeModel(returnSequences: true)
        let input = randomInput([b, t, f])
        let output = try model.forward(input, training: false).clone()
        XCTAssertEqual(output.shape, [b, t, 2])
        XCTAssertEqual(try model.outputShape(for: [b, t, f]), [b, t, 2])

        // The same layers by hand, time-major.
        let timeMajor = Tensor(shape: [t, b, f])
        for i in 0..<b { for s in 0..<t { for k in 0..<f { timeMajor[(s * b + i) * f + k] = input[(i * t + s) * f + k] } } }
        var x = timeMajor
        for layer in model.layers { x = try layer.forward(x, training: false) }
        for i in 0..<b {
            for s in 0..<t {
                for k in 0..<2 { XCTAssertEqual(output[(i * t + s) * 2 + k], x[(s * b + i) * 2 + k]) }
            }
        }
        // Backward by hand, then through the model.
        let dOut = randomInput([b, t, 2], seed: 5)
        let dTime = Tensor(shape: [t, b, 2])
        for i in 0..<b { for s in 0..<t { for k in 0..<2 { dTime[(s * b + i) * 2 + k] = dOut[(i * t + s) * 2 + k] } } }
        model.parameters.zeroGradients()
        var d = dTime
        for layer in model.layers.reversed() { d = layer.backward(d) }
        let handGradients = model.parameters.gradients.clone()
        let handDInput = d.clone()

        model.parameters.zeroGradients()
        _ = try model.forward(input, training: false)
        let dInput = model.backward(dOut)
        XCTAssertEqual(dInput.shape, [b, t, f])
        for i in 0..<b {
            for s in 0..<t {
                for k in 0..<f { XCTAssertEqual(dInput[(i * t + s) * f + k], handDInput[(s * b + i) * f + k]) }
            }
        }
        XCTAssertEqual(model.parameters.gradients.scalars, handGradients.scalars)
    }

    func testWorkspacesAreReusedWhenShapesRepeat() throws {
        let model = try makeModel(returnSequences: true)
        let input = randomInput([3, 4, 3])
        let a = try model.forward(input, training: true)
        let pointer = a.data
        let b = try model.forward(input, training: true)
        XCTAssertTrue(a === b)
        XCTAssertEqual(pointer, b.data)
        let d1 = model.backward(randomInput([3, 4, 2]))
        let p1 = d1.data
        _ = try model.forward(input, training: true)
        let d2 = model.backward(randomInput([3, 4, 2]))
        XCTAssertTrue(d1 === d2)
        XCTAssertEqual(p1, d2.data)
    }

    func testLastStepOutputAndDenseOnlyModel() throws {
        let model = try makeModel()
        let out = try model.predict(randomInput([4, 6, 3]))
        XCTAssertEqual(out.shape, [4, 2])
        XCTAssertEqual(model.backward(Tensor(shape: [4, 2], value: 1)).shape, [4, 6, 3])

        var rng = RandomGenerator(seed: 3)
        let dense = try Sequential([try Dense(inputSize: 3, units: 4, activation: .relu, rng: &rng),
                                    try Dense(inputSize: 4, units: 1, rng: &rng)])
        XCTAssertFalse(dense.isSequenceModel)
        XCTAssertEqual(try dense.forward(randomInput([5, 3]), training: false).shape, [5, 1])
        XCTAssertEqual(dense.backward(Tensor(shape: [5, 1], value: 1)).shape, [5, 3])
        XCTAssertEqual(try dense.outputShape(for: [5, 7, 3]), [5, 7, 1])
    }

    func testInputErrors() throws {
        let model = try makeModel()
        XCTAssertThrowsError(try model.forward(randomInput([2, 3]), training: false)) { error in
            guard case NNError.shapeMismatch = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try model.forward(randomInput([2, 4, 7]), training: false))
        let bad = randomInput([2, 4, 3])
        bad[(1 * 4 + 2) * 3 + 1] = .nan
        XCTAssertThrowsError(try model.forward(bad, training: false)) { error in
            guard case let NNError.nonFinite(_, index, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(index, [1, 2, 1], "the batch-major index")
        }
    }

    func testSaveLoadGivesBitIdenticalOutputs() throws {
        let model = try makeModel(seed: 1)
        let input = randomInput([3, 4, 3])
        let expected = try model.predict(input).scalars
        let path = try temporaryPath("weights.safetensors")
        try model.saveWeights(to: path, metadata: ["note": "test"])
        let other = try makeModel(seed: 2)
        XCTAssertNotEqual(try other.predict(input).scalars, expected)
        let metadata = try other.loadWeights(from: path)
        XCTAssertEqual(metadata["note"], "test")
        XCTAssertEqual(try other.predict(input).scalars, expected)
        XCTAssertEqual(other.parameters.values.scalars, model.parameters.values.scalars)
        let names = try SafeTensors.read(path).names
        XCTAssertEqual(names, model.parameterNames)
        XCTAssertEqual(names.first, "lstm/kernel")
    }

    func testSameSeedTrainsToBitIdenticalParameters() throws {
        func train(_ seed: UInt64) throws -> [Float] {
            let model = try makeModel(seed: seed, returnSequences: true)
            let optimizer = try Adam(learningRate: 0.01)
            let input = randomInput([3, 4, 3]), target = randomInput([3, 4, 2], seed: 11)
            var losses: [Float] = []
            for _ in 0..<5 {
                losses.append(try model.computeGradients(input: input, target: target, loss: .meanSquaredError))
                try optimizer.step(model.parameters)
            }
            XCTAssertLessThan(losses.last!, losses.first!)
            return model.parameters.values.scalars
        }
        let a = try train(7), b = try train(7), c = try train(8)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
    }

    func testBadWeightFilesAreRejected() throws {
        let model = try makeModel()
        let before = model.parameters.values.scalars
        let good = model.weightsFile()

        var missing = good
        missing.tensors.removeAll { $0.name == "gru/recurrent_kernel" }
        let missingPath = try temporaryPath("missing.safetensors")
        try SafeTensors.write(missing, to: missingPath)
        XCTAssertThrowsError(try model.loadWeights(from: missingPath)) { error in
            guard case let NNError.weights(path, reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, missingPath)
            XCTAssertTrue(reason.contains("missing tensors: gru/recurrent_kernel"), reason)
        }

        var misshapen = good
        misshapen.tensors = misshapen.tensors.map { $0.name == "dense/kernel" ? ($0.name, Tensor(shape: [2, 4])) : $0 }
        misshapen.tensors.append(("extra/bias", Tensor([1])))
        let misshapenPath = try temporaryPath("misshapen.safetensors")
        try SafeTensors.write(misshapen, to: misshapenPath)
        XCTAssertThrowsError(try model.loadWeights(from: misshapenPath)) { error in
            guard case let NNError.weights(_, reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("'dense/kernel' has shape [2, 4], expected [4, 2]"), reason)
            XCTAssertTrue(reason.contains("unexpected tensors: extra/bias"), reason)
        }

        var poisoned = good
        let nan = model.parameters.parameters[1].value.clone()
        nan[3] = .nan
        poisoned.tensors[1] = (poisoned.tensors[1].name, nan)
        let nanPath = try temporaryPath("nan.safetensors")
        try SafeTensors.write(poisoned, to: nanPath)
        XCTAssertThrowsError(try model.loadWeights(from: nanPath)) { error in
            guard case let NNError.weights(_, reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("lstm/recurrent_kernel") && reason.contains("nan"), reason)
        }
        XCTAssertEqual(model.parameters.values.scalars, before, "a rejected file changes nothing")
        XCTAssertThrowsError(try model.loadWeights(from: try temporaryPath("absent.safetensors"))) { error in
            guard case NNError.tensor = error else { return XCTFail("\(error)") }
        }
    }

    func testStatefulReset() throws {
        let model = try makeModel()
        model.setStateful(true)
        let input = randomInput([2, 3, 3])
        let first = try model.predict(input).scalars
        let second = try model.predict(input).scalars
        XCTAssertNotEqual(first, second, "states carried over")
        model.resetStates()
        XCTAssertEqual(try model.predict(input).scalars, first)
    }
}
