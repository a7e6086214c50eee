import Foundation
import RecurTensor
import RecurNN

/// Writes `epoch,loss,val_loss,learning_rate,seconds` rows, one per epoch, rewriting the
/// file atomically after each epoch (so it is complete at every moment).
public final class CSVHistoryLogger: TrainingCallback {
    public let path: String
    private var records: [EpochRecord] = []

    public init(path: String) { self.path = path }

    /// The CSV text of a history: a header and one row per epoch.
    public static func csv(_ records: [EpochRecord]) -> String {
        var rows = ["epoch,loss,val_loss,learning_rate,seconds"]
        for r in records {
            let val = r.validationLoss.map { String($0) } ?? ""
            rows.append("\(r.epoch),\(r.loss),\(val),\(r.learningRate),\(String(format: "%.4f", r.seconds))")
        }
        return rows.joined(separator: "\n") + "\n"
    }

    public func epochDidEnd(_ record: EpochRecord, model: Sequential, optimizer: Optimizer) throws -> CallbackDecision {
        records.append(record)
        do {
            try Self.csv(records).write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw TrainingError.io(path: path, reason: "cannot write history: \(FileErrorText.describe(error))")
        }
        return .proceed
    }
}
