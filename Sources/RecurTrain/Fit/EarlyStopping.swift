import RecurNN
import RecurTensor

/// Stops training when `monitor` (`val_loss` or `loss`) has not improved by more than
/// `minDelta` for `patience` epochs (Keras semantics); with `restoreBestWeights` the best
/// epoch's weights are put back at the end whether or not it stopped early (Keras 3 restores
/// them only when it stops early; a forecaster wants the best model either way).
public final class EarlyStopping: TrainingCallback {
    /// The quantity watched.
    public let monitor: String
    /// Epochs without improvement tolerated.
    public let patience: Int
    /// Whether the best epoch's weights are put back at the end.
    public let restoreBestWeights: Bool
    private var tracker: MonitorTracker
    private var bestWeights: Tensor?

    /// - Throws: `TrainingError.invalidData` for a negative patience or an unknown monitor.
    public init(monitor: String = "val_loss", patience: Int, minDelta: Double = 0, restoreBestWeights: Bool = true) throws {
        guard patience >= 0 else { throw TrainingError.invalidData("early_stopping.patience must be >= 0, got \(patience)") }
        guard monitor == "loss" || monitor.hasPrefix("val_") else {
            throw TrainingError.invalidData("early_stopping.monitor must be loss, val_loss or a validation metric (val_rmse, ...), got '\(monitor)'")
        }
        self.monitor = monitor
        self.patience = patience
        self.restoreBestWeights = restoreBestWeights
        self.tracker = MonitorTracker(monitor: monitor, minDelta: minDelta)
    }

    public func epochDidEnd(_ record: EpochRecord, model: Sequential, optimizer: Optimizer) throws -> CallbackDecision {
        guard record.value(of: monitor) != nil else { return .proceed }  // no validation this epoch
        if tracker.update(record) {
            if restoreBestWeights {
                if bestWeights == nil { bestWeights = Tensor(shape: model.parameters.values.shape) }
                bestWeights!.copy(from: model.parameters.values)
            }
        } else if tracker.epochsWithoutImprovement >= max(patience, 1) {
            return .stop(reason: "early_stopping")
        }
        return .proceed
    }

    public func trainingDidEnd(history: inout TrainingHistory, model: Sequential) throws {
        if let best = bestWeights {
            model.parameters.values.copy(from: best)
            history.bestEpoch = tracker.bestEpoch
        } else if history.bestEpoch == nil {
            history.bestEpoch = history.epochs.last?.epoch
        }
    }
}
