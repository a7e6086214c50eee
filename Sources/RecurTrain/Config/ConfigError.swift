import RecurData

/// A position in a config file: 1-based line and column (columns count characters).
public struct SourceLocation: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// 1-based line.
    public var line: Int
    /// 1-based column, in characters.
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

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
        /// The file cannot be read.
        case io
        /// Not JSON (after comments and trailing commas are removed).
        case syntax
        /// A key the schema does not have.
        case unknownKey
        /// A required key is absent.
        case missingKey
        /// A value of the wrong JSON type.
        case wrongType
        /// A value of the right type outside its allowed range or set.
        case invalidValue
        /// Keys that cannot be used together, or a missing companion key.
        case conflict
        /// A `--set` argument that is malformed or points into a non-object.
        case override
    }

    /// The kind of problem.
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
        self.kind = kind
        self.file = file
        self.keyPath = keyPath
        self.location = location
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var prefix = ""
        if let file { prefix = file }
        if let location { prefix += (prefix.isEmpty ? "line " : ":") + location.description }
        var text = prefix.isEmpty ? "error: \(message)" : "\(prefix): error: \(message)"
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }
}

extension ConfigError {
    /// "`path` must be EXPECTED, got GOT" at the value's position.
    static func invalid(_ value: ConfigValue, _ expected: String, file: String?, kind: Kind = .invalidValue,
                        hint: String? = nil) -> ConfigError {
        var h = hint
        if let text = value.overrideText {
            h = h.map { "\($0) (the value comes from --set \(TextExcerpt.of(text)))" } ?? "the value comes from --set \(TextExcerpt.of(text))"
        }
        return ConfigError(kind: kind, file: file, keyPath: value.path, location: value.location,
                           message: "`\(value.path)` must be \(expected), got \(value.shortDescription)", hint: h)
    }

    /// The same as `invalid` with kind `.wrongType`.
    static func wrongType(_ value: ConfigValue, _ expected: String, file: String?, hint: String? = nil) -> ConfigError {
        invalid(value, expected, file: file, kind: .wrongType, hint: hint)
    }
}
