import Foundation
import XCTest
@testable import RecurData

/// Writes `text` to a fresh temporary file named `name` and returns its path.
func writeTemporaryCSV(_ text: String, name: String = "data.csv") throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recur-data-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url.path
}

/// The shared data sets folder (`../shared/datasets` beside the repository), or a skip.
func datasetsFolder() throws -> URL {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/RecurDataTests/TestFiles.swift -> repo root
    let folder = url.deletingLastPathComponent().appendingPathComponent("shared/datasets")
    guard FileManager.default.fileExists(atPath: folder.path) else { throw XCTSkip("no data sets at \(folder.path)") }
    return folder
}

/// The `DataError` that `body` throws, or a failure when it throws nothing or something else.
func dataError<T>(_ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line) -> DataError? {
    do {
        _ = try body()
        XCTFail("expected a DataError", file: file, line: line)
    } catch let error as DataError {
        XCTAssertFalse(error.description.isEmpty, file: file, line: line)
        return error
    } catch {
        XCTFail("unexpected error type: \(error)", file: file, line: line)
    }
    return nil
}
