import Foundation
import RecurNN
import RecurTrain
import XCTest

/// `ModelArchitecture` rebuilds layers from their specs.
final class ModelArchitectureTests: XCTestCase {
    func testSeparateRecurrentBiasIsOptionalAndPassedThrough() throws {
        // Absent in older JSON: nil, single bias.
        let old = #"{"type": "lstm", "name": "lstm", "inputSize": 2, "units": 3}"#
        let decoded = try JSONDecoder().decode(LayerSpec.self, from: Data(old.utf8))
        XCTAssertNil(decoded.separateRecurrentBias)

        let specs = [
            decoded,
            LayerSpec(type: "lstm", name: "lstm_1", inputSize: 3, units: 4, returnSequences: true, separateRecurrentBias: true),
            LayerSpec(type: "simple_rnn", name: "simple_rnn", inputSize: 4, units: 2, separateRecurrentBias: true),
            LayerSpec(type: "simple_rnn", name: "simple_rnn_1", inputSize: 2, units: 2, separateRecurrentBias: false),
        ]
        // decoded returns the last step only; make the chain valid.
        var chain = specs
        chain[0].returnSequences = true
        chain[2].returnSequences = true
        let arch = ModelArchitecture(inputSteps: 5, inputFeatures: 2, layers: chain)
        let model = try arch.build(seed: 1)
        let biasShapes = model.layers.map { $0.parameters.first { $0.name == "bias" }!.shape }
        XCTAssertEqual(biasShapes, [[12], [2, 16], [2, 2], [2]])
        XCTAssertEqual((model.layers[1] as? LSTM)?.separateRecurrentBias, true)
        XCTAssertEqual((model.layers[2] as? SimpleRNN)?.separateRecurrentBias, true)

        // Round trip through JSON keeps it.
        let again = try JSONDecoder().decode(ModelArchitecture.self, from: try JSONEncoder().encode(arch))
        XCTAssertEqual(again, arch)
        XCTAssertEqual(again.layers[1].separateRecurrentBias, true)
    }
}
