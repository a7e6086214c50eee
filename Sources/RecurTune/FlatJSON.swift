import Foundation
import RecurTrain

/// Decoding of the JSON columns a study load reads once per trial (10,000 times for a
/// 10,000-trial study): a trial's parameters (`ParamsJSON`, a flat object of numbers,
/// strings and booleans) by a direct scan of the UTF-8 bytes. On the
/// text `ParamsJSON.encode` writes, the scan gives what `ParamsJSON.decode` gives (numbers by
/// `Double(String)`, correctly rounded as JSONDecoder's); any text it does not expect
/// (nesting, null, escapes, a non-finite number) is handed to `ParamsJSON.decode`, which
/// decides (and throws) as before.
public enum FlatJSON {
    /// A trial's parameters from `params_json`.
    public static func params(_ text: String) throws -> [String: SearchValue] {
        if let fast = scan(text) { return fast }
        return try ParamsJSON.decode(text)
    }

    /// The flat object, or nil where the text is anything else.
    static func scan(_ text: String) -> [String: SearchValue]? {
        var text = text
        return text.withUTF8 { bytes -> [String: SearchValue]? in
            var i = 0
            let n = bytes.count
            func skipSpace() { while i < n, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 } }
            func string() -> String? {
                guard i < n, bytes[i] == 0x22 else { return nil }
                i += 1
                let start = i
                while i < n, bytes[i] != 0x22 {
                    // Escapes are rare in parameter names and values: JSONDecoder reads those.
                    if bytes[i] == 0x5C || bytes[i] < 0x20 { return nil }
                    i += 1
                }
                guard i < n else { return nil }
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                i += 1
                return s
            }
            func literal(_ word: StaticString) -> Bool {
                let count = word.utf8CodeUnitCount
                guard i + count <= n else { return false }
                let w = UnsafeBufferPointer(start: word.utf8Start, count: count)
                for k in 0..<count where bytes[i + k] != w[k] { return false }
                i += count
                return true
            }
            func number() -> Double? {
                let start = i
                while i < n, let c = Optional(bytes[i]), (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2B || c == 0x2E || c == 0x65 || c == 0x45 {
                    i += 1
                }
                guard i > start, bytes[start] != 0x2B else { return nil }
                return Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)).flatMap { $0.isFinite ? $0 : nil }
            }
            var out: [String: SearchValue] = [:]
            skipSpace()
            guard i < n, bytes[i] == 0x7B else { return nil }
            i += 1
            skipSpace()
            if i < n, bytes[i] == 0x7D {
                i += 1
                skipSpace()
                return i == n ? out : nil
            }
            while true {
                skipSpace()
                guard let key = string() else { return nil }
                skipSpace()
                guard i < n, bytes[i] == 0x3A else { return nil }
                i += 1
                skipSpace()
                guard i < n else { return nil }
                let value: SearchValue
                switch bytes[i] {
                case 0x22:
                    guard let s = string() else { return nil }
                    value = .string(s)
                case 0x74:
                    guard literal("true") else { return nil }
                    value = .bool(true)
                case 0x66:
                    guard literal("false") else { return nil }
                    value = .bool(false)
                default:
                    guard let x = number() else { return nil }
                    value = .number(x)
                }
                guard out.updateValue(value, forKey: key) == nil else { return nil }
                skipSpace()
                guard i < n else { return nil }
                if bytes[i] == 0x2C { i += 1; continue }
                guard bytes[i] == 0x7D else { return nil }
                i += 1
                skipSpace()
                return i == n ? out : nil
            }
        }
    }
}
