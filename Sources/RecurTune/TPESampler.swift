import Foundation
import RecurTensor
import RecurTrain

/// The tree-structured Parzen estimator, as Optuna's `TPESampler` does it by default (univariate:
/// each parameter modelled on its own). See docs/tuning.md.
///
/// 1. Until `startupTrials` trials have finished (complete or pruned), points are drawn at random.
/// 2. Finished trials are ranked: complete ones by value, then pruned ones (those that got
///    further first, then by their last value). The best ceil(`gammaFraction` · n), at most
///    `gammaCap`, are "good"; the rest are "bad". With `constantLiar`, running trials are bad
///    too (as if they had the worst value), so parallel workers spread out.
/// 3. Parameters are chosen in the space's order (parents first). For an active parameter, a
///    Parzen estimator l is fitted to its values in the good trials in which it was active and g
///    to those in the bad ones; `candidates` draws from l are scored by log l(x) - log g(x) and
///    the best is taken.
/// 4. With `constantLiar`, a proposal equal to a running trial's point is moved to the
///    next-best candidate of one of its innermost parameters (see docs/tuning.md).
public struct TPESampler: Sampler {
    public var startupTrials: Int
    public var candidates: Int
    public var gammaFraction: Double
    public var gammaCap: Int
    public var priorWeight: Double
    public var constantLiar: Bool

    public init(startupTrials: Int = 10, candidates: Int = 24, gammaFraction: Double = 0.1, gammaCap: Int = 25,
                priorWeight: Double = 1.0, constantLiar: Bool = true) {
        precondition(startupTrials >= 0 && candidates >= 1 && gammaFraction >= 0 && gammaCap >= 0 && priorWeight >= 0,
                     "TPESampler: counts and weights must not be negative")
        self.startupTrials = startupTrials
        self.candidates = candidates
        self.gammaFraction = gammaFraction
        self.gammaCap = gammaCap
        self.priorWeight = priorWeight
        self.constantLiar = constantLiar
    }

    /// The number of good trials among `n` finished ones: min(ceil(gammaFraction · n), gammaCap).
    public func goodCount(_ n: Int) -> Int {
        min(Int((gammaFraction * Double(n)).rounded(.up)), gammaCap, n)
    }

    public func propose(space: SearchSpace, trials: [TrialRecord], number: Int, seed: UInt64) throws -> [String: SearchValue] {
        var rng = RandomGenerator(trialSeed: seed, number: number)
        let others = trials.filter { $0.number != number }
        let finished = others.compactMap { t in Self.rank(t).map { (t, $0) } }
        guard finished.count >= max(startupTrials, 1) else { return space.sampleRandomly(using: &rng) }

        let ranked = finished.sorted { $0.1 < $1.1 }.map(\.0)
        let nGood = goodCount(ranked.count)
        let good = ranked[..<nGood].sorted { $0.number < $1.number }
        var bad = Array(ranked[nGood...])
        let running = others.filter { $0.state == .running }
        if constantLiar { bad += running }
        bad.sort { $0.number < $1.number }

        var chosen: [String: SearchValue] = [:]
        var fitted: [Int: Fitted] = [:]
        for (k, p) in space.parameters.enumerated() where space.isActive(p, given: chosen) {
            let domain = space.domains[k]
            let l = Self.estimator(domain, good.compactMap { $0.params[p.name].flatMap(domain.internalValue) }, priorWeight)
            let g = Self.estimator(domain, bad.compactMap { $0.params[p.name].flatMap(domain.internalValue) }, priorWeight)
            var scored: [(x: Double, score: Double)] = []
            for _ in 0..<candidates {
                let x = l.sample(using: &rng)
                scored.append((x, l.logDensity(x) - g.logDensity(x)))
            }
            let best = scored.indices.max { a, b in scored[a].score < scored[b].score || (scored[a].score == scored[b].score && a > b) }!
            chosen[p.name] = domain.externalValue(scored[best].x)
            fitted[k] = Fitted(l: l, g: g, candidates: scored, best: scored[best].score)
        }

        if constantLiar, !running.isEmpty {
            let pending = Set(running.map(\.params))
            if pending.contains(chosen) {
                chosen = Self.avoidPending(chosen, pending: pending, space: space, fitted: fitted)
            }
        }
        return chosen
    }

    /// What was fitted for one parameter, kept for moving a duplicate proposal.
    struct Fitted {
        var l: ParzenEstimator
        var g: ParzenEstimator
        var candidates: [(x: Double, score: Double)]
        var best: Double
    }

    /// The ranking key of a finished trial (smaller is better), nil for trials TPE does not learn
    /// from (running, failed, complete without a value). Complete trials come first, by value;
    /// then pruned ones, those stopped later first, then by their last intermediate value; a
    /// value that is not a number counts as +inf.
    static func rank(_ t: TrialRecord) -> Rank? {
        func finite(_ v: Double) -> Double { v.isNaN ? .infinity : v }
        switch t.state {
        case .complete:
            guard let v = t.value else { return nil }
            return Rank(group: 0, step: 0, value: finite(v), number: t.number)
        case .pruned:
            if let step = t.lastStep, let v = t.intermediate[step] {
                return Rank(group: 1, step: -step, value: finite(v), number: t.number)
            }
            return Rank(group: 2, step: 0, value: finite(t.value ?? .infinity), number: t.number)
        case .running, .failed:
            return nil
        }
    }

    struct Rank: Comparable {
        var group: Int, step: Int, value: Double, number: Int
        static func < (a: Rank, b: Rank) -> Bool {
            (a.group, a.step, a.value, a.number) < (b.group, b.step, b.value, b.number)
        }
    }

    static func estimator(_ domain: Domain, _ observations: [Double], _ priorWeight: Double) -> ParzenEstimator {
        switch domain {
        case let .categorical(values):
            return ParzenEstimator(categorical: observations.map { Int($0) }, count: values.count, priorWeight: priorWeight)
        case let .discrete(_, n, _):
            return ParzenEstimator(numeric: observations, low: -0.5, high: Double(n) - 0.5, grid: true, priorWeight: priorWeight)
        case let .continuous(low, high, log):
            return ParzenEstimator(numeric: observations, low: log ? Foundation.log(low) : low, high: log ? Foundation.log(high) : high,
                                   grid: false, priorWeight: priorWeight)
        }
    }

    /// Moves `point`, which equals a running trial's, to the best-scoring different point that
    /// changes one parameter with no active dependants (so that no condition changes): each such
    /// parameter's other candidates, and for choices and grids of at most 1024 values every
    /// value, are scored by log l - log g; the smallest loss of score wins. Unchanged when every
    /// alternative is also pending.
    static func avoidPending(_ point: [String: SearchValue], pending: Set<[String: SearchValue]>, space: SearchSpace,
                             fitted: [Int: Fitted]) -> [String: SearchValue] {
        var best: (loss: Double, name: String, value: SearchValue)? = nil
        for (k, p) in space.parameters.enumerated() {
            guard let f = fitted[k], let current = point[p.name] else { continue }
            let hasActiveChild = space.children[k].contains { point[space.parameters[$0].name] != nil }
            if hasActiveChild { continue }
            let domain = space.domains[k]
            var options = f.candidates
            if let n = domain.count, n <= 1024 {
                options += (0..<n).map { i in (Double(i), f.l.logDensity(Double(i)) - f.g.logDensity(Double(i))) }
            }
            for (x, score) in options {
                let v = domain.externalValue(x)
                guard v != current else { continue }
                var moved = point
                moved[p.name] = v
                guard !pending.contains(moved) else { continue }
                let loss = f.best - score
                if best == nil || loss < best!.loss { best = (loss, p.name, v) }
            }
        }
        guard let best else { return point }
        var moved = point
        moved[best.name] = best.value
        return moved
    }
}

extension Domain {
    /// A parameter's value in the space TPE models it in (choice or grid index, value, or log),
    /// nil when the value is not one this domain can take.
    func internalValue(_ v: SearchValue) -> Double? {
        switch self {
        case .categorical, .discrete:
            return index(of: v).map(Double.init)
        case let .continuous(low, high, log):
            guard case let .number(x) = v, x.isFinite else { return nil }
            let clamped = min(max(x, low), high)
            return log ? Foundation.log(clamped) : clamped
        }
    }

    /// The value of an internal-space point.
    func externalValue(_ x: Double) -> SearchValue {
        switch self {
        case .categorical, .discrete:
            return value(at: min(max(Int(x.rounded()), 0), count! - 1))
        case let .continuous(low, high, log):
            return .number(min(max(log ? exp(x) : x, low), high))
        }
    }
}
