import Foundation
import XCTest
@testable import RecurData

/// The trend and level-shift rule of `recur inspect` (`LevelShiftSummary`).
final class LevelShiftTests: XCTestCase {
    func testRepeatingCyclesAreNotAShiftAndATrendIs() throws {
        let seasonal = (0..<1000).map { sin(Double($0) * 2 * .pi / 100) }
        let s = try XCTUnwrap(LevelShiftSummary.of(seasonal))
        XCTAssertFalse(s.detected)
        XCTAssertEqual(s.outsideShare, 0)

        let trend = (0..<1000).map { 0.01 * Double($0) + sin(Double($0) * 2 * .pi / 100) }
        let t = try XCTUnwrap(LevelShiftSummary.of(trend))
        XCTAssertTrue(t.detected)
        XCTAssertGreaterThan(t.shift, 1)

        // A jump that stays inside the early range still counts when the mean moves by over a std.
        let jump = (0..<1000).map { Double($0 < 800 ? $0 % 2 : 1) }
        let j = try XCTUnwrap(LevelShiftSummary.of(jump))
        // Early: 0,1 alternating (mean 0.5, std 0.5); late: all 1: one std up, none outside [0, 1].
        XCTAssertEqual(j.shift, 1, accuracy: 1e-12)
        XCTAssertEqual(j.outsideShare, 0)
        XCTAssertTrue(j.detected)

        // Missing values are skipped; too few values give no verdict.
        XCTAssertNil(LevelShiftSummary.of([1, 2, .nan, 3]))
    }
}
