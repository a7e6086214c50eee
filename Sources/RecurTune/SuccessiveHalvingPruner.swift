/// Asynchronous successive halving (ASHA), as Optuna's `SuccessiveHalvingPruner`.
///
/// Rung k (k = 0, 1, ...) is at epoch `minResource · reductionFactor^(k + minEarlyStoppingRate)`
/// (defaults: epochs 1, 3, 9, 27, ...). When a trial reaches a rung's epoch, its value there is
/// compared with the values every other trial recorded at that epoch so far (whatever their
/// state now) together with its own: with m values, it goes on only if it is among the best
/// max(1, ⌊m / reductionFactor⌋) of them (so while fewer than `reductionFactor` trials reached
/// the rung, it must be the best). A NaN value at a rung prunes. Between rungs nothing is pruned.
public struct SuccessiveHalvingPruner: Pruner {
    public var minResource: Int
    public var reductionFactor: Int
    public var minEarlyStoppingRate: Int

    public init(minResource: Int = 1, reductionFactor: Int = 3, minEarlyStoppingRate: Int = 0) {
        precondition(minResource >= 1 && reductionFactor >= 2 && minEarlyStoppingRate >= 0,
                     "SuccessiveHalvingPruner: minResource ≥ 1, reductionFactor ≥ 2, minEarlyStoppingRate ≥ 0")
        self.minResource = minResource
        self.reductionFactor = reductionFactor
        self.minEarlyStoppingRate = minEarlyStoppingRate
    }

    /// The epochs of the rungs up to `limit`.
    public func rungs(upTo limit: Int) -> [Int] {
        var out: [Int] = []
        var epoch = minResource
        for _ in 0..<minEarlyStoppingRate {
            let (next, overflow) = epoch.multipliedReportingOverflow(by: reductionFactor)
            if overflow || next > limit { return out }
            epoch = next
        }
        while epoch <= limit {
            out.append(epoch)
            let (next, overflow) = epoch.multipliedReportingOverflow(by: reductionFactor)
            if overflow { break }
            epoch = next
        }
        return out
    }

    public func shouldPrune(trial: TrialRecord, step: Int, trials: [TrialRecord]) -> Bool {
        guard rungs(upTo: step).last == step, let value = trial.intermediate[step] else { return false }
        if value.isNaN { return true }
        var competing = trials.filter { $0.number != trial.number }.compactMap { $0.intermediate[step] }
        competing.append(value)
        competing = competing.map { $0.isNaN ? .infinity : $0 }.sorted()
        let keep = max(1, competing.count / reductionFactor)
        return value > competing[keep - 1]
    }
}
