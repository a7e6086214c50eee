import RecurNN

/// Multiplies the learning rate by `factor` when `monitor` has not improved for `patience`
/// epochs, waiting `cooldown` epochs after each reduction, never going below `minLearningRate`.
public final class ReduceLROnPlateau: TrainingCallback {
    public let factor: Double
    public let patience: Int
    public let minLearningRate: Double
    public let cooldown: Int
    private var tracker: MonitorTracker
    private var cooldownLeft = 0
    private var waited = 0

    /// - Throws: `TrainingError.invalidData` for a factor outside (0, 1) or a negative patience.
    public init(monitor: String = "val_loss", factor: Double = 0.1, patience: Int = 10, minDelta: Double = 1e-4,
                cooldown: Int = 0, minLearningRate: Double = 0) throws {
        guard factor > 0 && factor < 1 else { throw TrainingError.invalidData("reduce_lr_on_plateau.factor must be in (0, 1), got \(factor)") }
        guard patience >= 0 else { throw TrainingError.invalidData("reduce_lr_on_plateau.patience must be >= 0, got \(patience)") }
        self.factor = factor
        self.patience = patience
        self.minLearningRate = minLearningRate
        self.cooldown = cooldown
        self.tracker = MonitorTracker(monitor: monitor, minDelta: minDelta)
    }

    public func epochDidEnd(_ record: EpochRecord, model: Sequential, optimizer: Optimizer) throws -> CallbackDecision {
        guard record.value(of: tracker.monitor) != nil else { return .proceed }
        if cooldownLeft > 0 { cooldownLeft -= 1 }
        if tracker.update(record) {
            waited = 0
        } else if cooldownLeft == 0 {
            waited += 1
            if waited >= max(patience, 1) {
                let lowered = max(Double(optimizer.learningRate) * factor, minLearningRate)
                if lowered < Double(optimizer.learningRate) {
                    optimizer.learningRate = Float(lowered)
                    cooldownLeft = cooldown
                }
                waited = 0
            }
        }
        return .proceed
    }
}
