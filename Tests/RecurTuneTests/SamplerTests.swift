import Foundation
import RecurTensor
import RecurTrain
import XCTest
@testable import RecurTune

/// Runs a sequential study of `count` trials on `objective`; every proposal must lie in the space.
func runStudy(_ sampler: any Sampler, space: SearchSpace, seed: UInt64, count: Int,
              objective: ([String: SearchValue]) -> Double = Spaces.objective) throws -> [TrialRecord] {
    var trials: [TrialRecord] = []
    for n in 0..<count {
        let p = try sampler.propose(space: space, trials: trials, number: n, seed: seed)
        XCTAssertTrue(space.contains(p), "trial \(n) proposed \(p), not a point of the space")
        trials.append(TrialRecord(number: n, params: p, state: .complete, value: objective(p)))
    }
    return trials
}

final class SamplerTests: XCTestCase {
    func testRandomSamplerDependsOnSeedAndNumberOnly() throws {
        let space = try Spaces.synthetic()
        let s = RandomSampler()
        let a = try s.propose(space: space, trials: [], number: 3, seed: 42)
        let history = try runStudy(s, space: space, seed: 1, count: 5)
        XCTAssertEqual(try s.propose(space: space, trials: history, number: 3, seed: 42), a, "history is ignored")
        XCTAssertNotEqual(try s.propose(space: space, trials: [], number: 4, seed: 42), a)
        XCTAssertNotEqual(try s.propose(space: space, trials: [], number: 3, seed: 43), a)
    }

    func testTrialGeneratorsAreIndependent() {
        var firsts = Set<UInt64>()
        for seed: UInt64 in [0, 1, 2] {
            for n in 0..<100 {
                var g = RandomGenerator(trialSeed: seed, number: n)
                firsts.insert(g.next())
            }
        }
        XCTAssertEqual(firsts.count, 300)
    }

    func testGridEnumeratesEveryPointExactlyOnce() throws {
        let space = try SearchSpace(parameters: [
            SearchParameter(name: "cell", distribution: .choice([.string("lstm"), .string("gru")])),
            SearchParameter(name: "count", distribution: .choice([.number(0), .number(1), .number(2)])),
            SearchParameter(name: "mult", distribution: .choice([.number(1), .number(2)]), condition: SearchCondition(parameter: "count", atLeast: 1)),
            SearchParameter(name: "rate", distribution: .quantized(low: 0, high: 0.2, q: 0.1), condition: SearchCondition(parameter: "count", oneOf: [.number(2)])),
            SearchParameter(name: "steps", distribution: .int(low: 6, high: 7)),
        ])
        // cell 2 · steps 2 · (count 0: 1 + count 1: 2 + count 2: 2 · 3) = 36
        XCTAssertEqual(space.gridSize, 36)
        let grid = GridSampler()
        let trials = try runStudy(grid, space: space, seed: 0, count: 36) { _ in 1 }
        XCTAssertEqual(Set(trials.map(\.params)).count, 36)
        XCTAssertThrowsError(try grid.propose(space: space, trials: trials, number: 36, seed: 0)) { error in
            XCTAssertEqual(error as? SamplerError, .gridExhausted(points: 36))
        }
    }

    func testGridSkipsRunningPointsAndRetriesAFailedOneOnce() throws {
        let space = try SearchSpace(parameters: [SearchParameter(name: "a", distribution: .int(low: 1, high: 3))])
        let grid = GridSampler()
        func point(_ a: Double) -> [String: SearchValue] { ["a": .number(a)] }
        var trials = [TrialRecord(number: 0, params: point(1), state: .running)]
        XCTAssertEqual(try grid.propose(space: space, trials: trials, number: 1, seed: 0), point(2), "a running trial holds its point")
        trials[0].state = .failed
        XCTAssertEqual(try grid.propose(space: space, trials: trials, number: 1, seed: 0), point(1), "a failed point is tried again")
        trials.append(TrialRecord(number: 1, params: point(1), state: .failed))
        XCTAssertEqual(try grid.propose(space: space, trials: trials, number: 2, seed: 0), point(2), "but not after failing twice")
        XCTAssertEqual(try GridSampler(failedRetries: 0).propose(space: space, trials: [trials[0]], number: 1, seed: 0), point(2))
        trials.append(TrialRecord(number: 2, params: point(2), state: .pruned))
        XCTAssertEqual(try grid.propose(space: space, trials: trials, number: 3, seed: 0), point(3), "pruned points are taken")
        XCTAssertEqual(try grid.propose(space: space, trials: trials + [TrialRecord(number: 3, params: point(3), state: .running)], number: 3, seed: 0),
                       point(3), "the trial being proposed for is not in the way")
    }

    func testGridRefusesContinuousSpaces() throws {
        XCTAssertThrowsError(try GridSampler().propose(space: Spaces.template(), trials: [], number: 0, seed: 0)) { error in
            XCTAssertEqual(error as? SamplerError, .notAGrid(parameter: TemplateConfig.SearchNames.firstDropout))
        }
    }

    func testConfigNamesMakeTheirSamplersAndPruners() {
        XCTAssertEqual((SearchConfig(sampler: .tpe, startupTrials: 4).makeSampler() as? TPESampler)?.startupTrials, 4)
        XCTAssertTrue(SearchConfig(sampler: .random).makeSampler() is RandomSampler)
        XCTAssertTrue(SearchConfig(sampler: .grid).makeSampler() is GridSampler)
        XCTAssertTrue(SearchConfig.Pruner.none.make() is NoPruner)
        XCTAssertTrue(SearchConfig.Pruner.median.make() is MedianPruner)
        XCTAssertTrue(SearchConfig.Pruner.asha.make() is SuccessiveHalvingPruner)
    }
}
