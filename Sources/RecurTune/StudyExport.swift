import Foundation
import RecurTrain

/// A study's trials as a table (CSV, in the manner of the old platform's results file) or JSON.
public enum StudyExport {
    /// The parameter columns: the space's names when known, else every name the trials used.
    static func parameterNames(space: SearchSpace?, trials: [StoredTrial]) -> [String] {
        if let space { return space.parameters.map(\.name) }
        return Array(Set(trials.flatMap { $0.params.keys })).sorted()
    }

    /// One row per trial: `number,state,<parameters…>,value,seconds,epochs,seed,val_rmse,val_mae,
    /// test_rmse,test_mae,test_r2,best,error`. Test metrics are filled for the best trial's
    /// package only (the test part never chooses). Inactive conditional parameters are empty.
    public static func csv(study: StudyRecord?, trials: [StoredTrial], space: SearchSpace?) -> String {
        let names = parameterNames(space: space, trials: trials)
        func f(_ v: Double?) -> String { v.map { String(format: "%.6g", $0) } ?? "" }
        func q(_ s: String) -> String {
            s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        func cell(_ v: SearchValue?) -> String {
            switch v {
            case let .number(x)?: return SearchValue.number(x).description
            case let .string(s)?: return s
            case let .bool(b)?: return b ? "true" : "false"
            case nil: return ""
            }
        }
        let best = StudyRunner.bestTrial(trials)?.number
        var lines = [(["number", "state"] + names + ["value", "seconds", "epochs", "seed", "val_rmse", "val_mae",
                                                     "test_rmse", "test_mae", "test_r2", "best", "error"]).map(q).joined(separator: ",")]
        for t in trials {
            let test = (study?.bestTrial == t.number) ? study?.bestTestMetrics : nil
            let row: [String] = [String(t.number), t.state.rawValue] + names.map { cell(t.params[$0]) } + [
                f(t.value), f(t.seconds), t.epochs.map(String.init) ?? "", String(t.seed),
                f(t.metrics?.validation?.rmse), f(t.metrics?.validation?.mae),
                f(test?.rmse), f(test?.mae), f(test?.r2), t.number == best ? "yes" : "",
                (t.error ?? "").replacingOccurrences(of: "\n", with: " "),
            ]
            lines.append(row.map(q).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The study and every trial as one JSON object.
    /// `local`: the study is a file (false: in a database server, without a trials CSV).
    public static func json(study: StudyRecord, trials: [StoredTrial], path: String, local: Bool = true) throws -> String {
        // A typed tree written by PrettyJSON (JSONSerialization took 7-9 s for 10,000 trials).
        typealias J = PrettyJSON.Value
        func num(_ v: Double?) -> J { v.map { J.number($0) } ?? .null }
        func text(_ v: String?) -> J { v.map { J.string($0) } ?? .null }
        func time(_ t: Double?) -> J { t.map { J.string(PrettyJSON.time($0)) } ?? .null }
        func params(_ p: [String: SearchValue]) -> J {
            .object(p.mapValues { v -> J in
                switch v {
                case let .number(x): return .number(x)
                case let .string(s): return .string(s)
                case let .bool(b): return .bool(b)
                }
            })
        }
        let summary = StudySummary.of(study: study, trials: trials, path: path, local: local)
        var best: J = .null
        if let b = summary.best {
            best = .object(["number": .int(b.number), "params": params(b.params), "value": .number(b.value),
                            "package": text(b.package), "test_metrics": PrettyJSON.metrics(b.testMetrics)])
        }
        let object: J = .object([
            "study": .string(path), "name": .string(study.name), "objective": .string(study.objective), "sampler": .string(study.sampler),
            "seed": .uint(study.seed), "max_evals": .int(study.maxEvals), "config_hash": .string(study.configHash),
            "created": time(study.created), "trials_csv": text(summary.trialsCsv),
            "counts": .object(summary.trialsByName.mapValues { J.int($0) }), "best": best,
            "trials": .array(trials.map { t -> J in
                .object([
                    "number": .int(t.number), "state": .string(t.state.rawValue), "params": params(t.params),
                    "value": num(t.value), "started": time(t.started), "finished": time(t.finished), "seconds": num(t.seconds),
                    "epochs": t.epochs.map { J.int($0) } ?? .null, "seed": .uint(t.seed), "error": text(t.error),
                    "attempts": .int(t.attempts),
                    "retry_of": t.retryOf.map { J.int($0) } ?? .null, "retries": .int(t.retries),
                    "intermediate": .object(Dictionary(uniqueKeysWithValues: t.record.intermediate.map { (String($0.key), J.number($0.value)) })),
                    "validation_metrics": PrettyJSON.metrics(t.metrics?.validation),
                    "worker": t.state == .running ? .string("\(t.workerPID.map(String.init) ?? "?")@\(t.workerHost ?? "?")") : .null,
                ])
            }),
        ])
        return PrettyJSON.text(object)
    }
}
