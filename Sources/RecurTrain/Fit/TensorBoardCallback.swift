import Foundation
import RecurNN

/// Logs each epoch's `loss`, `val_loss`, `learning_rate` and validation metrics as TensorBoard
/// scalars, flushing after every epoch so TensorBoard can read a run while it trains.
public final class TensorBoardCallback: TrainingCallback {
    public let writer: TensorBoardWriter

    /// Opens an event file in `directory` (created if needed).
    public init(directory: String) throws {
        writer = try TensorBoardWriter(directory: URL(fileURLWithPath: directory))
    }

    public func epochDidEnd(_ record: EpochRecord, model: Sequential, optimizer: Optimizer) throws -> CallbackDecision {
        var scalars: [String: Float] = ["loss": Float(record.loss), "learning_rate": Float(record.learningRate)]
        if let v = record.validationLoss { scalars["val_loss"] = Float(v) }
        for (k, v) in record.metrics ?? [:] where v.isFinite { scalars[k] = Float(v) }
        try writer.add(scalars: scalars, step: record.epoch)
        try writer.flush()
        return .proceed
    }

    public func trainingDidEnd(history: inout TrainingHistory, model: Sequential) throws {
        try writer.close()
    }
}
