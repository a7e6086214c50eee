import Foundation
import RecurTrain

/// Reads the JSON and enum columns of a stored study (both stores): a value that does not
/// decode is `TuneError.corrupt` naming the study, the row and the column, never dropped.
public enum StoredValue {
    /// `value` as the JSON text a store keeps (keys sorted; non-finite numbers as "inf", "-inf",
    /// "nan", which `json` reads back).
    public static func text<T: Encodable>(_ value: T) -> String? {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return (try? e.encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Decodes `text` (nil: nil) as `T`. - Throws: `TuneError.corrupt`.
    public static func json<T: Decodable>(_ type: T.Type, _ text: String?, storage: String, row: String, column: String) throws -> T? {
        guard let text else { return nil }
        do {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            return try decoder.decode(T.self, from: Data(text.utf8))
        } catch {
            throw TuneError.corrupt(path: storage, row: row, column: column, reason: "expected JSON of \(T.self), found \(excerpt(text)) (\(reason(error)))")
        }
    }

    /// A trial's parameters (`ParamsJSON`, read by `FlatJSON`'s scan). - Throws: `TuneError.corrupt`.
    public static func params(_ text: String, storage: String, row: String, column: String = "params_json") throws -> [String: SearchValue] {
        do {
            return try FlatJSON.params(text)
        } catch {
            throw TuneError.corrupt(path: storage, row: row, column: column,
                                    reason: "expected a JSON object of parameter values, found \(excerpt(text)) (\(reason(error)))")
        }
    }

    /// A trial's state. - Throws: `TuneError.corrupt`.
    public static func state(_ text: String, storage: String, row: String) throws -> TrialState {
        guard let state = TrialState(rawValue: text) else {
            throw TuneError.corrupt(path: storage, row: row, column: "state",
                                    reason: "expected one of \(TrialState.allCases.map(\.rawValue).joined(separator: ", ")), found \(excerpt(text))")
        }
        return state
    }

    static func excerpt(_ text: String) -> String {
        let quoted = text.count > 60 ? String(text.prefix(60)) + "…" : text
        return "\"\(quoted)\""
    }

    static func reason(_ error: Error) -> String {
        switch error {
        case let DecodingError.dataCorrupted(c): return c.debugDescription
        case let DecodingError.keyNotFound(key, _): return "no `\(key.stringValue)`"
        case let DecodingError.typeMismatch(_, c): return "\(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)"
        case let DecodingError.valueNotFound(_, c): return "\(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)"
        default: return "\(error)"
        }
    }
}
