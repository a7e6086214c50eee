/// Removing what JSON does not allow but config files may contain: `//` line comments,
/// `/* */` block comments (both outside strings) and trailing commas before `}` or `]`.
///
/// Everything removed is replaced by spaces byte for byte (line breaks inside block comments are
/// kept), so every byte offset, and hence every line and column, of the result is that of the
/// original file and errors point at the right place.
public enum JSONComments {
    /// The UTF-8 bytes of `text` with comments and trailing commas blanked out.
    /// - Throws: `ConfigError` (`.syntax`) for a block comment that is never closed.
    public static func strip(_ text: String, file: String? = nil) throws -> [UInt8] {
        let source = Array(text.utf8)
        var bytes = source
        let n = bytes.count, slash = UInt8(ascii: "/"), star = UInt8(ascii: "*")
        func blank(_ i: Int) { if !isLineBreak(bytes[i]) { bytes[i] = UInt8(ascii: " ") } }
        var i = 0
        /// The last comma outside strings, while only spaces and comments follow it.
        var comma: Int? = nil
        while i < n {
            let b = bytes[i], next = i + 1 < n ? bytes[i + 1] : 0
            if b == slash, next == slash {
                while i < n, !isLineBreak(bytes[i]) { blank(i); i += 1 }
            } else if b == slash, next == star {
                let start = i
                while !(i >= start + 3 && source[i - 1] == star && source[i] == slash) {
                    blank(i)
                    i += 1
                    guard i < n else {
                        throw ConfigError(kind: .syntax, file: file, location: location(ofByte: start, in: source),
                                          message: "a /* comment is never closed", hint: "add the closing */")
                    }
                }
                blank(i)
                i += 1
            } else {
                if let c = comma, b == UInt8(ascii: "}") || b == UInt8(ascii: "]") { bytes[c] = UInt8(ascii: " ") }
                if !isSpace(b) { comma = b == UInt8(ascii: ",") ? i : nil }
                if b == UInt8(ascii: "\"") {
                    i += 1
                    while i < n, bytes[i] != UInt8(ascii: "\"") { i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1 }
                }
                i += 1
            }
        }
        return bytes
    }

    static func isLineBreak(_ b: UInt8) -> Bool { b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") }

    static func isSpace(_ b: UInt8) -> Bool { b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || isLineBreak(b) }

    /// The 1-based line and column (in characters) of byte `offset` of `bytes`.
    public static func location(ofByte offset: Int, in bytes: [UInt8]) -> SourceLocation {
        let end = min(offset, bytes.count)
        let lineStart = bytes[..<end].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        let line = 1 + bytes[..<end].lazy.filter { $0 == UInt8(ascii: "\n") }.count
        return SourceLocation(line: line, column: String(decoding: bytes[lineStart..<end], as: UTF8.self).count + 1)
    }
}
