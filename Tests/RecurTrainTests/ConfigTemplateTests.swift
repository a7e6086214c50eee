import Foundation
@testable import RecurTrain
import XCTest

final class ConfigTemplateTests: XCTestCase {
    var templatePath: String { ConfigTestPaths.datasets.appendingPathComponent("seed-config-template.json").path }

    func loadTemplate(_ overrides: [String] = []) throws -> RecurConfig {
        guard FileManager.default.fileExists(atPath: templatePath) else {
            throw XCTSkip("the shared template is not at \(templatePath)")
        }
        return try RecurConfig.load(path: templatePath, overrides: overrides)
    }

    func testTheRealTemplateLoadsUnchanged() throws {
        let config = try loadTemplate()
        let folder = ConfigTestPaths.datasets.standardizedFileURL.path
        XCTAssertEqual(config.format, .template)
        XCTAssertEqual(config.data.path, folder + "/data/A620_temp.csv")  // resolved; read only when training
        XCTAssertEqual(config.data.dateColumn, "date")
        XCTAssertEqual(config.data.hourColumn, "hr")
        XCTAssertNil(config.data.datetimeColumn)
        XCTAssertEqual(config.data.target, "temperature")
        XCTAssertEqual(config.data.stationColumn, "inme")
        XCTAssertEqual(config.data.station, "A620")
        XCTAssertEqual(config.window.nPastSteps, 12)
        XCTAssertEqual(config.training.epochs, 1000)
        XCTAssertEqual(config.training.earlyStopping, EarlyStoppingConfig(monitor: "val_loss", patience: 100, minDelta: 0, restoreBestWeights: true))
        XCTAssertEqual(config.training.loss.name, "mae")
        XCTAssertEqual(config.training.optimizer.name, .adam)
        XCTAssertEqual(config.training.batchSize, 32)
        XCTAssertEqual(config.output.directory, folder + "/models/")
        XCTAssertEqual(config.output.resultsCSV, folder + "/results/results.csv")
        XCTAssertEqual(config.output.logFile, folder + "/train_lstm_temp.log")
    }

    func testTemplateArchitectureIsTheDocumentedWidthRule() throws {
        let config = try loadTemplate()
        XCTAssertEqual(config.model, .widthRule(WidthRule(cell: .lstm, first: .init(mult: 2, dropout: 0.2, count: 1),
                                                           middle: .init(mult: 2, dropout: 0.2, count: 2),
                                                           last: .init(mult: 2, dropout: 0.2, count: 1))))
        let arch = try config.architecture()
        XCTAssertEqual(arch.inputSteps, 12)
        XCTAssertEqual(arch.inputFeatures, 1)
        XCTAssertEqual(arch.layers.map(\.type), ["lstm", "dropout", "lstm", "dropout", "lstm", "dropout", "lstm", "dropout", "dense"])
        XCTAssertEqual(arch.recurrentUnits, [24, 48, 96, 192])
        XCTAssertEqual(arch.layers.last?.units, 1)
        XCTAssertEqual(arch.layers.compactMap(\.returnSequences), [true, true, true, false])
        XCTAssertEqual(Set(arch.layers.compactMap(\.rate)), [0.2])
    }

    func testTemplateSearchSpace() throws {
        let search = try XCTUnwrap(try loadTemplate().search)
        XCTAssertEqual(search.maxEvals, 1)
        XCTAssertEqual(search.sampler, .tpe)
        XCTAssertEqual(search.objective, "val_loss")
        let n = TemplateConfig.SearchNames.self
        XCTAssertEqual(search.space.map(\.name), [n.firstMult, n.firstDropout, n.middleCount, n.middleMult, n.middleDropout,
                                                   n.lastMult, n.lastDropout])
        for name in [n.firstMult, n.middleMult, n.lastMult] {
            XCTAssertEqual(search.parameter(name)?.distribution, .choice([.number(2)]))
        }
        for name in [n.firstDropout, n.middleDropout, n.lastDropout] {
            XCTAssertEqual(search.parameter(name)?.distribution, .uniform(low: 0.1, high: 0.3))
        }
        XCTAssertEqual(search.parameter(n.middleCount)?.distribution, .choice([.number(2)]))
        XCTAssertNil(search.parameter(n.middleMult)?.condition)
    }

    func testTemplateOverridesAndTrialParameters() throws {
        let config = try loadTemplate(["numeric_var=temp", "input_csv=../a620-hourly-temperature.csv", "epochs=3",
                                       "hyperopt_pars.mid_layers=[0, 1, 2]", "base_config.first_layer.mult=3"])
        XCTAssertEqual(config.data.target, "temp")
        XCTAssertEqual(config.data.path, ConfigTestPaths.datasets.deletingLastPathComponent().appendingPathComponent("a620-hourly-temperature.csv").standardizedFileURL.path)
        XCTAssertEqual(config.training.epochs, 3)
        XCTAssertEqual(try config.architecture().recurrentUnits, [36, 72, 144, 288])
        let search = try XCTUnwrap(config.search)
        XCTAssertEqual(search.parameter(TemplateConfig.SearchNames.middleCount)?.distribution, .choice([0, 1, 2].map { .number($0) }))
        XCTAssertEqual(search.parameter(TemplateConfig.SearchNames.middleMult)?.condition,
                       SearchCondition(parameter: TemplateConfig.SearchNames.middleCount, atLeast: 1))
        // A trial: the sampled values applied to the mapped config.
        let trial = try config.applying([(TemplateConfig.SearchNames.middleCount, .number(0)),
                                         (TemplateConfig.SearchNames.lastDropout, .number(0.25))])
        XCTAssertEqual(try trial.architecture().recurrentUnits, [36, 72])
        XCTAssertEqual(trial.format, .template)
        XCTAssertEqual(trial.data, config.data)
    }

    func testTemplateErrorsNameTheTemplateKeys() throws {
        _ = try loadTemplate()
        XCTAssertThrowsError(try loadTemplate(["epocs=5"])) { error in
            let e = error as! ConfigError
            XCTAssertEqual(e.kind, .unknownKey)
            XCTAssertEqual(e.keyPath, "epocs")
            XCTAssertTrue(e.message.contains("did you mean `epochs`?"), e.message)
        }
        XCTAssertThrowsError(try loadTemplate(["mid_layers_config.dropout_rate=1.5"])) { error in
            let e = error as! ConfigError
            XCTAssertEqual(e.keyPath, "mid_layers_config.dropout_rate")
            XCTAssertTrue(e.description.contains("must be a number in [0, 1), got 1.5"), e.description)
            XCTAssertTrue(e.description.contains("--set mid_layers_config.dropout_rate=1.5"), e.description)
        }
        XCTAssertThrowsError(try loadTemplate(["hyperopt_pars.max_evals=0"])) { error in
            XCTAssertTrue("\(error)".contains("`hyperopt_pars.max_evals` must be an integer ≥ 1, got 0"), "\(error)")
        }
        XCTAssertThrowsError(try loadTemplate(["hyperopt_pars.mults=[]"])) { error in
            XCTAssertTrue("\(error)".contains("`hyperopt_pars.mults` must be a non-empty array"), "\(error)")
        }
        XCTAssertThrowsError(try loadTemplate(["hyperopt_pars.dropout_rate_range=[0.3, 0.1]"])) { error in
            XCTAssertTrue("\(error)".contains("low ≤ high"), "\(error)")
        }
        XCTAssertThrowsError(try loadTemplate(["epochs=-5"])) { error in
            XCTAssertTrue("\(error)".contains("`epochs` must be an integer ≥ 1, got -5"), "\(error)")
        }
    }

    func testTemplateDetectionAndDefaultsFromAMinimalTemplate() throws {
        let text = """
        {"input_csv": "x.csv", "n_past_steps": 6, "date_col": "date", "numeric_var": "v", "epochs": 2,
         "base_config": {"first_layer": {"mult": 1}, "last_layer": {"mult": 0.5}},
         "mid_layers_config": {"n_layers": 0, "mult": 1}}
        """
        let config = try RecurConfig.parse(text)
        XCTAssertEqual(config.format, .template)
        XCTAssertNil(config.search)
        XCTAssertNil(config.training.earlyStopping)
        XCTAssertEqual(config.training.loss.name, "mse")
        XCTAssertEqual(try config.architecture().recurrentUnits, [6, 3])
        XCTAssertEqual(try config.architecture().layers.compactMap(\.rate), [0.2, 0.2])
    }
}

extension ConfigTemplateTests {
    func testNativeOverridesApplyToATemplate() throws {
        let config = try loadTemplate(["numeric_var=temp", "data.cleaning.sentinels=[0.0]", "training.seed=7",
                                       "output.directory=/tmp/out/", "window.horizon=2"])
        XCTAssertEqual(config.format, .template)
        XCTAssertEqual(config.data.target, "temp")
        XCTAssertEqual(config.data.cleaning.sentinels, [0])
        XCTAssertEqual(config.training.seed, 7)
        XCTAssertEqual(config.output.directory, "/tmp/out/")
        XCTAssertEqual(config.output.resultsCSV, ConfigTestPaths.datasets.standardizedFileURL.path + "/results/results.csv")
        XCTAssertEqual(try config.architecture().layers.last?.units, 2)
        XCTAssertEqual(config.search?.space.count, 7)
        XCTAssertThrowsError(try loadTemplate(["training.epocs=3"])) { error in
            XCTAssertEqual((error as? ConfigError)?.keyPath, "training.epocs")
        }
    }
}
