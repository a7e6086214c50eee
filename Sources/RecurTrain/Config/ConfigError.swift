import RecurData

/// A position in a config file: 1-based line and column (columns count characters).
public struct SourceLocation: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) { (self.line, self.column) = (line, column) }

    public var description: String { "\(line):\(column)" }
}

/// A bad config: a syntax error, an unknown key, a value of the wrong type or out of range, a
/// malformed `--set` override, or a file that cannot be read. Its `description` is one message
/// in the compiler's manner, `FILE:LINE:COLUMN: error: …`, then what to do, e.g.
///
///     run.json:7:15: error: `training.epochs` must be an integer ≥ 1, got -5
///
/// The CLI exits with status 2 on it.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of problem it is.
    public enum Kind: String, Codable, Equatable, Sendable {
        /// `io`: the file cannot be read; `syntax`: not JSON (after comments and trailing commas
        /// are removed); `unknownKey`: a key the schema does not have; `missingKey`: a required
        /// key is absent; `wrongType`: a value of the wrong JSON type; `invalidValue`: the right
        /// type outside its range or set; `conflict`: keys that cannot be used together, or a
        /// missing companion key; `override`: a `--set` that is malformed or points into a non-object.
        case io, syntax, unknownKey, missingKey, wrongType, invalidValue, conflict, override
    }

    public var kind: Kind
    /// The config file, when known.
    public var file: String?
    /// The full key path, e.g. `training.epochs` or `model.layers[1].units`, when the problem has one.
    public var keyPath: String?
    /// Where in the file, when known (values set with `--set` have none).
    public var location: SourceLocation?
    /// What is wrong, naming the key, what was expected and what was found.
    public var message: String
    /// What to do about it, when there is something more useful to say than the message.
    public var hint: String?

    public init(kind: Kind, file: String? = nil, keyPath: String? = nil, location: SourceLocation? = nil,
                message: String, hint: String? = nil) {
        (self.kind, self.file, self.keyPath, self.location, self.message, self.hint) = (kind, file, keyPath, location, message, hint)
    }

    public var description: String {
        var prefix = file ?? ""
        if let location { prefix += (prefix.isEmpty ? "line " : ":") + location.description }
        let text = prefix.isEmpty ? "error: \(message)" : "\(prefix): error: \(message)"
        return hint.map { text + "\n  hint: \($0)" } ?? text
    }
}

extension ConfigError {
    /// An error of `kind` at `value` (its path and location).
    static func at(_ value: ConfigValue, _ kind: Kind, _ message: String, file: String?, hint: String? = nil) -> ConfigError {
        ConfigError(kind: kind, file: file, keyPath: value.path, location: value.location, message: message, hint: hint)
    }

    /// "`path` must be EXPECTED, got GOT" at the value's position.
    static func invalid(_ value: ConfigValue, _ expected: String, file: String?, kind: Kind = .invalidValue,
                        hint: String? = nil) -> ConfigError {
        var h = hint
        if let text = value.overrideText {
            let origin = "the value comes from --set \(TextExcerpt.of(text))"
            h = h.map { "\($0) (\(origin))" } ?? origin
        }
        return at(value, kind, "`\(value.path)` must be \(expected), got \(value.shortDescription)", file: file, hint: h)
    }

    /// The same as `invalid` with kind `.wrongType`.
    static func wrongType(_ value: ConfigValue, _ expected: String, file: String?, hint: String? = nil) -> ConfigError {
        invalid(value, expected, file: file, kind: .wrongType, hint: hint)
    }

    /// "unknown key `training.epocs`; did you mean `training.epochs`?"
    static func unknownKey(_ value: ConfigValue, key: String, allowed: [String], file: String?) -> ConfigError {
        let parent = value.path.hasSuffix("." + key) ? String(value.path.dropLast(key.count + 1)) : String(value.path.dropLast(key.count))
        // A key far longer than any allowed one is no typo of them (and costly to compare).
        let suggestion = key.utf8.count > 100 ? nil : Suggestion.closest(to: key, among: allowed)
        var message = "unknown key `\(TextExcerpt.of(value.path))`"
        if let suggestion { message += "; did you mean `\(ConfigValue.childPath(parent, suggestion))`?" }
        var hint = "the keys allowed \(parent.isEmpty ? "at the top level" : "in `\(parent)`") are: " + allowed.joined(separator: ", ")
        if let text = value.overrideText { hint += " (the key comes from --set \(TextExcerpt.of(text)))" }
        return at(value, .unknownKey, message, file: file, hint: hint)
    }

    /// "`path.key` is required: EXPECTED" at the object lacking it.
    static func missing(_ object: ConfigValue, _ key: String, _ expected: String, file: String?, hint: String? = nil) -> ConfigError {
        let path = ConfigValue.childPath(object.path, key)
        return ConfigError(kind: .missingKey, file: file, keyPath: path, location: object.location, message: "`\(path)` is required: \(expected)", hint: hint)
    }

    /// Two keys that cannot both be given, or a key that needs another.
    static func conflict(_ value: ConfigValue, _ message: String, file: String?, hint: String? = nil) -> ConfigError {
        at(value, .conflict, message, file: file, hint: hint)
    }
}

/// "Did you mean …?": the closest name by edit distance, when it is close enough.
enum Suggestion {
    /// The name in `names` closest to `word` (case-insensitive, ties to the first), if within a
    /// third of the longer length (at least 1, at most 3 edits).
    static func closest(to word: String, among names: [String]) -> String? {
        let w = Array(word.lowercased())
        var best: (String, Int)? = nil
        for name in names {
            let d = distance(w, Array(name.lowercased()))
            if best == nil || d < best!.1 { best = (name, d) }
        }
        guard let (name, d) = best else { return nil }
        return d <= min(3, max(1, max(w.count, name.count) / 3)) ? name : nil
    }

    /// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of
    /// neighbours each cost one edit.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var d = (0...a.count).map { i in (0...b.count).map { j in i == 0 ? j : (j == 0 ? i : 0) } }
        for i in 1...a.count {
            for j in 1...b.count {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }
}
