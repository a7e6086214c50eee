import RecurNN
import RecurTrain

/// A trial's link to its study during training: after each validated epoch it records the
/// objective's value in the study database (which also beats the worker's heart) and asks the
/// pruner whether the trial should stop; stopping ends training with reason `pruned`.
public final class TrialPruningCallback: TrainingCallback {
    /// The stop reason recorded in the history of a pruned trial.
    public static let prunedReason = "pruned"

    let store: any StudyStore
    let number: Int
    let params: [String: SearchValue]
    let token: String
    let objective: String
    let pruner: any Pruner
    /// The objective per epoch, so far.
    public private(set) var intermediate: [Int: Double] = [:]
    /// Whether the pruner stopped the trial.
    public private(set) var pruned = false
    /// A storage failure met while training (the trial cannot be recorded; the study stops).
    public private(set) var storageError: Error?

    public init(store: any StudyStore, number: Int, params: [String: SearchValue], token: String, objective: String, pruner: any Pruner) {
        self.store = store
        self.number = number
        self.params = params
        self.token = token
        self.objective = objective
        self.pruner = pruner
    }

    /// The lowest objective value of any epoch (the trial's value), if any epoch was validated.
    public var best: Double? { intermediate.values.filter(\.isFinite).min() }

    public func epochDidEnd(_ record: EpochRecord, model: Sequential, optimizer: Optimizer) throws -> CallbackDecision {
        guard let value = record.value(of: objective), value.isFinite else { return .proceed }
        intermediate[record.epoch] = value
        do {
            try store.reportIntermediate(number: number, epoch: record.epoch, value: value, token: token)
            // Without a pruner there is nothing to decide: no need to read the whole study.
            if pruner is NoPruner { return .proceed }
            let others = try store.trials().map(\.record).filter { $0.number != number }
            let me = TrialRecord(number: number, params: params, state: .running, value: nil, intermediate: intermediate)
            if pruner.shouldPrune(trial: me, step: record.epoch, trials: others + [me]) {
                pruned = true
                return .stop(reason: Self.prunedReason)
            }
        } catch {
            storageError = error
            throw error
        }
        return .proceed
    }
}
