import Foundation
import RecurTrain

/// The model payloads of the JSON API (documented in docs/dashboard.md).
enum ModelAPI {
    /// `lstm(16) → dropout(0.2) → dense(1)`.
    static func layers(_ m: PackageManifest) -> String {
        m.architecture.layers.map { l in
            l.type == "dropout" ? "dropout(\(l.rate.map { AxisTicks.formatValue($0) } ?? "?"))" : "\(l.type)(\(l.units))"
        }.joined(separator: " → ")
    }

    /// The short form of a package (the list's items); `error` when it cannot be read.
    static func summary(_ e: ModelCatalog.Entry) -> [(String, String)] {
        guard let report = e.report else {
            return [("name", JSON.string(e.name)), ("path", JSON.string(e.path)), ("error", JSON.string(e.error ?? "unreadable"))]
        }
        let m = report.manifest
        return [
            ("name", JSON.string(e.name)), ("path", JSON.string(e.path)), ("created_at", JSON.string(m.createdAt)),
            ("target", JSON.string(report.target)), ("architecture", JSON.string(layers(m))),
            ("parameters", String(m.training.parameterCount)), ("epochs", String(m.training.epochsRun)),
            ("test", JSON.metrics(m.metrics.test)),
            ("baselines_test", JSON.object(m.baselines.sorted { $0.key < $1.key }.map { ($0.key, JSON.metrics($0.value.test)) })),
            ("intervals", JSON.array((report.predictions?.intervals ?? []).map { String($0.percent) })),
            ("error", "null"),
        ]
    }

    /// `GET /api/models`: `{"models": [...]}`.
    static func list(_ entries: [ModelCatalog.Entry]) -> String {
        JSON.object([("models", JSON.array(entries.map { JSON.object(summary($0)) }))])
    }

    /// `GET /api/models/{name}`: the summary, then metrics per part beside the baselines, the
    /// history, the layers, the hyperparameters and the config.
    static func detail(_ e: ModelCatalog.Entry) -> String {
        guard let report = e.report else { return JSON.object(summary(e)) }
        let m = report.manifest
        let history = m.history.map { h in
            JSON.object([("epoch", String(h.epoch)), ("loss", JSON.number(h.loss)), ("val_loss", JSON.number(h.validationLoss)),
                         ("learning_rate", JSON.number(h.learningRate)), ("seconds", JSON.number(h.seconds))])
        }
        let layers = m.architecture.layers.map { l in
            JSON.object([("type", JSON.string(l.type)), ("name", JSON.string(l.name)), ("input_size", String(l.inputSize)),
                         ("units", String(l.units)), ("return_sequences", l.returnSequences.map { $0 ? "true" : "false" } ?? "null"),
                         ("activation", l.activation.map(JSON.string) ?? "null"), ("rate", JSON.number(l.rate))])
        }
        let hyper = JSON.object((m.hyperparameters ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, JSON.value($0.value)) })
        return JSON.object(summary(e) + [
            ("metrics", JSON.split(m.metrics)),
            ("baselines", JSON.object(m.baselines.sorted { $0.key < $1.key }.map { ($0.key, JSON.split($0.value)) })),
            ("training", JSON.object([("seed", String(m.training.seed)), ("epochs_run", String(m.training.epochsRun)),
                                      ("stop_reason", JSON.string(m.training.stopReason)), ("best_epoch", JSON.int(m.training.bestEpoch)),
                                      ("seconds", JSON.number(m.training.seconds)), ("train_samples", String(m.training.trainSamples)),
                                      ("validation_samples", String(m.training.validationSamples)),
                                      ("test_samples", String(m.training.testSamples))])),
            ("history", JSON.array(history)), ("layers", JSON.array(layers)), ("hyperparameters", hyper),
            ("n_past_steps", String(m.data.window.nPastSteps)), ("horizon", String(m.data.window.horizon)),
            ("frequency_seconds", String(m.data.frequencySeconds)),
            ("config", m.config.nativeJSON()),
        ])
    }
}
