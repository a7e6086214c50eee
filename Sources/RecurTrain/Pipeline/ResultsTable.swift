import Foundation
import RecurTensor

/// The results CSV: one row per training run, in the manner of the old platform's results
/// file, appended atomically (the whole file is rewritten to a temporary file and renamed).
public enum ResultsTable {
    public static let header = [
        "finished_at", "run", "package", "config", "target", "n_past_steps", "horizon", "layers", "units",
        "epochs_run", "best_epoch", "stop_reason", "train_seconds", "seed",
        "train_rmse", "train_mae", "val_rmse", "val_mae", "test_rmse", "test_mae", "test_r2", "test_mase",
        "persistence_test_rmse", "persistence_test_mae", "seasonal_naive_test_rmse", "seasonal_naive_test_mae",
        "hyperparameters",
    ]

    /// Appends the outcome's row to `path` (creating the file with a header).
    public static func append(_ outcome: TrainingOutcome, config: RecurConfig, runName: String, to path: String) throws {
        func f(_ v: Double?) -> String { v.map { String(format: "%.6g", $0) } ?? "" }
        func q(_ s: String) -> String { s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
        let iso = ISO8601DateFormatter()
        let layers = (try? config.architecture().layers.map(\.type).joined(separator: "+")) ?? ""
        let row: [String] = [
            iso.string(from: Date()), runName, outcome.package, config.sourceFile ?? "", config.data.target,
            String(config.window.nPastSteps), String(config.window.horizon), layers,
            outcome.units.map(String.init).joined(separator: "/"),
            String(outcome.epochsRun), outcome.bestEpoch.map(String.init) ?? "", outcome.stopReason, f(outcome.trainSeconds),
            String(outcome.seed),
            f(outcome.metrics.train?.rmse), f(outcome.metrics.train?.mae), f(outcome.metrics.validation?.rmse),
            f(outcome.metrics.validation?.mae), f(outcome.metrics.test?.rmse), f(outcome.metrics.test?.mae),
            f(outcome.metrics.test?.r2), f(outcome.metrics.test?.mase),
            f(outcome.baselines["persistence"]?.test?.rmse), f(outcome.baselines["persistence"]?.test?.mae),
            f(outcome.baselines["seasonal_naive"]?.test?.rmse), f(outcome.baselines["seasonal_naive"]?.test?.mae),
            "",
        ]
        try append(row: row.map(q), to: path)
    }

    /// Appends a row of already-quoted cells under `header`.
    static func append(row: [String], to path: String) throws {
        let fm = FileManager.default
        var text = ""
        if let existing = fm.contents(atPath: path).flatMap({ String(data: $0, encoding: .utf8) }), !existing.isEmpty {
            text = existing.hasSuffix("\n") ? existing : existing + "\n"
        } else {
            text = header.joined(separator: ",") + "\n"
        }
        text += row.joined(separator: ",") + "\n"
        do {
            try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw TrainingError.io(path: path, reason: "cannot write the results table: \(FileErrorText.describe(error))")
        }
    }
}
