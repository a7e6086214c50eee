import Foundation
import RecurNN
import RecurTensor
@testable import RecurTrain
import XCTest

/// `training.optimizer.style` must reach the engine: a config that says `"pytorch"` trains
/// differently from one that says `"keras"` where the two formulations differ.
final class OptimizerStyleConfigTests: XCTestCase {
    func optimizer(_ name: String, style: String?) throws -> Optimizer {
        var styleKey = style.map { ", \"style\": \"\($0)\"" } ?? ""
        // Adagrad's styles differ where the accumulator is small next to epsilon.
        if name == "adagrad" { styleKey += ", \"initial_accumulator\": 0" }
        let text = """
        {"data": {"path": "s.csv", "datetime_column": "time", "target": "value"},
         "window": {"n_past_steps": 4},
         "training": {"epochs": 1, "optimizer": {"name": "\(name)", "learning_rate": 0.1\(styleKey)}}}
        """
        return try RecurConfig.parse(text, file: "style.json").training.optimizer.makeOptimizer()
    }

    /// One step from the same weights and gradients; returns the updated weights.
    func oneStep(_ optimizer: Optimizer) throws -> [Float] {
        let kernel = Parameter(name: "kernel", shape: [3], role: .kernel)
        let set = ParameterSet([kernel])
        for (i, v) in [Float(1), -2, 0.5].enumerated() { set.values[i] = v }
        // Gradients small enough that epsilon's placement shows.
        for (i, g) in [Float(1e-4), -3e-5, 2e-6].enumerated() { set.gradients[i] = g }
        try optimizer.step(set)
        return set.values.scalars
    }

    func testPytorchStyleReachesEveryOptimizerThatHasOne() throws {
        for name in ["adam", "adamw", "rmsprop", "adagrad"] {
            let keras = try optimizer(name, style: "keras"), torch = try optimizer(name, style: "pytorch")
            let byDefault = try optimizer(name, style: nil)
            XCTAssertEqual(torch.hyperparameters["style_torch"], 1, name)
            XCTAssertEqual(keras.hyperparameters["style_torch"], 0, name)
            XCTAssertEqual(byDefault.hyperparameters["style_torch"], 0, "\(name): keras is the default")
            let k = try oneStep(keras), t = try oneStep(torch)
            XCTAssertNotEqual(k, t, "\(name): one step with style pytorch must differ from keras")
            XCTAssertEqual(try oneStep(byDefault), k, name)
        }
    }

    func testStyleDefaultEpsilonComesFromTheEngine() throws {
        XCTAssertEqual(try optimizer("adam", style: "pytorch").hyperparameters["epsilon"] ?? 0, 1e-8, accuracy: 1e-12)
        XCTAssertEqual(try optimizer("rmsprop", style: "pytorch").hyperparameters["epsilon"] ?? 0, 1e-8, accuracy: 1e-12)
        XCTAssertEqual(try optimizer("adagrad", style: "pytorch").hyperparameters["epsilon"] ?? 0, 1e-10, accuracy: 1e-14)
        XCTAssertEqual(try optimizer("rmsprop", style: "keras").hyperparameters["epsilon"] ?? 0, 1e-7, accuracy: 1e-11)
    }

    /// A config that names only the optimizer gets exactly the engine's defaults for it and its
    /// style: nothing in the config layer restates them.
    func testUnsetSettingsTakeTheEngineDefaults() throws {
        func bare(_ name: String, _ style: String) throws -> [String: Double] {
            let text = """
            {"data": {"path": "s.csv", "datetime_column": "time", "target": "value"}, "window": {"n_past_steps": 4},
             "training": {"epochs": 1, "optimizer": {"name": "\(name)", "style": "\(style)"}}}
            """
            return try RecurConfig.parse(text).training.optimizer.makeOptimizer().hyperparameters
        }
        for style in [OptimizerStyle.keras, .torch] {
            let spelled = style == .keras ? "keras" : "pytorch"
            XCTAssertEqual(try bare("sgd", spelled), try SGD().hyperparameters)
            XCTAssertEqual(try bare("adam", spelled), try Adam(style: style).hyperparameters)
            XCTAssertEqual(try bare("adamw", spelled), try AdamW(style: style).hyperparameters)
            XCTAssertEqual(try bare("rmsprop", spelled), try RMSprop(style: style).hyperparameters)
            XCTAssertEqual(try bare("adagrad", spelled), try Adagrad(style: style).hyperparameters)
            XCTAssertEqual(try bare("adadelta", spelled), try Adadelta().hyperparameters)
        }
    }
}
