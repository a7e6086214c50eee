import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The results CSV: one row per training run, in the manner of the old platform's results
/// file, appended in place under a lock on the file, one row per `write`.
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

    /// Appends a row of already-quoted cells under `header`, in place: the file is opened for
    /// appending and locked (`flock` on the file itself, which is never replaced), the header
    /// written when it is empty, and the row added in one `write`, so concurrent runs take
    /// turns and none loses another's row, and a killed run leaves the table with or without
    /// its row.
    static func append(row: [String], to path: String) throws {
        func failure(_ reason: String) -> TrainingError { .io(path: path, reason: "cannot write the results table: \(reason)") }
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw failure(error.localizedDescription)
        }
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(String(cString: strerror(errno))) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw failure(String(cString: strerror(errno))) }
        }
        defer { flock(fd, LOCK_UN) }
        var text = ""
        let size = lseek(fd, 0, SEEK_END)
        if size <= 0 {
            text = header.joined(separator: ",") + "\n"
        } else {
            var last: UInt8 = 0
            if pread(fd, &last, 1, size - 1) == 1, last != UInt8(ascii: "\n") { text = "\n" }
        }
        text += row.joined(separator: ",") + "\n"
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        guard written == bytes.count else {
            if written >= 0 { _ = ftruncate(fd, size) }  // no half row
            throw failure(written < 0 ? String(cString: strerror(errno)) : "the disk took \(written) of \(bytes.count) bytes")
        }
    }
}
