import RecurTensor
import XCTest

@testable import RecurNN

/// `Initializers.orthogonal` remembers its matrices (`OrthogonalMemo`): a remembered matrix
/// must be the bits a fresh factorisation gives, leave the generator where a fresh draw leaves
/// it, and never be handed out for another shape or state.
final class OrthogonalMemoTests: XCTestCase {
    func testRememberedMatrixIsTheFreshFactorisationBitForBit() {
        for (rows, cols, gain) in [(7, 28, Float(1)), (9, 4, Float(1.5)), (6, 6, Float(0.5))] {
            var fresh = RandomGenerator(seed: 911)
            let expected = Initializers.orthogonalFactor(rows: rows, cols: cols, rng: &fresh)
            for round in 0..<2 {  // the first call factors (or finds), the second finds it
                var rng = RandomGenerator(seed: 911)
                let t = Tensor(shape: [rows, cols])
                Initializers.orthogonal(t, rows: rows, cols: cols, gain: gain, rng: &rng)
                XCTAssertEqual(t.scalars.map { $0.bitPattern }, expected.map { (gain * $0).bitPattern },
                               "[\(rows), \(cols)] gain \(gain), call \(round + 1)")
                XCTAssertEqual(rng, fresh, "the generator ends where a fresh draw leaves it")
                var after = fresh
                XCTAssertEqual(rng.next(), after.next())
            }
        }
    }

    func testOtherStatesAndShapesAreNotConfused() {
        var a = RandomGenerator(seed: 5), b = RandomGenerator(seed: 6)
        let x = Tensor(shape: [4, 16]), y = Tensor(shape: [4, 16]), z = Tensor(shape: [16, 4])
        Initializers.orthogonal(x, rows: 4, cols: 16, rng: &a)
        Initializers.orthogonal(y, rows: 4, cols: 16, rng: &b)
        var c = RandomGenerator(seed: 5)
        Initializers.orthogonal(z, rows: 16, cols: 4, rng: &c)
        XCTAssertNotEqual(x.scalars, y.scalars)
        var fresh = RandomGenerator(seed: 5)
        XCTAssertEqual(z.scalars, Initializers.orthogonalFactor(rows: 16, cols: 4, rng: &fresh))
        // Consecutive draws from one generator are different matrices.
        var d = RandomGenerator(seed: 5)
        let first = Tensor(shape: [4, 16]), second = Tensor(shape: [4, 16])
        Initializers.orthogonal(first, rows: 4, cols: 16, rng: &d)
        Initializers.orthogonal(second, rows: 4, cols: 16, rng: &d)
        XCTAssertEqual(first.scalars, x.scalars)
        XCTAssertNotEqual(first.scalars, second.scalars)
    }

    func testMemoKeepsAtMostItsCapacityOldestFirst() {
        let memo = OrthogonalMemo(capacity: 100)
        func key(_ seed: UInt64) -> OrthogonalMemo.Key { .init(rows: 5, cols: 8, state: RandomGenerator(seed: seed)) }
        func entry(_ v: Float) -> OrthogonalMemo.Entry { .init(matrix: [Float](repeating: v, count: 40), stateAfter: RandomGenerator(seed: 0)) }
        memo.remember(entry(1), for: key(1))
        memo.remember(entry(2), for: key(2))
        XCTAssertEqual(memo.count, 2)
        memo.remember(entry(3), for: key(3))  // 120 floats > 100: the oldest goes
        XCTAssertEqual(memo.count, 2)
        XCTAssertNil(memo.entry(for: key(1)))
        XCTAssertEqual(memo.entry(for: key(3))?.matrix.first, 3)
        memo.remember(.init(matrix: [Float](repeating: 0, count: 101), stateAfter: RandomGenerator(seed: 0)), for: key(4))
        XCTAssertNil(memo.entry(for: key(4)), "a matrix larger than the capacity is not kept")
        XCTAssertEqual(memo.count, 2)
    }
}
