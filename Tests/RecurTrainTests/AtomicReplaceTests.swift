import Foundation
import RecurTestSupport
import XCTest
@testable import RecurTrain

/// `AtomicReplace` and `OwnedLeftovers` (issue 9, item 3): a package path never goes missing
/// while it is replaced, and leftovers are told apart by their owner's pid.
final class AtomicReplaceTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try temporaryFolder("recur-replace")
    }

    func folder(_ name: String, marker: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try marker.write(to: url.appendingPathComponent("manifest.json"), atomically: false, encoding: .utf8)
        return url.path
    }

    func testAnExistingFolderIsSwappedInOneStepAndTheOldOneRemoved() throws {
        let destination = try folder("pkg", marker: "old")
        let staging = try folder(".pkg.partial-1", marker: "new")
        let method = try AtomicReplace.replace(destination, with: staging)
        #if os(Linux)
        XCTAssertEqual(method, .exchange, "renameat2(RENAME_EXCHANGE) on the test's file system")
        #endif
        XCTAssertEqual(try String(contentsOfFile: destination + "/manifest.json", encoding: .utf8), "new")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["pkg"], "no staging or old copy left")
        // A missing destination and an empty claimed folder take a plain rename.
        XCTAssertEqual(try AtomicReplace.replace(dir.appendingPathComponent("fresh").path, with: try folder("s2", marker: "a")), .rename)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("claimed"), withIntermediateDirectories: false)
        XCTAssertEqual(try AtomicReplace.replace(dir.appendingPathComponent("claimed").path, with: try folder("s3", marker: "b")), .rename)
    }

    func testAReaderAlwaysFindsAPackageWhileItIsReplacedOverAndOver() throws {
        let destination = try folder("pkg", marker: "0")
        let marker = destination + "/manifest.json"
        let stop = ManagedAtomicFlag()
        let reader = Thread {
            var misses = 0, reads = 0
            while !stop.isSet {
                reads += 1
                if access(marker, F_OK) != 0 { misses += 1 }
            }
            stop.finished(reads: reads, misses: misses)
        }
        reader.start()
        for k in 1...300 {
            _ = try AtomicReplace.replace(destination, with: try folder(".pkg.partial-\(k)", marker: "\(k)"))
        }
        stop.set()
        let (reads, misses) = stop.waitFinished()
        XCTAssertGreaterThan(reads, 0)
        XCTAssertEqual(misses, 0, "the package path was missing in \(misses) of \(reads) reads")
        XCTAssertEqual(try String(contentsOfFile: marker, encoding: .utf8), "300")
    }

    func testLeftoverNamesCarryTheirOwnersPid() {
        XCTAssertEqual(OwnedLeftovers.owner(ofName: ".pkg.partial-123"), 123)
        XCTAssertEqual(OwnedLeftovers.owner(ofName: ".my.pkg.old-7"), 7)
        XCTAssertEqual(OwnedLeftovers.owner(ofName: ".f.csv.tmp-9"), 9)
        XCTAssertEqual(OwnedLeftovers.owner(ofName: ".pkg.checkpoint-42.safetensors"), 42)
        for name in ["pkg.partial-1", ".pkg.partial-", ".pkg.partial-x", ".pkg.other-3", ".pkg.checkpoint-4", ".pkg.partial-5.safetensors", ".lock"] {
            XCTAssertNil(OwnedLeftovers.owner(ofName: name), name)
        }
        XCTAssertEqual(OwnedLeftovers.path(for: "/a/b/pkg", .checkpoint, pid: 5), "/a/b/.pkg.checkpoint-5.safetensors")
        XCTAssertFalse(OwnedLeftovers.isDead(getpid()), "this process is alive")
    }
}

/// A flag one thread sets and another polls, with a wait for the poller to finish.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let condition = NSCondition()
    private var value = false, done = false, counts = (0, 0)
    var isSet: Bool { condition.withLock { value } }
    func set() { condition.withLock { value = true } }
    func finished(reads: Int, misses: Int) { condition.withLock { done = true; counts = (reads, misses); condition.broadcast() } }
    /// Waits for the poller; returns what it counted (reads, misses).
    func waitFinished() -> (Int, Int) { condition.withLock { while !done { condition.wait() }; return counts } }
}
