import Foundation
import RecurNN
import RecurTensor
import RecurTestSupport
import XCTest

/// Compares Recur with PyTorch and Keras on the reference fixtures in `Fixtures/` (format
/// in Fixtures/README.md, written by scripts/make_reference_fixtures.py): forward output,
/// loss, input and parameter gradients (≤ 1e-5), then 20 Adam steps — the loss trajectory
/// and the final weights (≤ 1e-4).
///
/// PyTorch's LSTM and RNN keep two bias vectors (`bias_ih`, `bias_hh`) that Adam updates
/// separately, so torch cases build them with `separateRecurrentBias: true` (two bias rows,
/// like GRU); the Adam replay and the final weights then match PyTorch parameter for parameter.
final class ReferenceFixtureTests: XCTestCase {
    static let forwardTolerance: Float = 1e-5
    static let trainingTolerance: Float = 1e-4

    struct Case {
        let name: String
        let framework: String
        let file: SafeTensors.File
        let json: [String: Any]
        var layers: [[String: Any]] { json["layers"] as? [[String: Any]] ?? [] }
    }

    func fixtureFiles() throws -> [URL] {
        guard let folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            XCTFail("the test bundle has no Fixtures folder")
            return []
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        return names.filter { $0.hasSuffix(".safetensors") }.sorted().map { folder.appendingPathComponent($0) }
    }

    func loadCase(_ url: URL) throws -> Case {
        let file = try SafeTensors.read(url.path)
        let name = url.deletingPathExtension().lastPathComponent
        guard file.metadata["fixture_version"] == "1" else {
            throw NNError.weights(path: url.path, reason: "fixture_version \(file.metadata["fixture_version"] ?? "absent"), expected 1")
        }
        guard let framework = file.metadata["framework"], ["torch", "keras"].contains(framework),
              let text = file.metadata["case"], let data = text.data(using: .utf8),
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw NNError.weights(path: url.path, reason: "missing framework or case metadata") }
        return Case(name: json["name"] as? String ?? name, framework: framework, file: file, json: json)
    }

    /// The Sequential the case describes (weights random until imported) and the prefixes.
    func buildModel(_ c: Case) throws -> (Sequential, [String]) {
        guard let inputShape = c.json["input_shape"] as? [Int] else { throw NNError.weights(path: c.name, reason: "no input_shape") }
        var rng = RandomGenerator(seed: 1)
        var size = inputShape.last!
        var layers: [Layer] = []
        var prefixes: [String] = []
        let torch = c.framework == "torch"  // PyTorch's two LSTM / RNN bias vectors
        for spec in c.layers {
            let type = spec["type"] as? String ?? "?"
            let units = spec["units"] as? Int ?? 0
            let sequences = spec["return_sequences"] as? Bool ?? false
            let activation = Activation(rawValue: spec["activation"] as? String ?? "tanh") ?? .tanh
            var prefix = spec["prefix"] as? String ?? ""
            if let k = spec["torch_layer_index"] as? Int { prefix += "[\(k)]" }
            switch type {
            case "LSTM":
                layers.append(try LSTM(inputSize: size, units: units, returnSequences: sequences,
                                       activation: activation, separateRecurrentBias: torch, rng: &rng))
            case "GRU":
                layers.append(try GRU(inputSize: size, units: units, returnSequences: sequences,
                                      resetAfter: spec["reset_after"] as? Bool ?? true, activation: activation, rng: &rng))
            case "SimpleRNN":
                layers.append(try SimpleRNN(inputSize: size, units: units, returnSequences: sequences,
                                            activation: activation, separateRecurrentBias: torch, rng: &rng))
            case "Dense":
                layers.append(try Dense(inputSize: size, units: units, activation: activation, rng: &rng))
            default:
                throw NNError.weights(path: c.name, reason: "unknown layer type \(type)")
            }
            prefixes.append(prefix)
            size = units
        }
        return (try Sequential(layers), prefixes)
    }

    /// `<prefix>name` tensors of the file, with the prefix removed.
    func subfile(_ c: Case, _ prefix: String) -> SafeTensors.File {
        SafeTensors.File(tensors: c.file.tensors.filter { $0.name.hasPrefix(prefix) }
            .map { (String($0.name.dropFirst(prefix.count)), $0.tensor) }, path: "\(c.name) \(prefix)*")
    }

    func importInto(_ model: Sequential, _ c: Case, _ prefixes: [String], from prefix: String) throws {
        let file = subfile(c, prefix)
        if c.framework == "torch" {
            try model.importPyTorch(file, prefixes: prefixes)
        } else {
            try model.importKeras(file, prefixes: prefixes)
        }
    }

    struct Report { var worst: [String: Float] = [:] }

    func compare(_ actual: Tensor, _ expected: Tensor, _ tolerance: Float, _ what: String, _ c: Case,
                 _ report: inout Report) {
        guard actual.shape == expected.shape else {
            XCTFail("\(c.name): \(what): shape \(actual.shape), expected \(expected.shape)")
            return
        }
        let diff = maxAbsDifference(actual.scalars, expected.scalars)
        report.worst[what] = diff
        if !(diff <= tolerance) {
            XCTFail("\(c.name): \(what): max |diff| \(diff) > \(tolerance)")
        }
    }

    func testEveryFixtureMatchesItsFramework() throws {
        let urls = try fixtureFiles()
        XCTAssertFalse(urls.isEmpty, "no *.safetensors fixture in the Fixtures folder: the reference comparison ran zero cases")
        var summary: [String] = []
        for url in urls {
            let c: Case
            do { c = try loadCase(url) } catch {
                XCTFail("\(url.lastPathComponent): \(error)")
                continue
            }
            do {
                summary.append(try run(c))
            } catch {
                XCTFail("\(c.name): \(error)")
            }
        }
        print("Reference fixtures (worst |diff| per group):\n" + summary.joined(separator: "\n"))
    }

    func run(_ c: Case) throws -> String {
        let (model, prefixes) = try buildModel(c)
        try importInto(model, c, prefixes, from: "param.")
        let input = try c.file.require("input")
        let target = try c.file.require("target")
        var report = Report()
        let ft = Self.forwardTolerance, tt = Self.trainingTolerance

        // Forward, loss, gradients.
        model.parameters.zeroGradients()
        let output = try model.forward(input, training: true)
        compare(output, try c.file.require("output"), ft, "output", c, &report)
        let dOutput = Tensor(shape: [0])
        let loss = try Loss.meanSquaredError.valueAndGradient(prediction: output, target: target, into: dOutput)
        compare(Tensor([loss]), try c.file.require("loss"), ft, "loss", c, &report)
        let dInput = model.backward(dOutput)
        compare(dInput, try c.file.require("grad.input"), ft, "grad.input", c, &report)
        let grads = c.framework == "torch"
            ? try model.exportPyTorch(prefixes: prefixes, gradients: true)
            : try model.exportKeras(prefixes: prefixes, gradients: true)
        var gradWorst: Float = 0
        let expectedGrads = c.file.tensors.filter { $0.name.hasPrefix("grad.") && $0.name != "grad.input" }
        XCTAssertEqual(grads.tensors.count, expectedGrads.count, "\(c.name): number of parameter gradients")
        for (name, expected) in expectedGrads {
            let key = String(name.dropFirst("grad.".count))
            guard let mine = grads[key] else {
                XCTFail("\(c.name): Recur has no gradient for '\(key)' (it has \(grads.names))")
                continue
            }
            compare(mine, expected, ft, name, c, &report)
            gradWorst = max(gradWorst, report.worst[name] ?? 0)
        }

        // 20 Adam steps.
        guard let adam = c.json["adam"] as? [String: Any], let steps = c.json["steps"] as? Int,
              let style = OptimizerStyle(rawValue: adam["style"] as? String ?? "")
        else { throw NNError.weights(path: c.name, reason: "no adam settings") }
        let optimizer = try Adam(learningRate: Float(adam["lr"] as? Double ?? 0.001),
                                 beta1: Float(adam["beta1"] as? Double ?? 0.9),
                                 beta2: Float(adam["beta2"] as? Double ?? 0.999),
                                 epsilon: Float(adam["eps"] as? Double ?? 1e-7), style: style)
        let expectedTrajectory = try c.file.require("trajectory", shape: [steps + 1])
        var trajectory: [Float] = []
        for k in 0...steps {
            model.parameters.zeroGradients()
            let out = try model.forward(input, training: true)
            trajectory.append(try Loss.meanSquaredError.valueAndGradient(prediction: out, target: target, into: dOutput))
            if k == steps { break }
            _ = model.backward(dOutput)
            try optimizer.step(model.parameters)
        }
        compare(Tensor(trajectory), expectedTrajectory, tt, "trajectory", c, &report)
        // Final weights, tensor by tensor in the framework's layout (torch: bias_ih and bias_hh
        // each against its own row).
        let finals = c.framework == "torch"
            ? try model.exportPyTorch(prefixes: prefixes)
            : try model.exportKeras(prefixes: prefixes)
        var finalWorst: Float = 0
        let expectedFinals = c.file.tensors.filter { $0.name.hasPrefix("final.") }
        XCTAssertEqual(finals.tensors.count, expectedFinals.count, "\(c.name): number of final weights")
        for (name, expected) in expectedFinals {
            let key = String(name.dropFirst("final.".count))
            guard let mine = finals[key] else {
                XCTFail("\(c.name): Recur has no weight '\(key)' (it has \(finals.names))")
                continue
            }
            compare(mine, expected, tt, name, c, &report)
            finalWorst = max(finalWorst, report.worst[name] ?? 0)
        }
        func fmt(_ x: Float?) -> String { String(format: "%.2e", Double(x ?? .nan)) }
        return "  \(c.name): output \(fmt(report.worst["output"])), loss \(fmt(report.worst["loss"])), grad.input \(fmt(report.worst["grad.input"])), param grads \(fmt(gradWorst)), trajectory \(fmt(report.worst["trajectory"])), final weights \(fmt(finalWorst))"
    }
}
