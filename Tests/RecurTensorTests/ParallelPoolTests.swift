import Dispatch
import Foundation
import RecurTensor
import RecurTestSupport
import XCTest

/// `Parallel.run` on RecurKernels' worker pool: every part runs exactly once, nested calls and
/// calls from several threads at once fall back without deadlock, and the pool keeps working
/// after its workers have gone to sleep.
final class ParallelPoolTests: XCTestCase {
    override func setUp() {
        super.setUp()
        restoreProcessSettingsAfterTest()
    }

    /// Runs `parts` parts that each add their index into their own slot, and checks the slots.
    func checkRun(parts: Int, file: StaticString = #filePath, line: UInt = #line) {
        let slots = UnsafeMutablePointer<Int>.allocate(capacity: parts)
        slots.initialize(repeating: 0, count: parts)
        defer { slots.deallocate() }
        Parallel.run(parts) { k in slots[k] += k + 1 }
        for k in 0..<parts { XCTAssertEqual(slots[k], k + 1, "part \(k) of \(parts)", file: file, line: line) }
    }

    func testEveryPartRunsOnceForManyForks() {
        for threads in [2, 3, 4] {
            Parallel.threadCount = threads
            for parts in [2, 3, 5, 16] {
                for _ in 0..<200 { checkRun(parts: parts) }
            }
        }
    }

    func testNestedRunsFallBack() {
        Parallel.threadCount = 2
        let inner = UnsafeMutablePointer<Int>.allocate(capacity: 4)
        inner.initialize(repeating: 0, count: 4)
        defer { inner.deallocate() }
        Parallel.run(2) { k in
            Parallel.run(2) { j in inner[2 * k + j] = 10 * k + j + 1 }
        }
        XCTAssertEqual(Array(UnsafeBufferPointer(start: inner, count: 4)), [1, 2, 11, 12])
    }

    func testRunsFromSeveralThreadsAtOnce() {
        Parallel.threadCount = 2
        let done = UnsafeMutablePointer<Int>.allocate(capacity: 4)
        done.initialize(repeating: 0, count: 4)
        defer { done.deallocate() }
        let box = UncheckedBox(done)
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            var ok = 0
            for _ in 0..<300 {
                var a = [0, 0, 0]
                a.withUnsafeMutableBufferPointer { p in
                    let base = p.baseAddress!
                    Parallel.run(3) { k in base[k] = k + 1 }
                }
                if a == [1, 2, 3] { ok += 1 }
            }
            box.value[t] = ok
        }
        XCTAssertEqual(Array(UnsafeBufferPointer(start: done, count: 4)), [300, 300, 300, 300])
    }

    func testPoolWakesAfterIdle() {
        Parallel.threadCount = 2
        checkRun(parts: 2)
        Thread.sleep(forTimeInterval: 0.05)  // long enough for the worker to stop spinning and sleep
        checkRun(parts: 2)
        checkRun(parts: 2)
    }
}

private struct UncheckedBox: @unchecked Sendable {
    let value: UnsafeMutablePointer<Int>
    init(_ value: UnsafeMutablePointer<Int>) { self.value = value }
}
