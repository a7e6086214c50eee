import Foundation
import RecurData

/// `--set key.path=value`: changing a parsed config before it is checked.
///
/// The path is keys joined by dots; `[n]` (or a plain number) indexes an array; a key that itself
/// contains dots (such as a search parameter named `training.optimizer.learning_rate`) is matched
/// as a whole when it exists, or written `["a.b"]`. Missing objects along the path are created
/// (so is one in place of `null`). The value is parsed as JSON when it parses (numbers, `true`,
/// `false`, `null`, arrays, objects, `"quoted strings"`); otherwise it is taken as a string, so
/// `--set numeric_var=temp` and `--set data.path=/x.csv` need no quotes.
public struct ConfigOverride: Equatable, Sendable {
    /// One step of a path.
    public enum Component: Equatable, Sendable, CustomStringConvertible {
        case key(String)
        case index(Int)

        public var description: String {
            guard case let .index(i) = self else { return name }
            return "[\(i)]"
        }

        /// The key, or the index as a key (`model.layers.0`).
        var name: String {
            switch self {
            case let .key(k): return k
            case let .index(i): return String(i)
            }
        }
    }

    /// The argument as given.
    public var text: String
    /// The path, as written (numbers not yet told apart from keys).
    public var components: [Component]
    public var value: ConfigValue

    /// Parses `key.path=value`.
    /// - Throws: `ConfigError` (`.override`) for a missing `=`, an empty key or a malformed path.
    public init(_ text: String) throws {
        guard let eq = text.firstIndex(of: "=") else {
            throw ConfigError(kind: .override, message: "--set \(TextExcerpt.of(text)): expected KEY.PATH=VALUE", hint: "for example --set training.epochs=5")
        }
        let pathText = String(text[..<eq]).trimmingCharacters(in: .whitespaces)
        let valueText = String(text[text.index(after: eq)...])
        self.text = text
        self.components = try ConfigOverride.parsePath(pathText, text: text)
        // A value that is not JSON is taken as text, except one nested too deep to parse.
        let parsed: ConfigValue
        do {
            parsed = try ConfigParser.parse(valueText)
        } catch let error as ConfigError where error.message == ConfigParser.tooDeepMessage {
            throw ConfigError(kind: .override, message: "--set \(TextExcerpt.of(pathText))=…: the value has \(error.message) (at column \(error.location.map { String($0.column) } ?? "?") of the value)",
                              hint: error.hint)
        } catch {
            parsed = ConfigValue(.string(valueText))
        }
        self.value = parsed.marked(override: text)
    }

    static func parsePath(_ path: String, text: String) throws -> [Component] {
        func bad(_ why: String) -> ConfigError {
            ConfigError(kind: .override, message: "--set \(TextExcerpt.of(text)): \(why)", hint: "write the key path like training.optimizer.learning_rate or model.layers[0].units")
        }
        guard !path.isEmpty else { throw bad("the key path is empty") }
        var out: [Component] = []
        var chars = Array(path)[...]
        var current = ""
        var justClosed = false
        func flush() throws {
            if !current.isEmpty {
                out.append(Int(current).map { .index($0) } ?? .key(current))
            } else if !justClosed {
                throw bad("an empty key in \"\(path)\"")
            }
            current = ""
        }
        while let c = chars.first {
            chars = chars.dropFirst()
            switch c {
            case ".":
                try flush()
                justClosed = false
            case "[":
                if !current.isEmpty { try flush() }
                guard let close = chars.firstIndex(of: "]") else { throw bad("a '[' without ']'") }
                let inside = String(chars[..<close])
                chars = chars[chars.index(after: close)...]
                if inside.count >= 2, inside.hasPrefix("\""), inside.hasSuffix("\"") {
                    out.append(.key(String(inside.dropFirst().dropLast())))
                } else if let n = Int(inside), n >= 0 {
                    out.append(.index(n))
                } else {
                    throw bad("[\(inside)] is neither an index nor a quoted key")
                }
                justClosed = true
                if let next = chars.first, next != ".", next != "[" { throw bad("expected '.' after ']'") }
            default:
                current.append(c)
                justClosed = false
            }
        }
        try flush()
        return out
    }

    /// `tree` with the value set.
    /// - Throws: `ConfigError` (`.override`) naming the path when it runs into a value that is
    ///   not an object (or an array indexed within its bounds).
    public func apply(to tree: ConfigValue) throws -> ConfigValue {
        try set(in: tree, components[...])
    }

    private func set(in node: ConfigValue, _ rest: ArraySlice<Component>) throws -> ConfigValue {
        guard let first = rest.first else { return value.rebased(at: node.path).marked(override: text) }
        var node = node
        if node.isNull { node.kind = .object([]) }
        switch node.kind {
        case var .object(members):
            // The longest run of components that names an existing key (keys may contain dots).
            var (take, key) = (1, first.name)
            for n in stride(from: rest.count, through: 2, by: -1) {
                let joined = rest.prefix(n).map(\.name).joined(separator: ".")
                if members.contains(where: { $0.key == joined }) { (take, key) = (n, joined); break }
            }
            let childPath = ConfigValue.childPath(node.path, key)
            if let k = members.firstIndex(where: { $0.key == key }) {
                members[k].value = try set(in: members[k].value, rest.dropFirst(take))
            } else {
                let fresh = ConfigValue(.object([]), path: childPath, overrideText: text)
                members.append(.init(key: key, value: try set(in: fresh, rest.dropFirst(take))))
            }
            node.kind = .object(members)
            return node
        case var .array(items):
            guard case let .index(i) = first, i < items.count else {
                throw ConfigError(kind: .override, keyPath: node.path, location: node.location,
                                  message: "--set \(TextExcerpt.of(text)): `\(node.path)` is an array of \(items.count); \(first) is not one of its indices",
                                  hint: "index arrays with [0] … [\(max(0, items.count - 1))]")
            }
            items[i] = try set(in: items[i], rest.dropFirst())
            node.kind = .array(items)
            return node
        default:
            let shown = node.path.isEmpty ? "the document" : "`\(node.path)`"
            throw ConfigError(kind: .override, keyPath: node.path, location: node.location,
                              message: "--set \(TextExcerpt.of(text)): \(shown) is \(node.typeName), not an object, so it has no key `\(first)`",
                              hint: "set `\(node.path)` itself, e.g. --set \(node.path)=…")
        }
    }
}
