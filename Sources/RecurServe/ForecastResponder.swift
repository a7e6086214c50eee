import Foundation
import Hummingbird
import Logging
import NIOCore
import RecurDashboard
import RecurStore
import RecurTrain

/// Answers every request of `recur serve` (routes in docs/serving.md). Every failure is an
/// `APIError` answered as JSON; nothing the client sends reaches a 500. One log line per
/// request (method, path, route, status, milliseconds).
struct ForecastResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let registry: ModelRegistry
    let metrics: ServerMetrics
    let token: BearerToken?
    let store: (any ForecastStore)?
    let dashboard: Dashboard
    let limits: ServeLimits
    let logger: Logger

    func respond(to request: Request, context: Context) async throws -> Response {
        let start = ContinuousClock.now
        var route = "other"
        var model: String? = nil
        var forecastTime: Duration? = nil
        var response: Response
        do {
            response = try await handle(request, route: &route, model: &model, forecastTime: &forecastTime)
        } catch let error as APIError {
            response = Self.error(error)
        } catch {
            response = Self.error(APIError(500, field: nil, "internal error: \(error)"))
        }
        let duration = ContinuousClock.now - start
        let status = response.status.code
        metrics.request(route: route, status: status, duration: duration)
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue), "path": .string(request.uri.path), "route": .string(route),
            "status": .stringConvertible(status),
            "ms": .string(Self.milliseconds(duration)),
        ]
        if let model { metadata["model"] = .string(model) }
        if let forecastTime { metadata["forecast_ms"] = .string(Self.milliseconds(forecastTime)) }
        logger.info("request", metadata: metadata)
        return response
    }

    static func milliseconds(_ d: Duration) -> String {
        String(format: "%.3f", Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000)
    }

    /// Routes the request; `forecastTime` gets the time the package's cleaning and model took.
    func handle(_ request: Request, route: inout String, model: inout String?, forecastTime: inout Duration?) async throws -> Response {
        let parts = request.uri.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        func allow(_ method: HTTPRequest.Method) throws {
            guard request.method == method else {
                throw APIError(405, field: "method", "\(request.method.rawValue) is not allowed on \(route); use \(method.rawValue)")
            }
        }
        if parts == ["healthz"] {
            route = "/healthz"
            try allow(.get)
            return Self.json("{\"status\":\"ok\",\"models\":\(registry.all.count)}")
        }
        if let token, !token.accepts(request.headers[.authorization]) {
            route = parts.first == "v1" ? "/v1" : (parts == ["metrics"] ? "/metrics" : "other")
            var r = Self.error(APIError(401, field: "Authorization", "missing or wrong bearer token; send the header Authorization: Bearer <token from --token-file>"))
            r.headers[.wwwAuthenticate] = "Bearer"
            return r
        }
        if Dashboard.handles(path: request.uri.path) {
            route = Self.dashboardRoute(parts)
            return await dashboardResponse(request)
        }
        switch parts.count {
        case 1 where parts[0] == "metrics":
            route = "/metrics"
            try allow(.get)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: metrics.text())))
        case 2 where parts[0] == "v1" && parts[1] == "models":
            route = "/v1/models"
            try allow(.get)
            let list = registry.all.map { $0.info(detail: false) }
            return Self.json(try Self.encode(["models": list]))
        case 3 where parts[0] == "v1" && parts[1] == "models":
            route = "/v1/models/{name}"
            try allow(.get)
            let m = try lookup(parts[2])
            model = m.name
            return Self.json(try Self.encode(m.info(detail: true)))
        case 4 where parts[0] == "v1" && parts[1] == "models" && parts[3] == "forecast":
            route = "/v1/models/{name}/forecast"
            try allow(.post)
            let m = try lookup(parts[2])
            model = m.name
            return try await forecast(request, model: m, forecastTime: &forecastTime)
        default:
            throw APIError(404, field: nil, "no route \(request.method.rawValue) \(request.uri.path); see GET /v1/models, POST /v1/models/{name}/forecast, GET /healthz, GET /metrics")
        }
    }

    /// The metrics label of a dashboard path: `/`, `/studies/{name}`, `/api/studies/{name}`, ...
    static func dashboardRoute(_ parts: [String]) -> String {
        if parts == [""] { return "/" }
        let named = parts.count >= (parts.first == "api" ? 3 : 2)
        let stem = parts.prefix(parts.first == "api" ? 2 : 1).joined(separator: "/")
        return "/" + stem + (named ? "/{name}" : "")
    }

    /// The dashboard's answer, computed off the server's event loops (a large study's page
    /// takes a while); HEAD answers carry no body.
    func dashboardResponse(_ request: Request) async -> Response {
        let method = request.method.rawValue, path = request.uri.path, query = request.uri.query
        let dashboard = self.dashboard
        let answer = await withCheckedContinuation { (continuation: CheckedContinuation<DashboardResponse, Never>) in
            DispatchQueue.global().async { continuation.resume(returning: dashboard.handle(method: method, path: path, query: query)) }
        }
        var headers = HTTPFields()
        headers[.contentType] = answer.contentType
        if let cache = answer.headers["Cache-Control"] { headers[.cacheControl] = cache }  // the one header the dashboard sets
        let body = request.method == .head ? ByteBuffer() : ByteBuffer(string: answer.body)
        return Response(status: HTTPResponse.Status(code: answer.status), headers: headers, body: .init(byteBuffer: body))
    }

    /// The loaded model of that name (percent-decoded), never a path.
    func lookup(_ encoded: String) throws -> ServedModel {
        let name = encoded.removingPercentEncoding ?? encoded
        guard let m = registry.model(name) else {
            let names = registry.all.map(\.name)
            throw APIError(404, field: "model", "no model named '\(name)' is served; served: \(names.isEmpty ? "none" : names.joined(separator: ", "))")
        }
        return m
    }

    func forecast(_ request: Request, model: ServedModel, forecastTime: inout Duration?) async throws -> Response {
        let contentType = request.headers[.contentType]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let isJSON = contentType == "application/json"
        guard isJSON || contentType == "text/csv" else {
            throw APIError(415, field: "Content-Type", "Content-Type \(contentType.map { "'\($0)'" } ?? "missing"); send application/json (observations) or text/csv (the package's input layout)")
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limits.maxBodyBytes {
            throw APIError(413, field: "body", "the body has \(length) bytes, more than the limit of \(limits.maxBodyBytes); send fewer observations")
        }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limits.maxBodyBytes) } catch is NIOTooManyBytesError {
            throw APIError(413, field: "body", "the body is larger than the limit of \(limits.maxBodyBytes) bytes; send fewer observations")
        }
        let bytes = Array(buffer.readableBytesView)
        let parsed: ForecastRequest
        if isJSON {
            parsed = try ForecastRequest.parseJSON(bytes, model: model, limits: limits)
        } else {
            var query: [String: String] = [:]
            for (k, v) in request.uri.queryParameters { query[String(k)] = String(v).removingPercentEncoding ?? String(v) }
            parsed = try ForecastRequest.parseCSV(bytes, query: query, limits: limits)
        }
        try Intervals.check(parsed.levels ?? [], model: model)
        let issued = Date()
        let forecast: Forecast
        let started = ContinuousClock.now
        do { forecast = try model.forecast(parsed) } catch {
            throw Self.apiError(forecastError: error, csv: !isJSON)
        }
        forecastTime = ContinuousClock.now - started
        let bounds = IntervalBounds.perStep(forecast)
        if let store {
            let rows = StoredForecast.rows(of: forecast, manifest: model.manifest, model: model.name, modelVersion: model.version,
                                           issuedAt: issued, intervals: bounds)
            // Off the event loops (and the cooperative pool): a PostgreSQL store blocks on its futures.
            let written = await withCheckedContinuation { (continuation: CheckedContinuation<Error?, Never>) in
                DispatchQueue.global().async {
                    do { try store.write(rows); continuation.resume(returning: nil) } catch { continuation.resume(returning: error) }
                }
            }
            if let error = written {
                logger.error("forecast store write failed", metadata: ["model": .string(model.name), "error": .string("\(error)")])
                throw APIError(503, field: "store", "the forecast could not be written to the store: \(error)")
            }
        }
        metrics.forecast(model: model.name)
        return Self.json(Self.answer(forecast, model: model, issued: issued, bounds: bounds))
    }

    /// The answer body: model, version, issue time, and one row per step (`timestamp`,
    /// `value`, then `lower_NN`/`upper_NN` per level asked for).
    static func answer(_ forecast: Forecast, model: ServedModel, issued: Date, bounds: [[IntervalBounds]]) -> String {
        var rows: [String] = []
        rows.reserveCapacity(forecast.values.count)
        for k in forecast.values.indices {
            var row = "{\"timestamp\":\(JSON.string(ISOTime.format(forecast.timestamps[k]))),\"value\":\(JSON.number(forecast.values[k]))"
            if k < bounds.count {
                for b in bounds[k] {
                    let (l, u) = IntervalBounds.columns(b.level)
                    row += ",\(JSON.string(l)):\(JSON.number(b.lower)),\(JSON.string(u)):\(JSON.number(b.upper))"
                }
            }
            rows.append(row + "}")
        }
        return "{\"model\":\(JSON.string(model.name)),\"model_version\":\(JSON.string(model.version)),"
            + "\"issued_at\":\(JSON.string(ISOTime.issued(issued))),"
            + "\"last_observation\":\(JSON.string(ISOTime.format(forecast.lastObservation))),"
            + "\"forecasts\":[\(rows.joined(separator: ","))]}"
    }

    /// What the forecaster's errors mean for the client: its observations (or body) cannot
    /// be forecast from, or the steps asked for cannot be given.
    static func apiError(forecastError error: Error, csv: Bool) -> APIError {
        let field = csv ? "body" : "observations"
        switch error {
        case let e as ForecastError:
            switch e {
            case .invalidSteps, .recursionWithFeatures: return .unprocessable("steps", e.description)
            default: return .unprocessable(field, e.description)
            }
        case let e as CustomStringConvertible:
            return .unprocessable(field, e.description)
        default:
            return .unprocessable(field, "\(error)")
        }
    }

    static func encode<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try e.encode(value), as: UTF8.self)
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func error(_ e: APIError) -> Response {
        json(e.json, status: HTTPResponse.Status(code: e.status))
    }
}
