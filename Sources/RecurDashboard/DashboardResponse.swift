/// What the dashboard answers one request with: an HTTP status, a content type and a UTF-8
/// body. The server copies the three into its own response type (plus `headers`).
public struct DashboardResponse: Sendable, Equatable {
    /// The HTTP status code: 200, or 4xx for the client's mistakes (unknown study or model,
    /// unknown route, bad query, method not allowed).
    public var status: Int
    /// `text/html; charset=utf-8` or `application/json; charset=utf-8`.
    public var contentType: String
    /// The body, UTF-8 text.
    public var body: String
    /// Further headers (`Cache-Control: no-store`: the pages change while a study runs).
    public var headers: [String: String]

    public init(status: Int, contentType: String, body: String, headers: [String: String] = ["Cache-Control": "no-store"]) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    public static let htmlType = "text/html; charset=utf-8"
    public static let jsonType = "application/json; charset=utf-8"

    static func html(_ body: String, status: Int = 200) -> DashboardResponse {
        DashboardResponse(status: status, contentType: htmlType, body: body)
    }

    static func json(_ body: String, status: Int = 200) -> DashboardResponse {
        DashboardResponse(status: status, contentType: jsonType, body: body)
    }

    /// The API's error body, `{"error": {"field": ..., "message": ...}}`.
    static func error(_ status: Int, field: String?, _ message: String) -> DashboardResponse {
        json("{\"error\":{\"field\":\(field.map(JSON.string) ?? "null"),\"message\":\(JSON.string(message))}}", status: status)
    }
}
