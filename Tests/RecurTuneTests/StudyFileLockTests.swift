import Dispatch
import Foundation
@testable import RecurTune
import RecurTestSupport
import XCTest

/// The lock that makes "is this the new best?" and writing the best package one step across
/// processes: a second holder waits until the first has finished.
final class StudyFileLockTests: XCTestCase {
    func testASecondHolderWaitsForTheFirst() throws {
        let dir = try temporaryFolder("recur-lock")
        let lock = StudyFileLock(path: dir.appendingPathComponent(".s.study.lock").path)
        let events = EventLog()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            try? lock.withLock {
                events.append("first in")
                Thread.sleep(forTimeInterval: 0.3)
                events.append("first out")
            }
        }
        Thread.sleep(forTimeInterval: 0.05)  // the first holds the lock by now
        DispatchQueue.global().async(group: group) {
            // A separate open file description, as another process would have.
            try? lock.withLock { events.append("second in") }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(events.entries, ["first in", "first out", "second in"])
        XCTAssertEqual(try lock.withLock { 42 }, 42, "the lock is free again and returns the body's value")
    }

    func testAnUnopenableLockFileIsAStorageError() {
        let lock = StudyFileLock(path: "/nonexistent-folder-\(UUID().uuidString)/.s.lock")
        XCTAssertThrowsError(try lock.withLock { () }) { error in
            guard case TuneError.storage(let path, let reason)? = error as? TuneError else { return XCTFail("\(error)") }
            XCTAssertTrue(path.hasSuffix(".s.lock"))
            XCTAssertTrue(reason.contains("lock file"), reason)
        }
    }
}

/// A thread-safe list of strings.
private final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ s: String) { lock.withLock { list.append(s) } }
    var entries: [String] { lock.withLock { list } }
}
