import Foundation
import RecurData

/// What the honesty guard found: whether the trained model forecasts the validation part worse
/// than persistence (the last observation carried forward), and the likely causes it could check.
public struct HonestyReport: Codable, Equatable, Sendable {
    /// One cause the guard checked and found, with its fix.
    public struct Cause: Codable, Equatable, Sendable {
        /// `level_outside_training_range`, `too_few_samples` or `window_shorter_than_pacf`.
        public var id: String
        /// What was found, with the numbers.
        public var finding: String
        /// What to change.
        public var fix: String
    }

    /// True when the model's validation RMSE is above persistence's on the same windows.
    public var worseThanPersistence: Bool
    /// Validation RMSE (original units) of the model and of persistence.
    public var modelRMSE: Double
    public var persistenceRMSE: Double
    /// The causes found (empty when none of the checks fired, or when the model is not worse).
    public var causes: [Cause]

    // Spelled so that snake-case JSON (`model_rmse`) decodes back.
    enum CodingKeys: String, CodingKey {
        case worseThanPersistence, modelRMSE = "modelRmse", persistenceRMSE = "persistenceRmse", causes
    }

    /// The stderr block `recur train` prints when the model is worse than persistence.
    public var text: String {
        var lines = [
            "",
            "WARNING: the model is worse than persistence on the validation part",
            String(format: "  validation RMSE: model %.4f, persistence (last value carried forward) %.4f (%.0f%% worse)",
                   modelRMSE, persistenceRMSE, 100 * (modelRMSE / persistenceRMSE - 1)),
        ]
        if causes.isEmpty {
            lines.append("  none of the checked causes applies (level outside the training range, too few samples, a window shorter than the PACF suggests)")
            lines.append("  fix: train longer or with another model or learning rate, or use persistence for this series")
        }
        for c in causes {
            lines.append("  likely cause: \(c.finding)")
            lines.append("    fix: \(c.fix)")
        }
        lines.append("  the package records \"worse_than_persistence\": true")
        return lines.joined(separator: "\n")
    }
}

/// The honesty guard: after training, compares the model with persistence on the validation
/// part, and when it is worse checks three causes (each only from the training data and the
/// config, so the test part is never looked at):
///
/// - **Level outside the training range**: some validation targets lie outside [min, max] of the
///   training part's targets (a trend or a level shift; a global scaling saturates there). Fix:
///   `"scaling": "window"` (or `"auto"`), unless already window-relative.
/// - **Too few samples**: fewer training samples than the model has parameters, or fewer than 100.
///   Fix: fewer units, or more data.
/// - **Window shorter than the PACF suggests**: `n_past_steps` is below the longest lag whose
///   partial autocorrelation on the training part is significant (|PACF| > max(1.96/sqrt(n), 0.1),
///   lags up to 48: the rule and the n_past_steps `recur inspect` suggests). Fix: that many past steps.
public enum HonestyGuard {
    /// Lags of the PACF looked at.
    static let maxLag = 48
    /// The smallest |PACF| that counts, as `recur inspect`'s default.
    static let minPartialAutocorrelation = 0.1
    /// Fewer training samples than this is too few whatever the model.
    static let minimumSamples = 100

    /// The verdict for a trained model; nil without validation metrics for both the model and
    /// persistence.
    public static func check(config: RecurConfig, prepared: PreparedData, metrics: SplitMetrics,
                             baselines: [String: SplitMetrics], parameterCount: Int) -> HonestyReport? {
        guard let model = metrics.validation?.rmse, let persistence = baselines["persistence"]?.validation?.rmse,
              model.isFinite, persistence.isFinite else { return nil }
        let worse = model > persistence
        var report = HonestyReport(worseThanPersistence: worse, modelRMSE: model, persistenceRMSE: persistence, causes: [])
        guard worse else { return report }
        let target = prepared.target
        let training = prepared.split.train.map { Double(target[$0]) }.filter { !$0.isNaN }

        // Level.
        if let validation = prepared.validation, let lo = training.min(), let hi = training.max() {
            var steps = Set<Int>()
            for t in validation.targetSteps { for h in 0..<validation.horizon where t + h < target.count { steps.insert(t + h) } }
            let values = steps.map { Double(target[$0]) }.filter { !$0.isNaN }
            let outside = values.filter { $0 < lo || $0 > hi }
            if !outside.isEmpty {
                let share = 100 * Double(outside.count) / Double(values.count)
                let fix = prepared.scaler.isWindowRelative
                    ? "the scaling is already window-relative; look at a level shift in the data (`recur inspect`)"
                    : "set \"scaling\": \"window\" (or \"auto\"), which scales each sample relative to its own window"
                report.causes.append(.init(
                    id: "level_outside_training_range",
                    finding: String(format: "%.1f%% of the validation targets (%d of %d) lie outside the training part's range [%.4g, %.4g] (validation from %.4g to %.4g)",
                                    share, outside.count, values.count, lo, hi, values.min() ?? .nan, values.max() ?? .nan),
                    fix: fix))
            }
        }

        // Samples.
        let samples = prepared.trainSamples.count
        if samples < parameterCount || samples < minimumSamples {
            report.causes.append(.init(
                id: "too_few_samples",
                finding: "\(samples) training samples for a model of \(parameterCount) parameters",
                fix: "use fewer units (model.layers[].units) or more data (a longer series, a larger training part)"))
        }

        // Window length against the PACF.
        let acf = Statistics.autocorrelation(prepared.split.train.map { Double(target[$0]) }, maxLag: max(1, min(maxLag, training.count / 2)))
        let pacf = Statistics.partialAutocorrelation(fromAutocorrelation: acf)
        let threshold = max(1.96 / Double(max(training.count, 1)).squareRoot(), minPartialAutocorrelation)
        if let longest = (1..<pacf.count).last(where: { abs(pacf[$0]) > threshold }), config.window.nPastSteps < longest {
            report.causes.append(.init(
                id: "window_shorter_than_pacf",
                finding: String(format: "n_past_steps is %d, shorter than the longest significant PACF lag of the training part, %d (|PACF| %.3f > %.3f)",
                                config.window.nPastSteps, longest, abs(pacf[longest]), threshold),
                fix: "set window.n_past_steps to at least \(longest) (what `recur inspect` suggests)"))
        }
        return report
    }

    /// `worse_than_persistence` as recorded in the manifest of the package at `path`; nil when
    /// the package or the key is absent.
    public static func recorded(packagePath path: String) -> Bool? {
        let url = URL(fileURLWithPath: path).appendingPathComponent(ModelPackage.manifestFile)
        guard let data = try? Data(contentsOf: url),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["worse_than_persistence"] as? Bool
    }
}
