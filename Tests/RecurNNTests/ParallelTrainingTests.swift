import Foundation
import RecurNN
import RecurTensor
import RecurTestSupport
import XCTest

/// The engine's split of large layers across threads (`Parallel`): the same result as one
/// thread (up to BLAS blocking in the last bits), and bit-identical from run to run.
final class ParallelTrainingTests: XCTestCase {
    override func setUp() {
        super.setUp()
        restoreProcessSettingsAfterTest()
    }

    /// Trains a recurrent stack (an LSTM with tanh/sigmoid, the fused path; GRUs with the reset
    /// gate after and before the product; a SimpleRNN; an LSTM with hard_sigmoid, the generic
    /// path) for a few Adam steps and returns the weights.
    func train(threads: Int, steps: Int = 3, minimumWork: Double = 0, minimumLoopWork: Double = 0,
               units: Int = 20) throws -> [Float] {
        Parallel.threadCount = threads
        Parallel.minimumWork = minimumWork  // 0: split even this small model
        Parallel.minimumLoopWork = minimumLoopWork
        var rng = RandomGenerator(seed: 11)
        let model = try Sequential([
            LSTM(inputSize: 3, units: units, returnSequences: true, rng: &rng),
            GRU(inputSize: units, units: 19, returnSequences: true, resetAfter: true, rng: &rng),
            GRU(inputSize: 19, units: 17, returnSequences: true, resetAfter: false, rng: &rng),
            SimpleRNN(inputSize: 17, units: 20, returnSequences: true, rng: &rng),
            LSTM(inputSize: 20, units: 12, returnSequences: false, recurrentActivation: .hardSigmoid,
                 separateRecurrentBias: true, rng: &rng),
            Dense(inputSize: 12, units: 1, rng: &rng)])
        let trainer = BatchTrainer(model: model, loss: .meanSquaredError, optimizer: try Adam())
        let x = Tensor(shape: [7, 5, 3]), y = Tensor(shape: [7, 1])
        rng.fillUniform(x, -1, 1)
        rng.fillUniform(y, -1, 1)
        for _ in 0..<steps { _ = try trainer.step(input: x, target: y) }
        return model.parameters.values.scalars
    }

    func testTwoThreadsMatchOneAndRepeatBitForBit() throws {
        let one = try train(threads: 1)
        let twoA = try train(threads: 2)
        let twoB = try train(threads: 2)
        XCTAssertEqual(twoA.map(\.bitPattern), twoB.map(\.bitPattern), "2 threads are not reproducible")
        assertClose(Tensor(twoA), Tensor(one), atol: 1e-5)
    }

    /// The time loops split below the products' threshold (W2's small first layer): splitting
    /// only the loops' rows changes no bit, at the generic level and at the best one, for LSTM
    /// widths that are and are not multiples of 16.
    func testSplittingOnlyTheTimeLoopsChangesNoBit() throws {
        for level in Set([KernelLevel.generic, KernelLevel.best]) {
            KernelLevel.select(level)
            for units in [20, 16, 32] {
                let one = try train(threads: 1, minimumWork: .infinity, units: units)
                let loops = try train(threads: 2, minimumWork: .infinity, minimumLoopWork: 0, units: units)
                XCTAssertEqual(one.map(\.bitPattern), loops.map(\.bitPattern), "\(level.name), \(units) units")
            }
        }
    }

    func testRangesPartitionEveryItemOnce() {
        for count in [0, 1, 7, 32, 1024] {
            for parts in 1...3 {
                for align in [1, 8] {
                    var covered = [Int](repeating: 0, count: count)
                    for k in 0..<parts {
                        for i in Parallel.range(k, of: parts, count: count, align: align) { covered[i] += 1 }
                    }
                    XCTAssertTrue(covered.allSatisfy { $0 == 1 }, "count \(count) parts \(parts) align \(align)")
                }
            }
        }
    }

    func testSmallWorkStaysOnOneThread() {
        Parallel.threadCount = 2
        Parallel.minimumWork = 4e6
        XCTAssertEqual(Parallel.parts(rows: 1, work: 1e9), 1)
        XCTAssertEqual(Parallel.parts(rows: 32, work: 1e3), 1)
        XCTAssertEqual(Parallel.parts(rows: 32, work: 1e8), 2)
        Parallel.minimumLoopWork = 2e5
        XCTAssertEqual(Parallel.loopParts(rows: 1, work: 1e9), 1)
        XCTAssertEqual(Parallel.loopParts(rows: 32, work: 1e5), 1)
        XCTAssertEqual(Parallel.loopParts(rows: 32, work: 1.8e6), 2)  // W2's first layer
        Parallel.threadCount = 1
        XCTAssertEqual(Parallel.loopParts(rows: 32, work: 1e9), 1)
    }
}
