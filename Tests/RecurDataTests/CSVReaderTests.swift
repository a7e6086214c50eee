import Foundation
import RecurTestSupport
import XCTest
@testable import RecurData

final class CSVReaderTests: XCTestCase {
    func testQuotedFieldsCRLFAndBOM() throws {
        let text = "\u{FEFF}name, value ,note\r\n\"a,b\",1.5,\"say \"\"hi\"\"\"\r\n\r\nplain,-2e3,\"two\nlines\"\r\nlast,7,\n"
        let table = try CSVReader.parse(text: text, fileName: "t.csv")
        XCTAssertEqual(table.header, ["name", "value", "note"])
        XCTAssertEqual(table.rowCount, 3)
        XCTAssertEqual(table.field(row: 0, column: 0), "a,b")
        XCTAssertEqual(table.field(row: 0, column: 2), "say \"hi\"")
        XCTAssertEqual(table.number(row: 0, column: 1), 1.5)
        XCTAssertEqual(table.number(row: 1, column: 1), -2000)
        XCTAssertEqual(table.field(row: 1, column: 2), "two\nlines")
        XCTAssertEqual(table.field(row: 2, column: 2), "")
        XCTAssertEqual(table.line(ofRow: 0), 2)
        XCTAssertEqual(table.line(ofRow: 1), 4)
        XCTAssertEqual(table.line(ofRow: 2), 6, "the quoted line break counts as a line")
        XCTAssertEqual(try table.columnIndex("value", role: "target"), 1)
    }

    func testNumberParsing() throws {
        let cells = ["23.4", " -0.1 ", "+3", "1e-3", "12345678901234567890", "0.1234567890123456789", "", "abc", "nan", "inf", "1.2.3", "4e", ".5", "5."]
        let text = "v\n" + cells.map { "\"\($0)\"" }.joined(separator: "\n") + "\n"
        let table = try CSVReader.parse(text: text)
        let parsed = (0..<table.rowCount).map { table.number(row: $0, column: 0) }
        XCTAssertEqual(parsed[0], 23.4)
        XCTAssertEqual(parsed[1], -0.1)
        XCTAssertEqual(parsed[2], 3)
        XCTAssertEqual(parsed[3], 0.001)
        XCTAssertEqual(parsed[4], 12345678901234567890)
        XCTAssertEqual(parsed[5], 0.1234567890123456789)
        XCTAssertNil(parsed[6]); XCTAssertNil(parsed[7]); XCTAssertNil(parsed[8]); XCTAssertNil(parsed[9])
        XCTAssertNil(parsed[10]); XCTAssertNil(parsed[11])
        XCTAssertEqual(parsed[12], 0.5)
        XCTAssertEqual(parsed[13], 5)
        // The fast path agrees with the standard library on many decimals.
        for k in 0..<2000 {
            let s = String(format: "%.\(k % 7)f", Double(k) * 0.731 - 500)
            let t = try CSVReader.parse(text: "v\n\(s)\n")
            XCTAssertEqual(t.number(row: 0, column: 0), Double(s), s)
        }
    }

    func testReadErrors() throws {
        let missing = dataError { try CSVReader.read(path: "/nonexistent/x.csv") }
        XCTAssertEqual(missing, .fileNotFound(path: "/nonexistent/x.csv"))
        XCTAssertEqual(dataError { try CSVReader.read(path: try writeTemporaryCSV("", name: "e.csv")) }, .emptyFile(file: "e.csv"))
        XCTAssertEqual(dataError { try CSVReader.read(path: try writeTemporaryCSV("\u{FEFF}\n\n", name: "e.csv")) }, .emptyFile(file: "e.csv"))
        XCTAssertEqual(dataError { try CSVReader.read(path: try writeTemporaryCSV("a,b\n", name: "h.csv")) }, .headerOnly(file: "h.csv", columns: ["a", "b"]))
        XCTAssertEqual(dataError { try CSVReader.parse(text: "a,b\n1,2\n3\n", fileName: "m.csv") },
                       .malformedRow(file: "m.csv", line: 3, expectedFields: 2, foundFields: 1))
        XCTAssertEqual(dataError { try CSVReader.parse(text: "a,b\n1,\"2\n", fileName: "q.csv") }, .unterminatedQuote(file: "q.csv", line: 2))
        let table = try CSVReader.parse(text: "inme,date,hr,temp\nA620,2006-01-01,0,1\n", fileName: "a620.csv")
        let error = dataError { try table.columnIndex("temperature", role: "target", key: "numeric_var") }
        XCTAssertEqual(error?.description, "target column 'temperature' (set by 'numeric_var') not found in a620.csv; columns are: inme, date, hr, temp; set it to one of them")
    }

    /// Every row of A620 is read and parsed (its speed is the harness's business, BENCHMARKS.md).
    func testA620ReadsWhole() throws {
        let path = try Datasets.path("a620-hourly-temperature.csv")
        let table = try CSVReader.read(path: path)
        let raw = try SeriesLoader.load(TimeSeriesSource(path: path, timeColumn: "date", hourColumn: "hr", stationColumn: "inme",
                                                         station: "A620", target: "temp"), table: table)
        XCTAssertEqual(table.rowCount, 160_584)
        XCTAssertEqual(raw.count, 160_584)
    }
}
