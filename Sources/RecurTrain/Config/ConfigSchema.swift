import Foundation
import RecurData

/// How one value is read from a config document and written back: the wording of its type
/// (in errors, "`training.epochs` must be an integer ≥ 1, got -5", and in docs/config.md), a
/// reader that throws a located `ConfigError`, and a writer.
struct ConfigFormat<T> {
    /// What is expected, e.g. "an integer ≥ 1", "one of \"keras\" or \"pytorch\"".
    var expected: String
    var read: (ConfigValue, String?) throws -> T
    var write: (T) -> ConfigValue.Kind

    /// The same value mapped through `to`/`from`, e.g. an integer seed as `UInt64`.
    func map<U>(_ to: @escaping (T) -> U, _ from: @escaping (U) -> T) -> ConfigFormat<U> {
        let (read, write) = (self.read, self.write)
        return ConfigFormat<U>(expected: expected, read: { try to(read($0, $1)) }, write: { write(from($0)) })
    }

    /// The same value with a check after reading; `check` returns "must be" wording when it fails.
    func checked(_ check: @escaping (T) -> String?, hint: String? = nil) -> ConfigFormat<T> {
        let read = self.read
        return ConfigFormat(expected: expected, read: { v, file in
            let x = try read(v, file)
            if let wanted = check(x) { throw ConfigError.invalid(v, wanted, file: file, hint: hint) }
            return x
        }, write: write)
    }

    /// `name` for a string, `object` for an object (e.g. `"adam"` or `{"name": "adam", …}`).
    static func nameOrObject(_ expected: String, name: ConfigFormat<T>, object: ConfigFormat<T>, write: @escaping (T) -> ConfigValue.Kind) -> Self {
        Self(expected: expected, read: { v, file in
            switch v.kind {
            case .string: return try name.read(v, file)
            case .object: return try object.read(v, file)
            default: throw ConfigError.wrongType(v, expected, file: file)
            }
        }, write: write)
    }

    /// The string `word` for `value`, else a number read by `number` (any error worded as `expected`).
    static func word(_ word: String, _ value: T, or number: ConfigFormat<T>, expected: String) -> Self where T: Equatable {
        Self(expected: expected, read: { v, file in
            if case .string(word) = v.kind { return value }
            guard case .number = v.kind else { throw ConfigError.wrongType(v, expected, file: file) }
            guard let x = try? number.read(v, file) else { throw ConfigError.invalid(v, expected, file: file) }
            return x
        }, write: { $0 == value ? .string(word) : number.write($0) })
    }

    /// `format`'s value or nil, written as `null` when nil.
    static func nullable<W>(_ format: ConfigFormat<W>) -> Self where T == W? {
        Self(expected: format.expected, read: { try format.read($0, $1) }, write: { $0.map(format.write) ?? .null })
    }

    /// An array of values of `element`; `expected` words the whole.
    static func list<E>(_ element: ConfigFormat<E>, _ expected: String, nonEmpty: Bool = false) -> Self where T == [E] {
        Self(expected: expected, read: { v, file in
            let items = try v.items(expected, file: file)
            if nonEmpty, items.isEmpty { throw ConfigError.invalid(v, expected, file: file, hint: "an empty choice list leaves nothing to try") }
            return try items.map { try element.read($0, file) }
        }, write: { .array($0.map { ConfigValue(element.write($0)) }) })
    }

    /// A case of `T` by its name; `names` pairs the spelling in configs with the case.
    static func choice(_ names: [(String, T)], hint: String? = nil, anyCase: Bool = true) -> Self where T: Equatable {
        let spellings = names.map(\.0), expected = "one of " + ConfigWords.alternatives(spellings)
        return Self(expected: expected, read: { v, file in
            guard case let .string(s) = v.kind else { throw ConfigError.wrongType(v, expected, file: file) }
            if let hit = names.first(where: { $0.0 == s || (anyCase && $0.0 == s.lowercased()) }) { return hit.1 }
            throw ConfigError.invalid(v, expected, file: file, hint: ConfigWords.didYouMean(s, spellings, quote: "\"") ?? hint)
        }, write: { x in .string(names.first { $0.1 == x }?.0 ?? "") })
    }

    /// A case of a string enum, spelled as its raw value in snake_case (`forwardFill` → `forward_fill`).
    static func choice(_ type: T.Type) -> Self where T: CaseIterable & RawRepresentable & Equatable, T.RawValue == String {
        choice(T.allCases.map { (ConfigWords.snakeCase($0.rawValue), $0) })
    }
}

extension ConfigFormat where T == Bool {
    static var bool: Self {
        Self(expected: "true or false", read: { v, file in
            guard case let .bool(b) = v.kind else { throw ConfigError.wrongType(v, "true or false", file: file) }
            return b
        }, write: { .bool($0) })
    }
}

extension ConfigFormat where T == String {
    static var string: Self {
        Self(expected: "a string", read: { v, file in
            if case let .string(s) = v.kind { return s }
            // `--set data.station=123`: a number or boolean typed where a string is expected is
            // taken as the text typed.
            if let text = v.overrideText, let eq = text.firstIndex(of: "="), ["a number", "a boolean"].contains(v.typeName) {
                let raw = text[text.index(after: eq)...].trimmingCharacters(in: .whitespaces)
                if (try? ConfigParser.parse(raw))?.kind == v.kind { return raw }
            }
            throw ConfigError.wrongType(v, "a string", file: file)
        }, write: { .string($0) })
    }

    /// A string from `names` ("did you mean" for a near miss).
    static func oneOf(_ names: [String], hint: String? = nil) -> Self { choice(names.map { ($0, $0) }, hint: hint, anyCase: false) }

    /// A `YYYY-MM-DD` date that exists.
    static var date: Self {
        var f = string.checked { ConfigDates.parse($0) == nil ? "a date written YYYY-MM-DD" : nil }
        f.expected = "a date written YYYY-MM-DD"
        return f
    }
}

extension ConfigFormat where T == Double {
    static func number(_ range: NumberRange = .any) -> Self {
        Self(expected: range.wording, read: { v, file in
            guard case let .number(x) = v.kind, !range.integer || (x == x.rounded() && abs(x) < ConfigValue.exactIntegerLimit) else {
                throw ConfigError.wrongType(v, range.wording, file: file)
            }
            guard range.contains(x) else { throw ConfigError.invalid(v, range.wording, file: file) }
            return x
        }, write: { .number($0) })
    }
}

extension ConfigFormat where T == Int {
    static func int(min: Int? = nil, max: Int? = nil) -> Self {
        ConfigFormat<Double>.number(NumberRange(low: min.map(Double.init), high: max.map(Double.init), integer: true)).map({ Int($0) }, { Double($0) })
    }
}

extension ConfigFormat where T == UInt64 {
    /// A seed, 0 to 2^64 − 1: a JSON integer below 9e15 (where a double holds every integer, as the
    /// parser's numbers are doubles), or any seed as a decimal string ("18446744073709551615"),
    /// which is also how a seed from 9e15 on is written back, so that it is recorded exactly.
    static var seed: Self {
        let number = ConfigFormat<Int>.int(min: 0), largest = "18446744073709551615"
        return Self(expected: number.expected, read: { v, file in
            switch v.kind {
            case let .string(s):
                guard let seed = UInt64(s) else {
                    throw ConfigError.invalid(v, "a seed from 0 to 2^64 − 1 (\(largest)), as an integer or a decimal string", file: file)
                }
                return seed
            case let .number(x) where x >= ConfigValue.exactIntegerLimit && x == x.rounded():
                throw ConfigError.invalid(v, "an integer below 9e15 or a decimal string", file: file,
                                          hint: "JSON numbers this large lose digits: write the seed as a string, e.g. \"\(largest)\"")
            default: return UInt64(try number.read(v, file))
            }
        }, write: { Double($0) < ConfigValue.exactIntegerLimit ? .number(Double($0)) : .string(String($0)) })
    }
}

/// Allowed ranges of numbers, with their wording for messages: "an integer ≥ 1", "a number in [0, 1)".
struct NumberRange {
    var low: Double?, lowInclusive = true, high: Double?, highInclusive = true, integer = false

    static let any = NumberRange(), nonNegative = NumberRange(low: 0), positive = NumberRange(low: 0, lowInclusive: false)
    /// A dropout rate or probability: [0, 1).
    static let rate = NumberRange(low: 0, high: 1, highInclusive: false)
    static let unit = NumberRange(low: 0, high: 1)
    static let openUnit = NumberRange(low: 0, lowInclusive: false, high: 1, highInclusive: false)

    func contains(_ x: Double) -> Bool {
        !(low.map { lowInclusive ? x < $0 : x <= $0 } ?? false) && !(high.map { highInclusive ? x > $0 : x >= $0 } ?? false)
    }

    var wording: String {
        let (noun, f) = (integer ? "an integer" : "a number", ConfigValue.format)
        switch (low, high) {
        case (nil, nil): return noun
        case let (l?, nil): return "\(noun) \(lowInclusive ? "≥" : ">") \(f(l))"
        case let (nil, h?): return "\(noun) \(highInclusive ? "≤" : "<") \(f(h))"
        case let (l?, h?): return "\(noun) in \(lowInclusive ? "[" : "(")\(f(l)), \(f(h))\(highInclusive ? "]" : ")")"
        }
    }
}

/// One key of a schema object, declared once: its JSON name, the property it sets, its format,
/// whether it is required, and a one-line doc. The default is the property's value in the
/// type's `defaults`. docs/config.md's tables are checked against these (`ConfigDocsTests`).
struct ConfigKey<Root> {
    var name: String
    var doc: String
    var expected: String
    var isRequired = false
    /// The default as docs/config.md states it, when it is not the written default value.
    var defaultNote: String?
    /// The kinds of object that take the key (optimizer or layer names); nil: all.
    var appliesTo: [String]?
    var read: (inout Root, ConfigValue, String?) throws -> Void
    /// The value as written back; nil leaves the key out.
    var write: (Root) -> ConfigValue.Kind?

    static func key<T>(_ name: String, _ path: WritableKeyPath<Root, T>, _ format: ConfigFormat<T>, required: Bool = false,
                       _ doc: String, defaultNote: String? = nil) -> Self {
        Self(name: name, doc: doc, expected: format.expected, isRequired: required, defaultNote: defaultNote,
             read: { root, v, file in root[keyPath: path] = try format.read(v, file) }, write: { format.write($0[keyPath: path]) })
    }

    /// A key whose absence (or `null`) leaves the property nil; left out when nil.
    static func optional<T>(_ name: String, _ path: WritableKeyPath<Root, T?>, _ format: ConfigFormat<T>, _ doc: String,
                            defaultNote: String? = nil) -> Self {
        Self(name: name, doc: doc, expected: format.expected, defaultNote: defaultNote,
             read: { root, v, file in root[keyPath: path] = try format.read(v, file) }, write: { $0[keyPath: path].map(format.write) })
    }

    /// The key taken only by objects of the kinds `names` (e.g. `momentum` by sgd and rmsprop).
    func only(_ names: String...) -> Self { only(names) }

    func only(_ names: [String]) -> Self {
        var k = self
        k.appliesTo = names
        return k
    }
}

/// A config object declared as a list of `ConfigKey`s: decoding rejects keys outside the list
/// (suggesting the closest), reads each key into a copy of `defaults` (absent or `null` keeps
/// the default), then `validate` checks across keys. Writing gives every key back.
protocol ConfigSchema {
    /// The value every absent key takes (required keys hold placeholders).
    static var defaults: Self { get }
    /// The keys, in the order they are read, written and documented.
    static var schema: [ConfigKey<Self>] { get }
    /// "an object", or an example for messages about a non-object.
    static var objectWording: String { get }
    /// Checks across keys; `value` is the object read (for locations).
    mutating func validate(_ value: ConfigValue, file: String?) throws
}

extension ConfigSchema {
    static var objectWording: String { "an object" }
    mutating func validate(_ value: ConfigValue, file: String?) throws {}

    static var keyNames: [String] { schema.map(\.name) }

    /// The keys an object of kind `name` takes (`ConfigKey.only`).
    static func keyNames(for name: String) -> [String] { schema.filter { $0.appliesTo?.contains(name) ?? true }.map(\.name) }

    /// Decodes with `start` giving the values of absent keys.
    static func decode(_ value: ConfigValue, file: String?, from start: Self = defaults) throws -> Self {
        let keys = schema
        try value.checkKeys(keys.map(\.name), file: file, what: objectWording)
        var out = start
        for k in keys {
            if let v = value[given: k.name] {
                try k.read(&out, v, file)
            } else if k.isRequired {
                throw ConfigError.missing(value, k.name, k.expected, file: file, hint: k.doc)
            }
        }
        try out.validate(value, file: file)
        return out
    }

    /// The object with every key that has a value.
    var encoded: ConfigValue.Kind {
        .object(Self.schema.compactMap { k in k.write(self).map { ConfigValue.Member(key: k.name, value: ConfigValue($0)) } })
    }

    static var configFormat: ConfigFormat<Self> {
        ConfigFormat(expected: objectWording, read: { try decode($0, file: $1) }, write: { $0.encoded })
    }

    /// Each key's documentation row: name, type wording, default as written, doc.
    static var documentation: [(key: String, type: String, defaultText: String, doc: String)] {
        schema.map { k in
            let d = k.defaultNote ?? (k.isRequired ? "required" : k.write(defaults).map { ConfigValue($0).description } ?? "none")
            return (k.name, k.expected, d, k.doc)
        }
    }
}

extension ConfigValue {
    /// The member `key` unless it is absent or `null`.
    subscript(given key: String) -> ConfigValue? { self[key].flatMap { $0.isNull ? nil : $0 } }

    /// - Throws: when this is not an object, or has a key not in `allowed`.
    func checkKeys(_ allowed: [String], file: String?, what: String = "an object") throws {
        guard let members else { throw ConfigError.wrongType(self, what, file: file) }
        for m in members where !allowed.contains(m.key) {
            throw ConfigError.unknownKey(m.value, key: m.key, allowed: allowed, file: file)
        }
    }

    /// The elements of an array; `expected` words what was wanted.
    func items(_ expected: String, file: String?) throws -> [ConfigValue] {
        guard case let .array(a) = kind else { throw ConfigError.wrongType(self, expected, file: file) }
        return a
    }
}

/// Wording shared by messages, and the spelling of names in configs.
enum ConfigWords {
    static let emptyRange = "the range is empty; swap the bounds"
    static let lowHigh = "a range with low ≤ high"
    static let minDelta = "smallest change that counts as improvement"
    static let nonEmptyValues = "a non-empty array of values"

    /// The names a choice accepts, for messages: `"a", "b" or "c"`.
    static func alternatives(_ names: [String]) -> String {
        let quoted = names.map { "\"\($0)\"" }
        return quoted.count > 1 ? quoted.dropLast().joined(separator: ", ") + " or " + quoted.last! : quoted.first ?? ""
    }

    /// "did you mean "x"?" for the name in `names` closest to `word`, if any is close.
    static func didYouMean(_ word: String, _ names: [String], quote: String) -> String? {
        Suggestion.closest(to: word, among: names).map { "did you mean \(quote)\($0)\(quote)?" }
    }

    /// `forwardFill` → `forward_fill`.
    static func snakeCase(_ s: String) -> String { s.reduce(into: "") { $0 += $1.isUppercase ? "_" + $1.lowercased() : String($1) } }
}

/// `YYYY-MM-DD` dates in configs, read with RecurData's `Timestamps`.
enum ConfigDates {
    /// Midnight UTC of a date that exists, in seconds since 1970; nil for anything else.
    static func parse(_ s: String) -> Int64? {
        guard s.utf8.count == 10, let (t, hasTime) = Timestamps.parse(s), !hasTime else { return nil }
        return t
    }

    /// The valid date `s` moved by `days` days, `YYYY-MM-DD`.
    static func day(_ s: String, plus days: Int64) -> String? { parse(s).map { Timestamps.format($0 + 86_400 * days, dateOnly: true) } }
}

/// Resolving paths written in a config.
public enum ConfigPaths {
    /// `path` unchanged when absolute (or `~/…`, expanded) or when there is no base; else joined
    /// to `base` (the config file's folder) and standardized.
    public static func resolve(_ path: String, against base: String?) -> String {
        if path.hasPrefix("/") { return path }
        if path.hasPrefix("~") { return NSString(string: path).expandingTildeInPath }
        guard let base, !base.isEmpty else { return path }
        let joined = URL(fileURLWithPath: base, isDirectory: true).appendingPathComponent(path).standardizedFileURL.path
        return path.hasSuffix("/") && !joined.hasSuffix("/") ? joined + "/" : joined
    }

    /// `folder/name`, with one slash between.
    public static func join(_ folder: String, _ name: String) -> String {
        folder.isEmpty ? name : (folder.hasSuffix("/") ? folder + name : folder + "/" + name)
    }
}
