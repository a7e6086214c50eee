import RecurTrain

/// Decides, after each epoch of a running trial, whether to stop it.
public protocol Pruner: Sendable {
    /// Whether `trial` (running, with intermediate values up to `step`) should stop now.
    func shouldPrune(trial: TrialRecord, step: Int, trials: [TrialRecord]) -> Bool
}

/// Never prunes.
public struct NoPruner: Pruner {
    public init() {}
    public func shouldPrune(trial: TrialRecord, step: Int, trials: [TrialRecord]) -> Bool { false }
}

extension SearchConfig.Pruner {
    /// The pruner this config value names, with its defaults.
    public func make() -> any RecurTune.Pruner {
        switch self {
        case .none: return NoPruner()
        case .median: return MedianPruner()
        case .asha: return SuccessiveHalvingPruner()
        }
    }
}
