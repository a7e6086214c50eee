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
    /// Validation metrics in original units, by monitor name (`val_rmse`, `val_mae`, ...), when
    /// the fit was asked to compute them.
    public var metrics: [String: Double]?

    public init(epoch: Int, loss: Double, validationLoss: Double?, learningRate: Double, seconds: Double,
                metrics: [String: Double]? = nil) {
        self.epoch = epoch
        self.loss = loss
        self.validationLoss = validationLoss
        self.learningRate = learningRate
        self.seconds = seconds
        self.metrics = metrics
    }

    /// The value of a monitored quantity: `loss`, `val_loss`, or a validation metric
    /// (`val_rmse`, ...) when computed. Lower is better for every one except `val_r2`, which is
    /// returned negated so that lower is better throughout.
    public func value(of monitor: String) -> Double? {
        switch monitor {
        case "loss": return loss
        case "val_loss": return validationLoss
        case "val_r2": return metrics?["val_r2"].map { -$0 }
        default: return metrics?[monitor]
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
