import RecurTestSupport
import XCTest

/// The comparison behind `assertClose`: NaN on either side and the worst element.
final class AssertCloseTests: XCTestCase {
    func testNaNInExpectedIsAMismatchEvenAfterAWorseElement() {
        // [5, 1, 1] against [1, NaN, 1] used to pass: the NaN reset the worst error found so far.
        let m = worstMismatch([5, 1, 1], [1, .nan, 1], atol: 1e-5, rtol: 0)
        XCTAssertEqual(m?.index, 1)
        XCTAssertEqual(m?.excess, .infinity)
    }

    func testNaNInActualIsAMismatch() {
        XCTAssertEqual(worstMismatch([1, .nan], [1, 2], atol: 1, rtol: 0)?.index, 1)
        XCTAssertEqual(worstMismatch([.nan], [.nan], atol: 1, rtol: 0)?.index, 0)
    }

    func testWorstElementAndTolerances() {
        XCTAssertNil(worstMismatch([1, 2.05, .infinity], [1, 2, .infinity], atol: 0.1, rtol: 0))
        XCTAssertEqual(worstMismatch([1.2, 2.9, 3], [1, 2, 3], atol: 0.1, rtol: 0)?.index, 1)
        XCTAssertNil(worstMismatch([110], [100], atol: 0, rtol: 0.1))
        XCTAssertEqual(worstMismatch([111], [100], atol: 0, rtol: 0.1)?.index, 0)
        XCTAssertEqual(worstMismatch([1], [.infinity], atol: 1, rtol: 0)?.index, 0)
    }
}
