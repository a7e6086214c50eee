import Foundation
import RecurData
import RecurTrain

/// A checked forecast request: observations (JSON) or a CSV text (the package's layout), the
/// number of steps and the interval levels asked for.
struct ForecastRequest {
    enum Input {
        /// From a JSON body, in the package's column order.
        case observations([Observation])
        /// A `text/csv` body in the package's own input layout.
        case csv(String)
    }

    var input: Input
    var steps: Int
    /// The interval levels asked for; nil (the field absent): every level the package was
    /// calibrated for, as `recur predict` gives; `[]`: none.
    var levels: [Double]?

    /// Parses a JSON body for the model `model`: `observations` (objects with `timestamp`,
    /// `value` and one field per extra feature column), `steps`, optional `levels`.
    static func parseJSON(_ bytes: [UInt8], model: ServedModel, limits: ServeLimits) throws -> ForecastRequest {
        let root: JSONValue
        do { root = try JSONValue.parse(bytes) } catch {
            throw APIError.badRequest("body", "the body is not valid JSON (\(Self.describe(error))); send {\"observations\": [{\"timestamp\": \"2016-09-30T23:00:00Z\", \"value\": 21.3}, ...], \"steps\": 24}")
        }
        guard case let .object(fields, keys) = root else {
            throw APIError.badRequest("body", "the body is \(root.typeName); expected a JSON object with observations and steps")
        }
        let known: Set<String> = ["observations", "steps", "levels"]
        if let unknown = keys.sorted().first(where: { !known.contains($0) }) {
            throw APIError.badRequest(unknown, "unknown field '\(unknown)'; expected observations, steps and optionally levels")
        }
        let steps = try parseSteps(fields["steps"], field: "steps", limits: limits)
        let levels = try parseLevels(fields["levels"])
        guard let obs = fields["observations"] else {
            throw APIError.badRequest("observations", "missing field observations; expected an array of {\"timestamp\": ..., \"value\": ...} objects in time order")
        }
        guard case let .array(items) = obs else {
            throw APIError.badRequest("observations", "observations is \(obs.typeName); expected an array of observation objects")
        }
        guard items.count <= limits.maxObservations else {
            throw APIError(413, field: "observations", "\(items.count) observations are more than the limit of \(limits.maxObservations); send the latest ones only")
        }
        let columns = model.manifest.data.source.valueColumns
        let features = Array(columns.dropFirst())
        // JSON names: "value" for the target, each feature by its column name.
        let names = ["value"] + features
        var observations: [Observation] = []
        observations.reserveCapacity(items.count)
        var previous: Int64? = nil
        for (i, item) in items.enumerated() {
            let at = "observations[\(i)]"
            guard case let .object(f, k) = item else {
                throw APIError.badRequest(at, "\(at) is \(item.typeName); expected an object with timestamp and value")
            }
            let allowed = Set(["timestamp"] + names)
            if let unknown = k.sorted().first(where: { !allowed.contains($0) }) {
                throw APIError.badRequest("\(at).\(unknown)", "unknown field '\(unknown)' in \(at); model \(model.name) reads timestamp, \(names.joined(separator: ", "))")
            }
            guard let ts = f["timestamp"] else {
                throw APIError.badRequest("\(at).timestamp", "missing field timestamp in \(at); expected an ISO 8601 time such as 2016-09-30T23:00:00Z")
            }
            guard case let .string(text) = ts, let (t, _) = Timestamps.parse(text) else {
                throw APIError.badRequest("\(at).timestamp", "\(at).timestamp is not an ISO 8601 time; expected e.g. 2016-09-30T23:00:00Z or 2016-09-30")
            }
            if let previous, t <= previous {
                throw APIError.badRequest("\(at).timestamp", "\(at).timestamp \(text) is \(t == previous ? "a duplicate of" : "before") the previous observation's; send observations in time order, one per timestamp")
            }
            previous = t
            var values: [Double?] = []
            for name in names {
                let field = "\(at).\(name)"
                guard let v = f[name] else {
                    throw APIError.badRequest(field, "missing field \(name) in \(at); model \(model.name) reads \(names.joined(separator: ", ")) (null for a missing value)")
                }
                switch v {
                case .null: values.append(nil)
                case let .number(d):
                    guard d.isFinite else { throw APIError.badRequest(field, "\(field) is not finite; send a finite number or null") }
                    values.append(d)
                default:
                    throw APIError.badRequest(field, "\(field) is \(v.typeName); expected a number, or null for a missing value")
                }
            }
            observations.append(Observation(timestamp: t, values: values))
        }
        let need = model.manifest.data.window.nPastSteps
        guard observations.count >= need else {
            throw APIError.unprocessable("observations", "\(observations.count) observation\(observations.count == 1 ? "" : "s") are fewer than model \(model.name)'s window of n_past_steps = \(need); send at least the latest \(need)")
        }
        return ForecastRequest(input: .observations(observations), steps: steps, levels: levels)
    }

    /// A `text/csv` body with `steps` (and optional `levels`, comma separated) in the query.
    static func parseCSV(_ bytes: [UInt8], query: [String: String], limits: ServeLimits) throws -> ForecastRequest {
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw APIError.badRequest("body", "the CSV body is not UTF-8 text")
        }
        let known: Set<String> = ["steps", "levels"]
        if let unknown = query.keys.sorted().first(where: { !known.contains($0) }) {
            throw APIError.badRequest(unknown, "unknown query parameter '\(unknown)'; a CSV body takes ?steps=N and optionally &levels=0.8")
        }
        let steps = try parseSteps(query["steps"].map { Double($0).map(JSONValue.number) ?? .string($0) }, field: "steps", limits: limits)
        var levels: [Double]?
        if let l = query["levels"] {
            levels = try parseLevels(.array(l.split(separator: ",").map { Double($0).map(JSONValue.number) ?? .string(String($0)) }))
        }
        return ForecastRequest(input: .csv(text), steps: steps, levels: levels)
    }

    static func parseSteps(_ value: JSONValue?, field: String, limits: ServeLimits) throws -> Int {
        guard let value else {
            throw APIError.badRequest(field, "missing field steps; expected the number of steps to forecast, 1 to \(limits.maxSteps)")
        }
        guard case let .number(d) = value, d.isFinite, d == d.rounded() else {
            throw APIError.badRequest(field, "steps is \(value.typeName == "a number" ? "not a whole number" : value.typeName); expected a whole number of steps, 1 to \(limits.maxSteps)")
        }
        guard d >= 1, d <= Double(limits.maxSteps) else {
            throw APIError.unprocessable(field, "steps \(d < -1e15 || d > 1e15 ? "\(d)" : "\(Int64(d))") is out of range; expected 1 to \(limits.maxSteps) (the server's cap)")
        }
        return Int(d)
    }

    static func parseLevels(_ value: JSONValue?) throws -> [Double]? {
        guard let value, value != .null else { return nil }
        guard case let .array(items) = value else {
            throw APIError.badRequest("levels", "levels is \(value.typeName); expected an array of coverage levels such as [0.8]")
        }
        guard items.count <= 16 else { throw APIError.badRequest("levels", "at most 16 levels per request") }
        return try items.enumerated().map { i, v in
            guard case let .number(d) = v, d.isFinite, d > 0, d < 1 else {
                throw APIError.badRequest("levels[\(i)]", "levels[\(i)] is not a coverage level; expected a number between 0 and 1 such as 0.8")
            }
            return d
        }
    }

    static func describe(_ error: Error) -> String {
        if case let DecodingError.dataCorrupted(context) = error {
            return (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String ?? context.debugDescription
        }
        return "\(error)"
    }
}
