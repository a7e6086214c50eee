import Foundation
import RecurData
import RecurTensor
import RecurTrain

/// JSON text written by hand: the API's key order is part of its documentation, and a
/// 10,000-trial study must not go through `JSONSerialization`'s boxed values.
enum JSON {
    /// A JSON string literal.
    static func string(_ s: String) -> String {
        // Most strings (names, states, times) need no escape: skip the per-character rebuild.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) { return "\"" + s + "\"" }
        return JSONText.quote(s)
    }

    /// A finite number in its shortest round-trip form; `null` for nil, NaN or infinity.
    static func number(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "null" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    static func int(_ v: Int?) -> String { v.map(String.init) ?? "null" }

    /// An object from (key, already-encoded value) pairs, in the order given.
    static func object(_ pairs: [(String, String)]) -> String {
        var out = "{"
        for (i, (k, v)) in pairs.enumerated() {
            if i > 0 { out += "," }
            out += string(k) + ":" + v
        }
        return out + "}"
    }

    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }

    /// A search value as a JSON scalar.
    static func value(_ v: SearchValue) -> String {
        switch v {
        case let .number(x): return number(x)
        case let .string(s): return string(s)
        case let .bool(b): return b ? "true" : "false"
        }
    }

    /// Seconds since 1970 as ISO 8601 UTC text, `null` for nil.
    static func time(_ t: Double?) -> String {
        guard let t, t.isFinite else { return "null" }
        return string(isoTime(t))
    }

    /// `2026-12-01T21:00:00Z` (whole seconds; no formatter object, which costs more to make
    /// than a 10,000-trial page can afford per trial).
    static func isoTime(_ t: Double) -> String {
        let text = Timestamps.format(Int64(t.rounded(.down)))
        return text.replacingOccurrences(of: " ", with: "T") + "Z"
    }

    /// A metric set: rmse, mae, r2, mape, smape, mase, max_error, count (null where absent).
    static func metrics(_ m: MetricSet?) -> String {
        guard let m else { return "null" }
        return object([("rmse", number(m.rmse)), ("mae", number(m.mae)), ("r2", number(m.r2)), ("mape", number(m.mape)),
                       ("smape", number(m.smape)), ("mase", number(m.mase)), ("max_error", number(m.maxError)),
                       ("count", int(m.count))])
    }

    /// Metrics per part: train, validation, test.
    static func split(_ s: SplitMetrics?) -> String {
        guard let s else { return "null" }
        return object([("train", metrics(s.train)), ("validation", metrics(s.validation)), ("test", metrics(s.test))])
    }
}
