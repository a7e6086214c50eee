import Foundation
import RecurTensor

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
    /// A JSON string literal (the one quoting of Recur, `JSONText.quote`).
    static func string(_ s: String) -> String { JSONText.quote(s) }

    /// A finite number in its shortest round-trip form; `null` for NaN or infinity.
    static func number(_ v: Float) -> String { v.isFinite ? "\(v)" : "null" }
    static func number(_ v: Double) -> String { v.isFinite ? "\(v)" : "null" }
}
