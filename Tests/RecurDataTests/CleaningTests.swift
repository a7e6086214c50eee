import Foundation
import XCTest
@testable import RecurData

final class CleaningTests: XCTestCase {
    /// Loads inline CSV text with columns `date,hr,temp` (or a custom source) and cleans it.
    func clean(_ text: String, policy: CleaningPolicy = CleaningPolicy(),
               source: (String) -> TimeSeriesSource = { TimeSeriesSource(path: $0, timeColumn: "date", hourColumn: "hr", target: "temp") }) throws -> CleaningResult {
        let path = try writeTemporaryCSV(text, name: "inline.csv")
        return try SeriesCleaner.load(source(path), policy: policy)
    }

    let duplicated = "date,hr,temp\n2020-01-01,0,1\n2020-01-01,1,0.0\n2020-01-01,1,2\n2020-01-01,1,4\n2020-01-01,2,3\n"

    func testDuplicatePolicies() throws {
        let first = try clean(duplicated, policy: CleaningPolicy(duplicates: .first, sentinels: [0]))
        XCTAssertEqual(first.series.column(0), [1, 2, 3], "the sentinel never outvotes a reading")
        XCTAssertEqual(first.report.duplicates.timestamps, 1)
        XCTAssertEqual(first.report.duplicates.extraRows, 2)
        XCTAssertEqual(first.report.duplicates.conflicting, 1)
        XCTAssertEqual(first.report.duplicates.rescued, 1)
        XCTAssertEqual(first.report.duplicates.examples.first?.lines, [3, 4, 5])
        XCTAssertEqual(try clean(duplicated, policy: CleaningPolicy(duplicates: .last, sentinels: [0])).series.column(0), [1, 4, 3])
        XCTAssertEqual(try clean(duplicated, policy: CleaningPolicy(duplicates: .mean, sentinels: [0])).series.column(0), [1, 3, 3])
        XCTAssertEqual(try clean(duplicated, policy: CleaningPolicy(duplicates: .first)).series.column(0), [1, 0, 3], "without sentinels 0.0 is a reading")
        let error = dataError { try clean(duplicated, policy: CleaningPolicy(duplicates: .error)) }
        XCTAssertEqual(error, .duplicateTimestamp(file: "inline.csv", line: 4, firstLine: 3, timestamp: "2020-01-01 01:00:00"))
    }

    func testSentinelsInvalidCellsAndOrder() throws {
        let text = "date,hr,temp\n2020-01-01,2,3\n2020-01-01,0,1\n2020-01-01,1,-999\n2020-01-01,3,\n2020-01-01,4,x\n2020-01-01,5,6\n"
        let result = try clean(text, policy: CleaningPolicy(sentinels: [-999]))
        XCTAssertEqual(result.report.outOfOrder.count, 1)
        XCTAssertEqual(result.report.outOfOrder.lines, [3])
        XCTAssertEqual(result.report.sentinels.first?.cells, LineSample(count: 1, lines: [4]))
        XCTAssertEqual(result.report.invalidCells, LineSample(count: 2, lines: [5, 6]))
        XCTAssertEqual(result.series.column(0), [1, 2, 3, 4, 5, 6], "sorted, the sentinel and invalid cells interpolated")
        XCTAssertEqual(result.report.filledCells, 3)
        XCTAssertEqual(result.report.gaps.count, 2)
        let error = dataError { try clean(text, policy: CleaningPolicy(invalidCells: .error)) }
        XCTAssertEqual(error, .nonNumericCell(file: "inline.csv", line: 5, column: "temp", text: ""))
        XCTAssertEqual(error?.description.contains("inline.csv, line 5, column 'temp': empty cell"), true)
    }

    func testGapPolicies() throws {
        // Hours 0,1 then 5 (3 absent), then 6, 7 and 11 (3 absent): values rise by 1 per hour.
        let text = "date,hr,temp\n2020-01-01,0,0.5\n2020-01-01,1,1.5\n2020-01-01,5,5.5\n2020-01-01,6,6.5\n2020-01-01,7,7.5\n2020-01-01,11,11.5\n"
        let interpolated = try clean(text)
        XCTAssertEqual(interpolated.series.count, 12)
        XCTAssertEqual(interpolated.series.column(0), (0..<12).map { Float($0) + 0.5 })
        XCTAssertEqual(interpolated.report.absentSteps, 6)
        XCTAssertEqual(interpolated.report.gaps.longest, 3)

        let short = try clean(text, policy: CleaningPolicy(gaps: GapPolicy(method: .interpolate, maxGap: 2)))
        XCTAssertEqual(short.series.validCount, 6)
        XCTAssertTrue(short.series.column(0)[2].isNaN)
        XCTAssertEqual(short.report.invalidSteps, 6)

        let filled = try clean(text, policy: CleaningPolicy(gaps: GapPolicy(method: .forwardFill, maxGap: nil)))
        XCTAssertEqual(Array(filled.series.column(0)[0..<6]), [0.5, 1.5, 1.5, 1.5, 1.5, 5.5])

        let dropped = try clean(text, policy: CleaningPolicy(gaps: GapPolicy(method: .drop)))
        XCTAssertEqual(dropped.series.valid, [true, true, false, false, false, true, true, true, false, false, false, true])
        XCTAssertEqual(dropped.report.filledCells, 0)

        let rows = try clean(text, policy: CleaningPolicy(gaps: GapPolicy(method: .keepRows)))
        XCTAssertEqual(rows.series.count, 6)
        XCTAssertFalse(rows.series.isRegular)
        XCTAssertEqual(rows.series.stepSeconds, 3600)

        let explicit = try clean(text, policy: CleaningPolicy(frequencySeconds: 7200))
        XCTAssertEqual(explicit.report.offGrid.count, 4, "odd hours are off a 2-hour grid starting at hour 0")
        XCTAssertFalse(explicit.report.stepInferred)
    }

    func testInterpolationNeverProducesASentinel() throws {
        let text = "date,hr,temp\n2020-01-01,0,-1\n2020-01-01,1,0\n2020-01-01,2,1\n"
        let result = try clean(text, policy: CleaningPolicy(sentinels: [0]))
        XCTAssertEqual(result.series.validCount, 3)
        XCTAssertFalse(result.series.values.contains(0))
        XCTAssertEqual(result.series.value(step: 1), 0, accuracy: 1e-30)
    }

    func testDatetimeColumnStationFeaturesBoundsAndMinute() throws {
        let text = """
        station,time,temp,humidity
        B,2020-01-01T00:00,9,9
        A,2020-01-01T00:00,1,10
        A,2020-01-01T00:30,1.5,15
        A,2020-01-01T01:00,2,20
        A,2020-01-01T02:00,3,30
        A,2020-01-02T00:00,4,40

        """
        let source = { (path: String) in
            TimeSeriesSource(path: path, timeColumn: "time", stationColumn: "station", station: "A", target: "temp",
                             features: ["humidity"], since: "2020-01-01", until: "2020-01-01", whichMinute: 0)
        }
        let result = try clean(text, source: source)
        XCTAssertEqual(result.series.columns, ["temp", "humidity"])
        XCTAssertEqual(result.series.values, [1, 10, 2, 20, 3, 30])
        XCTAssertEqual(result.series.start, Timestamps.parse("2020-01-01T00:00")!.seconds)
        XCTAssertEqual(result.report.rowsFiltered, 3)
        let raw = try SeriesLoader.load(source(try writeTemporaryCSV(text)))
        XCTAssertEqual(raw.rowsOtherStations, 1)
        XCTAssertEqual(raw.rowsOtherMinutes, 1)
        XCTAssertEqual(raw.rowsOutsideDates, 1)
        XCTAssertEqual(raw.stations, ["A": 5, "B": 1])
    }

    func testCodablePolicyDefaults() throws {
        let policy = try JSONDecoder().decode(CleaningPolicy.self, from: Data(#"{"sentinels":[0.0],"gaps":{"method":"forwardFill"}}"#.utf8))
        XCTAssertEqual(policy.duplicates, .first)
        XCTAssertEqual(policy.sentinels, [0])
        XCTAssertEqual(policy.gaps.method, .forwardFill)
        XCTAssertEqual(policy.gaps.maxGap, 6, "an absent maxGap keeps the default")
        let unlimited = try JSONDecoder().decode(GapPolicy.self, from: Data(#"{"method":"forwardFill","maxGap":null}"#.utf8))
        XCTAssertNil(unlimited.maxGap)
        let round = try JSONDecoder().decode(CleaningPolicy.self, from: JSONEncoder().encode(CleaningPolicy()))
        XCTAssertEqual(round, CleaningPolicy())
    }
}
