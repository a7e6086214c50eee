import Foundation

/// An error answer of the API: an HTTP status (always 4xx for the client's mistakes) and the
/// JSON body `{"error": {"field": ..., "message": ...}}`, `field` naming the request part at
/// fault (`observations[3].timestamp`, `steps`, `levels`, `body`, `Content-Type`, `model`, ...).
public struct APIError: Error, Equatable, Sendable {
    /// The HTTP status code, e.g. 400.
    public var status: Int
    /// The part of the request at fault; nil when none is (e.g. an unknown route).
    public var field: String?
    /// What is wrong and what to do.
    public var message: String

    public init(_ status: Int, field: String?, _ message: String) {
        self.status = status
        self.field = field
        self.message = message
    }

    /// The JSON body.
    public var json: String {
        "{\"error\":{\"field\":\(field.map(JSON.string) ?? "null"),\"message\":\(JSON.string(message))}}"
    }

    static func badRequest(_ field: String?, _ message: String) -> APIError { APIError(400, field: field, message) }
    static func unprocessable(_ field: String?, _ message: String) -> APIError { APIError(422, field: field, message) }
}

/// Small JSON text helpers for answers whose key order matters.
enum JSON {
    /// A JSON string literal.
    static func string(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A finite number in its shortest round-trip form; `null` for NaN or infinity.
    static func number(_ v: Float) -> String { v.isFinite ? "\(v)" : "null" }
    static func number(_ v: Double) -> String { v.isFinite ? "\(v)" : "null" }
}
