/// Parses config text, JSON with comments and trailing commas (see `JSONComments`), into a
/// `ConfigValue` tree whose nodes carry their key paths and positions in the original text.
/// Duplicate keys in one object are an error (JSON parsers disagree on which one wins).
/// Objects and arrays nest at most `maxDepth` levels (a deeper document is an error at the
/// bracket that goes too deep, not a stack overflow).
public enum ConfigParser {
    /// The deepest nesting of objects and arrays a config may have (a Recur config needs five).
    public static let maxDepth = 64
    /// The message of the error for a document nested deeper than `maxDepth`.
    static let tooDeepMessage = "objects and arrays nested more than \(maxDepth) levels deep"

    /// Parses `text`; `file` only names the file in errors.
    /// - Throws: `ConfigError` (`.syntax`) naming the file, line and column.
    public static func parse(_ text: String, file: String? = nil) throws -> ConfigValue {
        let original = Array(text.utf8)
        var scanner = Scanner(bytes: try JSONComments.strip(text, file: file), original: original, file: file)
        scanner.skipSpace()
        let value = try scanner.value(path: "")
        scanner.skipSpace()
        if scanner.i < scanner.bytes.count {
            throw scanner.error("unexpected text after the end of the document", hint: "a config is one JSON object")
        }
        return value
    }

    struct Scanner {
        let bytes: [UInt8]
        let original: [UInt8]
        let file: String?
        var i = 0
        /// Objects and arrays open around `i`.
        var depth = 0

        init(bytes: [UInt8], original: [UInt8], file: String?) {
            self.bytes = bytes
            self.original = original
            self.file = file
        }

        func location(_ offset: Int) -> SourceLocation { JSONComments.location(ofByte: offset, in: original) }

        func error(_ message: String, at offset: Int? = nil, hint: String? = nil) -> ConfigError {
            ConfigError(kind: .syntax, file: file, location: location(offset ?? i), message: message, hint: hint)
        }

        mutating func skipSpace() {
            while i < bytes.count, JSONComments.isSpace(bytes[i]) { i += 1 }
        }

        func describeHere() -> String {
            guard i < bytes.count else { return "the end of the file" }
            let scalar = String(decoding: original[i..<min(original.count, i + 4)], as: UTF8.self).first.map(String.init) ?? "?"
            return "'\(scalar)'"
        }

        mutating func value(path: String) throws -> ConfigValue {
            guard i < bytes.count else { throw error("expected a value, found the end of the file") }
            let start = i
            let loc = location(start)
            switch bytes[i] {
            case UInt8(ascii: "{"): return try object(path: path, loc: loc)
            case UInt8(ascii: "["): return try array(path: path, loc: loc)
            case UInt8(ascii: "\""): return ConfigValue(.string(try string()), path: path, location: loc)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return ConfigValue(.number(try number()), path: path, location: loc)
            default:
                for (word, kind) in [("true", ConfigValue.Kind.bool(true)), ("false", .bool(false)), ("null", .null)] where matches(word) {
                    i += word.utf8.count
                    return ConfigValue(kind, path: path, location: loc)
                }
                var hint: String? = nil
                if bytes[i] == UInt8(ascii: "'") { hint = "strings take double quotes" }
                else if isWordByte(bytes[i]) { hint = "text values need double quotes, e.g. \"adam\"" }
                throw error("expected a value (object, array, string, number, true, false or null), found \(describeHere())", hint: hint)
            }
        }

        func isWordByte(_ b: UInt8) -> Bool {
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || b == UInt8(ascii: "_")
        }

        func matches(_ word: String) -> Bool {
            let w = Array(word.utf8)
            guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { return false }
            return i + w.count == bytes.count || !isWordByte(bytes[i + w.count])
        }

        /// Enters one more object or array at `i`.
        /// - Throws: `ConfigError` (`.syntax`) at the bracket past `ConfigParser.maxDepth`.
        mutating func enter() throws {
            depth += 1
            if depth > ConfigParser.maxDepth {
                throw error(ConfigParser.tooDeepMessage,
                            hint: "a Recur config nests a few levels; look for brackets that are never closed")
            }
        }

        mutating func object(path: String, loc: SourceLocation) throws -> ConfigValue {
            try enter()
            defer { depth -= 1 }
            i += 1
            var members: [ConfigValue.Member] = []
            var seen: [String: SourceLocation] = [:]
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return ConfigValue(.object([]), path: path, location: loc) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                    throw error("expected a key in double quotes, found \(describeHere())",
                                hint: i < bytes.count && isWordByte(bytes[i]) ? "keys need double quotes" : nil)
                }
                let keyOffset = i
                let key = try string()
                let childPath = ConfigValue.childPath(path, key)
                if let first = seen[key] {
                    throw ConfigError(kind: .syntax, file: file, keyPath: childPath, location: location(keyOffset),
                                      message: "duplicate key `\(childPath)` (first at line \(first.line))",
                                      hint: "keep one of them")
                }
                seen[key] = location(keyOffset)
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else {
                    throw error("expected ':' after the key \"\(key)\", found \(describeHere())")
                }
                i += 1
                skipSpace()
                members.append(.init(key: key, value: try value(path: childPath)))
                skipSpace()
                guard i < bytes.count else { throw error("the object opened at line \(loc.line), column \(loc.column) is never closed", hint: "add the closing }") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; break }
                throw error("expected ',' or '}' after the value of \"\(key)\", found \(describeHere())",
                            hint: bytes[i] == UInt8(ascii: "\"") ? "a comma is missing between two keys" : nil)
            }
            return ConfigValue(.object(members), path: path, location: loc)
        }

        mutating func array(path: String, loc: SourceLocation) throws -> ConfigValue {
            try enter()
            defer { depth -= 1 }
            i += 1
            var items: [ConfigValue] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return ConfigValue(.array([]), path: path, location: loc) }
            while true {
                skipSpace()
                items.append(try value(path: ConfigValue.elementPath(path, items.count)))
                skipSpace()
                guard i < bytes.count else { throw error("the array opened at line \(loc.line), column \(loc.column) is never closed", hint: "add the closing ]") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; break }
                throw error("expected ',' or ']' in the array, found \(describeHere())")
            }
            return ConfigValue(.array(items), path: path, location: loc)
        }

        mutating func string() throws -> String {
            let start = i
            i += 1
            var out: [UInt8] = []
            while true {
                guard i < bytes.count else { throw error("a string is never closed", at: start, hint: "add the closing \"") }
                let b = bytes[i]
                if b == UInt8(ascii: "\"") { i += 1; break }
                if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") {
                    throw error("a string is never closed on its line", at: start, hint: "add the closing \" (line breaks in strings are written \\n)")
                }
                if b < 0x20 { throw error("a control character inside a string") }
                if b == UInt8(ascii: "\\") {
                    guard i + 1 < bytes.count else { throw error("a string is never closed", at: start) }
                    let e = bytes[i + 1]
                    i += 2
                    let simple: [UInt8: UInt8] = [0x22: 0x22, 0x5C: 0x5C, 0x2F: 0x2F, 0x62: 8, 0x66: 12, 0x6E: 10, 0x72: 13, 0x74: 9]
                    switch e {
                    case let c where simple[c] != nil: out.append(simple[c]!)
                    case UInt8(ascii: "u"):
                        var code = try hex4(at: i - 2)
                        if (0xD800..<0xDC00).contains(code), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                            i += 2
                            let low = try hex4(at: i - 2)
                            guard (0xDC00..<0xE000).contains(low) else { throw error("an invalid \\u surrogate pair", at: i - 6) }
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let scalar = Unicode.Scalar(code) else { throw error("an invalid \\u escape", at: i - 6) }
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default:
                        throw error("an invalid escape \\\(String(UnicodeScalar(e))) in a string", at: i - 2)
                    }
                    continue
                }
                out.append(b)
                i += 1
            }
            return String(decoding: out, as: UTF8.self)
        }

        mutating func hex4(at escapeStart: Int) throws -> UInt32 {
            guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
                throw error("an invalid \\u escape (four hex digits expected)", at: escapeStart)
            }
            i += 4
            return v
        }

        mutating func number() throws -> Double {
            let start = i
            func digits() -> Int {
                let s = i
                while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
                return i - s
            }
            if bytes[i] == UInt8(ascii: "-") { i += 1 }
            let intStart = i
            let intDigits = digits()
            if intDigits == 0 { throw error("a malformed number", at: start) }
            if intDigits > 1, bytes[intStart] == UInt8(ascii: "0") { throw error("a number with a leading zero", at: start, hint: "write it without the leading 0") }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                if digits() == 0 { throw error("a malformed number (digits expected after '.')", at: start) }
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                if digits() == 0 { throw error("a malformed number (digits expected in the exponent)", at: start) }
            }
            if i < bytes.count, isWordByte(bytes[i]) { throw error("a malformed number", at: start) }
            guard let x = Double(String(decoding: bytes[start..<i], as: UTF8.self)), x.isFinite else {
                throw error("a number out of range", at: start)
            }
            return x
        }
    }
}
