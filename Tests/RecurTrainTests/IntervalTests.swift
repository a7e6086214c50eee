import Foundation
@testable import RecurTrain
import RecurTensor
import XCTest

final class IntervalTests: XCTestCase {
    func testConformalQuantileUsesTheFiniteSampleRank() {
        let scores = (1...10).map(Double.init).shuffled()
        // ⌈11 · 0.8⌉ = 9, ⌈11 · 0.5⌉ = 6; ⌈11 · 0.95⌉ = 11 > 10: not calibratable.
        XCTAssertEqual(IntervalCalibration.conformalQuantile(scores, level: 0.8), 9)
        XCTAssertEqual(IntervalCalibration.conformalQuantile(scores, level: 0.5), 6)
        XCTAssertNil(IntervalCalibration.conformalQuantile(scores, level: 0.95))
        // n = 19: ⌈20 · 0.95⌉ = 19 exactly (no rounding up past it).
        XCTAssertEqual(IntervalCalibration.conformalQuantile((1...19).map(Double.init), level: 0.95), 19)
        XCTAssertNil(IntervalCalibration.conformalQuantile([], level: 0.5))
    }

    /// Gaussian noise of known sigma around a known signal, forecast by the signal itself: the
    /// calibrated half-widths approach z·sigma and the coverage on fresh data is nominal.
    func testConformalCoverageOnGaussianNoise() throws {
        var rng = RandomGenerator(seed: 3)
        let sigma: Float = 2, H = 2
        func data(_ windows: Int) -> (ModelOutputs, [Float]) {
            var point = [Float](), actual = [Float]()
            for w in 0..<windows {
                for k in 0..<H {
                    let signal = 10 * sin(Float(w) * 0.05) + Float(k)
                    point.append(signal)
                    actual.append(signal + sigma * Float(k + 1) * Float(rng.nextNormal()))  // step 2 twice as noisy
                }
            }
            return (ModelOutputs(horizon: H, quantiles: nil, planes: [point]), actual)
        }
        let calibration = data(2000), fresh = data(20_000)
        let c = IntervalCalibration.calibrate(IntervalConfig(levels: [0.8, 0.95]), horizon: H, quantiles: nil,
                                              validation: (calibration.0, calibration.1))
        XCTAssertEqual(c.kind, .absoluteResidual)
        XCTAssertEqual(c.calibratedLevels, [0.8, 0.95])
        let z = [0.8: 1.2816, 0.95: 1.9600]
        for level in c.levels {
            for k in 0..<H {
                XCTAssertEqual(level.widths[k], z[level.level]! * Double(sigma) * Double(k + 1), accuracy: 0.08 * Double(k + 1) * Double(sigma),
                               "half-width, level \(level.level), step \(k + 1)")
            }
        }
        for band in try c.bands(fresh.0) {
            let m = try XCTUnwrap(band.metrics(actuals: fresh.1))
            XCTAssertEqual(m.coverage, band.level, accuracy: 0.02, "coverage at level \(band.level)")
            XCTAssertEqual(m.count, 40_000)
        }
    }

    /// CQR on a band that is too narrow: the correction widens it to nominal coverage.
    func testConformalisedQuantileRegressionCorrectsANarrowBand() throws {
        var rng = RandomGenerator(seed: 5)
        let quantiles = [0.1, 0.5, 0.9]
        func data(_ n: Int) -> (ModelOutputs, [Float]) {
            var planes = [[Float]](repeating: [], count: 3), actual = [Float]()
            for i in 0..<n {
                let signal = Float(i % 50) * 0.1
                planes[0].append(signal - 0.5)
                planes[1].append(signal)
                planes[2].append(signal + 0.5)  // true 10%/90% quantiles are ±1.28
                actual.append(signal + Float(rng.nextNormal()))
            }
            return (ModelOutputs(horizon: 1, quantiles: quantiles, planes: planes), actual)
        }
        let cal = data(3000), fresh = data(20_000)
        let c = IntervalCalibration.calibrate(IntervalConfig(levels: [0.8]), horizon: 1, quantiles: quantiles, validation: (cal.0, cal.1))
        XCTAssertEqual(c.kind, .cqr)
        let level = try XCTUnwrap(c.calibration(of: 0.8))
        XCTAssertEqual(level.lowerQuantile, 0)
        XCTAssertEqual(level.upperQuantile, 2)
        XCTAssertEqual(level.widths[0], 1.2816 - 0.5, accuracy: 0.08)
        let m = try XCTUnwrap(try c.bands(fresh.0)[0].metrics(actuals: fresh.1))
        XCTAssertEqual(m.coverage, 0.8, accuracy: 0.02)

        // The raw quantiles, uncalibrated, cover far less.
        let raw = IntervalCalibration.calibrate(IntervalConfig(levels: [0.8], method: .quantile), horizon: 1, quantiles: quantiles, validation: nil)
        let r = try XCTUnwrap(try raw.bands(fresh.0)[0].metrics(actuals: fresh.1))
        XCTAssertLessThan(r.coverage, 0.5)
    }

    func testTooFewValidationWindowsLeaveALevelUncalibrated() throws {
        let o = ModelOutputs(horizon: 1, quantiles: nil, planes: [[Float](repeating: 0, count: 10)])
        let c = IntervalCalibration.calibrate(IntervalConfig(levels: [0.8, 0.95]), horizon: 1, quantiles: nil,
                                              validation: (o, (0..<10).map(Float.init)))
        XCTAssertEqual(c.calibratedLevels, [0.8])
        XCTAssertTrue(c.uncalibrated?["95"]?.contains("at least 19") == true, "\(String(describing: c.uncalibrated))")
        XCTAssertThrowsError(try c.bands(o, levels: [0.95])) { error in
            XCTAssertTrue("\(error)".contains("0.95"), "\(error)")
            XCTAssertTrue("\(error)".contains("intervals.levels"), "\(error)")
        }
    }

    func testQuantilePlanesNeverCross() {
        // Two windows × two steps × three quantiles, some crossing.
        let raw: [Float] = [3, 1, 2, /**/ 0, 0, 0, /**/ -1, 5, 4, /**/ 9, 8, 7]
        let o = ModelOutputs.split(raw, quantiles: [0.1, 0.5, 0.9])
        XCTAssertEqual(o.planes[0], [1, 0, -1, 7])
        XCTAssertEqual(o.planes[1], [2, 0, 4, 8])
        XCTAssertEqual(o.planes[2], [3, 0, 5, 9])
        XCTAssertEqual(o.point, o.planes[1])
        for i in 0..<4 { XCTAssertTrue(o.planes[0][i] <= o.planes[1][i] && o.planes[1][i] <= o.planes[2][i]) }
        XCTAssertEqual(o.planeIndex(nearest: 0.05), 0)
        XCTAssertEqual(o.planeIndex(nearest: 0.975), 2)
        XCTAssertEqual(ModelOutputs.split([1, 2], quantiles: nil).point, [1, 2])
    }

    func testPersistenceIntervalsAreItsResidualQuantiles() throws {
        // Residuals 1...9 on one step: ranks ⌊10 · 0.1⌋ = 1 and ⌈10 · 0.9⌉ = 9.
        let forecasts = [Float](repeating: 0, count: 9), actuals = (1...9).map(Float.init)
        let b = try XCTUnwrap(BaselineIntervals(levels: [0.8], forecasts: forecasts, actuals: actuals, horizon: 1))
        XCTAssertEqual(b.offsets[0].lower, [1])
        XCTAssertEqual(b.offsets[0].upper, [9])
        let band = b.bands(forecasts: [10], horizon: 1)[0]
        XCTAssertEqual(band.lower, [11])
        XCTAssertEqual(band.upper, [19])
    }

    func testIntervalMetricsByHand() throws {
        // Actuals 0, 5, 10 in [2, 8]: one inside; width 6; pinball at 0.1 / 0.9.
        let m = try XCTUnwrap(IntervalMetrics(level: 0.8, lower: [2, 2, 2], upper: [8, 8, 8], actuals: [0, 5, 10]))
        XCTAssertEqual(m.coverage, 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(m.meanWidth, 6)
        // lower: y=0 → (0.1-1)(-2)=1.8; y=5 → 0.3; y=10 → 0.8.  upper: y=0 → 0.1·8=0.8; y=5 → 0.3; y=10 → 1.8
        XCTAssertEqual(m.pinball, ((1.8 + 0.8) / 2 + (0.3 + 0.3) / 2 + (0.8 + 1.8) / 2) / 3, accuracy: 1e-9)
        XCTAssertEqual(IntervalConfig.percent(0.8), "80")
        XCTAssertEqual(IntervalConfig.percent(0.975), "97.5")
    }

    // MARK: Config

    func config(training: String = "\"epochs\": 1", extra: String = "") -> String {
        """
        {"data": {"path": "s.csv", "datetime_column": "time", "target": "value"}, "window": {"n_past_steps": 4, "horizon": 3},
         "training": {\(training)}\(extra)}
        """
    }

    func testQuantileLossAndIntervalsConfig() throws {
        let c = try RecurConfig.parse(config(training: "\"epochs\": 1, \"loss\": {\"quantile\": [0.9, 0.1, 0.5]}",
                                             extra: ", \"intervals\": {\"levels\": [0.95, 0.5], \"method\": \"conformal\"}"))
        XCTAssertEqual(c.training.loss.quantiles, [0.1, 0.5, 0.9])
        XCTAssertEqual(c.intervalSettings.levels, [0.5, 0.95])
        // The output layer: 3 steps × 3 quantiles.
        XCTAssertEqual(try c.architecture().layers.last?.units, 9)
        // The native form round-trips (the tuner relies on it).
        let again = try RecurConfig.decode(c.nativeValue())
        XCTAssertEqual(again.training.loss, c.training.loss)
        XCTAssertEqual(again.intervals, c.intervals)
        XCTAssertEqual(try RecurConfig.parse(config()).intervalSettings, IntervalConfig(levels: [0.8, 0.95], method: .conformal))
    }

    func testBadQuantilesAndLevelsNameTheKey() {
        let cases: [(String, String, String)] = [
            (config(training: "\"epochs\": 1, \"loss\": {\"quantile\": [0.1, 0.5, 1.0]}"), "training.loss.quantile[2]", "(0, 1)"),
            (config(training: "\"epochs\": 1, \"loss\": {\"quantile\": [0.1, 0.5, 0.5]}"), "training.loss.quantile[2]", "repeated"),
            (config(training: "\"epochs\": 1, \"loss\": {\"quantile\": [0.1, 0.9]}"), "training.loss.quantile", "add 0.5"),
            (config(extra: ", \"intervals\": {\"levels\": [0.8, 1.5]}"), "intervals.levels[1]", "(0, 1)"),
            (config(extra: ", \"intervals\": {\"levels\": [0.8, 0.8]}"), "intervals.levels[1]", "repeated"),
            (config(extra: ", \"intervals\": {\"method\": \"quantile\"}"), "intervals.method", "quantile loss"),
            (config(training: "\"epochs\": 1, \"loss\": {\"quantile\": [0.1, 0.5, 0.9]}", extra: ", \"intervals\": {\"method\": \"quantile\", \"levels\": [0.8, 0.95]}"),
             "intervals.levels", "add 0.025 and 0.975"),
        ]
        for (text, key, fragment) in cases {
            guard let e = configError(text) else { continue }
            XCTAssertEqual(e.keyPath, key, "\(e)")
            XCTAssertTrue("\(e)".contains(fragment), "\(fragment) not in: \(e)")
        }
    }
}
