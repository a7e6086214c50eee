import Foundation
import RecurData
import RecurNN
import RecurTensor
@testable import RecurTrain
import RecurTestSupport
import XCTest

/// The one path from a series to samples and back (`ModelInput`): window-relative scaling and
/// calendar columns applied alike at training and from the package alone; `scaling: "auto"`;
/// the honesty guard.
final class ModelInputTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try temporaryFolder("recur-input")
    }

    /// An hourly `time,value` CSV from 2021-03-01: a daily cycle plus `trend` per hour plus `level`.
    func writeSeries(_ name: String = "series.csv", hours: Int = 240, trend: Double = 0, level: Double = 0) throws -> String {
        var lines = ["time,value"]
        let start = Timestamps.parse("2021-03-01 00:00:00")!.seconds
        for i in 0..<hours {
            let v = level + 10 + trend * Double(i) + 4 * sin(Double(i) * 2 * .pi / 24) + Double(i % 5) * 0.05
            lines.append("\(Timestamps.format(start + Int64(i) * 3600)),\(String(format: "%.3f", v))")
        }
        let path = dir.appendingPathComponent(name).path
        try lines.joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func config(data: String, scaling: String = "window", calendar: String = "", horizon: Int = 1, epochs: Int = 3,
                learningRate: Double = 0.01, units: Int = 8) throws -> RecurConfig {
        try RecurConfig.parse("""
        {
          "data": {"path": "\(data)", "datetime_column": "time", "target": "value"\(calendar.isEmpty ? "" : ", \"calendar\": [\(calendar)]")},
          "window": {"n_past_steps": 6, "horizon": \(horizon)},
          "scaling": "\(scaling)",
          "model": {"layers": [{"type": "lstm", "units": \(units)}]},
          "training": {"epochs": \(epochs), "batch_size": 16, "seed": 3, "checkpoint": false,
                       "optimizer": {"name": "adam", "learning_rate": \(learningRate)}},
          "output": {"directory": "\(dir.path)"}
        }
        """)
    }

    func train(_ config: RecurConfig, _ name: String) throws -> TrainingOutcome {
        let options = TrainingOptions.silent(packagePath: dir.appendingPathComponent(name).path)
        return try TrainingRun.run(config, options: options)
    }

    func testAWindowScaledPackageForecastsALevelItNeverSaw() throws {
        let data = try writeSeries()
        let outcome = try train(try config(data: data), "window")
        let forecaster = Forecaster(package: try ModelPackage.load(outcome.package))
        XCTAssertEqual(forecaster.package.manifest.scaler.kind, .window)
        let base = try forecaster.forecast(csv: data, steps: 3)
        // The same series 1000 units higher: every forecast moves by exactly that much.
        let shifted = try forecaster.forecast(csv: try writeSeries("high.csv", level: 1000), steps: 3)
        for (a, b) in zip(base.values, shifted.values) { XCTAssertEqual(b - a, 1000, accuracy: 0.01) }
        // evaluate applies the same transform: the same errors at the new level.
        let a = try forecaster.evaluate(csv: data), b = try forecaster.evaluate(csv: dir.appendingPathComponent("high.csv").path)
        XCTAssertEqual(a.windows, b.windows)
        XCTAssertEqual(try XCTUnwrap(b.model?.rmse), try XCTUnwrap(a.model?.rmse), accuracy: 0.01)
        XCTAssertLessThan(try XCTUnwrap(a.model?.rmse), 1)
    }

    func testTrainingPredictAndTheLoadedPackageGoThroughOneTransform() throws {
        let data = try writeSeries(trend: 0.05)
        let config = try config(data: data, calendar: "\"hour_of_day\", \"day_of_week\"")
        let outcome = try train(config, "cal")
        let package = try ModelPackage.load(outcome.package)
        XCTAssertEqual(package.manifest.data.calendar?.features, [.hourOfDay, .dayOfWeek])
        XCTAssertEqual(package.manifest.data.columns, ["value"])
        XCTAssertEqual(package.manifest.scaler.columns.count, 5)
        XCTAssertEqual(package.manifest.architecture.inputFeatures, 5)

        // Training-time test predictions, written by the in-memory model ...
        let csv = try String(contentsOfFile: (outcome.package as NSString).appendingPathComponent(ModelPackage.testPredictionsFile), encoding: .utf8)
        let written = csv.split(separator: "\n").dropFirst().map { Float($0.split(separator: ",", omittingEmptySubsequences: false)[3])! }
        // ... equal predict's one-window calls on the raw series, from the package alone.
        let forecaster = Forecaster(package: package)
        let series = try forecaster.load(csv: data).series
        let prepared = try DataPreparation.prepare(config)
        let steps = prepared.test!.targetSteps
        XCTAssertEqual(written.count, steps.count)
        for (i, t) in steps.enumerated() {
            let head = CleanSeries(columns: series.columns, timestamps: Array(series.timestamps[..<t]), stepSeconds: series.stepSeconds,
                                   isRegular: true, values: Array(series.values[..<t]), valid: Array(series.valid[..<t]))
            XCTAssertEqual(try forecaster.forecast(series: head, steps: 1).values, [written[i]], "test window \(i)")
        }
    }

    func testCalendarColumnsRollForwardBeyondTheHorizon() throws {
        let data = try writeSeries()
        let outcome = try train(try config(data: data, calendar: "\"hour_of_day\"", horizon: 2), "roll")
        let forecaster = Forecaster(package: try ModelPackage.load(outcome.package))
        let series = try forecaster.load(csv: data).series
        let rolled = try forecaster.forecast(series: series, steps: 5)
        var s = series, byHand: [Float] = []
        while byHand.count < 5 {
            let f = try forecaster.forecast(series: s, steps: 2)
            byHand += f.values
            s = CleanSeries(columns: s.columns, timestamps: s.timestamps + f.timestamps, stepSeconds: s.stepSeconds, isRegular: true,
                            values: s.values + f.values, valid: s.valid + [true, true])
        }
        XCTAssertEqual(rolled.values, Array(byHand.prefix(5)))
    }

    func testMeasuredFeaturesWorkBesideTheCalendar() throws {
        var lines = ["time,value,aux"]
        let start = Timestamps.parse("2021-03-01 00:00:00")!.seconds
        for i in 0..<240 {
            let v = 10 + 4 * sin(Double(i) * 2 * .pi / 24)
            lines.append("\(Timestamps.format(start + Int64(i) * 3600)),\(String(format: "%.3f", v)),\(String(format: "%.2f", 50 + 10 * cos(Double(i) / 5)))")
        }
        let data = dir.appendingPathComponent("aux.csv").path
        try lines.joined(separator: "\n").appending("\n").write(toFile: data, atomically: true, encoding: .utf8)
        var config = try config(data: data, calendar: "\"hour_of_day\"", horizon: 2)
        config.data.features = ["aux"]
        let outcome = try train(config, "aux")
        let package = try ModelPackage.load(outcome.package)
        XCTAssertEqual(package.manifest.data.columns, ["value", "aux"])
        XCTAssertEqual(package.manifest.scaler.columns, ["value", "aux", "calendar.hour_of_day.sin", "calendar.hour_of_day.cos"])
        // aux is standard-scaled, the calendar not at all.
        XCTAssertEqual(package.manifest.scaler.offset[1], 50, accuracy: 1)
        XCTAssertEqual(Array(package.manifest.scaler.offset[2...]), [0, 0])
        XCTAssertEqual(Array(package.manifest.scaler.scale[2...]), [1, 1])
        let forecaster = Forecaster(package: package)
        XCTAssertEqual(try forecaster.forecast(csv: data, steps: 2).values.count, 2)
        // Beyond the horizon the measured feature's future is unknown (the calendar's is not).
        XCTAssertThrowsError(try forecaster.forecast(csv: data, steps: 3)) { error in
            XCTAssertTrue("\(error)".contains("aux"), "\(error)")
        }
    }

    func testCalendarConfigErrorsNameTheKey() throws {
        let data = try writeSeries()
        XCTAssertThrowsError(try config(data: data, calendar: "\"hour_of_year\"")) { error in
            let e = error as? ConfigError
            XCTAssertEqual(e?.keyPath, "data.calendar[0]")
            XCTAssertTrue(e?.message.contains("hour_of_day") == true, "\(error)")
        }
        XCTAssertThrowsError(try config(data: data, calendar: "\"day_of_week\", \"day_of_week\"")) { error in
            XCTAssertEqual((error as? ConfigError)?.keyPath, "data.calendar")
        }
        // minute_of_hour on hourly data: the frequency cannot carry it.
        let c = try config(data: data, calendar: "\"minute_of_hour\"")
        XCTAssertThrowsError(try DataPreparation.prepare(c)) { error in
            guard case let DataError.invalidSetting(key, value, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "data.calendar")
            XCTAssertEqual(value, "\"minute_of_hour\"")
        }
        // The native text round-trips the calendar.
        let cal = try config(data: data, calendar: "\"day_of_year\"")
        XCTAssertEqual(try RecurConfig.parse(cal.nativeJSON()).data.calendar, [.dayOfYear])
    }

    func testAutoKeepsTheLowerValidationRMSEAndRecordsIt() throws {
        let data = try writeSeries(hours: 300, trend: 0.08)
        let auto = try train(try config(data: data, scaling: "auto"), "auto")
        let minmax = try train(try config(data: data, scaling: "minmax"), "minmax")
        let window = try train(try config(data: data, scaling: "window"), "window")
        let choice = try XCTUnwrap(auto.scalingChoice)
        XCTAssertEqual(choice.validationRMSE["minmax"], minmax.metrics.validation?.rmse)
        XCTAssertEqual(choice.validationRMSE["window"], window.metrics.validation?.rmse)
        let windowWins = window.metrics.validation!.rmse < minmax.metrics.validation!.rmse
        let kept = windowWins ? window : minmax
        XCTAssertEqual(choice.chosen, windowWins ? "window" : "minmax")
        XCTAssertEqual(auto.metrics.test?.rmse, kept.metrics.test?.rmse)
        let manifest = try ModelPackage.load(auto.package).manifest
        XCTAssertEqual(manifest.scalingChoice, choice)
        XCTAssertEqual(manifest.scaler.kind, choice.chosen == "window" ? .window : .minMax)
        XCTAssertEqual(manifest.config.scaling, .auto)
    }

    func testHonestyGuardFlagsAModelWorseThanPersistence() throws {
        // A rising series, a global scaling and almost no training: far worse than persistence,
        // with the validation part above the training range.
        let data = try writeSeries(trend: 0.1)
        let bad = try train(try config(data: data, scaling: "minmax", epochs: 1, learningRate: 0.0001, units: 16), "bad")
        XCTAssertEqual(bad.worseThanPersistence, true)
        let honesty = try XCTUnwrap(bad.honesty)
        XCTAssertGreaterThan(honesty.modelRMSE, honesty.persistenceRMSE)
        let ids = honesty.causes.map(\.id)
        XCTAssertTrue(ids.contains("level_outside_training_range"), "\(ids)")
        XCTAssertTrue(ids.contains("too_few_samples"), "\(ids)")  // 138 samples, 1,169 parameters
        XCTAssertTrue(honesty.text.contains("\"scaling\": \"window\""), honesty.text)
        let manifest = try ModelPackage.load(bad.package).manifest
        XCTAssertEqual(manifest.worseThanPersistence, true)
        XCTAssertEqual(manifest.honesty, honesty)
        XCTAssertEqual(HonestyGuard.recorded(packagePath: bad.package), true)

        let good = try train(try config(data: data, epochs: 15), "good")
        XCTAssertEqual(good.worseThanPersistence, false)
        XCTAssertNil(good.honesty)
        XCTAssertEqual(HonestyGuard.recorded(packagePath: good.package), false)
    }
}
