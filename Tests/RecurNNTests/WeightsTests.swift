import Foundation
import RecurNN
import RecurTensor
import RecurTestSupport
import XCTest

/// PyTorch and Keras weight mapping on small hand-made tensors.
final class WeightsTests: XCTestCase {
    /// A tensor whose elements are `start, start + 1, ...`.
    func ramp(_ shape: [Int], _ start: Float = 1) -> Tensor {
        let t = Tensor(shape: shape)
        for i in 0..<t.count { t[i] = start + Float(i) }
        return t
    }

    func file(_ tensors: [(String, Tensor)], path: String = "hand.safetensors") -> SafeTensors.File {
        SafeTensors.File(tensors: tensors.map { (name: $0.0, tensor: $0.1) }, path: path)
    }

    func param(_ model: Sequential, _ name: String) -> Tensor {
        let parts = name.split(separator: "/").map(String.init)
        return model.layer(named: parts[0])!.parameters.first { $0.name == parts[1] }!.value
    }

    func testPyTorchLSTMAndLinearMapping() throws {
        var rng = RandomGenerator(seed: 1)
        let (In, H) = (2, 3)
        let model = try Sequential([try LSTM(inputSize: In, units: H, rng: &rng),
                                    try Dense(inputSize: H, units: 2, rng: &rng)])
        let wih = ramp([4 * H, In]), whh = ramp([4 * H, H], 100), bih = ramp([4 * H], 1000), bhh = ramp([4 * H], 2000)
        let w = ramp([2, H], 50), b = ramp([2], 60)
        try model.importPyTorch(file([("lstm.weight_ih_l0", wih), ("lstm.weight_hh_l0", whh),
                                      ("lstm.bias_ih_l0", bih), ("lstm.bias_hh_l0", bhh),
                                      ("fc.weight", w), ("fc.bias", b)]))
        let kernel = param(model, "lstm/kernel"), recurrent = param(model, "lstm/recurrent_kernel")
        let bias = param(model, "lstm/bias")
        XCTAssertEqual(kernel.shape, [In, 4 * H])
        for i in 0..<In { for j in 0..<(4 * H) { XCTAssertEqual(kernel[i * 4 * H + j], wih[j * In + i]) } }
        for i in 0..<H { for j in 0..<(4 * H) { XCTAssertEqual(recurrent[i * 4 * H + j], whh[j * H + i]) } }
        for j in 0..<(4 * H) { XCTAssertEqual(bias[j], bih[j] + bhh[j]) }
        let dense = param(model, "dense/kernel")
        XCTAssertEqual(dense.scalars, [50, 53, 51, 54, 52, 55])  // [H, 2] = weight transposed
        XCTAssertEqual(param(model, "dense/bias").scalars, [60, 61])
    }

    func testPyTorchGRUGateReorderAndBiasRows() throws {
        var rng = RandomGenerator(seed: 1)
        let model = try Sequential([try GRU(inputSize: 1, units: 1, rng: &rng)])
        // PyTorch blocks r, z, n.
        try model.importPyTorch(file([
            ("weight_ih_l0", try Tensor(shape: [3, 1], values: [1, 2, 3])),   // r=1 z=2 n=3
            ("weight_hh_l0", try Tensor(shape: [3, 1], values: [4, 5, 6])),
            ("bias_ih_l0", Tensor([7, 8, 9])), ("bias_hh_l0", Tensor([10, 11, 12])),
        ]))
        XCTAssertEqual(param(model, "gru/kernel").scalars, [2, 1, 3])          // Keras z, r, h
        XCTAssertEqual(param(model, "gru/recurrent_kernel").scalars, [5, 4, 6])
        XCTAssertEqual(param(model, "gru/bias").shape, [2, 3])
        XCTAssertEqual(param(model, "gru/bias").scalars, [8, 7, 9, 11, 10, 12])

        // Export reverses it exactly.
        let back = try model.exportPyTorch(prefixes: [""])
        XCTAssertEqual(back["weight_ih_l0"]?.scalars, [1, 2, 3])
        XCTAssertEqual(back["weight_hh_l0"]?.scalars, [4, 5, 6])
        XCTAssertEqual(back["bias_ih_l0"]?.scalars, [7, 8, 9])
        XCTAssertEqual(back["bias_hh_l0"]?.scalars, [10, 11, 12])
    }

    /// LSTM / SimpleRNN with separateRecurrentBias: PyTorch's two biases are rows 0 and 1 (not
    /// summed) and export reverses it; Keras's one bias goes to row 0 and exports as the sum.
    func testSeparateRecurrentBiasMapping() throws {
        var rng = RandomGenerator(seed: 1)
        let (In, H) = (2, 3)
        let model = try Sequential([try LSTM(inputSize: In, units: H, returnSequences: true, separateRecurrentBias: true, rng: &rng),
                                    try SimpleRNN(inputSize: H, units: 2, separateRecurrentBias: true, rng: &rng)])
        let wih = ramp([4 * H, In]), whh = ramp([4 * H, H], 100), bih = ramp([4 * H], 1000), bhh = ramp([4 * H], 2000)
        let rih = ramp([2, H], 10), rhh = ramp([2, 2], 20), rbih = ramp([2], 30), rbhh = ramp([2], 40)
        let tensors = [("lstm.weight_ih_l0", wih), ("lstm.weight_hh_l0", whh), ("lstm.bias_ih_l0", bih),
                       ("lstm.bias_hh_l0", bhh), ("rnn.weight_ih_l0", rih), ("rnn.weight_hh_l0", rhh),
                       ("rnn.bias_ih_l0", rbih), ("rnn.bias_hh_l0", rbhh)]
        try model.importPyTorch(file(tensors))
        XCTAssertEqual(param(model, "lstm/bias").shape, [2, 4 * H])
        XCTAssertEqual(param(model, "lstm/bias").scalars, bih.scalars + bhh.scalars)
        XCTAssertEqual(param(model, "simple_rnn/bias").scalars, [30, 31, 40, 41])
        let back = try model.exportPyTorch(prefixes: ["lstm", "rnn"])
        for (name, t) in tensors { XCTAssertEqual(back[name]?.scalars, t.scalars, name) }

        // Gradients: each row's own.
        let bias = model.layer(named: "lstm")!.parameters[2]
        for i in 0..<bias.gradient.count { bias.gradient[i] = Float(i) }
        let grads = try model.exportPyTorch(prefixes: ["lstm", "rnn"], gradients: true)
        XCTAssertEqual(grads["lstm.bias_ih_l0"]?.scalars, (0..<(4 * H)).map(Float.init))
        XCTAssertEqual(grads["lstm.bias_hh_l0"]?.scalars, ((4 * H)..<(8 * H)).map(Float.init))

        // Keras: export sums the rows (gradient: row 0's); import puts the bias in row 0.
        let keras = try model.exportKeras()
        XCTAssertEqual(keras["lstm/bias"]?.shape, [4 * H])
        XCTAssertEqual(keras["lstm/bias"]?.scalars, zip(bih.scalars, bhh.scalars).map { $0 + $1 })
        XCTAssertEqual(keras["simple_rnn/bias"]?.scalars, [70, 72])
        XCTAssertEqual(try model.exportKeras(gradients: true)["lstm/bias"]?.scalars, (0..<(4 * H)).map(Float.init))
        var rng2 = RandomGenerator(seed: 2)
        let twin = try Sequential([try LSTM(inputSize: In, units: H, returnSequences: true, separateRecurrentBias: true, rng: &rng2),
                                   try SimpleRNN(inputSize: H, units: 2, separateRecurrentBias: true, rng: &rng2)])
        try twin.importKeras(keras)
        XCTAssertEqual(param(twin, "lstm/bias").scalars,
                       zip(bih.scalars, bhh.scalars).map { $0 + $1 } + [Float](repeating: 0, count: 4 * H))
        XCTAssertEqual(param(twin, "simple_rnn/bias").scalars, [70, 72, 0, 0])
        let input = ramp([2, 3, In], -0.5)
        for i in 0..<input.count { input[i] = 0.1 * input[i] }
        assertClose(try twin.predict(input).scalars, try model.predict(input).scalars, atol: 1e-5, "Keras round trip")

        // A single-bias layer still sums PyTorch's two; a two-row Keras bias needs separate rows.
        var rng3 = RandomGenerator(seed: 3)
        let plain = try Sequential([try LSTM(inputSize: In, units: H, returnSequences: true, rng: &rng3),
                                    try SimpleRNN(inputSize: H, units: 2, rng: &rng3)])
        try plain.importPyTorch(file(tensors))
        XCTAssertEqual(param(plain, "simple_rnn/bias").scalars, [70, 72])
        assertClose(try plain.predict(input).scalars, try model.predict(input).scalars, atol: 1e-5, "summed")
        let rows = file([("lstm/kernel", ramp([In, 4 * H])), ("lstm/recurrent_kernel", ramp([H, 4 * H])),
                         ("lstm/bias", ramp([2, 4 * H])), ("simple_rnn/kernel", ramp([H, 2])),
                         ("simple_rnn/recurrent_kernel", ramp([2, 2])), ("simple_rnn/bias", ramp([2]))])
        XCTAssertThrowsError(try plain.importKeras(rows)) { error in
            XCTAssertTrue("\(error)".contains("separateRecurrentBias: true"), "\(error)")
        }
        try model.importKeras(rows)  // a Recur weight file of a separate-bias layer: rows as they are
        XCTAssertEqual(param(model, "lstm/bias").scalars, ramp([2, 4 * H]).scalars)
    }

    func testPyTorchGRUIntoResetBeforeGRUIsAnError() throws {
        var rng = RandomGenerator(seed: 1)
        let model = try Sequential([try GRU(inputSize: 1, units: 1, resetAfter: false, rng: &rng)])
        XCTAssertThrowsError(try model.importPyTorch(file([
            ("gru.weight_ih_l0", Tensor(shape: [3, 1])), ("gru.weight_hh_l0", Tensor(shape: [3, 1])),
            ("gru.bias_ih_l0", Tensor(shape: [3])), ("gru.bias_hh_l0", Tensor(shape: [3])),
        ]))) { error in
            guard case let NNError.weights(path, reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "hand.safetensors")
            XCTAssertTrue(reason.contains("resetAfter"), reason)
        }
    }

    func testMultiLayerTorchLSTMMapsOntoConsecutiveLayers() throws {
        var rng = RandomGenerator(seed: 1)
        let model = try Sequential([try LSTM(inputSize: 2, units: 3, returnSequences: true, rng: &rng),
                                    try LSTM(inputSize: 3, units: 3, rng: &rng),
                                    try Dense(inputSize: 3, units: 1, rng: &rng)])
        var tensors: [(String, Tensor)] = []
        for k in 0..<2 {
            let In = k == 0 ? 2 : 3
            tensors += [("rnn.weight_ih_l\(k)", ramp([12, In], Float(k * 1000))), ("rnn.weight_hh_l\(k)", ramp([12, 3])),
                        ("rnn.bias_ih_l\(k)", ramp([12])), ("rnn.bias_hh_l\(k)", ramp([12]))]
        }
        tensors += [("head.weight", ramp([1, 3])), ("head.bias", Tensor([0.5]))]
        // Default matching (the Linear sorts before the LSTM by name, but kinds decide).
        try model.importPyTorch(file(tensors))
        XCTAssertEqual(param(model, "lstm/kernel")[0], 0)
        XCTAssertEqual(param(model, "lstm_1/kernel")[0], 1000)
        XCTAssertEqual(param(model, "dense/bias").scalars, [0.5])
        // Explicit prefixes, repeated or indexed.
        let copy = model.parameters.values.clone()
        model.parameters.values.fill(0)
        try model.importPyTorch(file(tensors), prefixes: ["rnn", "rnn.", "head"])
        XCTAssertEqual(model.parameters.values.scalars, copy.scalars)
        model.parameters.values.fill(0)
        try model.importPyTorch(file(tensors), prefixes: ["rnn.[0]", "rnn[1]", "head."])
        XCTAssertEqual(model.parameters.values.scalars, copy.scalars)
        // Swapped indices: the second layer's kernel has the wrong input size.
        XCTAssertThrowsError(try model.importPyTorch(file(tensors), prefixes: ["rnn[1]", "rnn[0]", "head"])) { error in
            XCTAssertTrue("\(error)".contains("rnn.weight_ih_l1"), "\(error)")
        }
    }

    func testNaturalOrderOfModules() throws {
        var rng = RandomGenerator(seed: 1)
        let layers: [Layer] = try (0..<11).map { i in try Dense(inputSize: 1, units: 1, name: "d", rng: &rng) }
        let model = try Sequential(layers)
        var tensors: [(String, Tensor)] = []
        for i in 0..<11 { tensors += [("layers.\(i).weight", Tensor(shape: [1, 1], value: Float(i))), ("layers.\(i).bias", Tensor([0]))] }
        try model.importPyTorch(file(tensors.reversed()))
        XCTAssertEqual(model.layers.map { $0.parameters[0].value[0] }, (0..<11).map(Float.init))
    }

    func testWrongKindShapeAndMissingKeyErrors() throws {
        var rng = RandomGenerator(seed: 1)
        let model = try Sequential([try LSTM(inputSize: 2, units: 4, rng: &rng)])
        let before = model.parameters.values.scalars
        let gruLike = file([("l.weight_ih_l0", Tensor(shape: [12, 2])), ("l.weight_hh_l0", Tensor(shape: [12, 4])),
                            ("l.bias_ih_l0", Tensor(shape: [12])), ("l.bias_hh_l0", Tensor(shape: [12]))])
        XCTAssertThrowsError(try model.importPyTorch(gruLike, prefixes: ["l"])) { error in
            guard case let NNError.weights(path, reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "hand.safetensors")
            XCTAssertTrue(reason.contains("l.weight_ih_l0") && reason.contains("[12, 2]") && reason.contains("[16, 2]"), reason)
            XCTAssertTrue(reason.contains("GRU"), reason)
        }
        XCTAssertThrowsError(try model.importPyTorch(gruLike)) { error in   // default matching: no LSTM module
            XCTAssertTrue("\(error)".contains("no unused LSTM module"), "\(error)")
        }
        let missing = file([("l.weight_ih_l0", Tensor(shape: [16, 2])), ("l.weight_hh_l0", Tensor(shape: [16, 4])),
                            ("l.bias_ih_l0", Tensor(shape: [16]))])
        XCTAssertThrowsError(try model.importPyTorch(missing, prefixes: ["l"])) { error in
            XCTAssertTrue("\(error)".contains("no tensor 'l.bias_hh_l0'"), "\(error)")
        }
        let nan = Tensor(shape: [16, 2])
        nan[5] = .infinity
        XCTAssertThrowsError(try model.importPyTorch(file([("l.weight_ih_l0", nan), ("l.weight_hh_l0", Tensor(shape: [16, 4])),
                                                          ("l.bias_ih_l0", Tensor(shape: [16])), ("l.bias_hh_l0", Tensor(shape: [16]))])))
        XCTAssertThrowsError(try model.importPyTorch(file([("l.weight_ih_l0_reverse", Tensor(shape: [16, 2]))]))) { error in
            XCTAssertTrue("\(error)".contains("bidirectional"), "\(error)")
        }
        XCTAssertThrowsError(try model.importPyTorch(gruLike, prefixes: ["a", "b"]))
        XCTAssertEqual(model.parameters.values.scalars, before, "failed imports change nothing")
    }

    func testKerasImportPlainAndKeras3Paths() throws {
        var rng = RandomGenerator(seed: 1)
        let model = try Sequential([try GRU(inputSize: 2, units: 3, returnSequences: true, rng: &rng),
                                    try SimpleRNN(inputSize: 3, units: 2, rng: &rng),
                                    try Dense(inputSize: 2, units: 1, rng: &rng)])
        let tensors: [(String, Tensor)] = [
            ("gru_0/gru_cell/kernel", ramp([2, 9])), ("gru_0/gru_cell/recurrent_kernel", ramp([3, 9], 100)),
            ("gru_0/gru_cell/bias", ramp([2, 9], 200)),
            ("rnn/kernel", ramp([3, 2], 300)), ("rnn/recurrent_kernel", ramp([2, 2], 400)), ("rnn/bias", ramp([2], 500)),
            ("out/kernel", ramp([2, 1], 600)), ("out/bias", Tensor([700])),
        ]
        try model.importKeras(file(tensors), prefixes: ["gru_0", "rnn/", "out"])
        XCTAssertEqual(param(model, "gru/kernel").scalars, ramp([2, 9]).scalars, "copied as is")
        XCTAssertEqual(param(model, "gru/bias").scalars, ramp([2, 9], 200).scalars)
        XCTAssertEqual(param(model, "simple_rnn/recurrent_kernel").scalars, [400, 401, 402, 403])
        XCTAssertEqual(param(model, "dense/bias").scalars, [700])
        // Default matching by kind and natural order.
        model.parameters.values.fill(0)
        try model.importKeras(file(tensors))
        XCTAssertEqual(param(model, "dense/kernel").scalars, [600, 601])
        // By layer name when every name is present; round trip through exportKeras.
        let exported = try model.exportKeras()
        XCTAssertEqual(exported.names.first, "gru/kernel")
        let twin = try Sequential([try GRU(inputSize: 2, units: 3, returnSequences: true, rng: &rng),
                                   try SimpleRNN(inputSize: 3, units: 2, rng: &rng),
                                   try Dense(inputSize: 2, units: 1, rng: &rng)])
        try twin.importKeras(exported)
        XCTAssertEqual(twin.parameters.values.scalars, model.parameters.values.scalars)
    }

    func testKerasGRUResetAfterMismatch() throws {
        var rng = RandomGenerator(seed: 1)
        let after = try Sequential([try GRU(inputSize: 1, units: 2, rng: &rng)])
        let before = file([("g/kernel", Tensor(shape: [1, 6])), ("g/recurrent_kernel", Tensor(shape: [2, 6])),
                           ("g/bias", Tensor(shape: [6]))])
        XCTAssertThrowsError(try after.importKeras(before)) { error in
            XCTAssertTrue("\(error)".contains("reset_after=False"), "\(error)")
        }
        let beforeModel = try Sequential([try GRU(inputSize: 1, units: 2, resetAfter: false, rng: &rng)])
        XCTAssertNoThrow(try beforeModel.importKeras(before))
        let afterFile = file([("g/kernel", Tensor(shape: [1, 6])), ("g/recurrent_kernel", Tensor(shape: [2, 6])),
                              ("g/bias", Tensor(shape: [2, 6]))])
        XCTAssertThrowsError(try beforeModel.importKeras(afterFile)) { error in
            XCTAssertTrue("\(error)".contains("reset_after=True"), "\(error)")
        }
    }

    func testTorchExportImportRoundTripKeepsOutputs() throws {
        var rng = RandomGenerator(seed: 4)
        func build() throws -> Sequential {
            try Sequential([try LSTM(inputSize: 2, units: 3, returnSequences: true, rng: &rng),
                            try GRU(inputSize: 3, units: 2, rng: &rng), try Dense(inputSize: 2, units: 1, rng: &rng)])
        }
        let a = try build(), b = try build()
        let input = Tensor(shape: [2, 4, 2])
        rng.fillUniform(input, -1, 1)
        let exported = try a.exportPyTorch()
        XCTAssertEqual(exported.names.first, "lstm.weight_ih_l0")
        try b.importPyTorch(exported, prefixes: ["lstm", "gru", "dense"])
        assertClose(try b.predict(input).scalars, try a.predict(input).scalars, atol: 1e-6, "round trip")
    }
}
