import Foundation
import RecurNN

/// Shows training progress: a redrawn bar on stderr when it is a terminal, and one line per
/// epoch through `RecurLog` (stderr, and the log file when one is set).
public final class ProgressReporter: TrainingCallback {
    private let totalEpochs: Int
    private let interactive: Bool
    private var lastDraw = 0.0
    private var epochStart = Date()

    /// - Parameter interactive: force the bar on or off; default: whether stderr is a terminal.
    public init(totalEpochs: Int, interactive: Bool? = nil) {
        self.totalEpochs = totalEpochs
        self.interactive = interactive ?? (isatty(STDERR_FILENO) != 0)
    }

    private func write(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }

    public func batchDidEnd(epoch: Int, batch: Int, of batches: Int, loss: Float) {
        guard interactive else { return }
        if batch == 1 { epochStart = Date() }
        let now = Date().timeIntervalSinceReferenceDate
        guard now - lastDraw > 0.1 || batch == batches else { return }
        lastDraw = now
        let width = 30
        let filled = batches > 0 ? width * batch / batches : width
        let bar = String(repeating: "=", count: filled) + String(repeating: ".", count: width - filled)
        write(String(format: "\rEpoch %d/%d [%@] %d/%d  loss %.5f", epoch, totalEpochs, bar, batch, batches, loss))
    }

    public func epochDidEnd(_ record: EpochRecord, model: Sequential, optimizer: Optimizer) throws -> CallbackDecision {
        let val = record.validationLoss.map { String(format: "  val_loss %.5f", $0) } ?? ""
        let line = String(format: "Epoch %d/%d  loss %.5f%@  lr %.2e  %.2fs", record.epoch, totalEpochs, record.loss, val,
                          record.learningRate, record.seconds)
        if interactive { write("\r\u{1B}[2K") }
        RecurLog.logger.info("\(line)")
        return .proceed
    }
}
