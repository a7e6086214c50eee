import Foundation
import RecurTensor
import RecurTrain
import XCTest
@testable import RecurTune

final class TPETests: XCTestCase {
    /// The median over seeds of the best value after `count` trials.
    func medianBest(_ sampler: any Sampler, seeds: ClosedRange<UInt64>, count: Int) throws -> Double {
        let space = try Spaces.synthetic()
        let bests = try seeds.map { seed in
            try runStudy(sampler, space: space, seed: seed, count: count).compactMap(\.value).min()!
        }.sorted()
        let n = bests.count
        return n % 2 == 1 ? bests[n / 2] : 0.5 * (bests[n / 2 - 1] + bests[n / 2])
    }

    func testTPEBeatsRandomSearch() throws {
        let tpe = try medianBest(TPESampler(), seeds: 1...10, count: 40)
        let random = try medianBest(RandomSampler(), seeds: 1...10, count: 40)
        print("synthetic objective, 40 trials, median best over 10 seeds: TPE \(tpe), random \(random)")
        // Seeded, so deterministic: TPE 0.556, random 1.211 (over 50 seeds: 0.592 and 1.015; Optuna
        // 5.0's univariate TPE on the same objective: 0.623, its multivariate default 0.517).
        XCTAssertLessThan(tpe, 0.6 * random, "TPE \(tpe) vs random \(random)")
    }

    func testSameSeedAndHistoryGiveTheSameProposals() throws {
        let space = try Spaces.synthetic()
        let a = try runStudy(TPESampler(), space: space, seed: 5, count: 25)
        let b = try runStudy(TPESampler(), space: space, seed: 5, count: 25)
        XCTAssertEqual(a, b)
        let c = try runStudy(TPESampler(), space: space, seed: 6, count: 25)
        XCTAssertNotEqual(a.map(\.params), c.map(\.params))
        // A resumed study (history read back, in any order) proposes what the uninterrupted one did.
        let prefix = Array(a[..<20].reversed())
        XCTAssertEqual(try TPESampler().propose(space: space, trials: prefix, number: 20, seed: 5), a[20].params)
    }

    func testProposalsStayInRangeAndRespectConditionsOnTheTemplateSpace() throws {
        let space = try Spaces.template()
        typealias N = TemplateConfig.SearchNames
        // An objective that favours two middle layers with low dropout.
        let trials = try runStudy(TPESampler(startupTrials: 5), space: space, seed: 9, count: 40) { p in
            guard case let .number(count)? = p[N.middleCount], case let .number(d)? = p[N.firstDropout] else { return 9 }
            return (2 - count) + d
        }
        for t in trials {
            XCTAssertEqual(t.params[N.middleMult] != nil, t.params[N.middleCount] != .number(0))
            XCTAssertEqual(t.params[N.middleDropout] != nil, t.params[N.middleCount] != .number(0))
        }
        let late = trials[20...].filter { $0.params[N.middleCount] == .number(2) }.count
        XCTAssertGreaterThan(late, 12, "TPE learned that two middle layers are better")
    }

    func testStartupTrialsAreRandom() throws {
        let space = try Spaces.synthetic()
        let history = try runStudy(RandomSampler(), space: space, seed: 3, count: 9)
        let tpe = TPESampler(startupTrials: 10)
        for n in [0, 4, 9] {
            XCTAssertEqual(try tpe.propose(space: space, trials: Array(history[..<n]), number: n, seed: 3),
                           try RandomSampler().propose(space: space, trials: [], number: n, seed: 3))
        }
    }

    func testGoodCountFollowsGammaAndCap() {
        let t = TPESampler()
        XCTAssertEqual(t.goodCount(10), 1)
        XCTAssertEqual(t.goodCount(11), 2)
        XCTAssertEqual(t.goodCount(100), 10)
        XCTAssertEqual(t.goodCount(1000), 25)
    }

    func testCompleteTrialsRankBeforePrunedOnesAndDeeperPrunedFirst() {
        let trials = [
            TrialRecord(number: 0, params: [:], state: .pruned, value: 0.1, intermediate: [1: 0.1]),
            TrialRecord(number: 1, params: [:], state: .complete, value: 0.9),
            TrialRecord(number: 2, params: [:], state: .pruned, value: 0.5, intermediate: [1: 0.4, 3: 0.5]),
            TrialRecord(number: 3, params: [:], state: .complete, value: .nan),
            TrialRecord(number: 4, params: [:], state: .complete, value: 0.3),
            TrialRecord(number: 5, params: [:], state: .running),
            TrialRecord(number: 6, params: [:], state: .failed),
            TrialRecord(number: 7, params: [:], state: .pruned),
        ]
        let order = trials.compactMap { t in TPESampler.rank(t).map { (t.number, $0) } }.sorted { $0.1 < $1.1 }.map(\.0)
        XCTAssertEqual(order, [4, 1, 3, 2, 0, 7])
    }

    /// A discrete space where the history strongly favours one point p.
    func favouredHistory() throws -> (SearchSpace, [TrialRecord], [String: SearchValue]) {
        let space = try SearchSpace(parameters: [
            SearchParameter(name: "a", distribution: .choice([.string("p"), .string("q"), .string("r"), .string("s")])),
            SearchParameter(name: "b", distribution: .choice([.number(1), .number(2), .number(3), .number(4)])),
            SearchParameter(name: "c", distribution: .int(low: 1, high: 5)),
        ])
        let p: [String: SearchValue] = ["a": .string("p"), "b": .number(2), "c": .number(4)]
        var trials: [TrialRecord] = []
        var rng = RandomGenerator(seed: 11)
        for n in 0..<30 {
            // p three times (the 3 good trials of 30); its neighbours in c are bad.
            var params = n % 10 == 0 ? p : space.sampleRandomly(using: &rng)
            if n % 10 == 5 { params = p; params["c"] = .number(n == 15 ? 3 : 5) }
            if n % 10 != 0, params == p { params["c"] = .number(1) }
            let value = params == p ? 0 : 1 + rng.nextUniformDouble()
            trials.append(TrialRecord(number: n, params: params, state: .complete, value: value))
        }
        return (space, trials, p)
    }

    func testConstantLiarKeepsParallelWorkersApart() throws {
        let (space, trials, p) = try favouredHistory()
        let tpe = TPESampler()
        for seed: UInt64 in 0..<5 {
            XCTAssertEqual(try tpe.propose(space: space, trials: trials, number: 30, seed: seed), p, "the history favours p")
            let running = trials + [TrialRecord(number: 30, params: p, state: .running)]
            let second = try tpe.propose(space: space, trials: running, number: 31, seed: seed)
            XCTAssertNotEqual(second, p, "a second worker must not propose the running point")
            XCTAssertTrue(space.contains(second))
            let third = try tpe.propose(space: space, trials: running + [TrialRecord(number: 31, params: second, state: .running)], number: 32, seed: seed)
            XCTAssertNotEqual(third, p)
            XCTAssertNotEqual(third, second)
            XCTAssertEqual(try TPESampler(constantLiar: false).propose(space: space, trials: running, number: 31, seed: seed), p,
                           "without the liar the same point comes twice")
        }
    }

    func testConditionalParametersLearnOnlyFromTrialsWhereTheyWereActive() throws {
        // The child is good near 0.9; trials without it are all bad and must not drag its model.
        let space = try SearchSpace(parameters: [
            SearchParameter(name: "on", distribution: .choice([.bool(false), .bool(true)])),
            SearchParameter(name: "child", distribution: .uniform(low: 0, high: 1), condition: SearchCondition(parameter: "on", oneOf: [.bool(true)])),
        ])
        var late: [Double] = []
        for seed: UInt64 in 1...5 {
            let trials = try runStudy(TPESampler(), space: space, seed: seed, count: 40) { p in
                guard case let .number(x)? = p["child"] else { return 2 }
                return abs(x - 0.9)
            }
            late += trials[25...].compactMap { t in if case let .number(x)? = t.params["child"] { return x } else { return nil } }
        }
        let near = late.filter { abs($0 - 0.9) < 0.15 }.count
        XCTAssertGreaterThan(Double(near) / Double(late.count), 0.6, "\(near) of \(late.count) late proposals near 0.9")
    }

    func testPrunedTrialsCountAndRunningOnesAreBad() throws {
        // Only pruned trials have values near x = 2; TPE still learns from them.
        let space = try SearchSpace(parameters: [SearchParameter(name: "x", distribution: .uniform(low: 0, high: 10))])
        var trials: [TrialRecord] = []
        for n in 0..<20 {
            let x = Double(n) / 2
            trials.append(TrialRecord(number: n, params: ["x": .number(x)], state: .pruned, value: abs(x - 2),
                                      intermediate: [1: abs(x - 2) + 1, 2: abs(x - 2)]))
        }
        var xs: [Double] = []
        for seed: UInt64 in 0..<20 {
            if case let .number(x)? = try TPESampler().propose(space: space, trials: trials, number: 20, seed: seed)["x"] { xs.append(x) }
        }
        XCTAssertGreaterThan(xs.filter { abs($0 - 2) < 1.5 }.count, 15, "\(xs)")
    }
}

final class ParzenEstimatorTests: XCTestCase {
    func testBandwidthsFollowOptunasRule() {
        let pe = ParzenEstimator(numeric: [0.2, 0.5], low: 0, high: 1, grid: false, priorWeight: 1)
        guard case let .numeric(logWeights, mus, sigmas, _, _, _, _) = pe.model else { return XCTFail() }
        XCTAssertEqual(mus, [0.2, 0.5, 0.5])
        XCTAssertEqual(sigmas[0], 0.3, accuracy: 1e-12)
        XCTAssertEqual(sigmas[1], 0.3, accuracy: 1e-12)
        XCTAssertEqual(sigmas[2], 1, accuracy: 1e-12, "the prior spans the range")
        XCTAssertEqual(logWeights.map(exp), [1.0 / 3, 1.0 / 3, 1.0 / 3], accuracy: 1e-12)
        // Close observations are clipped to range / min(100, n + 2).
        let tight = ParzenEstimator(numeric: [0.5, 0.5001, 0.5002], low: 0, high: 1, grid: false, priorWeight: 1)
        guard case let .numeric(_, _, s, _, _, _, _) = tight.model else { return XCTFail() }
        XCTAssertEqual(s[1], 0.2, accuracy: 1e-12)
    }

    func testRecentObservationsWeighMoreAfter25() {
        XCTAssertEqual(ParzenEstimator.observationWeights(3), [1, 1, 1])
        let w = ParzenEstimator.observationWeights(30)
        XCTAssertEqual(w.count, 30)
        XCTAssertEqual(w[0], 1.0 / 30, accuracy: 1e-12)
        XCTAssertEqual(w[4], 1, accuracy: 1e-12)
        XCTAssertEqual(Array(w[5...]), Array(repeating: 1, count: 25))
    }

    func testDensitiesAreNormalized() {
        let pe = ParzenEstimator(numeric: [-1, 0.3, 0.35, 2.9], low: -2, high: 3, grid: false, priorWeight: 1)
        let steps = 20000
        var integral = 0.0
        for i in 0...steps {
            let x = -2 + 5 * Double(i) / Double(steps)
            integral += exp(pe.logDensity(x)) * (i == 0 || i == steps ? 0.5 : 1) * 5 / Double(steps)
        }
        XCTAssertEqual(integral, 1, accuracy: 1e-4)
        let grid = ParzenEstimator(numeric: [0, 3, 3, 6], low: -0.5, high: 6.5, grid: true, priorWeight: 1)
        XCTAssertEqual((0...6).map { exp(grid.logDensity(Double($0))) }.reduce(0, +), 1, accuracy: 1e-12)
        let cat = ParzenEstimator(categorical: [1, 1, 2], count: 4, priorWeight: 1)
        let pmf = (0..<4).map { exp(cat.logDensity(Double($0))) }
        XCTAssertEqual(pmf.reduce(0, +), 1, accuracy: 1e-12)
        XCTAssertGreaterThan(pmf[1], pmf[2])
        XCTAssertGreaterThan(pmf[2], pmf[0])
        XCTAssertEqual(pmf[0], pmf[3], accuracy: 1e-15)
    }

    func testSamplesStayInRangeAndOnTheGrid() {
        var rng = RandomGenerator(seed: 2)
        let pe = ParzenEstimator(numeric: [0.99, 1], low: 0, high: 1, grid: false, priorWeight: 1)
        let grid = ParzenEstimator(numeric: [0, 0], low: -0.5, high: 2.5, grid: true, priorWeight: 1)
        for _ in 0..<2000 {
            let x = pe.sample(using: &rng)
            XCTAssertTrue(x >= 0 && x <= 1)
            let g = grid.sample(using: &rng)
            XCTAssertTrue([0, 1, 2].contains(g), "\(g)")
        }
        XCTAssertEqual(ParzenEstimator(numeric: [3], low: 3, high: 3, grid: false, priorWeight: 1).sample(using: &rng), 3)
    }

    func testGaussianMassesInTheTails() {
        XCTAssertEqual(exp(Gaussian.logMass(-1, 1)), 0.682689492137086, accuracy: 1e-12)
        XCTAssertEqual(exp(Gaussian.logMass(0, .infinity)), 0.5, accuracy: 1e-15)
        XCTAssertEqual(Gaussian.logMass(-40, -39), Gaussian.logMass(39, 40), accuracy: 1e-9)
        // Continuous across the switch to the asymptotic series.
        XCTAssertEqual(Gaussian.logCDF(-36.999), Gaussian.logCDF(-37.001), accuracy: 0.1)
        XCTAssertEqual(Gaussian.logCDF(-36.9999), -0.5 * 36.9999 * 36.9999 - log(36.9999) - Gaussian.halfLog2Pi, accuracy: 1e-3)
        XCTAssertTrue(Gaussian.logMass(50, 51).isFinite)
        XCTAssertEqual(Gaussian.logMass(1, 1), -.infinity)
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
