import Foundation
import RecurTune

/// The study payloads of the JSON API (documented in docs/dashboard.md; keys in this order).
enum StudyAPI {
    /// `{"running": n, "complete": n, "pruned": n, "failed": n}`.
    static func counts(_ counts: [TrialState: Int]) -> String {
        JSON.object(TrialState.allCases.map { ($0.rawValue, String(counts[$0] ?? 0)) })
    }

    /// `GET /api/studies`: `{"studies": [...]}`, one object per study; a study that cannot be
    /// read now has `error` and null figures.
    static func list(_ dashboard: Dashboard) -> String {
        let items = dashboard.studies.map { study -> String in
            do {
                let r = try study.reader.read(changedAfter: Int.max)
                return JSON.object([
                    ("name", JSON.string(study.name)), ("storage", JSON.string(study.reader.storage)),
                    ("objective", JSON.string(r.study.objective)), ("counts", counts(r.counts)), ("total", String(r.total)),
                    ("max_evals", String(r.study.maxEvals)), ("best_value", JSON.number(r.best?.value)),
                    ("best_trial", JSON.int(r.best?.number)), ("last_update", JSON.time(r.lastUpdate)),
                    ("change", JSON.int(r.change)), ("error", "null"),
                ])
            } catch {
                return JSON.object([
                    ("name", JSON.string(study.name)), ("storage", JSON.string(study.reader.storage)), ("objective", "null"),
                    ("counts", "null"), ("total", "null"), ("max_evals", "null"), ("best_value", "null"), ("best_trial", "null"),
                    ("last_update", "null"), ("change", "null"), ("error", JSON.string("\(error)")),
                ])
            }
        }
        return JSON.object([("studies", JSON.array(items))])
    }

    /// One trial: number, state, params, value, intermediate (epoch → value), then timing.
    static func trial(_ t: StoredTrial) -> String {
        let params = JSON.object(t.params.sorted { $0.key < $1.key }.map { ($0.key, JSON.value($0.value)) })
        let intermediate = JSON.object(t.record.intermediate.sorted { $0.key < $1.key }.map { (String($0.key), JSON.number($0.value)) })
        return JSON.object([
            ("number", String(t.number)), ("state", JSON.string(t.state.rawValue)), ("params", params), ("value", JSON.number(t.value)),
            ("intermediate", intermediate), ("started", JSON.time(t.started)), ("finished", JSON.time(t.finished)),
            ("seconds", JSON.number(t.seconds)), ("epochs", JSON.int(t.epochs)), ("attempts", String(t.attempts)), ("retry_of", JSON.int(t.retryOf)),
            ("error", t.error.map(JSON.string) ?? "null"),
        ])
    }

    /// `GET /api/studies/{name}[?after=N]`.
    static func detail(study: Dashboard.Study, readout r: StudyReadout, bestModel: String?) -> String {
        JSON.object([
            ("name", JSON.string(study.name)), ("storage", JSON.string(study.reader.storage)),
            ("objective", JSON.string(r.study.objective)), ("direction", JSON.string("minimize")),
            ("sampler", JSON.string(r.study.sampler)), ("max_evals", String(r.study.maxEvals)),
            ("created", JSON.time(r.study.created)), ("last_update", JSON.time(r.lastUpdate)),
            ("counts", counts(r.counts)), ("total", String(r.total)),
            ("best", r.best.map { JSON.object([("number", String($0.number)), ("value", JSON.number($0.value))]) } ?? "null"),
            ("best_package", JSON.string(r.study.bestPackage)), ("best_package_trial", JSON.int(r.study.bestTrial)),
            ("best_model", bestModel.map(JSON.string) ?? "null"),
            ("change", JSON.int(r.change)), ("incremental", r.incremental ? "true" : "false"),
            ("trials", JSON.array(r.trials.map(trial))),
        ])
    }
}
