/// What happened in one epoch.
public struct EpochRecord: Codable, Equatable, Sendable {
    /// 1-based epoch number.
    public var epoch: Int
    /// Mean training loss over the epoch's batches (scaled units, includes any L2 penalty).
    public var loss: Double
    /// Validation loss (scaled units), when validation ran this epoch.
    public var validationLoss: Double?
    /// The learning rate used during the epoch.
    public var learningRate: Double
    /// Wall-clock seconds of the epoch (training and validation).
    public var seconds: Double

    public init(epoch: Int, loss: Double, validationLoss: Double?, learningRate: Double, seconds: Double) {
        self.epoch = epoch
        self.loss = loss
        self.validationLoss = validationLoss
        self.learningRate = learningRate
        self.seconds = seconds
    }

    /// The value of a monitored quantity: `loss` or `val_loss`.
    public func value(of monitor: String) -> Double? {
        switch monitor {
        case "loss": return loss
        case "val_loss": return validationLoss
        default: return nil
        }
    }
}

/// The record of a whole fit.
public struct TrainingHistory: Codable, Equatable, Sendable {
    /// One record per epoch run.
    public var epochs: [EpochRecord] = []
    /// Why training ended: `completed`, `early_stopping`, or a callback's reason.
    public var stopReason = "completed"
    /// The epoch whose weights the model holds at the end (after restoring the best), if known.
    public var bestEpoch: Int?
    /// Total training seconds.
    public var seconds: Double = 0

    public init() {}
}
