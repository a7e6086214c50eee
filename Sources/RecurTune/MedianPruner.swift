/// Optuna's `MedianPruner`: stop a trial whose best intermediate value so far is worse than the
/// median of the completed trials' intermediate values at the same epoch.
///
/// - Nothing is pruned until `startupTrials` trials have completed, nor during the first
///   `warmupSteps` epochs of a trial (epochs are 1-based: with `warmupSteps: 3`, epoch 4 is the
///   first that can be pruned).
/// - Only complete trials make the median (pruned and running ones do not), and only those with
///   a value at `step`; with none, the trial goes on.
/// - A trial whose values are all NaN is pruned.
public struct MedianPruner: Pruner {
    public var startupTrials: Int
    public var warmupSteps: Int

    public init(startupTrials: Int = 5, warmupSteps: Int = 0) {
        self.startupTrials = max(0, startupTrials)
        self.warmupSteps = max(0, warmupSteps)
    }

    public func shouldPrune(trial: TrialRecord, step: Int, trials: [TrialRecord]) -> Bool {
        let completed = trials.filter { $0.state == .complete && $0.number != trial.number }
        guard !completed.isEmpty, completed.count >= startupTrials, step > warmupSteps else { return false }
        let own = trial.intermediate.filter { $0.key <= step }.values.filter { !$0.isNaN }
        guard !trial.intermediate.isEmpty else { return false }
        guard let best = own.min() else { return true }
        let others = completed.compactMap { $0.intermediate[step] }.filter { !$0.isNaN }.sorted()
        guard !others.isEmpty else { return false }
        return best > Self.median(others)
    }

    /// The median of sorted values (the mean of the middle two for an even count, as numpy's).
    static func median(_ sorted: [Double]) -> Double {
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2])
    }
}
