import Foundation
import XCTest

/// Several `recur predict` processes writing into one forecast file (issue 9, item 4): they
/// take turns on the file's lock, so every process's rows are in it at the end.
extension PredictEvaluateTests {
    func testConcurrentPredictsIntoOneFileLoseNoRows() throws {
        let package = try train(try writeSeries())
        // Inputs ending 3 hours apart: each forecasts 3 hours no other one does.
        let inputs = try (0..<4).map { k in try writeSeries("input-\(k).csv", hours: 200 + 3 * k) }
        for round in 0..<3 {
            let output = dir.appendingPathComponent("forecast-\(round).csv").path
            let results = try CLIRunner.runConcurrently(inputs.map { ["predict", package, "--input", $0, "--steps", "3", "--output", output] }, in: dir)
            for r in results { XCTAssertEqual(r.status, 0, r.stderr) }
            let rows = rows(try String(contentsOfFile: output, encoding: .utf8))
            XCTAssertEqual(rows.count, 12, "round \(round): 4 processes x 3 rows, none lost: \(rows.map(\.0))")
            XCTAssertEqual(Set(rows.map(\.0)).count, rows.count)
        }
    }
}
