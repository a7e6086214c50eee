import RecurData
import RecurTensor

/// A parsed config document: JSON values whose objects keep their keys in file order, each node
/// remembering its key path (`training.optimizer.learning_rate`, `model.layers[0].units`) and,
/// when it came from a file, its line and column; values set with `--set` remember the override.
public struct ConfigValue: Equatable, Sendable, CustomStringConvertible {
    /// One key of an object and its value (whose `path` ends in the key).
    public struct Member: Equatable, Sendable {
        public var key: String
        public var value: ConfigValue

        public init(key: String, value: ConfigValue) { (self.key, self.value) = (key, value) }
    }

    /// The JSON value itself; objects keep their keys in file order (duplicates are rejected by the parser).
    public indirect enum Kind: Equatable, Sendable {
        case object([Member])
        case array([ConfigValue])
        case string(String)
        case number(Double)
        case bool(Bool)
        case null
    }

    public var kind: Kind
    /// The full key path; "" for the document root.
    public var path: String
    /// Line and column of the value's first character in the original file, when known.
    public var location: SourceLocation?
    /// The `--set` argument this value came from, when it came from one.
    public var overrideText: String?

    public init(_ kind: Kind, path: String = "", location: SourceLocation? = nil, overrideText: String? = nil) {
        (self.kind, self.path, self.location, self.overrideText) = (kind, path, location, overrideText)
    }

    /// The path of `key` inside an object at `parent`.
    public static func childPath(_ parent: String, _ key: String) -> String { parent.isEmpty ? key : parent + "." + key }

    /// The path of element `index` inside an array at `parent`.
    public static func elementPath(_ parent: String, _ index: Int) -> String { "\(parent)[\(index)]" }

    /// The object's members, or nil for other kinds.
    public var members: [Member]? {
        if case let .object(m) = kind { return m }
        return nil
    }

    /// The member called `key` of an object, or nil.
    public subscript(key: String) -> ConfigValue? { members?.first(where: { $0.key == key })?.value }

    public var isNull: Bool { kind == .null }

    /// The JSON type's name, for messages: "an object", "a string", ...
    public var typeName: String {
        switch kind {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }

    /// A short rendering for messages: scalars as JSON, containers by type and size.
    public var shortDescription: String {
        switch kind {
        case let .object(m): return "an object with \(m.count) key\(m.count == 1 ? "" : "s")"
        case let .array(a) where a.count > 4 || !a.allSatisfy(\.isScalar): return "an array of \(a.count)"
        default: return TextExcerpt.of(description)
        }
    }

    var isScalar: Bool { members == nil && typeName != "an array" }

    /// Compact JSON text (keys in order).
    public var description: String {
        switch kind {
        case let .object(m): return "{" + m.map { JSONText.quote($0.key) + ": " + $0.value.description }.joined(separator: ", ") + "}"
        case let .array(a): return "[" + a.map(\.description).joined(separator: ", ") + "]"
        case let .string(s): return JSONText.quote(s)
        case let .number(x): return ConfigValue.format(x)
        case let .bool(b): return b ? "true" : "false"
        case .null: return "null"
        }
    }

    /// Indented JSON text: objects one key a line, short arrays of scalars on one line.
    public func prettyJSON(indent: String = "") -> String {
        let inner = indent + "  "
        switch kind {
        case let .object(m) where !m.isEmpty:
            let lines: [String] = m.map { inner + JSONText.quote($0.key) + ": " + $0.value.prettyJSON(indent: inner) }
            return "{\n" + lines.joined(separator: ",\n") + "\n" + indent + "}"
        case let .array(a) where !a.allSatisfy(\.isScalar):
            return "[\n" + a.map { inner + $0.prettyJSON(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        default: return description
        }
    }

    /// A number as JSON text: integers without a fraction.
    /// Integers below this magnitude are exact as the doubles config numbers are read into
    /// (2^53 ≈ 9.007e15); at and above it an integer config value is refused (a seed is then
    /// written as a decimal string, `ConfigFormat.seed`).
    static let exactIntegerLimit = 9e15

    static func format(_ x: Double) -> String {
        x.isFinite && x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : "\(x)"
    }

    /// A copy whose path (and those of everything inside) starts at `path`.
    public func rebased(at path: String) -> ConfigValue { rewritten(at: path) { $0.path = $1 } }

    /// A copy marked, with everything inside, as set by the override `text`.
    func marked(override text: String) -> ConfigValue { rewritten(at: path) { node, _ in (node.overrideText, node.location) = (text, nil) } }

    /// A copy with `change` applied to this node and everything inside, each given the path it
    /// has below `path` (this node's).
    func rewritten(at path: String, _ change: (inout ConfigValue, String) -> Void) -> ConfigValue {
        var copy = self
        change(&copy, path)
        switch kind {
        case let .object(m): copy.kind = .object(m.map { Member(key: $0.key, value: $0.value.rewritten(at: ConfigValue.childPath(path, $0.key), change)) })
        case let .array(a): copy.kind = .array(a.enumerated().map { $0.element.rewritten(at: ConfigValue.elementPath(path, $0.offset), change) })
        default: break
        }
        return copy
    }
}
