import Foundation
import RecurData

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

/// Checks on single values, shared by the schema formats.
enum ConfigReader {
    /// - Throws: when `value` is not an object, or has a key not in `allowed`.
    static func checkKeys(_ value: ConfigValue, allowed: [String], file: String?, what: String = "an object") throws {
        guard let members = value.members else { throw ConfigError.wrongType(value, what, file: file) }
        for m in members where !allowed.contains(m.key) {
            throw ConfigError.unknownKey(m.value, key: m.key, allowed: allowed, file: file)
        }
    }

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

    /// "`path.key` is required: EXPECTED" at the object lacking it.
    static func missing(_ object: ConfigValue, _ key: String, _ expected: String, file: String?, hint: String? = nil) -> ConfigError {
        let path = ConfigValue.childPath(object.path, key)
        return ConfigError(kind: .missingKey, file: file, keyPath: path, location: object.location,
                           message: "`\(path)` is required: \(expected)", hint: hint)
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
