import Foundation
import RecurData
import RecurNN
import RecurTensor
@testable import RecurTrain
import RecurTestSupport
import XCTest

/// `training.ensemble`: K networks from seeds seed, seed + 1, …, one package, and every reader
/// of the package forecasting the mean of the members.
final class EnsembleTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try temporaryFolder("recur-ensemble")
    }

    /// An hourly `time,value` CSV with a daily cycle and a little irregularity.
    func writeSeries(hours: Int = 400) throws -> String {
        var lines = ["time,value"]
        let start = Timestamps.parse("2021-03-01 00:00:00")!.seconds
        for i in 0..<hours {
            let v = 10 + 4 * sin(Double(i) * 2 * .pi / 24) + Double(i % 5) * 0.3 + Double((i * 7) % 11) * 0.1
            lines.append("\(Timestamps.format(start + Int64(i) * 3600)),\(String(format: "%.3f", v))")
        }
        let path = dir.appendingPathComponent("series.csv").path
        try lines.joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func makeConfig(data: String, ensemble: Int, seed: Int = 3) throws -> RecurConfig {
        try RecurConfig.parse("""
        {
          "data": {"path": "\(data)", "datetime_column": "time", "target": "value"},
          "window": {"n_past_steps": 6, "horizon": 2},
          "model": {"layers": [{"type": "lstm", "units": 4}]},
          "training": {"epochs": 3, "batch_size": 16, "seed": \(seed), "checkpoint": false, "ensemble": \(ensemble),
                       "early_stopping": {"monitor": "val_loss", "patience": 1}},
          "intervals": {"levels": [0.8]},
          "output": {"directory": "\(dir.path)"}
        }
        """)
    }

    func train(_ config: RecurConfig, _ name: String) throws -> ModelPackage {
        let path = dir.appendingPathComponent(name).path
        _ = try TrainingRun.run(config, options: .silent(packagePath: path))
        return try ModelPackage.load(path)
    }

    /// The ensemble's forecasts (on windows and on one window) are the mean of its members', each
    /// member run alone, to 1e-6; its first member is the single model of the same seed, bit for bit.
    func testTheEnsemblesForecastIsTheMeanOfItsMembers() throws {
        let data = try writeSeries()
        let config = try makeConfig(data: data, ensemble: 3)
        let package = try train(config, "ensemble")
        XCTAssertEqual(package.members.count, 3)
        let record = try XCTUnwrap(package.manifest.ensemble)
        XCTAssertEqual(record.members.map(\.seed), [3, 4, 5])
        XCTAssertEqual(record.members.map(\.weights), ["weights.safetensors", "weights-member-2.safetensors", "weights-member-3.safetensors"])

        let prepared = try DataPreparation.prepare(config)
        let samples = try XCTUnwrap(prepared.testSamples), windows = try XCTUnwrap(prepared.test)
        let ensemble = Evaluator(package: package)
        let input = ModelInput(manifest: package.manifest)
        let alone = package.members.map { Evaluator(model: $0, input: input, quantiles: nil) }
        let mean = try ensemble.outputs(samples, targetSteps: windows.targetSteps, target: prepared.target).point
        let each = try alone.map { try $0.outputs(samples, targetSteps: windows.targetSteps, target: prepared.target).point }
        XCTAssertEqual(mean.count, each[0].count)
        XCTAssertGreaterThan(zip(each[0], each[1]).map { abs($0 - $1) }.max()!, 1e-3, "members from different seeds differ")
        for i in mean.indices {
            let expected = (Double(each[0][i]) + Double(each[1][i]) + Double(each[2][i])) / 3
            XCTAssertEqual(Double(mean[i]), expected, accuracy: 1e-6 * max(1, abs(expected)), "window value \(i)")
        }

        // One window, as predict and serve forecast it.
        let series = prepared.series
        let augmented = input.augmented(series)
        let F = augmented.featureCount, n = series.count, P = input.nPastSteps
        let window = Array(augmented.values[((n - P) * F)..<(n * F)])
        let next = try ensemble.outputs(window: window).point
        let nextEach = try alone.map { try $0.outputs(window: window).point }
        for k in next.indices {
            XCTAssertEqual(Double(next[k]), nextEach.map { Double($0[k]) }.reduce(0, +) / 3, accuracy: 1e-5)
        }
        let forecast = try Forecaster(package: package).forecast(csv: data, steps: 2)
        XCTAssertEqual(forecast.values, next, "recur predict's forecast is the ensemble's")

        // Member 1 is the single model of the same seed, bit for bit.
        let single = try train(try makeConfig(data: data, ensemble: 1), "single")
        XCTAssertNil(single.manifest.ensemble)
        XCTAssertEqual(try alone[0].outputs(samples, targetSteps: windows.targetSteps, target: prepared.target).point,
                       try Evaluator(package: single).outputs(samples, targetSteps: windows.targetSteps, target: prepared.target).point)
    }

    /// The package's metrics and intervals are the ensemble's: evaluating the loaded package
    /// reproduces them, and the first member alone scores differently.
    func testTheEnsemblesMetricsAndIntervalsAreCalibratedOnTheEnsemble() throws {
        let data = try writeSeries()
        let config = try makeConfig(data: data, ensemble: 2)
        let package = try train(config, "ensemble")
        let prepared = try DataPreparation.prepare(config)
        let samples = try XCTUnwrap(prepared.testSamples), windows = try XCTUnwrap(prepared.test)
        let training = Array(prepared.target[prepared.split.train])
        let scores = try Evaluator(package: package).score(samples, windows: windows, target: prepared.target, training: training,
                                                           seasonality: prepared.seasonality, intervals: package.manifest.intervals)
        XCTAssertEqual(scores.model, package.manifest.metrics.test)
        let first = Evaluator(model: package.model, input: ModelInput(manifest: package.manifest), quantiles: nil)
        XCTAssertNotEqual(try first.metrics(samples, windows: windows, target: prepared.target, training: training)?.rmse,
                          package.manifest.metrics.test?.rmse)

        // The intervals are calibrated on the ensemble's validation residuals: calibrating again
        // on the ensemble's validation outputs gives the package's widths, the first member's do not.
        let validation = try XCTUnwrap(prepared.validationSamples), vw = try XCTUnwrap(prepared.validation)
        let calibration = try XCTUnwrap(package.manifest.intervals)
        func widths(_ e: Evaluator) throws -> [[Double]] {
            let part = (outputs: try e.outputs(validation, targetSteps: vw.targetSteps, target: prepared.target),
                        actuals: NaiveBaseline.actuals(series: prepared.target, targetSteps: vw.targetSteps, horizon: vw.horizon))
            return IntervalCalibration.calibrate(config.intervalSettings, horizon: vw.horizon, quantiles: nil, validation: part).levels.map(\.widths)
        }
        XCTAssertEqual(try widths(Evaluator(package: package)), calibration.levels.map(\.widths))
        XCTAssertNotEqual(try widths(first), calibration.levels.map(\.widths))
    }

    /// A package whose manifest records more members than it holds weights for is refused, naming the file.
    func testAMissingMembersWeightsAreNamed() throws {
        let package = try train(try makeConfig(data: try writeSeries(), ensemble: 2), "ensemble")
        try FileManager.default.removeItem(atPath: (package.path as NSString).appendingPathComponent("weights-member-2.safetensors"))
        XCTAssertThrowsError(try ModelPackage.load(package.path)) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("weights-member-2.safetensors"), text)
            XCTAssertTrue(text.contains("2 members"), text)
        }
    }

    /// `training.ensemble` outside 1…100 is a config error naming the key.
    func testAnEnsembleOutsideItsRangeNamesTheKey() throws {
        let data = try writeSeries(hours: 50)
        for bad in [0, 101] {
            XCTAssertThrowsError(try makeConfig(data: data, ensemble: bad)) { error in
                let e = error as? ConfigError
                XCTAssertEqual(e?.keyPath, "training.ensemble", "\(error)")
            }
        }
    }
}
