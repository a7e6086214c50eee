import Foundation
import XCTest
@testable import RecurData

/// Data a hostile user tried (issue 9, items 12, 13 and 15): each used to pass silently, crash
/// later without a line number, or print a poor message.
final class HostileDataTests: XCTestCase {
    func load(_ text: String, policy: CleaningPolicy = CleaningPolicy()) throws -> CleaningResult {
        let source = TimeSeriesSource(path: try writeTemporaryCSV(text, name: "s.csv"), timeColumn: "date", target: "temp")
        return try SeriesCleaner.load(source, policy: policy)
    }

    func series(_ values: [String]) -> String {
        "date,temp\n" + values.enumerated().map { String(format: "2020-%02d-%02d,", 1 + $0.offset / 28, 1 + $0.offset % 28) + $0.element }.joined(separator: "\n") + "\n"
    }

    func testNumbersBeyondFloat32AreInvalidCellsNamingTheLine() throws {
        // 1e39, 3.5e38 and 1e308 became ±inf in the Float32 series (inspect: mean -inf).
        for big in ["1e39", "-3.5e38", "1e308", "123456789012345678901234567890123456789012"] {
            let values = (0..<20).map { $0 == 5 ? big : "\(10 + $0 % 3)" }
            let error = dataError { try load(series(values), policy: CleaningPolicy(invalidCells: .error)) }
            XCTAssertEqual(error, .nonNumericCell(file: "s.csv", line: 7, column: "temp", text: big))
            XCTAssertTrue(error?.description.contains("beyond the range of 32-bit floats") == true, "\(String(describing: error))")
            // Under the default policy the cell is missing (and reported), never infinite.
            let cleaned = try load(series(values))
            XCTAssertTrue(cleaned.series.column(0).allSatisfy { $0.isFinite })
        }
        // The largest Float32 itself is still a number.
        XCTAssertEqual(try CSVReader.parse(text: "a\n3.4028234e38\n").number(row: 0, column: 0), 3.4028234e38)
    }

    func testAValueOrdersOfMagnitudeOutsideItsColumnStopsCleaningNamingLineAndValue() throws {
        // A single 1e30 trained silently to an RMSE of 4.9e28.
        let values = (0..<40).map { $0 == 12 ? "1e30" : String(format: "%.1f", 15 + 5 * sin(Double($0))) }
        let error = dataError { try load(series(values)) }
        guard case let .extremeValue(file, line, column, value, _, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual([file, column], ["s.csv", "temp"])
        XCTAssertEqual(line, 14)
        XCTAssertEqual(value, 1e30)
        XCTAssertTrue(error!.description.contains("extreme_values"), error!.description)
        // The policy can drop it (then it is a gap, interpolated) or keep it.
        var policy = CleaningPolicy()
        policy.extremeValues = .missing
        let dropped = try load(series(values), policy: policy)
        XCTAssertLessThan(dropped.series.column(0).map { abs($0) }.max()!, 100)
        policy.extremeValues = .keep
        XCTAssertEqual(try load(series(values), policy: policy).series.column(0).max(), 1e30)
        // Ordinary outliers (a few spreads out) are data, not errors.
        XCTAssertNoThrow(try load(series((0..<40).map { $0 == 12 ? "95" : "\(10 + $0 % 7)" })))
        // Inspection says that train would stop on it.
        let raw = try SeriesLoader.load(TimeSeriesSource(path: try writeTemporaryCSV(series(values), name: "s.csv"), timeColumn: "date", target: "temp"))
        let report = try DataInspector.inspect(raw: raw, source: TimeSeriesSource(path: "s.csv", timeColumn: "date", target: "temp"))
        XCTAssertTrue(report.advice.contains { $0.contains("orders of magnitude") && $0.contains("line 14") }, "\(report.advice)")
    }

    func testADuplicatedHeaderNameIsRefusedNamingBothColumns() {
        let error = dataError { try CSVReader.parse(text: "date,temp,hum,temp\n2020-01-01,1,2,3\n", fileName: "d.csv") }
        XCTAssertEqual(error, .duplicateColumn(file: "d.csv", column: "temp", first: 2, second: 4))
        XCTAssertTrue(error?.description.contains("column 2 and column 4") == true, "\(String(describing: error))")
        // Names equal after trimming spaces are the same column.
        XCTAssertNotNil(dataError { try CSVReader.parse(text: "temp, temp\n1,2\n") })
    }

    func testMessagesCapEchoedInputAndSayWhereRelativePathsResolve() throws {
        // A 10 MB header line was echoed whole into stderr.
        let header = "date," + (0..<200_000).map { "c\($0)" }.joined(separator: ",")
        let table = try CSVReader.parse(text: header + "\n" + "2020-01-01" + String(repeating: ",1", count: 200_000) + "\n", fileName: "wide.csv")
        let error = dataError { try table.columnIndex("temp", role: "target", key: "data.target") }
        XCTAssertLessThan(error?.description.count ?? .max, 600, "the header is shortened")
        XCTAssertTrue(error?.description.contains("…") == true)
        let long = String(repeating: "x", count: 1_000_000)
        XCTAssertLessThan(DataError.nonNumericCell(file: "f", line: 2, column: "temp", text: long).description.count, 600)
        // Missing files: a config's relative data.path is taken from the config's folder.
        let missing = DataError.fileNotFound(path: "/data/none.csv").description
        XCTAssertTrue(missing.contains("config file's folder"), missing)
        XCTAssertFalse(missing.contains("resolved from the current directory"), missing)
        // The data layer names the source's own settings; a caller renames them in its terms.
        let bare = DataError.missingColumn(file: "f", column: "t", role: "target", key: SourceSetting.target.rawValue, available: ["a"])
        XCTAssertEqual(bare.naming { $0 == .target ? "numeric_var" : "?" },
                       .missingColumn(file: "f", column: "t", role: "target", key: "numeric_var", available: ["a"]))
        XCTAssertEqual(DataError.fileNotFound(path: "p").naming { _ in "?" }, .fileNotFound(path: "p"))
    }

    func testOneRowSaysTwoRowsAreNeededNotAWindowOfOne() throws {
        let error = dataError { try load("date,temp\n2020-01-01,5\n") }
        XCTAssertEqual(error, .tooFewRowsForFrequency(file: "s.csv", have: 1))
        XCTAssertFalse(error?.description.contains("n_past_steps (1)") ?? true, "\(String(describing: error))")
    }

    func testTimestampsFarApartForTheirRowsAreRefusedBeforeTheGridIsBuilt() throws {
        // Found by fuzzing: a mistyped year (1010) made a 53-million-step grid for 3 rows.
        let text = "time,value\n1010-03-01T00:00:00Z,1\n2021-03-01T00:10:00Z,2\n2021-03-01T00:20:00Z,3\n"
        let source = TimeSeriesSource(path: try writeTemporaryCSV(text, name: "t.csv"), timeColumn: "time", target: "value")
        let error = dataError { try SeriesCleaner.load(source) }
        guard case let .sparseGrid(_, _, firstLine, _, lastLine, _, rows, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual([firstLine, lastLine, rows], [2, 4, 3])
        XCTAssertTrue(error!.description.contains("1010-03-01"), error!.description)
        // A long gap in a real series is still a gap.
        var lines = ["date,temp"]
        for d in 0..<30 { lines.append(String(format: "2019-01-%02d,%d", d + 1, d % 5)) }
        for d in 0..<30 { lines.append(String(format: "2021-01-%02d,%d", d + 1, d % 5)) }
        XCTAssertEqual(try load(lines.joined(separator: "\n") + "\n").series.count, 761)
    }

    func testSevenRowsNineteenCenturiesApartAreRefusedQuickly() throws {
        // Found by fuzzing (a 10 s unit): daily rows from 0110 to 2040 made a 700,000-step grid.
        let text = "date,temp\n2020-01-01,1.5\n0110-01-02,2.5\n2020-01-03,\n2040-01-04,3\n2010-01-01,1.5\n0220-01-02,4\n2020-01-03,2\n"
        let source = TimeSeriesSource(path: try writeTemporaryCSV(text, name: "t.csv"), timeColumn: "date", target: "temp")
        guard case .sparseGrid? = dataError({ try SeriesCleaner.load(source) }) else { return XCTFail("not refused") }
    }

    func testAnHourCellWithACombiningMarkAfterItsColonIsAnErrorNotATrap() throws {
        // Found by fuzzing: ":" followed by U+031E is one Character, so a Character search for
        // ":" failed where the byte search had found it, and a force unwrap trapped.
        let text = "date,hr,temp\n2006-08-25,07:\u{031E}30,5\n2006-08-25,08:00,6\n"
        let source = TimeSeriesSource(path: try writeTemporaryCSV(text, name: "h.csv"), timeColumn: "date", hourColumn: "hr", target: "temp")
        guard case let .unparseableDate(_, line, column, _, _)? = dataError({ try SeriesLoader.load(source) }) else { return XCTFail("not refused") }
        XCTAssertEqual(line, 2)
        XCTAssertEqual(column, "hr")
    }
}
