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
        var bytes = Array(text.utf8)
        let n = bytes.count
        let space = UInt8(ascii: " ")
        var i = 0
        var inString = false
        while i < n {
            let b = bytes[i]
            if inString {
                if b == UInt8(ascii: "\\") { i += 2; continue }
                if b == UInt8(ascii: "\"") { inString = false }
                i += 1
                continue
            }
            if b == UInt8(ascii: "\"") { inString = true; i += 1; continue }
            if b == UInt8(ascii: "/"), i + 1 < n, bytes[i + 1] == UInt8(ascii: "/") {
                while i < n, bytes[i] != UInt8(ascii: "\n"), bytes[i] != UInt8(ascii: "\r") { bytes[i] = space; i += 1 }
                continue
            }
            if b == UInt8(ascii: "/"), i + 1 < n, bytes[i + 1] == UInt8(ascii: "*") {
                let start = i
                bytes[i] = space; bytes[i + 1] = space
                i += 2
                while true {
                    if i >= n {
                        throw ConfigError(kind: .syntax, file: file, location: location(ofByte: start, in: Array(text.utf8)),
                                          message: "a /* comment is never closed", hint: "add the closing */")
                    }
                    if bytes[i] == UInt8(ascii: "*"), i + 1 < n, bytes[i + 1] == UInt8(ascii: "/") {
                        bytes[i] = space; bytes[i + 1] = space
                        i += 2
                        break
                    }
                    if bytes[i] != UInt8(ascii: "\n"), bytes[i] != UInt8(ascii: "\r") { bytes[i] = space }
                    i += 1
                }
                continue
            }
            i += 1
        }
        removeTrailingCommas(&bytes)
        return bytes
    }

    /// Blanks every comma (outside strings) whose next non-space byte is `}` or `]`.
    static func removeTrailingCommas(_ bytes: inout [UInt8]) {
        var i = 0
        var inString = false
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if inString {
                if b == UInt8(ascii: "\\") { i += 2; continue }
                if b == UInt8(ascii: "\"") { inString = false }
            } else if b == UInt8(ascii: "\"") {
                inString = true
            } else if b == UInt8(ascii: ",") {
                var j = i + 1
                while j < n, isSpace(bytes[j]) { j += 1 }
                if j < n, bytes[j] == UInt8(ascii: "}") || bytes[j] == UInt8(ascii: "]") { bytes[i] = UInt8(ascii: " ") }
            }
            i += 1
        }
    }

    @inline(__always)
    static func isSpace(_ b: UInt8) -> Bool {
        b == UInt8(ascii: " ") || b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") || b == UInt8(ascii: "\t")
    }

    /// The 1-based line and column (in characters) of byte `offset` of `bytes`.
    public static func location(ofByte offset: Int, in bytes: [UInt8]) -> SourceLocation {
        var line = 1
        var lineStart = 0
        let end = min(offset, bytes.count)
        var i = 0
        while i < end {
            if bytes[i] == UInt8(ascii: "\n") { line += 1; lineStart = i + 1 }
            i += 1
        }
        let prefix = String(decoding: bytes[lineStart..<end], as: UTF8.self)
        return SourceLocation(line: line, column: prefix.count + 1)
    }
}
