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
        // Plain values written by PrettyJSON (JSONSerialization took 7-9 s for 10,000 trials).
        func num(_ v: Double?) -> Any { v.map { $0.isFinite ? $0 as Any : NSNull() } ?? NSNull() }
        func time(_ t: Double?) -> Any { t.map { PrettyJSON.time($0) as Any } ?? NSNull() }
        func metrics(_ m: MetricSet?) -> Any { PrettyJSON.metrics(m) }
        let summary = StudySummary.of(study: study, trials: trials, path: path, local: local)
        var best: Any = NSNull()
        if let b = summary.best {
            best = ["number": b.number, "params": b.params.mapValues(ParamsJSON.plain), "value": b.value,
                    "package": b.package as Any? ?? NSNull(), "test_metrics": metrics(b.testMetrics)] as [String: Any]
        }
        let object: [String: Any] = [
            "study": path, "name": study.name, "objective": study.objective, "sampler": study.sampler,
            "seed": study.seed, "max_evals": study.maxEvals, "config_hash": study.configHash, "created": time(study.created),
            "trials_csv": summary.trialsCsv as Any? ?? NSNull(), "counts": summary.trials, "best": best,
            "trials": trials.map { t -> [String: Any] in
                [
                    "number": t.number, "state": t.state.rawValue, "params": t.params.mapValues(ParamsJSON.plain),
                    "value": num(t.value), "started": time(t.started), "finished": time(t.finished), "seconds": num(t.seconds),
                    "epochs": t.epochs as Any? ?? NSNull(), "seed": t.seed, "error": t.error as Any? ?? NSNull(),
                    "attempts": t.attempts,
                    "intermediate": Dictionary(uniqueKeysWithValues: t.record.intermediate.map { (String($0.key), $0.value) }),
                    "validation_metrics": metrics(t.metrics?.validation),
                    "worker": t.state == .running ? "\(t.workerPID.map(String.init) ?? "?")@\(t.workerHost ?? "?")" as Any : NSNull(),
                ]
            },
        ]
        return PrettyJSON.text(object)
    }
}
