import Foundation
import RecurData
@testable import RecurTrain
import RecurTestSupport
import XCTest

/// Paths shared by the config tests.
enum ConfigTestPaths {
    /// The repository root.
    static let repoRoot = Datasets.packageRoot
    /// `../shared/datasets` beside the repository.
    static let datasets = Datasets.folder
}

extension XCTestCase {
    /// The `ConfigError` that parsing `text` (as `bad.json`, with `overrides`) raises; fails the
    /// test when there is none or another error.
    func configError(_ text: String, overrides: [String] = [], file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        do {
            _ = try RecurConfig.parse(text, file: "bad.json", overrides: overrides)
            XCTFail("no error for \(text)", file: file, line: line)
        } catch let e as ConfigError {
            return e
        } catch {
            XCTFail("not a ConfigError: \(error)", file: file, line: line)
        }
        return nil
    }

    /// Writes `text` to a fresh temporary folder (removed when the test ends) and returns the file's path.
    func writeTemporaryConfig(_ text: String, name: String = "config.json") throws -> String {
        let url = try temporaryFolder("recur-config").appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}

/// A small valid native config, for tests to vary.
let minimalNative = """
{
  "data": {"path": "data/series.csv", "datetime_column": "time", "target": "value"},
  "window": {"n_past_steps": 12},
  "training": {"epochs": 5}
}
"""

final class ConfigTests: XCTestCase {
    func testCommentsAndTrailingCommasAreStrippedKeepingOffsets() throws {
        let text = "{\n  // a comment with \"quotes\"\n  \"a\": \"x // not a comment\", /* block\n  over lines */ \"b\": [1, 2,],\n}"
        // The scanner skips comments in place, so positions after them are the file's.
        let value = try ConfigParser.parse(text)
        XCTAssertEqual(value["a"]?.kind, .string("x // not a comment"))
        XCTAssertEqual(value["b"]?.description, "[1, 2]")
        XCTAssertEqual(value["b"]?.location, SourceLocation(line: 4, column: 22))
        XCTAssertEqual(value["b"]?.path, "b")
    }

    func testKeysKeepFileOrderAndPaths() throws {
        let value = try ConfigParser.parse(#"{"z": 1, "a": {"m": [true, {"k": null}]}, "b": "\u00e9\n"}"#)
        XCTAssertEqual(value.members?.map(\.key), ["z", "a", "b"])
        XCTAssertEqual(value["a"]?["m"]?.members, nil)
        guard case let .array(items)? = value["a"]?["m"]?.kind else { return XCTFail("array expected") }
        XCTAssertEqual(items[1]["k"]?.path, "a.m[1].k")
        XCTAssertEqual(value["b"]?.kind, .string("é\n"))
    }

    func testMinimalNativeConfigTakesTheDefaults() throws {
        let config = try RecurConfig.parse(minimalNative, file: "c.json", baseDirectory: "/base")
        XCTAssertEqual(config.format, .native)
        XCTAssertEqual(config.data.path, "/base/data/series.csv")
        XCTAssertEqual(config.data.cleaning, CleaningConfig(duplicates: .first, sentinels: [], nonNumeric: .missing, gaps: .interpolate, maxGap: 6))
        XCTAssertEqual(config.data.frequency, .auto)
        XCTAssertEqual(config.window, WindowConfig(nPastSteps: 12, horizon: 1, strategy: .direct, layout: .steps))
        XCTAssertEqual(config.split, .fractions(train: 0.6, validation: 0.2, test: 0.2))
        XCTAssertEqual(config.scaling, .minmax)
        XCTAssertEqual(config.training.batchSize, 32)
        XCTAssertTrue(config.training.shuffle)
        XCTAssertEqual(config.training.seed, 42)
        XCTAssertEqual(config.training.loss.name, "mse")
        XCTAssertEqual(config.training.optimizer.name, .adam)
        XCTAssertNil(config.training.earlyStopping)
        XCTAssertEqual(config.output.directory, "/base/runs/")
        XCTAssertEqual(config.output.resultsCSV, "/base/runs/results.csv")
        // Default model: LSTM("auto") + Dense(1); 12 inputs -> 32 units.
        let arch = try config.architecture()
        XCTAssertEqual(arch.layers.map(\.type), ["lstm", "dense"])
        XCTAssertEqual(arch.layers.map(\.units), [32, 1])
    }

    func testRelativePathsResolveAgainstTheConfigFolder() throws {
        let path = try writeTemporaryConfig(minimalNative.replacingOccurrences(of: "data/series.csv", with: "../up/series.csv"))
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        let config = try RecurConfig.load(path: path)
        XCTAssertEqual(config.data.path, folder.deletingLastPathComponent().appendingPathComponent("up/series.csv").path)
        XCTAssertEqual(config.output.directory, folder.appendingPathComponent("runs").path + "/")
        let absolute = try RecurConfig.load(path: path, overrides: ["data.path=/x.csv"])
        XCTAssertEqual(absolute.data.path, "/x.csv")
    }

    func testAutoUnitsRule() {
        XCTAssertEqual(Units.autoUnits(inputCount: 1), 2)
        XCTAssertEqual(Units.autoUnits(inputCount: 3), 8)
        XCTAssertEqual(Units.autoUnits(inputCount: 4), 8)
        XCTAssertEqual(Units.autoUnits(inputCount: 12), 32)
        XCTAssertEqual(Units.autoUnits(inputCount: 16), 32)
        XCTAssertEqual(Units.autoUnits(inputCount: 17), 64)
        XCTAssertEqual(Units.auto.resolved(inputCount: 24), 64)
        XCTAssertEqual(Units.count(7).resolved(inputCount: 24), 7)
    }

    func testLayerListResolution() throws {
        let text = """
        {
          "data": {"path": "s.csv", "date_column": "d", "hour_column": "h", "target": "t", "features": ["u", "v"]},
          "window": {"n_past_steps": 4, "horizon": 3},
          "model": {"layers": [
            {"type": "gru", "units": "auto", "dropout": 0.1},
            {"type": "lstm", "units": 16},
            {"type": "dense", "units": 8, "activation": "relu"},
            {"type": "dense"}
          ]},
          "training": {"epochs": 1}
        }
        """
        let config = try RecurConfig.parse(text)
        XCTAssertEqual(config.inputCount, 12)
        let arch = try config.architecture()
        XCTAssertEqual(arch.inputSteps, 4)
        XCTAssertEqual(arch.inputFeatures, 3)
        XCTAssertEqual(arch.layers.map(\.type), ["gru", "dropout", "lstm", "dense", "dense"])
        XCTAssertEqual(arch.layers.map(\.units), [32, 32, 16, 8, 3])
        XCTAssertEqual(arch.layers.map(\.inputSize), [3, 32, 32, 16, 8])
        XCTAssertEqual(arch.layers[0].returnSequences, true)
        XCTAssertEqual(arch.layers[0].resetAfter, true)
        XCTAssertEqual(arch.layers[2].returnSequences, false)
        XCTAssertEqual(arch.layers[1].rate, 0.1)
        XCTAssertEqual(arch.layers.map(\.name), ["gru_1", "dropout_1", "lstm_1", "dense_1", "dense_2"])
        // Recursive strategy: one output.
        let recursive = try RecurConfig.parse(text.replacingOccurrences(of: "\"features\": [\"u\", \"v\"]", with: "\"features\": []")
            .replacingOccurrences(of: "\"horizon\": 3", with: "\"horizon\": 3, \"strategy\": \"recursive\", \"layout\": \"features\""))
        let r = try recursive.architecture()
        XCTAssertEqual(r.inputSteps, 1)
        XCTAssertEqual(r.inputFeatures, 4)
        XCTAssertEqual(r.layers.last?.units, 1)
    }

    func testNativeRoundTrip() throws {
        let text = """
        {
          "description": "round trip",
          "data": {"path": "/d/a.csv", "date_column": "date", "hour_column": "hr", "minute_column": "mi",
                   "station_column": "inme", "station": "A620", "target": "temp", "features": ["hum"],
                   "since": "2010-01-01", "until": "2012-12-31", "which_minute": 0, "frequency": "30min",
                   "cleaning": {"duplicates": "mean", "sentinels": [0, -9999], "non_numeric": "error", "gaps": "forward_fill", "max_gap": "unlimited"}},
          "window": {"n_past_steps": 24, "horizon": 6, "layout": "steps"},
          "split": {"train_until": "2011-12-31", "validation_until": "2012-06-30"},
          "scaling": "standard",
          "model": {"layers": [{"type": "lstm", "units": 64, "dropout": 0.2}, {"type": "simple_rnn", "units": "auto", "activation": "relu"}]},
          "training": {"epochs": 50, "batch_size": 64, "shuffle": false, "loss": {"name": "huber", "delta": 0.5},
                       "optimizer": {"name": "adamw", "learning_rate": 0.003, "beta1": 0.85, "weight_decay": 0.02, "clip_norm": 1.0},
                       "seed": 7, "early_stopping": {"patience": 5, "min_delta": 0.001},
                       "reduce_lr_on_plateau": {"factor": 0.5, "patience": 3}, "checkpoint": false, "tensorboard": "tb",
                       "history_csv": false, "validation_every": 2},
          "output": {"directory": "/out/", "results_csv": "/out/r.csv", "log_file": "/out/log.txt"},
          "search": {"max_evals": 30, "sampler": "random", "seed": 3, "pruner": "asha", "jobs": 2, "objective": "val_rmse",
                     "space": {"training.optimizer.learning_rate": {"log_uniform": [0.0001, 0.01]},
                               "training.batch_size": {"choice": [32, 64]},
                               "window.n_past_steps": {"int": [12, 48]},
                               "model.layers[0].dropout": {"quantized": [0, 0.5, 0.1], "condition": {"parameter": "training.batch_size", "in": [64]}}}}
        }
        """
        let config = try RecurConfig.parse(text, file: "rt.json")
        // Codable round trip (how a model package stores it).
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let decoded = try decoder.decode(RecurConfig.self, from: try encoder.encode(config))
        XCTAssertEqual(decoded, config)
        // Native text round trip.
        let again = try RecurConfig.parse(config.nativeJSON(), file: "rt.json")
        XCTAssertEqual(again, config)
        XCTAssertEqual(config.data.frequency.seconds, 1800)
        XCTAssertNil(config.data.cleaning.maxGap)
        XCTAssertEqual(config.search?.space.count, 4)
        XCTAssertEqual(config.search?.parameter("window.n_past_steps")?.distribution, .int(low: 12, high: 48))
        XCTAssertEqual(config.splitSpec, .dates(validationStart: "2012-01-01", testStart: "2012-07-01"))
        XCTAssertEqual(config.cleaningPolicy.gaps, GapPolicy(method: .forwardFill, maxGap: nil))
        XCTAssertEqual(config.cleaningPolicy.frequencySeconds, 1800)
        XCTAssertEqual(config.timeSeriesSource.valueColumns, ["temp", "hum"])
    }

    func testOverrides() throws {
        let base = try writeTemporaryConfig(minimalNative)
        let config = try RecurConfig.load(path: base, overrides: [
            "training.epochs=9", "training.optimizer.name=sgd", "training.optimizer.momentum=0.9",
            "data.target=temp", "data.features=[\"a\",\"b\"]", "training.early_stopping={\"patience\": 3}",
            "data.cleaning.sentinels=[0.0]", "training.shuffle=false", "data.station_column=inme", "data.station=\"A620\"",
        ])
        XCTAssertEqual(config.training.epochs, 9)
        XCTAssertEqual(config.training.optimizer.name, .sgd)
        XCTAssertEqual(config.training.optimizer.momentum, 0.9)
        XCTAssertEqual(config.data.target, "temp")
        XCTAssertEqual(config.data.features, ["a", "b"])
        XCTAssertEqual(config.training.earlyStopping?.patience, 3)
        XCTAssertEqual(config.data.cleaning.sentinels, [0])
        XCTAssertFalse(config.training.shuffle)
        XCTAssertEqual(config.data.station, "A620")
        // A number typed where a string is expected is taken as typed.
        XCTAssertEqual(try RecurConfig.parse(minimalNative, overrides: ["data.target=2020"]).data.target, "2020")
        // Array elements and later overrides winning.
        let layers = try RecurConfig.parse(minimalNative, overrides: [
            "model={\"layers\": [{\"type\": \"lstm\", \"units\": 8}, {\"type\": \"gru\", \"units\": 4}]}",
            "model.layers[1].units=6", "model.layers.0.units=\"auto\"",
        ])
        XCTAssertEqual(try layers.architecture().layers.map(\.units), [32, 6, 1])
        // Keys with dots (search parameter names) are matched whole.
        let withSearch = try RecurConfig.parse(minimalNative.replacingOccurrences(of: "\"training\": {\"epochs\": 5}",
            with: "\"training\": {\"epochs\": 5}, \"search\": {\"space\": {\"training.batch_size\": {\"choice\": [8, 16]}}}"),
            overrides: ["search.space.training.batch_size.choice=[4]"])
        XCTAssertEqual(withSearch.search?.space.first?.distribution, .choice([.number(4)]))
    }

    func testApplyingSearchParameters() throws {
        let config = try RecurConfig.parse(minimalNative, baseDirectory: "/b")
        let trial = try config.applying([("training.batch_size", .number(64))])
        XCTAssertEqual(trial.training.batchSize, 64)
        XCTAssertEqual(trial.data.path, "/b/data/series.csv")
        XCTAssertThrowsError(try config.applying([("training.batch_size", .number(0))]))
    }

    func testFrequencies() {
        XCTAssertEqual(Frequency.parse("1h"), .seconds(3600))
        XCTAssertEqual(Frequency.parse("30min"), .seconds(1800))
        XCTAssertEqual(Frequency.parse("1d"), .seconds(86400))
        XCTAssertEqual(Frequency.parse("2 hours"), .seconds(7200))
        XCTAssertEqual(Frequency.parse("AUTO"), .auto)
        XCTAssertNil(Frequency.parse("5m"))
        XCTAssertNil(Frequency.parse("0h"))
        XCTAssertEqual(Frequency.seconds(1800).description, "30min")
    }

    func testExamplesLoad() throws {
        let examples = ConfigTestPaths.repoRoot.appendingPathComponent("examples")
        let seed = try RecurConfig.load(path: examples.appendingPathComponent("melbourne-seed.json").path)
        // Compared with links resolved: ../shared may be a symbolic link.
        XCTAssertEqual(URL(fileURLWithPath: seed.data.path).resolvingSymlinksInPath().path,
                       ConfigTestPaths.datasets.appendingPathComponent("melbourne-daily-min-temperatures.csv")
                           .resolvingSymlinksInPath().path)
        XCTAssertEqual(seed.split, .rows(train: 0..<2000, validation: 1500..<2000, test: 2000..<3650))
        XCTAssertEqual(seed.window.layout, .features)
        XCTAssertEqual(seed.training.batchSize, 1)
        XCTAssertEqual(seed.training.epochs, 25)
        let arch = try seed.architecture()
        XCTAssertEqual(arch.inputSteps, 1)
        XCTAssertEqual(arch.inputFeatures, 3)
        XCTAssertEqual(arch.layers.map(\.type), ["lstm", "dense"])
        XCTAssertEqual(arch.layers.map(\.units), [4, 1])
        XCTAssertEqual(seed.cleaningPolicy.gaps.method, .keepRows)

        let a620 = try RecurConfig.load(path: examples.appendingPathComponent("a620-template-native.json").path)
        XCTAssertEqual(try a620.architecture().recurrentUnits, [24, 48, 96, 192])
        XCTAssertEqual(a620.data.cleaning.sentinels, [0])
        XCTAssertEqual(a620.search?.space.count, 7)
    }
}
