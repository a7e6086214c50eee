/// Parses config text, JSON with `//` and `/* */` comments and trailing commas (a comma before
/// `}` or `]`), into a `ConfigValue` tree whose nodes carry their key paths and positions.
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
        var scanner = Scanner(bytes: Array(text.utf8), file: file)
        let value = try scanner.value(path: "")
        if try scanner.peek != nil { throw scanner.error("unexpected text after the end of the document", hint: "a config is one JSON object") }
        return value
    }

    struct Scanner {
        let bytes: [UInt8], file: String?
        var i = 0
        /// Objects and arrays open around `i`.
        var depth = 0

        func error(_ message: String, at offset: Int? = nil, hint: String? = nil) -> ConfigError {
            ConfigError(kind: .syntax, file: file, location: location(ofByte: offset ?? i), message: message, hint: hint)
        }

        /// The next byte after spaces and comments (skipped), or nil at the end.
        /// - Throws: `ConfigError` (`.syntax`) for a block comment that is never closed.
        var peek: UInt8? {
            mutating get throws {
                while i < bytes.count {
                    let next = i + 1 < bytes.count ? bytes[i + 1] : 0
                    if Scanner.isSpace(bytes[i]) {
                        i += 1
                    } else if bytes[i] == UInt8(ascii: "/"), next == UInt8(ascii: "/") {
                        while i < bytes.count, !Scanner.isLineBreak(bytes[i]) { i += 1 }
                    } else if bytes[i] == UInt8(ascii: "/"), next == UInt8(ascii: "*") {
                        let start = i
                        i += 2
                        while i < bytes.count, !(bytes[i - 1] == UInt8(ascii: "*") && bytes[i] == UInt8(ascii: "/") && i >= start + 3) { i += 1 }
                        guard i < bytes.count else { throw error("a /* comment is never closed", at: start, hint: "add the closing */") }
                        i += 1
                    } else {
                        return bytes[i]
                    }
                }
                return nil
            }
        }

        /// The 1-based line and column (in characters) of byte `offset`.
        func location(ofByte offset: Int) -> SourceLocation {
            let end = min(offset, bytes.count)
            let lineStart = bytes[..<end].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            let line = 1 + bytes[..<end].lazy.filter { $0 == UInt8(ascii: "\n") }.count
            return SourceLocation(line: line, column: String(decoding: bytes[lineStart..<end], as: UTF8.self).count + 1)
        }

        func describeHere() -> String {
            guard i < bytes.count else { return "the end of the file" }
            return "'" + (String(decoding: bytes[i..<min(bytes.count, i + 4)], as: UTF8.self).first.map(String.init) ?? "?") + "'"
        }

        static func isWordByte(_ b: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b | 0x20) || b == UInt8(ascii: "_")
        }

        static func isLineBreak(_ b: UInt8) -> Bool { b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") }

        static func isSpace(_ b: UInt8) -> Bool { b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || isLineBreak(b) }

        mutating func value(path: String) throws -> ConfigValue {
            guard let b = try peek else { throw error("expected a value, found the end of the file") }
            let loc = location(ofByte: i)
            switch b {
            case UInt8(ascii: "{"), UInt8(ascii: "["): return try container(path: path, loc: loc)
            case UInt8(ascii: "\""): return ConfigValue(.string(try string()), path: path, location: loc)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return ConfigValue(.number(try number()), path: path, location: loc)
            default:
                for (word, kind) in [("true", ConfigValue.Kind.bool(true)), ("false", .bool(false)), ("null", .null)] {
                    let w = Array(word.utf8), end = i + w.count
                    if end <= bytes.count, Array(bytes[i..<end]) == w, end == bytes.count || !Scanner.isWordByte(bytes[end]) {
                        i = end
                        return ConfigValue(kind, path: path, location: loc)
                    }
                }
                let hint = b == UInt8(ascii: "'") ? "strings take double quotes" : Scanner.isWordByte(b) ? "text values need double quotes, e.g. \"adam\"" : nil
                throw error("expected a value (object, array, string, number, true, false or null), found \(describeHere())", hint: hint)
            }
        }

        /// An object or an array, at `i`.
        /// - Throws: `ConfigError` (`.syntax`) at the bracket past `ConfigParser.maxDepth`.
        mutating func container(path: String, loc: SourceLocation) throws -> ConfigValue {
            let isObject = bytes[i] == UInt8(ascii: "{"), close = UInt8(ascii: isObject ? "}" : "]")
            depth += 1
            defer { depth -= 1 }
            if depth > ConfigParser.maxDepth {
                throw error(ConfigParser.tooDeepMessage, hint: "a Recur config nests a few levels; look for brackets that are never closed")
            }
            i += 1
            var members: [ConfigValue.Member] = [], items: [ConfigValue] = [], seen: [String: SourceLocation] = [:]
            let result = { ConfigValue(isObject ? .object(members) : .array(items), path: path, location: loc) }
            if try peek == close { i += 1; return result() }
            while true {
                if isObject {
                    guard try peek == UInt8(ascii: "\"") else {
                        throw error("expected a key in double quotes, found \(describeHere())", hint: try peek.map(Scanner.isWordByte) == true ? "keys need double quotes" : nil)
                    }
                    let keyLocation = location(ofByte: i)
                    let key = try string(), childPath = ConfigValue.childPath(path, key)
                    if let first = seen[key] {
                        throw ConfigError(kind: .syntax, file: file, keyPath: childPath, location: keyLocation,
                                          message: "duplicate key `\(childPath)` (first at line \(first.line))", hint: "keep one of them")
                    }
                    seen[key] = keyLocation
                    guard try peek == UInt8(ascii: ":") else { throw error("expected ':' after the key \"\(key)\", found \(describeHere())") }
                    i += 1
                    members.append(.init(key: key, value: try value(path: childPath)))
                } else {
                    items.append(try value(path: ConfigValue.elementPath(path, items.count)))
                }
                let what = isObject ? "object" : "array"
                guard let next = try peek else {
                    throw error("the \(what) opened at line \(loc.line), column \(loc.column) is never closed", hint: "add the closing \(UnicodeScalar(close))")
                }
                i += 1
                // A trailing comma: `,` then the closing bracket.
                if next == UInt8(ascii: ","), try peek == close { i += 1; return result() }
                if next == UInt8(ascii: ",") { continue }
                if next == close { return result() }
                i -= 1
                guard isObject else { throw error("expected ',' or ']' in the array, found \(describeHere())") }
                throw error("expected ',' or '}' after the value of \"\(members.last!.key)\", found \(describeHere())",
                            hint: next == UInt8(ascii: "\"") ? "a comma is missing between two keys" : nil)
            }
        }

        mutating func string() throws -> String {
            let start = i
            i += 1
            var out: [UInt8] = []
            while true {
                guard i < bytes.count else { throw error("a string is never closed", at: start, hint: "add the closing \"") }
                let b = bytes[i]
                if b == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
                if Scanner.isLineBreak(b) {
                    throw error("a string is never closed on its line", at: start, hint: "add the closing \" (line breaks in strings are written \\n)")
                }
                if b < 0x20 { throw error("a control character inside a string") }
                i += 1
                guard b == UInt8(ascii: "\\") else { out.append(b); continue }
                guard i < bytes.count else { throw error("a string is never closed", at: start) }
                let e = bytes[i]
                i += 1
                let simple: [UInt8: UInt8] = [0x22: 0x22, 0x5C: 0x5C, 0x2F: 0x2F, 0x62: 8, 0x66: 12, 0x6E: 10, 0x72: 13, 0x74: 9]
                if let c = simple[e] { out.append(c); continue }
                guard e == UInt8(ascii: "u") else { throw error("an invalid escape \\\(String(UnicodeScalar(e))) in a string", at: i - 2) }
                var code = try hex4(at: i - 2)
                if (0xD800..<0xDC00).contains(code), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let low = try hex4(at: i - 2)
                    guard (0xDC00..<0xE000).contains(low) else { throw error("an invalid \\u surrogate pair", at: i - 6) }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { throw error("an invalid \\u escape", at: i - 6) }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            }
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
            func skip(_ chars: String) -> Bool {
                guard i < bytes.count, chars.utf8.contains(bytes[i]) else { return false }
                i += 1
                return true
            }
            func digits() -> Int {
                let s = i
                while skip("0123456789") {}
                return i - s
            }
            _ = skip("-")
            let intStart = i, intDigits = digits()
            if intDigits == 0 { throw error("a malformed number", at: start) }
            if intDigits > 1, bytes[intStart] == UInt8(ascii: "0") { throw error("a number with a leading zero", at: start, hint: "write it without the leading 0") }
            if skip("."), digits() == 0 { throw error("a malformed number (digits expected after '.')", at: start) }
            if skip("eE") {
                _ = skip("+-")
                if digits() == 0 { throw error("a malformed number (digits expected in the exponent)", at: start) }
            }
            if i < bytes.count, Scanner.isWordByte(bytes[i]) { throw error("a malformed number", at: start) }
            guard let x = Double(String(decoding: bytes[start..<i], as: UTF8.self)), x.isFinite else { throw error("a number out of range", at: start) }
            return x
        }
    }
}
