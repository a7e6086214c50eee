import Foundation
import XCTest

/// The test runner itself: a chatty child must not deadlock it.
final class CLIRunnerTests: XCTestCase {
    func testChildFillingStderrBeforeStdoutDoesNotDeadlock() throws {
        // 1 MB on stderr, then a line on stdout: reading stdout to its end first blocks the
        // child on a full stderr pipe forever.
        let script = "head -c 1000000 /dev/zero | tr '\\\\0' e >&2; echo done"
        let result = try CLIRunner.run(["-c", script], executable: URL(fileURLWithPath: "/bin/sh"))
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout, "done\n")
        XCTAssertEqual(result.stderr.utf8.count, 1_000_000)
    }
}
