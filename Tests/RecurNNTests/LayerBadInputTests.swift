import RecurNN
import RecurTensor
import XCTest

/// Bad arguments and inputs throw `NNError`s that name the layer and what was expected;
/// nothing traps.
final class LayerBadInputTests: XCTestCase {
    /// Asserts that `body` throws an `NNError` whose description contains every string of `mentions`.
    func assertThrowsNN<T>(_ body: @autoclosure () throws -> T, _ mentions: [String], _ check: (NNError) -> Bool,
                           file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try body()
            XCTFail("expected an NNError mentioning \(mentions)", file: file, line: line)
        } catch let error as NNError {
            XCTAssertTrue(check(error), "wrong case: \(error)", file: file, line: line)
            for m in mentions {
                XCTAssertTrue(error.description.contains(m), "'\(error)' does not mention '\(m)'", file: file, line: line)
            }
        } catch {
            XCTFail("expected an NNError, got \(error)", file: file, line: line)
        }
    }

    func isInvalidArgument(_ e: NNError) -> Bool { if case .invalidArgument = e { return true }; return false }
    func isShapeMismatch(_ e: NNError) -> Bool { if case .shapeMismatch = e { return true }; return false }
    func isNonFinite(_ e: NNError) -> Bool { if case .nonFinite = e { return true }; return false }

    func testNonPositiveSizes() {
        var rng = RandomGenerator(seed: 1)
        for bad in [0, -3] {
            assertThrowsNN(try Dense(inputSize: bad, units: 2, name: "d1", rng: &rng), ["d1", "inputSize", "\(bad)"], isInvalidArgument)
            assertThrowsNN(try Dense(inputSize: 2, units: bad, name: "d2", rng: &rng), ["d2", "units"], isInvalidArgument)
            assertThrowsNN(try LSTM(inputSize: 2, units: bad, name: "l1", rng: &rng), ["l1", "units"], isInvalidArgument)
            assertThrowsNN(try LSTM(inputSize: bad, units: 2, name: "l2", rng: &rng), ["l2", "inputSize"], isInvalidArgument)
            assertThrowsNN(try GRU(inputSize: 2, units: bad, name: "g1", rng: &rng), ["g1", "units"], isInvalidArgument)
            assertThrowsNN(try GRU(inputSize: bad, units: 2, resetAfter: false, name: "g2", rng: &rng), ["g2", "inputSize"], isInvalidArgument)
            assertThrowsNN(try SimpleRNN(inputSize: 2, units: bad, name: "s1", rng: &rng), ["s1", "units"], isInvalidArgument)
            assertThrowsNN(try SimpleRNN(inputSize: bad, units: 2, name: "s2", rng: &rng), ["s2", "inputSize"], isInvalidArgument)
            assertThrowsNN(try Dropout(size: bad, rate: 0.1, seed: 1, name: "dr"), ["dr", "size"], isInvalidArgument)
        }
    }

    func testDropoutRateOutOfRange() {
        for rate: Float in [1.5, -0.1, 1.0, .nan, .infinity] {
            assertThrowsNN(try Dropout(size: 3, rate: rate, seed: 1, name: "drop_1"), ["drop_1", "rate", "[0, 1)"], isInvalidArgument)
        }
        XCTAssertNoThrow(try Dropout(size: 3, rate: 0, seed: 1))
        XCTAssertNoThrow(try Dropout(size: 3, rate: 0.999, seed: 1))
    }

    func testRecurrentInputOfWrongRankOrWidth() throws {
        var rng = RandomGenerator(seed: 2)
        let layers: [any RecurrentLayer] = [
            try LSTM(inputSize: 3, units: 4, name: "lstm_a", rng: &rng),
            try GRU(inputSize: 3, units: 4, name: "gru_a", rng: &rng),
            try SimpleRNN(inputSize: 3, units: 4, name: "rnn_a", rng: &rng),
        ]
        for layer in layers {
            // Rank 2: a batch without a time axis.
            assertThrowsNN(try layer.forward(Tensor(shape: [2, 3]), training: false), [layer.name, "[2, 3]", "3]"], isShapeMismatch)
            // Wrong feature count.
            assertThrowsNN(try layer.forward(Tensor(shape: [5, 2, 4]), training: false), [layer.name, "[5, 2, 4]", ", 3]"], isShapeMismatch)
            // Rank 4 and empty time or batch axes.
            assertThrowsNN(try layer.forward(Tensor(shape: [1, 5, 2, 3]), training: false), [layer.name], isShapeMismatch)
            assertThrowsNN(try layer.forward(Tensor(shape: [0, 2, 3]), training: false), [layer.name], isShapeMismatch)
            assertThrowsNN(try layer.forward(Tensor(shape: [2, 0, 3]), training: false), [layer.name], isShapeMismatch)
            assertThrowsNN(try layer.outputShape(for: [2, 3]), [layer.name], isShapeMismatch)
            XCTAssertEqual(try layer.outputShape(for: [5, 2, 3]), [2, 4])
        }
    }

    func testDenseAndDropoutInputOfWrongWidth() throws {
        var rng = RandomGenerator(seed: 3)
        let dense = try Dense(inputSize: 3, units: 2, name: "dense_x", rng: &rng)
        assertThrowsNN(try dense.forward(Tensor(shape: [4, 5]), training: false), ["dense_x", "[4, 5]", "3]"], isShapeMismatch)
        assertThrowsNN(try dense.forward(Tensor(shape: []), training: false), ["dense_x"], isShapeMismatch)
        XCTAssertEqual(try dense.outputShape(for: [7, 4, 3]), [7, 4, 2])
        let dropout = try Dropout(size: 3, rate: 0.2, seed: 1, name: "drop_x")
        assertThrowsNN(try dropout.forward(Tensor(shape: [4, 5]), training: true), ["drop_x", "[4, 5]"], isShapeMismatch)
    }

    func testNonFiniteInputsNameLayerAndIndex() throws {
        var rng = RandomGenerator(seed: 4)
        let layers: [Layer] = [
            try LSTM(inputSize: 3, units: 4, name: "lstm_nan", rng: &rng),
            try GRU(inputSize: 3, units: 4, name: "gru_nan", rng: &rng),
            try SimpleRNN(inputSize: 3, units: 4, name: "rnn_nan", rng: &rng),
            try Dense(inputSize: 3, units: 4, name: "dense_nan", rng: &rng),
            try Dropout(size: 3, rate: 0.5, seed: 1, name: "drop_nan"),
        ]
        for layer in layers {
            for bad in [Float.nan, .infinity, -.infinity] {
                let x = Tensor(shape: [2, 2, 3], value: 0.5)
                x[1 * 6 + 0 * 3 + 2] = bad  // index [1, 0, 2]
                assertThrowsNN(try layer.forward(x, training: true), [layer.name, "[1, 0, 2]"], isNonFinite)
            }
        }
    }

    func testInitialStatesOfWrongShapeOrCount() throws {
        var rng = RandomGenerator(seed: 5)
        let x = Tensor(shape: [3, 2, 3], value: 0.1)
        let lstm = try LSTM(inputSize: 3, units: 4, name: "lstm_s", rng: &rng)
        lstm.initialStates = [Tensor(shape: [2, 4])]  // needs h and c
        assertThrowsNN(try lstm.forward(x, training: false), ["lstm_s", "initialStates"], isShapeMismatch)
        lstm.initialStates = [Tensor(shape: [2, 4]), Tensor(shape: [3, 4])]  // wrong batch
        assertThrowsNN(try lstm.forward(x, training: false), ["lstm_s", "initialStates[1]", "[2, 4]", "[3, 4]"], isShapeMismatch)
        lstm.initialStates = [Tensor(shape: [2, 4]), Tensor(shape: [8])]
        assertThrowsNN(try lstm.forward(x, training: false), ["lstm_s", "initialStates[1]"], isShapeMismatch)
        let gru = try GRU(inputSize: 3, units: 4, name: "gru_s", rng: &rng)
        gru.initialStates = [Tensor(shape: [2, 5])]
        assertThrowsNN(try gru.forward(x, training: false), ["gru_s", "initialStates[0]", "[2, 5]"], isShapeMismatch)
        let rnn = try SimpleRNN(inputSize: 3, units: 4, name: "rnn_s", rng: &rng)
        let nanState = Tensor(shape: [2, 4])
        nanState[5] = .nan
        rnn.initialStates = [nanState]
        assertThrowsNN(try rnn.forward(x, training: false), ["rnn_s", "initialStates[0]", "[1, 1]"], isNonFinite)
        rnn.initialStates = nil
        XCTAssertNoThrow(try rnn.forward(x, training: false))
    }

    func testStatefulBatchChangeThrows() throws {
        var rng = RandomGenerator(seed: 6)
        let gru = try GRU(inputSize: 3, units: 4, name: "gru_st", rng: &rng)
        gru.stateful = true
        _ = try gru.forward(Tensor(shape: [3, 2, 3], value: 0.1), training: false)
        assertThrowsNN(try gru.forward(Tensor(shape: [3, 5, 3], value: 0.1), training: false), ["gru_st", "stateful"], isShapeMismatch)
        gru.resetStates()
        XCTAssertNoThrow(try gru.forward(Tensor(shape: [3, 5, 3], value: 0.1), training: false))
    }
}
