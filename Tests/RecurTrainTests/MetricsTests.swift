import Foundation
import RecurTrain
import XCTest

final class MetricsTests: XCTestCase {
    // p = [1, 2, 3, 4], a = [1, 3, 2, 6]: errors 0, -1, 1, -2.
    let p: [Float] = [1, 2, 3, 4]
    let a: [Float] = [1, 3, 2, 6]

    func testBasicErrors() throws {
        XCTAssertEqual(try XCTUnwrap(ForecastMetrics.mae(p, a)), 1, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(ForecastMetrics.rmse(p, a)), 1.5.squareRoot(), accuracy: 1e-12)  // MSE 6/4
        XCTAssertEqual(try XCTUnwrap(ForecastMetrics.maxError(p, a)), 2, accuracy: 1e-12)
        // mean(a) = 3, SS_tot = 4 + 0 + 1 + 9 = 14, SS_res = 6.
        XCTAssertEqual(try XCTUnwrap(ForecastMetrics.r2(p, a)), 1 - 6.0 / 14.0, accuracy: 1e-12)
    }

    func testPercentageErrors() throws {
        // |e|/|a| = 0, 1/3, 1/2, 1/3 -> mean 7/24.
        XCTAssertEqual(try XCTUnwrap(ForecastMetrics.mape(p, a)), 100 * 7.0 / 24.0, accuracy: 1e-9)
        // 2|e|/(|p|+|a|) = 0, 2/5, 2/5, 4/10 -> mean 0.3.
        XCTAssertEqual(try XCTUnwrap(ForecastMetrics.smape(p, a)), 30, accuracy: 1e-9)
    }

    func testMAPESkipsZeroActualsAndSMAPEHandlesZeroPairs() throws {
        XCTAssertEqual(try XCTUnwrap(ForecastMetrics.mape([1, 1], [0, 2])), 50, accuracy: 1e-12)
        XCTAssertNil(ForecastMetrics.mape([1, 2], [0, 0]))
        XCTAssertEqual(try XCTUnwrap(ForecastMetrics.smape([0, 1], [0, 1])), 0, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(ForecastMetrics.smape([1], [0])), 200, accuracy: 1e-12)
    }

    func testMASE() throws {
        let training: [Float] = [1, 2, 4, 7]  // naive diffs 1, 2, 3 -> scale 2; lag-2 diffs 3, 5 -> 4
        XCTAssertEqual(try XCTUnwrap(ForecastMetrics.naiveScale(training: training)), 2, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(ForecastMetrics.mase(p, a, training: training)), 0.5, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(ForecastMetrics.mase(p, a, training: training, seasonality: 2)), 0.25, accuracy: 1e-12)
        XCTAssertNil(ForecastMetrics.mase(p, a, training: [3, 3, 3]))  // zero scale
        XCTAssertNil(ForecastMetrics.mase(p, a, training: [3]))        // too short
    }

    func testUndefinedAndNonFinite() throws {
        XCTAssertNil(ForecastMetrics.r2([1, 2], [5, 5]))
        XCTAssertNil(ForecastMetrics.rmse([], []))
        XCTAssertNil(MetricSet(predictions: [], actuals: []))
        XCTAssertNil(MetricSet(predictions: [.nan], actuals: [1]))
        let set = try XCTUnwrap(MetricSet(predictions: [1, .nan, 3], actuals: [2, 3, .infinity]))
        XCTAssertEqual(set.count, 1)
        XCTAssertEqual(set.mae, 1, accuracy: 1e-12)
    }

    func testAccumulatesInDouble() throws {
        // 1e6 + 0.1 is not representable well in Float sums; per-pair errors of 0.5 over 1e5 pairs.
        let n = 100_000
        let predictions = [Float](repeating: 1000.5, count: n), actuals = [Float](repeating: 1000, count: n)
        XCTAssertEqual(try XCTUnwrap(ForecastMetrics.mae(predictions, actuals)), 0.5, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(ForecastMetrics.rmse(predictions, actuals)), 0.5, accuracy: 1e-9)
    }

    func testMetricSetAndJSON() throws {
        let set = try XCTUnwrap(MetricSet(predictions: p, actuals: a, training: [1, 2, 4, 7]))
        XCTAssertEqual(set.rmse, 1.5.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(set.mae, 1, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(set.r2), 8.0 / 14.0, accuracy: 1e-12)
        XCTAssertEqual(set.maxError, 2)
        XCTAssertEqual(try XCTUnwrap(set.mape), 100 * 7.0 / 24.0, accuracy: 1e-9)
        XCTAssertEqual(set.smape, 30, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(set.mase), 0.5, accuracy: 1e-12)
        XCTAssertEqual(set.count, 4)

        let data = try JSONEncoder().encode(set)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["rmse", "mae", "r2", "max_error", "mape", "smape", "mase", "count"])
        XCTAssertEqual(try JSONDecoder().decode(MetricSet.self, from: data), set)
        // Undefined figures are left out.
        let noMASE = try XCTUnwrap(MetricSet(predictions: [1, 2], actuals: [5, 5]))
        let keys = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(noMASE)) as? [String: Any]).keys
        XCTAssertFalse(keys.contains("mase"))
        XCTAssertFalse(keys.contains("r2"))
    }

    func testPerHorizonStep() throws {
        // [2 samples, 2 steps]: step 0 errors 1, 1; step 1 errors 2, 4.
        let steps = MetricSet.perHorizonStep(predictions: [1, 2, 3, 4], actuals: [2, 4, 4, 8], horizon: 2)
        XCTAssertEqual(steps.count, 2)
        XCTAssertEqual(try XCTUnwrap(steps[0]).mae, 1, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(steps[1]).mae, 3, accuracy: 1e-12)
    }

    // MARK: baselines

    let series: [Float] = [10, 11, 12, 13, 14, 15, 16, 17]

    func testPersistence() throws {
        let forecast = try NaiveBaseline.persistence.forecast(series: series, targetSteps: [4, 6], horizon: 2)
        XCTAssertEqual(forecast, [13, 13, 15, 15])
        XCTAssertEqual(NaiveBaseline.actuals(series: series, targetSteps: [4, 6], horizon: 2), [14, 15, 16, 17])
        // errors 1, 2, 1, 2
        let metrics = try XCTUnwrap(try NaiveBaseline.persistence.evaluate(series: series, targetSteps: [4, 6], horizon: 2))
        XCTAssertEqual(metrics.mae, 1.5, accuracy: 1e-12)
        XCTAssertEqual(metrics.rmse, 2.5.squareRoot(), accuracy: 1e-12)
        XCTAssertThrowsError(try NaiveBaseline.persistence.forecast(series: series, targetSteps: [0], horizon: 1))
    }

    func testSeasonalNaive() throws {
        XCTAssertEqual(try NaiveBaseline.seasonalNaive(period: 3).forecast(series: series, targetSteps: [4, 6], horizon: 2),
                       [11, 12, 13, 14])
        // Horizon longer than the season repeats the last observed season: t=4, m=2 -> 12, 13, 12.
        XCTAssertEqual(try NaiveBaseline.seasonalNaive(period: 2).forecast(series: series, targetSteps: [4], horizon: 3),
                       [12, 13, 12])
        // Period 1 is persistence for one step.
        XCTAssertEqual(try NaiveBaseline.seasonalNaive(period: 1).forecast(series: series, targetSteps: [5], horizon: 1), [14])
        XCTAssertThrowsError(try NaiveBaseline.seasonalNaive(period: 5).forecast(series: series, targetSteps: [4], horizon: 1)) { error in
            XCTAssertEqual(error as? BaselineError, .insufficientHistory(targetStep: 4, needed: 5))
        }
        XCTAssertEqual(NaiveBaseline.seasonalNaive(period: 24).name, "seasonal_naive_24")
    }

    func testSeasonalPeriodFromFrequency() {
        XCTAssertEqual(NaiveBaseline.seasonalPeriod(frequencySeconds: 3_600), 24)
        XCTAssertEqual(NaiveBaseline.seasonalPeriod(frequencySeconds: 1_800), 48)
        XCTAssertEqual(NaiveBaseline.seasonalPeriod(frequencySeconds: 86_400), 7)
        XCTAssertEqual(NaiveBaseline.seasonalPeriod(frequencySeconds: 604_800), 52)
        XCTAssertEqual(NaiveBaseline.seasonalPeriod(frequencySeconds: 5_000), 1)
        XCTAssertEqual(NaiveBaseline.seasonalPeriod(frequencySeconds: 0), 1)
    }
}
