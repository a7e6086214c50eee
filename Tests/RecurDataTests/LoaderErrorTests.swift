import Foundation
import XCTest
@testable import RecurData

/// Every `DataError` the loader raises names file, line and column, or the setting.
final class LoaderErrorTests: XCTestCase {
    let text = "inme,date,hr,temp\nA620,2006-01-01,0,1\nA621,2006-01-01,1,2\nA620,2006-01-01,2,3\n"

    func load(_ text: String, _ change: (inout TimeSeriesSource) -> Void = { _ in }, policy: CleaningPolicy = CleaningPolicy()) throws -> CleaningResult {
        var source = TimeSeriesSource(path: try writeTemporaryCSV(text, name: "s.csv"), timeColumn: "date", hourColumn: "hr",
                                      stationColumn: "inme", station: "A620", target: "temp")
        change(&source)
        return try SeriesCleaner.load(source, policy: policy)
    }

    func testStations() throws {
        XCTAssertEqual(try load(text).series.column(0), [1, 3], "hours 0 and 2 of A620: a 2-hour step is inferred")
        XCTAssertEqual(dataError { try load(text) { $0.station = "B999" } },
                       .unknownStation(file: "s.csv", column: "inme", station: "B999", present: ["A620", "A621"]))
        XCTAssertEqual(dataError { try load(text) { $0.station = nil } },
                       .ambiguousStation(file: "s.csv", column: "inme", present: ["A620", "A621"]))
        XCTAssertEqual(dataError { try load(text) { $0.stationColumn = "sensor" } },
                       .missingColumn(file: "s.csv", column: "sensor", role: "station", key: SourceSetting.stationColumn.rawValue, available: ["inme", "date", "hr", "temp"]))
    }

    func testDates() throws {
        let bad = text.replacingOccurrences(of: "A620,2006-01-01,2", with: "A620,01/01/2006,2")
        let error = dataError { try load(bad) }
        XCTAssertEqual(error, .unparseableDate(file: "s.csv", line: 4, column: "date", text: "01/01/2006", expected: Timestamps.acceptedForms))
        XCTAssertEqual(error?.description.hasPrefix("s.csv, line 4, column 'date': cannot parse '01/01/2006'"), true)
        let badHour = text.replacingOccurrences(of: "2006-01-01,2,", with: "2006-01-01,25,")
        XCTAssertEqual(dataError { try load(badHour) },
                       .unparseableDate(file: "s.csv", line: 4, column: "hr", text: "25", expected: "an hour of the day, 0-23 or HH:MM"))
        XCTAssertEqual(try load(text.replacingOccurrences(of: "2006-01-01,2,", with: "2006-01-01,02:00,")).series.count, 2)
        XCTAssertNotNil(dataError { try load(text) { $0.since = "yesterday" } })
        XCTAssertNotNil(dataError { try load(text) { $0.since = "2007-01-01"; $0.until = "2006-01-01" } })
        XCTAssertNotNil(dataError { try load(text) { $0.whichMinute = 60 } })
    }

    func testAllValuesMissing() throws {
        let sentinels = "date,temp\n2020-01-01,0\n2020-01-02,0.0\n2020-01-03,\n"
        let error = dataError {
            try load(sentinels, { $0.hourColumn = nil; $0.stationColumn = nil; $0.station = nil }, policy: CleaningPolicy(sentinels: [0]))
        }
        XCTAssertEqual(error?.description.hasPrefix("no usable value of column 'temp' in s.csv (all 3 values are empty, non-numeric or equal to a sentinel (0.0))"), true, "\(String(describing: error))")
        let filtered = dataError { try load(text) { $0.since = "2010-01-01" } }
        if case .allValuesMissing? = filtered {} else { XCTFail("\(String(describing: filtered))") }
    }

    func testFileLevelErrorsThroughTheLoader() throws {
        XCTAssertEqual(dataError { try SeriesLoader.load(TimeSeriesSource(path: "/no/such.csv", timeColumn: "d", target: "v")) },
                       .fileNotFound(path: "/no/such.csv"))
        XCTAssertEqual(dataError { try load("") }, .emptyFile(file: "s.csv"))
        XCTAssertEqual(dataError { try load("inme,date,hr,temp\r\n") }, .headerOnly(file: "s.csv", columns: ["inme", "date", "hr", "temp"]))
        let nonNumeric = text.replacingOccurrences(of: "2006-01-01,2,3", with: "2006-01-01,2,abc")
        XCTAssertEqual(dataError { try load(nonNumeric, policy: CleaningPolicy(invalidCells: .error)) },
                       .nonNumericCell(file: "s.csv", line: 4, column: "temp", text: "abc"))
        XCTAssertEqual(try load(nonNumeric).report.invalidCells, LineSample(count: 1, lines: [4]))
    }
}
