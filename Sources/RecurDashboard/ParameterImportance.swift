import Foundation
import RecurTrain

/// How much each parameter matters to the objective, estimated from the complete trials: the
/// bias-corrected share of the objective's variance that the parameter's binned means explain
/// (epsilon-squared of a one-way analysis of variance), on the objective's ranks.
///
/// For one parameter, the trials that used it are grouped: one group per value of a choice (or
/// of a numeric parameter with at most that many distinct values), else groups of equal counts
/// along the sorted values (quantile bins, so a log-uniform parameter is binned as evenly as a
/// linear one): `maxBins` (8) of them, fewer when there are under `trialsPerBin` (4) trials per
/// bin (at least 2). With y the objective's rank (ties averaged), N trials, k groups,
/// SST = Σ (y − ȳ)², SSB = Σ_g n_g (ȳ_g − ȳ)², SSW = SST − SSB:
///
///     ε² = (SSB − (k − 1) · SSW / (N − k)) / SST, clamped to [0, 1]
///
/// 0 means the parameter's bins explain no more than chance would; 1 that they explain all of
/// the ranking. Each parameter is judged alone (no interactions, unlike fANOVA), and ranks make
/// one diverged trial count like any other bad trial. Parameters with fewer than
/// `minimumTrials` trials, or a single group, get no estimate (nil).
enum ParameterImportance {
    struct Estimate: Equatable {
        var name: String
        /// ε², in [0, 1]; nil when there are too few trials or one group only.
        var importance: Double?
        /// Trials that used the parameter, and groups formed.
        var trials: Int
        var groups: Int
    }

    static let maxBins = 8
    static let trialsPerBin = 4
    static let minimumTrials = 5

    /// One estimate per parameter, in the order given; `values[i]` pairs with `objective[i]`.
    static func estimate(_ parameters: [(name: String, values: [SearchValue?])], objective: [Double]) -> [Estimate] {
        parameters.map { p in
            let used = p.values.indices.filter { p.values[$0] != nil && objective[$0].isFinite }
            let ranks = Self.ranks(used.map { objective[$0] })
            let groups = Self.groups(used.map { p.values[$0]! })
            return Estimate(name: p.name, importance: epsilonSquared(ranks, groups: groups), trials: used.count,
                            groups: Set(groups).count)
        }
    }

    /// Ranks 1…n with ties given their mean rank.
    static func ranks(_ y: [Double]) -> [Double] {
        let order = y.indices.sorted { y[$0] < y[$1] }
        var ranks = [Double](repeating: 0, count: y.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && y[order[j + 1]] == y[order[i]] { j += 1 }
            let mean = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = mean }
            i = j + 1
        }
        return ranks
    }

    /// A group index per value: by value for choices and few distinct numbers, else quantile bins.
    static func groups(_ values: [SearchValue]) -> [Int] {
        let numbers = values.compactMap { v -> Double? in if case let .number(x) = v { return x } else { return nil } }
        let distinct = Array(Set(values))
        // At least `trialsPerBin` trials per quantile bin on average, 2 to `maxBins` bins.
        let bins = max(2, min(maxBins, values.count / trialsPerBin))
        if numbers.count < values.count || distinct.count <= bins {
            let index = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($0.element, $0.offset) })
            return values.map { index[$0]! }
        }
        let order = numbers.indices.sorted { numbers[$0] < numbers[$1] }
        var group = [Int](repeating: 0, count: numbers.count)
        for (position, i) in order.enumerated() { group[i] = position * bins / numbers.count }
        // Equal values share a group (the lowest bin any of them fell in).
        var first: [Double: Int] = [:]
        for i in order { group[i] = first[numbers[i]] ?? group[i]; first[numbers[i]] = first[numbers[i]] ?? group[i] }
        return group
    }

    static func epsilonSquared(_ y: [Double], groups: [Int]) -> Double? {
        let n = y.count
        let k = Set(groups).count
        guard n >= minimumTrials, k >= 2, n > k else { return nil }
        let mean = y.reduce(0, +) / Double(n)
        let sst = y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        guard sst > 0 else { return nil }
        var sums: [Int: (Double, Int)] = [:]
        for (v, g) in zip(y, groups) { sums[g, default: (0, 0)].0 += v; sums[g, default: (0, 0)].1 += 1 }
        let ssb = sums.values.reduce(0) { acc, s in let m = s.0 / Double(s.1); return acc + Double(s.1) * (m - mean) * (m - mean) }
        let ssw = sst - ssb
        let e = (ssb - Double(k - 1) * ssw / Double(n - k)) / sst
        return min(max(e, 0), 1)
    }
}
