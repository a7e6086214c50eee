import Foundation
import XCTest
@testable import RecurData

final class InspectionTests: XCTestCase {
    func testSummaryStatisticsMatchPandasDescribe() throws {
        // pandas.Series([1, 2, 3, 4, 10]).describe(): mean 4, std 3.535534, 25% 2, 50% 3, 75% 4.
        let s = try XCTUnwrap(SummaryStatistics([1, 2, .nan, 3, 4, 10]))
        XCTAssertEqual(s.count, 5)
        XCTAssertEqual(s.mean, 4)
        XCTAssertEqual(s.std, 3.5355339059327378, accuracy: 1e-12)
        XCTAssertEqual([s.min, s.q25, s.median, s.q75, s.max], [1, 2, 3, 4, 10])
        XCTAssertEqual(Statistics.quantile(sorted: [1, 2, 3, 4], 0.25), 1.75)
        XCTAssertNil(SummaryStatistics([.nan]))
    }

    func testPACFOfAnAR2ProcessCutsOffAfterLag2() {
        // x_t = 0.6 x_{t-1} - 0.3 x_{t-2} + e_t, with a fixed linear congruential noise.
        var state: UInt64 = 42
        func noise() -> Double {
            var sum = 0.0
            for _ in 0..<12 { state = state &* 6364136223846793005 &+ 1442695040888963407; sum += Double(state >> 11) / Double(1 << 53) }
            return sum - 6
        }
        var x = [0.0, 0.0]
        for _ in 0..<20_000 { x.append(0.6 * x[x.count - 1] - 0.3 * x[x.count - 2] + noise()) }
        let r = Statistics.autocorrelation(x, maxLag: 10)
        let p = Statistics.partialAutocorrelation(fromAutocorrelation: r)
        // Theory: rho1 = 0.6 / 1.3, pacf2 = -0.3.
        XCTAssertEqual(r[1], 0.6 / 1.3, accuracy: 0.02)
        XCTAssertEqual(p[1], r[1], accuracy: 1e-12)
        XCTAssertEqual(p[2], -0.3, accuracy: 0.02)
        for k in 3...10 { XCTAssertLessThan(abs(p[k]), 0.03, "lag \(k)") }
    }

    func testDurbinLevinsonAgainstClosedForm() {
        // For an AR(1) with rho^k autocorrelation, PACF is rho at lag 1 and 0 beyond.
        let r = (0...6).map { pow(0.8, Double($0)) }
        let p = Statistics.partialAutocorrelation(fromAutocorrelation: r)
        XCTAssertEqual(p[1], 0.8, accuracy: 1e-12)
        for k in 2...6 { XCTAssertEqual(p[k], 0, accuracy: 1e-12) }
        // Lag 2 by formula: (r2 - r1^2) / (1 - r1^2).
        let q = Statistics.partialAutocorrelation(fromAutocorrelation: [1, 0.5, 0.4])
        XCTAssertEqual(q[2], (0.4 - 0.25) / 0.75, accuracy: 1e-12)
    }

    func testSuspectedSentinelRule() {
        // A smooth spread of readings at 0.1 resolution plus a spike at -99.
        var values: [Double] = []
        for i in 0..<200 { for _ in 0..<(1 + i % 7) { values.append(10 + Double(i) / 10) } }
        let readings = values.count
        values += [Double](repeating: -99, count: 50)
        let found = DataInspector.suspectedSentinels(values)
        XCTAssertEqual(found.map(\.value), [-99])
        XCTAssertEqual(found.first?.count, 50)
        XCTAssertEqual(DataInspector.suspectedSentinels([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5]), [],
                       "coarse data with few levels is not flagged")
        XCTAssertEqual(found.first?.largestNeighbourCount, 0, "no reading lies near -99")
        XCTAssertEqual(DataInspector.suspectedSentinels(Array(values[0..<readings])), [])
    }

    func testInspectInlineFileTextAndJSON() throws {
        // 2000 hours of a noisy daily cycle at 0.1 resolution; every 10th reading is 0.0; one duplicated row.
        var state: UInt64 = 7
        var text = "timestamp,station,value\n"
        let base = Timestamps.parse("2021-03-01")!.seconds
        for h in 0..<2000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let noise = Double(state >> 11) / Double(1 << 53) * 3 - 1.5
            let v = h % 10 == 7 ? "0.0" : String(format: "%.1f", 20 + 5 * sin(Double(h) * 2 * .pi / 24) + noise)
            let line = "\(Timestamps.format(base + Int64(h) * 3600)),S1,\(v)\n"
            text += line
            if h == 100 { text += line }
        }
        let path = try writeTemporaryCSV(text, name: "inline.csv")
        let report = try DataInspector.inspect(path: path)
        XCTAssertEqual(report.source.timeColumn, "timestamp")
        XCTAssertEqual(report.source.stationColumn, "station")
        XCTAssertEqual(report.source.station, "S1")
        XCTAssertEqual(report.source.target, "value")
        XCTAssertEqual(report.rows, 2001)
        XCTAssertEqual(report.frequencySeconds, 3600)
        XCTAssertEqual(report.duplicates.timestamps, 1)
        XCTAssertEqual(report.suspectedSentinels.map(\.value), [0])
        XCTAssertEqual(report.missingValueGaps.count, 200)
        XCTAssertTrue(report.text.contains("suspected sentinel 0"))
        let decoded = try JSONDecoder().decode(DataQualityReport.self, from: JSONEncoder().encode(report))
        XCTAssertEqual(decoded, report)
        // With the sentinel configured it is counted, not suspected.
        let configured = try DataInspector.inspect(path: path, policy: CleaningPolicy(sentinels: [0]))
        XCTAssertEqual(configured.suspectedSentinels, [])
        XCTAssertEqual(configured.configuredSentinels.first?.cells.count, 200)
    }
}
