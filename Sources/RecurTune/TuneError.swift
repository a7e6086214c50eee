/// What can go wrong with a study: its storage file, its config, or its runs.
public enum TuneError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `path` exists but is not a Recur study database (not SQLite, or SQLite without a study).
    case notAStudy(path: String, reason: String)
    /// No study at `path` (`recur study show` on a missing file).
    case noStudy(path: String)
    /// The study at `path` was made from a different config; `differences` names the key paths.
    case differentConfig(path: String, differences: [String])
    /// The study at `path` was written by a newer Recur (schema version `found`).
    case newerSchema(path: String, found: Int, supported: Int)
    /// The config cannot be tuned (no `search` section, no validation part, ...).
    case notTunable(String)
    /// Reading or writing the study database failed.
    case storage(path: String, reason: String)
    /// A stored value cannot be read: `row` (`study`, `trial 3`) of the study at `path`, its
    /// `column`, and why (JSON that does not decode, an unknown state).
    case corrupt(path: String, row: String, column: String, reason: String)

    /// Bad input (exit 2) rather than a failure (exit 1).
    public var isUsage: Bool {
        if case .storage = self { return false }
        return true
    }

    public var description: String {
        switch self {
        case let .notAStudy(path, reason):
            return "\(path) is not a Recur study database: \(reason); name a study `recur tune` wrote (for `recur tune`: choose another --storage path, where a new file is created, or remove it)"
        case let .noStudy(path):
            return "no study at \(path): no such file (`recur tune CONFIG` creates one at <output.directory>/<config name>.study.sqlite, or at --storage)"
        case let .differentConfig(path, differences):
            let shown = differences.prefix(6).joined(separator: "; ")
            let more = differences.count > 6 ? "; and \(differences.count - 6) more" : ""
            return "the study at \(path) belongs to a different config (\(shown)\(more)); only `search.max_evals`, `search.jobs` and `search.ensemble` may change when a study is resumed: use another --storage path for a new study"
        case let .newerSchema(path, found, supported):
            return "the study at \(path) has schema version \(found), newer than this Recur reads (\(supported)); upgrade recur"
        case let .notTunable(message):
            return message
        case let .storage(path, reason):
            return "study database \(path): \(reason)"
        case let .corrupt(path, row, column, reason):
            return "study database \(path): \(row)'s `\(column)` cannot be read: \(reason); the stored value was changed outside Recur (restore the study from a copy, or export what reads with `recur study export`)"
        }
    }
}
