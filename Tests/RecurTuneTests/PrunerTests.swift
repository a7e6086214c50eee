import RecurTrain
import XCTest
@testable import RecurTune

final class PrunerTests: XCTestCase {
    /// A trial with values at epochs 1, 2, ...
    func trial(_ number: Int, _ state: TrialState, _ values: [Double]) -> TrialRecord {
        var t = TrialRecord(number: number, params: [:], state: state)
        for (k, v) in values.enumerated() { t.intermediate[k + 1] = v }
        if state != .running { t.value = values.last }
        return t
    }

    /// Five complete trials whose epoch-2 values have median 0.5.
    var completed: [TrialRecord] {
        [0.3, 0.4, 0.5, 0.6, 0.7].enumerated().map { trial($0.offset, .complete, [1, $0.element, $0.element]) }
    }

    func testMedianPrunesAboveTheMedianOfCompletedTrials() {
        let m = MedianPruner()
        XCTAssertTrue(m.shouldPrune(trial: trial(9, .running, [1, 0.55]), step: 2, trials: completed))
        XCTAssertFalse(m.shouldPrune(trial: trial(9, .running, [1, 0.5]), step: 2, trials: completed), "equal to the median goes on")
        XCTAssertFalse(m.shouldPrune(trial: trial(9, .running, [1, 0.45]), step: 2, trials: completed))
        // Optuna's rule uses the trial's best value so far: a good epoch 1 saves it at epoch 2.
        XCTAssertFalse(m.shouldPrune(trial: trial(9, .running, [0.2, 0.9]), step: 2, trials: completed))
        XCTAssertFalse(m.shouldPrune(trial: trial(9, .running, [0.2, .nan]), step: 2, trials: completed + [trial(8, .running, [1, 1])]),
                       "a NaN epoch does not hide a good one")
        XCTAssertTrue(m.shouldPrune(trial: trial(9, .running, [.nan, .nan]), step: 2, trials: completed), "NaN prunes")
    }

    func testMedianWaitsForStartupTrialsAndWarmup() {
        let few = Array(completed[..<4]) + [trial(5, .pruned, [9, 9]), trial(6, .running, [9, 9])]
        XCTAssertFalse(MedianPruner().shouldPrune(trial: trial(9, .running, [1, 5]), step: 2, trials: few),
                       "4 complete trials: pruned and running ones do not count")
        XCTAssertTrue(MedianPruner(startupTrials: 4).shouldPrune(trial: trial(9, .running, [1, 5]), step: 2, trials: few))
        XCTAssertFalse(MedianPruner(warmupSteps: 2).shouldPrune(trial: trial(9, .running, [5, 5]), step: 2, trials: completed))
        XCTAssertTrue(MedianPruner(warmupSteps: 1).shouldPrune(trial: trial(9, .running, [5, 5]), step: 2, trials: completed))
        XCTAssertFalse(MedianPruner().shouldPrune(trial: trial(9, .running, [5, 5, 5, 5]), step: 4, trials: completed),
                       "no completed trial reached epoch 4")
    }

    func testMedianOnlyUsesOtherTrials() {
        // The trial itself appears in the history as running and must not count.
        let t = trial(9, .running, [1, 0.55])
        XCTAssertTrue(MedianPruner().shouldPrune(trial: t, step: 2, trials: completed + [t]))
        XCTAssertEqual(MedianPruner.median([1, 2, 3, 4]), 2.5)
    }

    func testRungs() {
        XCTAssertEqual(SuccessiveHalvingPruner().rungs(upTo: 30), [1, 3, 9, 27])
        XCTAssertEqual(SuccessiveHalvingPruner(minResource: 2, reductionFactor: 2, minEarlyStoppingRate: 1).rungs(upTo: 20), [4, 8, 16])
        XCTAssertEqual(SuccessiveHalvingPruner(minResource: 5).rungs(upTo: 4), [])
    }

    func testASHAKeepsTheTopThirdAtEachRung() {
        let asha = SuccessiveHalvingPruner()
        // Alone at rung 1 (epoch 1): kept.
        XCTAssertFalse(asha.shouldPrune(trial: trial(0, .running, [5]), step: 1, trials: []))
        // Two values at epoch 1: fewer than 3, so only the best goes on.
        let first = trial(0, .complete, [0.5, 0.4, 0.3])
        XCTAssertTrue(asha.shouldPrune(trial: trial(1, .running, [0.6]), step: 1, trials: [first]))
        XCTAssertFalse(asha.shouldPrune(trial: trial(1, .running, [0.4]), step: 1, trials: [first]))
        // Six values at epoch 3 (any state): the best two go on.
        let others = [0.1, 0.2, 0.3, 0.4, 0.5].enumerated().map { k, v in
            trial(k, k % 2 == 0 ? .complete : .pruned, [v, v, v])
        }
        XCTAssertFalse(asha.shouldPrune(trial: trial(7, .running, [9, 9, 0.15]), step: 3, trials: others), "second of six")
        XCTAssertTrue(asha.shouldPrune(trial: trial(7, .running, [0, 0, 0.25]), step: 3, trials: others), "third of six")
        // Between rungs nothing is pruned, whatever the value.
        XCTAssertFalse(asha.shouldPrune(trial: trial(7, .running, [0, 0, 0.15, 99]), step: 4, trials: others))
        XCTAssertFalse(asha.shouldPrune(trial: trial(7, .running, [0, 99]), step: 2, trials: others))
        XCTAssertTrue(asha.shouldPrune(trial: trial(7, .running, [.nan]), step: 1, trials: []), "NaN prunes")
        // Trials that never reached the rung do not compete; the trial itself is not counted twice.
        let short = [trial(1, .pruned, [0.1]), trial(2, .pruned, [0.2])]
        let t = trial(7, .running, [0.3, 0.3, 0.3])
        XCTAssertFalse(asha.shouldPrune(trial: t, step: 3, trials: short + [t]))
    }

    func testNoPrunerNeverPrunes() {
        XCTAssertFalse(NoPruner().shouldPrune(trial: trial(0, .running, [.nan]), step: 1, trials: completed))
    }
}
