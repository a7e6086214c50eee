import RecurNN

/// Writes the model's weights (safetensors, atomically: temp file then rename) whenever
/// `monitor` improves, so the best model so far is always on disk, whole.
public final class ModelCheckpoint: TrainingCallback {
    /// Where the weights go.
    public let path: String
    private var tracker: MonitorTracker
    /// The epoch last written, if any.
    public private(set) var savedEpoch: Int?

    public init(path: String, monitor: String = "val_loss") {
        self.path = path
        self.tracker = MonitorTracker(monitor: monitor, minDelta: 0)
    }

    public func epochDidEnd(_ record: EpochRecord, model: Sequential, optimizer: Optimizer) throws -> CallbackDecision {
        guard record.value(of: tracker.monitor) != nil else { return .proceed }
        if tracker.update(record) {
            do {
                try TemporaryPaths.writing {
                    try model.saveWeights(to: path, metadata: ["epoch": String(record.epoch), "monitor": tracker.monitor,
                                                                "value": String(tracker.best)])
                }
            } catch {
                throw TrainingError.io(path: path, reason: "cannot write checkpoint: \(error)")
            }
            savedEpoch = record.epoch
        }
        return .proceed
    }
}
