import Foundation
import RecurTestSupport
import XCTest
@testable import RecurData

extension XCTestCase {
    /// Writes `text` to a fresh temporary folder (removed when the test ends) as `name` and returns its path.
    func writeTemporaryCSV(_ text: String, name: String = "data.csv") throws -> String {
        let url = try temporaryFolder("recur-data-tests").appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }
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
