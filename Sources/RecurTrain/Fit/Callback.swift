import RecurNN

/// What a callback asks of the fit loop after an epoch.
public enum CallbackDecision: Equatable, Sendable {
    /// Go on training.
    case proceed
    /// Stop after this epoch, with a reason recorded in the history.
    case stop(reason: String)
}

/// A hook into the fit loop (Keras-style). All methods have empty defaults.
public protocol TrainingCallback: AnyObject {
    /// Before the first epoch.
    func trainingWillBegin(model: Sequential, optimizer: Optimizer) throws
    /// After each batch, with the batch loss (scaled units).
    func batchDidEnd(epoch: Int, batch: Int, of batches: Int, loss: Float)
    /// After each epoch; may stop training or change the optimizer's learning rate.
    func epochDidEnd(_ record: EpochRecord, model: Sequential, optimizer: Optimizer) throws -> CallbackDecision
    /// After the last epoch (also after a failure); may restore weights into `model`.
    func trainingDidEnd(history: inout TrainingHistory, model: Sequential) throws
}

extension TrainingCallback {
    public func trainingWillBegin(model: Sequential, optimizer: Optimizer) throws {}
    public func batchDidEnd(epoch: Int, batch: Int, of batches: Int, loss: Float) {}
    public func epochDidEnd(_ record: EpochRecord, model: Sequential, optimizer: Optimizer) throws -> CallbackDecision { .proceed }
    public func trainingDidEnd(history: inout TrainingHistory, model: Sequential) throws {}
}

/// Tracks the best value of a monitored quantity (lower is better) with a minimum improvement.
struct MonitorTracker {
    let monitor: String
    let minDelta: Double
    private(set) var best = Double.infinity
    private(set) var bestEpoch: Int?
    private(set) var epochsWithoutImprovement = 0

    init(monitor: String, minDelta: Double) {
        self.monitor = monitor
        self.minDelta = abs(minDelta)
    }

    /// Records an epoch; returns whether it improved on the best by more than `minDelta`.
    mutating func update(_ record: EpochRecord) -> Bool {
        guard let v = record.value(of: monitor), v.isFinite else {
            epochsWithoutImprovement += 1
            return false
        }
        if v < best - minDelta {
            best = v
            bestEpoch = record.epoch
            epochsWithoutImprovement = 0
            return true
        }
        epochsWithoutImprovement += 1
        return false
    }
}
