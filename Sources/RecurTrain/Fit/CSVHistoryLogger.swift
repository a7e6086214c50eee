import Foundation
import RecurNN

/// Writes `epoch,loss,val_loss,learning_rate,seconds` rows, one per epoch, rewriting the
/// file atomically after each epoch (so it is complete at every moment).
public final class CSVHistoryLogger: TrainingCallback {
    public let path: String
    private var rows: [String] = ["epoch,loss,val_loss,learning_rate,seconds"]

    public init(path: String) { self.path = path }

    public func epochDidEnd(_ record: EpochRecord, model: Sequential, optimizer: Optimizer) throws -> CallbackDecision {
        let val = record.validationLoss.map { String($0) } ?? ""
        rows.append("\(record.epoch),\(record.loss),\(val),\(record.learningRate),\(String(format: "%.4f", record.seconds))")
        do {
            try (rows.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw TrainingError.io(path: path, reason: "cannot write history: \(error.localizedDescription)")
        }
        return .proceed
    }
}
