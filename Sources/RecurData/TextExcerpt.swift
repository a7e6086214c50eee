/// Text from the user's input shortened for an error message, so that a 10 MB line or value is
/// not echoed whole into the terminal: at most `maxCharacters` characters, then "…".
public enum TextExcerpt {
    /// The most characters of one piece of input an error message repeats.
    public static let maxCharacters = 200

    /// `text` itself when it is at most `limit` characters long, else its first `limit`
    /// characters followed by "…".
    public static func of<S: StringProtocol>(_ text: S, limit: Int = maxCharacters) -> String {
        // Counting characters is linear; stop at the limit instead of counting a huge line.
        var end = text.startIndex
        var n = 0
        while end < text.endIndex, n < limit { text.formIndex(after: &end); n += 1 }
        return end == text.endIndex ? String(text) : String(text[..<end]) + "…"
    }
}
