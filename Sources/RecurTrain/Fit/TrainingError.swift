/// Errors from the fit loop and model packages.
public enum TrainingError: Error, CustomStringConvertible {
    /// Data that cannot be trained on (shapes, NaN, too few samples).
    case invalidData(String)
    /// The loss became NaN or infinite; training stopped. `checkpoint` names the last good
    /// checkpoint on disk, if any.
    case nonFiniteLoss(epoch: Int, batch: Int, value: Float, checkpoint: String?)
    /// A file could not be written or read.
    case io(path: String, reason: String)
    /// The output path cannot take a package (an existing file or non-package folder, an empty
    /// path, an unwritable folder); found before training (exit 2).
    case badOutput(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidData(message):
            return message
        case let .nonFiniteLoss(epoch, batch, value, checkpoint):
            var s = "training stopped: the loss became \(value) in epoch \(epoch), batch \(batch). "
            s += "Try a lower learning rate, gradient clipping (training.optimizer.clip_norm) or check the data for extreme values."
            if let checkpoint { s += " The last good checkpoint is kept at \(checkpoint)." }
            return s
        case let .io(path, reason):
            return "\(path): \(reason)"
        case let .badOutput(path, reason):
            return "\(path.isEmpty ? "\"\"" : path): \(reason)"
        }
    }
}
