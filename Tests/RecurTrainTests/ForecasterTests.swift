import Foundation
import RecurData
import RecurNN
import RecurTensor
@testable import RecurTrain
import RecurTestSupport
import XCTest

/// Forecasting with a model package: rows and timestamps, recursive rollout, identical
/// predictions after loading, and the package checks.
final class ForecasterTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try temporaryFolder("recur-forecast")
    }

    /// An hourly `time,value[,aux]` CSV with a daily cycle, starting 2021-03-01 00:00.
    func writeSeries(_ name: String = "series.csv", hours: Int = 240, aux: Bool = false) throws -> String {
        var lines = [aux ? "time,value,aux" : "time,value"]
        let start = Timestamps.parse("2021-03-01 00:00:00")!.seconds
        for i in 0..<hours {
            let v = 10 + 4 * sin(Double(i) * 2 * .pi / 24) + Double(i % 5) * 0.05
            let time = Timestamps.format(start + Int64(i) * 3600)
            lines.append("\(time),\(String(format: "%.3f", v))" + (aux ? ",\(String(format: "%.2f", cos(Double(i) / 5)))" : ""))
        }
        let path = dir.appendingPathComponent(name).path
        try lines.joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Trains a tiny package on `data` and returns its path.
    func trainPackage(data: String, horizon: Int = 2, strategy: String = "direct", features: String = "",
                      extra: String = "") throws -> (path: String, config: RecurConfig) {
        let text = """
        {
          "data": {"path": "\(data)", "datetime_column": "time", "target": "value"\(features)},
          "window": {"n_past_steps": 6, "horizon": \(horizon), "strategy": "\(strategy)"},
          "model": {"layers": [{"type": "lstm", "units": 4}]},
          "training": {"epochs": 2, "batch_size": 16, "seed": 3, "checkpoint": false},
          "output": {"directory": "\(dir.path)"}\(extra)
        }
        """
        let config = try RecurConfig.parse(text)
        let options = TrainingOptions.silent(packagePath: dir.appendingPathComponent("pkg-\(horizon)-\(strategy)\(features.isEmpty ? "" : "-f")").path)
        let outcome = try TrainingRun.run(config, options: options)
        return (outcome.package, config)
    }

    /// The package's `Evaluator`, loaded from disk, scores the test part exactly as training
    /// did (model, baselines and interval scores): evaluate, backtest and serve score a model as
    /// training does.
    func testThePackagesEvaluatorReproducesTheTestMetricsOfTraining() throws {
        let data = try writeSeries(hours: 400)
        let (path, config) = try trainPackage(data: data, extra: ", \"intervals\": {\"levels\": [0.8]}")
        let package = try ModelPackage.load(path)
        let prepared = try DataPreparation.prepare(config)
        let samples = try XCTUnwrap(prepared.testSamples), windows = try XCTUnwrap(prepared.test)
        let target = prepared.target
        let scores = try Evaluator(package: package).score(samples, windows: windows, target: target,
                                                           training: Array(target[prepared.split.train]),
                                                           seasonality: prepared.seasonality, intervals: package.manifest.intervals)
        let test = try XCTUnwrap(package.manifest.metrics.test)
        XCTAssertEqual(scores.model, test)
        XCTAssertEqual(scores.persistence, package.manifest.baselines["persistence"]?.test)
        XCTAssertEqual(scores.seasonalNaive, package.manifest.baselines["seasonal_naive"]?.test)
        XCTAssertEqual(test.intervals?.count, 1, "the 80% interval is scored on the test part")
        XCTAssertNotNil(scores.persistence?.intervals, "persistence's own intervals are scored too")
    }

    func testForecastGivesOneRowPerStepAfterTheLastObservation() throws {
        let data = try writeSeries()
        let forecaster = Forecaster(package: try ModelPackage.load(try trainPackage(data: data).path))
        let forecast = try forecaster.forecast(csv: data, steps: 5)
        let last = Timestamps.parse("2021-03-10 23:00:00")!.seconds
        XCTAssertEqual(forecast.lastObservation, last)
        XCTAssertEqual(forecast.timestamps, (1...5).map { last + Int64($0) * 3600 })
        XCTAssertEqual(forecast.values.count, 5)
        XCTAssertTrue(forecast.values.allSatisfy { $0.isFinite && $0 > 0 && $0 < 20 }, "\(forecast.values)")
        XCTAssertFalse(forecast.isDaily)
        let csv = forecast.csv.split(separator: "\n")
        XCTAssertEqual(csv.first, "timestamp,value")
        XCTAssertEqual(csv.count, 6)
        XCTAssertTrue(csv[1].hasPrefix("2021-03-11 00:00:00,"), String(csv[1]))
    }

    func testRecursiveRolloutEqualsCallsByHand() throws {
        let data = try writeSeries()
        let forecaster = Forecaster(package: try ModelPackage.load(try trainPackage(data: data, horizon: 2).path))
        XCTAssertEqual(forecaster.stepsPerCall, 2)
        let series = try forecaster.load(csv: data).series
        let rolled = try forecaster.forecast(series: series, steps: 5)

        // By hand: forecast the horizon, append it as observations, forecast again.
        var s = series, byHand: [Float] = []
        while byHand.count < 5 {
            let f = try forecaster.forecast(series: s, steps: 2)
            XCTAssertEqual(f.timestamps.first, s.timestamps.last! + 3600)
            byHand += f.values
            s = CleanSeries(columns: s.columns, timestamps: s.timestamps + f.timestamps, stepSeconds: s.stepSeconds, isRegular: true,
                            values: s.values + f.values, valid: s.valid + [true, true])
        }
        XCTAssertEqual(rolled.values, Array(byHand.prefix(5)))
        XCTAssertEqual(rolled.timestamps.last, series.timestamps.last! + 5 * 3600)
        // The first call of the rollout is the direct forecast.
        XCTAssertEqual(Array(rolled.values.prefix(2)), try forecaster.forecast(series: series, steps: 2).values)
    }

    func testRecursiveStrategyRollsOneStepAtATime() throws {
        let data = try writeSeries()
        let forecaster = Forecaster(package: try ModelPackage.load(try trainPackage(data: data, horizon: 3, strategy: "recursive").path))
        XCTAssertEqual(forecaster.stepsPerCall, 1)
        let series = try forecaster.load(csv: data).series
        let three = try forecaster.forecast(series: series, steps: 3)
        let one = try forecaster.forecast(series: series, steps: 1)
        XCTAssertEqual(three.values.first, one.values.first)
        XCTAssertEqual(three.values.count, 3)
    }

    func testLoadedPackageGivesIdenticalPredictions() throws {
        let data = try writeSeries()
        let (path, config) = try trainPackage(data: data, horizon: 1)
        // predictions_test.csv holds the in-memory model's test predictions at training time.
        let csv = try String(contentsOfFile: (path as NSString).appendingPathComponent(ModelPackage.testPredictionsFile), encoding: .utf8)
        let written = csv.split(separator: "\n").dropFirst().map { Float($0.split(separator: ",", omittingEmptySubsequences: false)[3])! }
        let loaded = try ModelPackage.load(path)
        let prepared = try DataPreparation.prepare(config)
        let again = loaded.manifest.scaler.inverseTransformTarget(try FitLoop.predict(loaded.model, prepared.testSamples!).scalars)
        XCTAssertEqual(again, written)
        XCTAssertFalse(written.isEmpty)
        // Two loads forecast the same, bit for bit.
        let a = try Forecaster(package: loaded).forecast(csv: data, steps: 4)
        let b = try Forecaster(package: try ModelPackage.load(path)).forecast(csv: data, steps: 4)
        XCTAssertEqual(a, b)
    }

    func testNewerFormatVersionIsRejected() throws {
        let data = try writeSeries()
        let path = try trainPackage(data: data).path
        let manifest = (path as NSString).appendingPathComponent(ModelPackage.manifestFile)
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        XCTAssertTrue(text.contains("\"format_version\" : 1"), String(text.prefix(400)))
        try text.replacingOccurrences(of: "\"format_version\" : 1", with: "\"format_version\" : 99")
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ModelPackage.load(path)) { error in
            XCTAssertTrue("\(error)".contains("newer"), "\(error)")
            XCTAssertTrue("\(error)".contains("99"), "\(error)")
        }
    }

    func testFolderWithoutManifestIsNotAPackage() throws {
        XCTAssertThrowsError(try ModelPackage.load(dir.path)) { error in
            XCTAssertTrue("\(error)".contains("not a Recur model package"), "\(error)")
        }
    }

    func testMissingRecentStepsAreNamed() throws {
        let data = try writeSeries()
        let package = try ModelPackage.load(try trainPackage(data: data).path)
        // Drop 10 hours (longer than the 6-step gap the default policy fills) near the end.
        let lines = try String(contentsOfFile: data, encoding: .utf8).split(separator: "\n")
        let gappy = (Array(lines.prefix(lines.count - 13)) + Array(lines.suffix(3))).joined(separator: "\n") + "\n"
        let path = dir.appendingPathComponent("gappy.csv").path
        try gappy.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Forecaster(package: package).forecast(csv: path, steps: 1)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("latest 6 steps"), message)
            XCTAssertTrue(message.contains("2021-03-10 20:00:00"), message)
            XCTAssertTrue(message.contains("missing"), message)
            XCTAssertEqual((error as? ForecastError)?.isUsage, true)
        }
        // Too short an input.
        let short = dir.appendingPathComponent("short.csv").path
        try (lines.prefix(5).joined(separator: "\n") + "\n").write(toFile: short, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Forecaster(package: package).forecast(csv: short, steps: 1)) { error in
            XCTAssertEqual(error as? ForecastError, .tooFewSteps(file: "short.csv", have: 4, need: 6))
        }
    }

    /// Reading only the tail of a long file gives exactly the forecast (or the error) of reading
    /// it whole, with gaps, duplicated hours and rows out of order near its end.
    func testTailReadGivesTheSameForecastAsAFullRead() throws {
        let package = try ModelPackage.load(try trainPackage(data: try writeSeries()).path)
        let full = Forecaster(package: package, tailReadThreshold: Int.max)
        let long = try writeSeries("long.csv", hours: 3_000)
        let lines = try String(contentsOfFile: long, encoding: .utf8).split(separator: "\n").map(String.init)
        let row = { (hour: Int) in hour + 1 }  // lines[0] is the header
        func variant(_ name: String, _ edit: (inout [String]) -> Void) throws -> String {
            var copy = lines
            edit(&copy)
            let path = dir.appendingPathComponent(name).path
            try (copy.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let time = { (hour: Int) in lines[row(hour)].split(separator: ",")[0] }
        // The window is hours 2994-2999 (n_past_steps 6); the default policy fills gaps of up to 6.
        let cases: [(String, Bool)] = [
            (long, true),
            // A 2-hour gap inside the window; hour 2997 repeated with another value (the first
            // wins); hour 2998 first empty, then repeated with a value (the usable one wins).
            (try variant("gap-dup.csv") { l in
                l.insert("\(time(2998)),55.5", at: row(2998) + 1)
                l[row(2998)] = "\(time(2998)),"
                l.insert("\(time(2997)),99.0", at: row(2997) + 1)
                l.removeSubrange(row(2995)...row(2996))
            }, true),
            // A 5-hour gap ending just before the window: interpolation reaches back to hour 2988.
            (try variant("gap-before.csv") { l in l.removeSubrange(row(2989)...row(2993)) }, true),
            // Two rows out of order at the end: the whole file is read.
            (try variant("unsorted.csv") { l in l.swapAt(row(2999), row(2998)) }, false),
        ]
        for initial in [256, 2_048] {
            let tail = Forecaster(package: package, tailReadThreshold: 0, tailReadInitialBytes: initial)
            for (path, usesTail) in cases {
                let name = (path as NSString).lastPathComponent
                XCTAssertEqual(tail.loadRecent(csv: path) != nil, usesTail, "\(name), \(initial) bytes")
                XCTAssertEqual(try tail.forecast(csv: path, steps: 24), try full.forecast(csv: path, steps: 24), "\(name), \(initial) bytes")
            }
            // A gap longer than the policy fills, inside the window: the same error as a full read.
            let gappy = try variant("gappy-long.csv") { l in l.removeSubrange(row(2990)...row(2997)) }
            XCTAssertNil(tail.loadRecent(csv: gappy))
            var errors: [ForecastError?] = []
            for forecaster in [tail, full] {
                XCTAssertThrowsError(try forecaster.forecast(csv: gappy, steps: 1)) { errors.append($0 as? ForecastError) }
            }
            XCTAssertEqual(errors.count, 2)
            XCTAssertNotNil(errors.first ?? nil)
            XCTAssertEqual(errors.first, errors.last)
        }
        // The default threshold (1 MiB) reads a short file whole.
        XCTAssertNil(Forecaster(package: package).loadRecent(csv: long))
    }

    func testRecursionWithExtraFeaturesIsRefusedBeyondTheHorizon() throws {
        let data = try writeSeries(aux: true)
        let package = try ModelPackage.load(try trainPackage(data: data, horizon: 2, features: ", \"features\": [\"aux\"]").path)
        let forecaster = Forecaster(package: package)
        XCTAssertEqual(try forecaster.forecast(csv: data, steps: 2).values.count, 2)
        XCTAssertThrowsError(try forecaster.forecast(csv: data, steps: 3)) { error in
            XCTAssertTrue("\(error)".contains("aux"), "\(error)")
            XCTAssertTrue("\(error)".contains("at most 2 steps"), "\(error)")
        }
    }

    func testForecastFileMergeReplacesRowsOfTheSameTimestamps() throws {
        let path = dir.appendingPathComponent("out.csv").path
        let t0 = Timestamps.parse("2021-03-10")!.seconds
        func forecast(_ n: Int, _ base: Float) -> Forecast {
            Forecast(lastObservation: t0, stepSeconds: 86_400, timestamps: (1...n).map { t0 + Int64($0) * 86_400 },
                     values: (0..<n).map { base + Float($0) })
        }
        XCTAssertEqual(try ForecastWriter.merge(forecast(3, 1), into: path), 3)
        XCTAssertEqual(try ForecastWriter.merge(forecast(5, 10), into: path), 5)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8),
                       "timestamp,value\n2021-03-11,10.0\n2021-03-12,11.0\n2021-03-13,12.0\n2021-03-14,13.0\n2021-03-15,14.0\n")
        let other = dir.appendingPathComponent("other.csv").path
        try "a,b\n1,2\n".write(toFile: other, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ForecastWriter.merge(forecast(1, 0), into: other)) { error in
            XCTAssertTrue("\(error)".contains("not a forecast file"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOfFile: other, encoding: .utf8), "a,b\n1,2\n")
    }
}
