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
        let read = self.read, write = self.write
        return ConfigFormat<U>(expected: expected, read: { try to(read($0, $1)) }, write: { write(from($0)) })
    }

    /// The same value with a check after reading; `check` returns "must be" wording when it fails.
    func checked(_ check: @escaping (T) -> String?, hint: ((T) -> String?)? = nil) -> ConfigFormat<T> {
        let read = self.read
        return ConfigFormat(expected: expected, read: { v, file in
            let x = try read(v, file)
            if let wanted = check(x) { throw ConfigError.invalid(v, wanted, file: file, hint: hint?(x)) }
            return x
        }, write: write)
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
    static var string: Self { Self(expected: "a string", read: ConfigReader.string, write: { .string($0) }) }

    /// A string from `names` ("did you mean" for a near miss).
    static func oneOf(_ names: [String], hint: String? = nil) -> Self {
        let expected = "one of " + ConfigReader.alternatives(names)
        return Self(expected: expected, read: { v, file in
            let s = try ConfigReader.string(v, file: file)
            guard names.contains(s) else {
                throw ConfigError.invalid(v, expected, file: file, hint: Suggestion.closest(to: s, among: names).map { "did you mean \"\($0)\"?" } ?? hint)
            }
            return s
        }, write: { .string($0) })
    }

    /// A `YYYY-MM-DD` date that exists.
    static var date: Self {
        var f = string.checked { ConfigDates.parse($0) == nil ? "a date written YYYY-MM-DD" : nil }
        f.expected = "a date written YYYY-MM-DD"
        return f
    }
}

extension ConfigFormat where T == Int {
    static func int(min: Int? = nil, max: Int? = nil) -> Self {
        Self(expected: ConfigReader.intDescription(min: min, max: max),
             read: { try ConfigReader.int($0, min: min, max: max, file: $1) }, write: { .number(Double($0)) })
    }
}

extension ConfigFormat where T == Double {
    static func number(_ range: NumberRange = .any) -> Self {
        Self(expected: range.wording, read: { try ConfigReader.double($0, range, file: $1) }, write: { .number($0) })
    }
}

extension ConfigFormat {
    /// A case of `T` by its name; `names` pairs the spelling in configs with the case.
    static func choice(_ names: [(String, T)]) -> Self where T: Equatable {
        let expected = "one of " + ConfigReader.alternatives(names.map(\.0))
        return Self(expected: expected, read: { v, file in
            guard case let .string(s) = v.kind else { throw ConfigError.wrongType(v, expected, file: file) }
            if let hit = names.first(where: { $0.0 == s }) ?? names.first(where: { $0.0 == s.lowercased() }) { return hit.1 }
            let hint = Suggestion.closest(to: s, among: names.map(\.0)).map { "did you mean \"\($0)\"?" }
            throw ConfigError.invalid(v, expected, file: file, hint: hint)
        }, write: { x in .string(names.first { $0.1 == x }?.0 ?? "") })
    }

    /// A case of a string enum, spelled as its raw value in snake_case (`forwardFill` → `forward_fill`).
    static func choice(_ type: T.Type) -> Self where T: CaseIterable & RawRepresentable & Equatable, T.RawValue == String {
        choice(T.allCases.map { (ConfigNames.snakeCase($0.rawValue), $0) })
    }

    /// An array of values of `element`; `expected` words the whole.
    static func list<E>(_ element: ConfigFormat<E>, _ expected: String) -> Self where T == [E] {
        Self(expected: expected, read: { v, file in
            try ConfigReader.array(v, expected, file: file).map { try element.read($0, file) }
        }, write: { .array($0.map { ConfigValue(element.write($0)) }) })
    }
}

/// One key of a schema object, declared once: its JSON name, the property it sets, its format,
/// whether it is required, and a one-line doc. The default is the property's value in the
/// type's `defaults`. docs/config.md's tables are checked against these (`ConfigDocsTests`).
struct ConfigKey<Root> {
    var name: String
    var doc: String
    var expected: String
    var isRequired: Bool
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
             read: { root, v, file in root[keyPath: path] = try format.read(v, file) },
             write: { format.write($0[keyPath: path]) })
    }

    /// The key taken only by objects of the kinds `names` (e.g. `momentum` by sgd and rmsprop).
    func only(_ names: String...) -> Self {
        var k = self
        k.appliesTo = names
        return k
    }

    /// A key whose absence (or `null`) leaves the property nil; left out when nil.
    static func optional<T>(_ name: String, _ path: WritableKeyPath<Root, T?>, _ format: ConfigFormat<T>, _ doc: String,
                            defaultNote: String? = nil) -> Self {
        Self(name: name, doc: doc, expected: format.expected, isRequired: false, defaultNote: defaultNote,
             read: { root, v, file in root[keyPath: path] = try format.read(v, file) },
             write: { $0[keyPath: path].map(format.write) })
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

    static func decode(_ value: ConfigValue, file: String?) throws -> Self { try decode(value, file: file, from: defaults) }

    /// Decodes with `start` giving the values of absent keys.
    static func decode(_ value: ConfigValue, file: String?, from start: Self) throws -> Self {
        let keys = schema
        try ConfigReader.checkKeys(value, allowed: keys.map(\.name), file: file, what: objectWording)
        var out = start
        for k in keys {
            if let v = value[k.name], !v.isNull {
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

/// Spelling of names in configs.
enum ConfigNames {
    /// `forwardFill` → `forward_fill`.
    static func snakeCase(_ s: String) -> String {
        var out = ""
        for c in s {
            if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
        }
        return out
    }
}

/// `YYYY-MM-DD` dates in configs, read with RecurData's `Timestamps`.
enum ConfigDates {
    /// Midnight UTC of a date that exists, in seconds since 1970; nil for anything else.
    static func parse(_ s: String) -> Int64? {
        guard s.utf8.count == 10, let (t, hasTime) = Timestamps.parse(s), !hasTime else { return nil }
        return t
    }

    /// The day after a valid date, `YYYY-MM-DD`.
    static func dayAfter(_ s: String) -> String? { parse(s).map { Timestamps.format($0 + 86_400, dateOnly: true) } }
}
