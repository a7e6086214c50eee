import Foundation
import RecurData

/// Typed, checked access to one object of a `ConfigValue` tree, for the schema decoders.
/// `ObjectReader(value, allowed:)` rejects keys that are not in `allowed` (suggesting the
/// closest), then each accessor returns the key's value, nil when it is absent or `null`
/// (null means "the default" everywhere in the schema), or throws a `ConfigError` naming the key,
/// the expected type or range, and what it got.
struct ObjectReader {
    let object: ConfigValue
    let file: String?

    /// - Throws: when `value` is not an object, or has a key not in `allowed`.
    init(_ value: ConfigValue, allowed: [String], file: String?, what: String = "an object") throws {
        guard let members = value.members else { throw ConfigError.wrongType(value, what, file: file) }
        for m in members where !allowed.contains(m.key) {
            throw ConfigError.unknownKey(m.value, key: m.key, allowed: allowed, file: file)
        }
        self.object = value
        self.file = file
    }

    var path: String { object.path }

    /// The path a key of this object would have.
    func path(_ key: String) -> String { ConfigValue.childPath(object.path, key) }

    func has(_ key: String) -> Bool { value(key) != nil }

    /// The raw value of `key`, nil when absent or null.
    func value(_ key: String) -> ConfigValue? {
        guard let v = object[key], !v.isNull else { return nil }
        return v
    }

    /// The raw value of `key`, or a `.missingKey` error.
    func require(_ key: String, _ expected: String, hint: String? = nil) throws -> ConfigValue {
        guard let v = value(key) else {
            throw ConfigError(kind: .missingKey, file: file, keyPath: path(key), location: object.location,
                              message: "`\(path(key))` is required: \(expected)", hint: hint)
        }
        return v
    }

    func string(_ key: String) throws -> String? {
        guard let v = value(key) else { return nil }
        return try ConfigReader.string(v, file: file)
    }

    func requiredString(_ key: String, _ meaning: String = "a string") throws -> String {
        try ConfigReader.string(try require(key, meaning), file: file)
    }

    func bool(_ key: String) throws -> Bool? {
        guard let v = value(key) else { return nil }
        guard case let .bool(b) = v.kind else { throw ConfigError.wrongType(v, "true or false", file: file) }
        return b
    }

    func int(_ key: String, min: Int? = nil, max: Int? = nil) throws -> Int? {
        guard let v = value(key) else { return nil }
        return try ConfigReader.int(v, min: min, max: max, file: file)
    }

    func requiredInt(_ key: String, min: Int? = nil, max: Int? = nil) throws -> Int {
        try ConfigReader.int(try require(key, ConfigReader.intDescription(min: min, max: max)), min: min, max: max, file: file)
    }

    func double(_ key: String, _ range: NumberRange = .any) throws -> Double? {
        guard let v = value(key) else { return nil }
        return try ConfigReader.double(v, range, file: file)
    }

    func choice<T: RawRepresentable>(_ key: String, _ type: T.Type) throws -> T? where T.RawValue == String, T: CaseIterable {
        guard let v = value(key) else { return nil }
        return try ConfigReader.choice(v, type, file: file)
    }

    func stringArray(_ key: String) throws -> [String]? {
        guard let v = value(key) else { return nil }
        return try ConfigReader.array(v, "an array of strings", file: file).map { try ConfigReader.string($0, file: file) }
    }
}

/// Allowed ranges of numbers, with their wording for messages.
struct NumberRange {
    var low: Double?
    var lowInclusive = true
    var high: Double?
    var highInclusive = true

    static let any = NumberRange()
    static let nonNegative = NumberRange(low: 0)
    static let positive = NumberRange(low: 0, lowInclusive: false)
    /// A dropout rate or probability: [0, 1).
    static let rate = NumberRange(low: 0, high: 1, highInclusive: false)
    static let unit = NumberRange(low: 0, high: 1)

    func contains(_ x: Double) -> Bool {
        if let low, lowInclusive ? x < low : x <= low { return false }
        if let high, highInclusive ? x > high : x >= high { return false }
        return true
    }

    var wording: String {
        let f = ConfigValue.format
        switch (low, high) {
        case (nil, nil): return "a number"
        case let (l?, nil): return "a number \(lowInclusive ? "≥" : ">") \(f(l))"
        case let (nil, h?): return "a number \(highInclusive ? "≤" : "<") \(f(h))"
        case let (l?, h?): return "a number in \(lowInclusive ? "[" : "(")\(f(l)), \(f(h))\(highInclusive ? "]" : ")")"
        }
    }
}

/// Checks on single values, shared by the decoders.
enum ConfigReader {
    static func string(_ v: ConfigValue, file: String?) throws -> String {
        if case let .string(s) = v.kind { return s }
        // `--set data.station=123`: a number or boolean typed on the command line where a string
        // is expected is taken as the text typed.
        if let text = v.overrideText, let eq = text.firstIndex(of: "=") {
            let raw = text[text.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            switch v.kind {
            case .number, .bool: if (try? ConfigParser.parse(raw))?.kind == v.kind { return raw }
            default: break
            }
        }
        throw ConfigError.wrongType(v, "a string", file: file)
    }

    static func intDescription(min: Int?, max: Int?) -> String {
        switch (min, max) {
        case (nil, nil): return "an integer"
        case let (l?, nil): return "an integer ≥ \(l)"
        case let (nil, h?): return "an integer ≤ \(h)"
        case let (l?, h?): return "an integer in [\(l), \(h)]"
        }
    }

    static func int(_ v: ConfigValue, min: Int? = nil, max: Int? = nil, file: String?) throws -> Int {
        let expected = intDescription(min: min, max: max)
        guard case let .number(x) = v.kind else { throw ConfigError.wrongType(v, expected, file: file) }
        guard x == x.rounded(), abs(x) < 9e15 else { throw ConfigError.wrongType(v, expected, file: file) }
        let n = Int(x)
        if let min, n < min { throw ConfigError.invalid(v, expected, file: file) }
        if let max, n > max { throw ConfigError.invalid(v, expected, file: file) }
        return n
    }

    static func double(_ v: ConfigValue, _ range: NumberRange = .any, file: String?) throws -> Double {
        guard case let .number(x) = v.kind else { throw ConfigError.wrongType(v, range.wording, file: file) }
        guard range.contains(x) else { throw ConfigError.invalid(v, range.wording, file: file) }
        return x
    }

    static func array(_ v: ConfigValue, _ expected: String, file: String?) throws -> [ConfigValue] {
        guard case let .array(a) = v.kind else { throw ConfigError.wrongType(v, expected, file: file) }
        return a
    }

    /// The names a choice accepts, for messages: `"a", "b" or "c"`.
    static func alternatives(_ names: [String]) -> String {
        let quoted = names.map { "\"\($0)\"" }
        guard quoted.count > 1 else { return quoted.first ?? "" }
        return quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
    }

    static func choice<T: RawRepresentable>(_ v: ConfigValue, _ type: T.Type, file: String?) throws -> T where T.RawValue == String, T: CaseIterable {
        let names = T.allCases.map(\.rawValue)
        let expected = "one of " + alternatives(names)
        guard case let .string(s) = v.kind else { throw ConfigError.wrongType(v, expected, file: file) }
        if let t = T(rawValue: s) ?? T(rawValue: s.lowercased()) { return t }
        let hint = Suggestion.closest(to: s, among: names).map { "did you mean \"\($0)\"?" }
        throw ConfigError.invalid(v, expected, file: file, hint: hint)
    }
}

extension ConfigError {
    /// "unknown key `training.epocs`; did you mean `training.epochs`?"
    static func unknownKey(_ value: ConfigValue, key: String, allowed: [String], file: String?) -> ConfigError {
        let parent = String(value.path.dropLast(key.count)).trimmingSuffix(".")
        // A key far longer than any allowed one is no typo of them (and costly to compare).
        let suggestion = key.utf8.count > 100 ? nil : Suggestion.closest(to: key, among: allowed)
        var message = "unknown key `\(TextExcerpt.of(value.path))`"
        if let suggestion { message += "; did you mean `\(ConfigValue.childPath(parent, suggestion))`?" }
        let where_ = parent.isEmpty ? "at the top level" : "in `\(parent)`"
        var hint = "the keys allowed \(where_) are: " + allowed.joined(separator: ", ")
        if let text = value.overrideText { hint += " (the key comes from --set \(TextExcerpt.of(text)))" }
        return ConfigError(kind: .unknownKey, file: file, keyPath: value.path, location: value.location,
                           message: message, hint: hint)
    }

    /// Two keys that cannot both be given, or a key that needs another.
    static func conflict(_ value: ConfigValue, _ message: String, file: String?, hint: String? = nil) -> ConfigError {
        ConfigError(kind: .conflict, file: file, keyPath: value.path, location: value.location, message: message, hint: hint)
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}

/// "Did you mean …?": the closest name by edit distance, when it is close enough.
enum Suggestion {
    /// The name in `names` closest to `word` (case-insensitive Levenshtein distance, ties to the
    /// first), if within a third of the longer length (at least 1, at most 3 edits).
    static func closest(to word: String, among names: [String]) -> String? {
        let w = Array(word.lowercased())
        var best: (String, Int)? = nil
        for name in names {
            let d = distance(w, Array(name.lowercased()))
            if best == nil || d < best!.1 { best = (name, d) }
        }
        guard let (name, d) = best else { return nil }
        let limit = Swift.min(3, Swift.max(1, Swift.max(w.count, name.count) / 3))
        return d <= limit ? name : nil
    }

    /// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of
    /// neighbours each cost one edit.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = Swift.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = Swift.min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
