import Foundation
import RecurTestSupport
import XCTest
@testable import RecurData

/// Inspection and cleaning of the shared data sets (skipped when ../shared/datasets is absent).
final class RealDataTests: XCTestCase {
    func a620Source() throws -> TimeSeriesSource {
        TimeSeriesSource(path: try Datasets.path("a620-hourly-temperature.csv"),
                         timeColumn: "date", hourColumn: "hr", stationColumn: "inme", station: "A620", target: "temp")
    }

    func melbourneSource() throws -> TimeSeriesSource {
        TimeSeriesSource(path: try Datasets.path("melbourne-daily-min-temperatures.csv"),
                         timeColumn: "Date", target: "Temp")
    }

    func testA620InspectionFindsDuplicatesSentinelAndGaps() throws {
        let path = try a620Source().path
        let report = try DataInspector.inspect(path: path)   // columns guessed, as `recur inspect` does
        print(report.text)
        XCTAssertTrue(report.sourceInferred)
        XCTAssertEqual(report.source.timeColumn, "date")
        XCTAssertEqual(report.source.hourColumn, "hr")
        XCTAssertEqual(report.source.stationColumn, "inme")
        XCTAssertEqual(report.source.target, "temp")
        XCTAssertEqual(report.rows, 160_584)
        XCTAssertEqual(report.frequencySeconds, 3600)
        XCTAssertEqual(report.frequency, "1 hour")
        XCTAssertEqual(report.duplicates.timestamps, 72_768)
        XCTAssertEqual(report.duplicates.extraRows, 72_768)
        XCTAssertEqual(report.suspectedSentinels.map(\.value), [0.0])
        XCTAssertEqual(report.suspectedSentinels.first?.count, 5_281)
        XCTAssertGreaterThan(report.missingValueGaps.count, 0)
        XCTAssertGreaterThan(report.missingValueGaps.longest, 24)
        XCTAssertTrue(report.advice.contains { $0.contains("sentinel") })
        let suggested = report.autocorrelation.suggestedPastSteps
        XCTAssertTrue((2...48).contains(suggested), "suggested \(suggested)")
        // JSON round trip.
        let data = try JSONEncoder().encode(report)
        XCTAssertEqual(try JSONDecoder().decode(DataQualityReport.self, from: data), report)
    }

    func testA620TemplateTargetNameIsReportedWithTheColumnsThatExist() throws {
        var source = try a620Source()
        source.target = "temperature"
        source.keyNames = .template  // as a template config sets it (native keys are the default)
        let error = dataError { try SeriesLoader.load(source) }
        XCTAssertEqual(error?.description.contains("column 'temperature' (set by 'numeric_var') not found in a620-hourly-temperature.csv; columns are: inme, date, hr, temp"), true, "\(String(describing: error))")
    }

    func testCleanedA620HasNoSentinel() throws {
        let source = try a620Source()
        let raw = try SeriesLoader.load(source)
        let policy = CleaningPolicy(sentinels: [0.0])
        let result = try SeriesCleaner.clean(raw, policy: policy)
        print(result.report.text)
        let series = result.series
        XCTAssertEqual(series.stepSeconds, 3600)
        XCTAssertTrue(series.isRegular)
        XCTAssertFalse(series.values.contains(0.0), "a 0.0 sentinel survived cleaning")
        // Every timestamp whose raw rows were all sentinels is missing or filled, never 0.0.
        var sentinelOnly: Set<Int64> = []
        var hasReading: Set<Int64> = []
        for (i, t) in raw.timestamps.enumerated() {
            if raw.values[i] == 0 { sentinelOnly.insert(t) } else { hasReading.insert(t) }
        }
        sentinelOnly.subtract(hasReading)
        XCTAssertGreaterThan(sentinelOnly.count, 0)
        for t in sentinelOnly where t >= series.start && t <= series.timestamps.last! {
            let step = Int((t - series.start) / series.stepSeconds)
            let v = series.value(step: step)
            XCTAssertTrue(v.isNaN || v != 0, "step \(step)")
            XCTAssertEqual(series.valid[step], !v.isNaN)
        }
        XCTAssertEqual(result.report.sentinels.first?.cells.count, 5_281)
        XCTAssertEqual(result.report.duplicates.timestamps, 72_768)
        XCTAssertGreaterThan(result.report.duplicates.rescued, 0)
        XCTAssertGreaterThan(result.report.invalidSteps, 0, "gaps longer than 6 hours stay invalid")
        // Windows skip the invalid steps and never contain NaN.
        let windows = try series.windows(WindowSpec(nPastSteps: 12))
        XCTAssertFalse(windows.x.contains { $0.isNaN || $0 == 0 })
        XCTAssertFalse(windows.y.contains { $0.isNaN || $0 == 0 })
        XCTAssertLessThan(windows.count, series.count - 12)
    }

    func testMelbourne() throws {
        let source = try melbourneSource()
        let report = try DataInspector.inspect(path: source.path, source: source)
        print(report.text)
        XCTAssertEqual(report.rows, 3650)
        XCTAssertEqual(report.frequencySeconds, 86_400)
        XCTAssertEqual(report.duplicates.timestamps, 0)
        XCTAssertEqual(report.suspectedSentinels, [])
        // Two days are absent: 1984-12-31 and 1988-12-31 (Feb 29 of 1984 and 1988 are present).
        XCTAssertEqual(report.timestampGaps.count, 2)
        XCTAssertEqual(report.timestampGaps.totalMissingSteps, 2)
        XCTAssertEqual(Set(report.timestampGaps.examples.map(\.start)), ["1984-12-31 00:00:00", "1988-12-31 00:00:00"])
        let a = report.autocorrelation
        XCTAssertGreaterThan(a.pacf[1], 0.7)
        XCTAssertTrue(a.significantLags.contains(1))
        XCTAssertTrue((2...30).contains(a.suggestedPastSteps), "suggested \(a.suggestedPastSteps)")

        // Cleaned on the daily grid: 3652 days, the two missing ones interpolated.
        let result = try SeriesCleaner.load(source)
        XCTAssertEqual(result.series.count, 3652)
        XCTAssertEqual(result.report.filledCells, 2)
        XCTAssertEqual(result.series.validCount, 3652)

        // The seed lesson's rows: keepRows gives the 3650 rows as steps.
        let rows = try SeriesCleaner.load(source, policy: CleaningPolicy(gaps: GapPolicy(method: .keepRows)))
        XCTAssertEqual(rows.series.count, 3650)
        let split = try rows.series.split(.rows(train: 0..<2000, validation: 1500..<2000, test: 2000..<3650))
        let scaler = try Scaler.fit(.minMax, on: rows.series, rows: split.train)
        let scaled = scaler.transform(rows.series)
        let spec = WindowSpec(nPastSteps: 3)
        let train = try scaled.windows(spec, range: split.train, what: "train")
        let validation = try scaled.windows(spec, range: split.validation, what: "validation")
        let test = try scaled.windows(spec, range: split.test, what: "test")
        XCTAssertEqual(train.count, 1997)
        XCTAssertEqual(validation.count, 497)
        XCTAssertEqual(test.count, 1647)
        XCTAssertEqual(train.x.min(), 0)
        XCTAssertEqual(train.x.max(), 1)
        XCTAssertEqual(scaler.inverseTransformTarget([train.y[0]])[0], 14.6, accuracy: 1e-4)  // 1981-01-04
    }
}
