import Foundation
import RecurTrain
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// JSON text of a typed tree (`Value`), in the layout of JSONSerialization's
/// `[.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]` (two-space indents, `"key" : value`,
/// keys sorted, integral numbers without a fraction; non-finite numbers `null`).
/// `StudyExport.json` writes a study with it: JSONSerialization took 7-9 s for a 10,000-trial
/// study, and JSONEncoder over 3 s.
enum PrettyJSON {
    /// A JSON value.
    indirect enum Value {
        case null
        case bool(Bool)
        case int(Int)
        case uint(UInt64)
        case number(Double)
        case string(String)
        case array([Value])
        case object([String: Value])
    }

    static func text(_ value: Value) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)
        write(value, indent: 0, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func write(_ value: Value, indent: Int, into out: inout [UInt8]) {
        switch value {
        case .null: out += "null".utf8
        case let .string(s): string(s, into: &out)
        case let .bool(b): out += (b ? "true" : "false").utf8
        case let .int(i): out += String(i).utf8
        case let .uint(u): out += String(u).utf8
        case let .number(d): number(d, into: &out)
        case let .object(o):
            guard !o.isEmpty else { out += "{}".utf8; return }
            out += "{\n".utf8
            let keys = o.keys.sorted()
            for (k, key) in keys.enumerated() {
                pad(indent + 2, into: &out)
                string(key, into: &out)
                out += " : ".utf8
                write(o[key]!, indent: indent + 2, into: &out)
                out += (k == keys.count - 1 ? "\n" : ",\n").utf8
            }
            pad(indent, into: &out)
            out.append(0x7D)
        case let .array(a):
            guard !a.isEmpty else { out += "[]".utf8; return }
            out += "[\n".utf8
            for (k, v) in a.enumerated() {
                pad(indent + 2, into: &out)
                write(v, indent: indent + 2, into: &out)
                out += (k == a.count - 1 ? "\n" : ",\n").utf8
            }
            pad(indent, into: &out)
            out.append(0x5D)
        }
    }

    static func pad(_ n: Int, into out: inout [UInt8]) {
        for _ in 0..<n { out.append(0x20) }
    }

    static func number(_ d: Double, into out: inout [UInt8]) {
        guard d.isFinite else { out += "null".utf8; return }
        if d == d.rounded(), abs(d) < 1e15 {
            out += String(Int64(d)).utf8
        } else {
            out += d.description.utf8
        }
    }

    static func string(_ s: String, into out: inout [UInt8]) {
        out.append(0x22)
        for c in s.utf8 {
            switch c {
            case 0x22: out += "\\\"".utf8
            case 0x5C: out += "\\\\".utf8
            case 0x0A: out += "\\n".utf8
            case 0x0D: out += "\\r".utf8
            case 0x09: out += "\\t".utf8
            case 0x08: out += "\\b".utf8
            case 0x0C: out += "\\f".utf8
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                out += "\\u00".utf8
                out.append(hex[Int(c >> 4)])
                out.append(hex[Int(c & 15)])
            default: out.append(c)
            }
        }
        out.append(0x22)
    }

    /// `yyyy-MM-ddTHH:mm:ssZ` in UTC, whole seconds (as ISO8601DateFormatter's default writes
    /// it, at a hundredth of its cost).
    static func time(_ seconds: Double) -> String {
        var t = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        var out: [UInt8] = []
        out.reserveCapacity(20)
        func digits(_ v: Int32, _ n: Int) {
            var buffer = [UInt8](repeating: 0x30, count: n)
            var v = v
            for k in stride(from: n - 1, through: 0, by: -1) {
                buffer[k] = UInt8(0x30 + v % 10)
                v /= 10
            }
            out += buffer
        }
        digits(parts.tm_year + 1900, 4); out.append(0x2D)
        digits(parts.tm_mon + 1, 2); out.append(0x2D)
        digits(parts.tm_mday, 2); out.append(0x54)
        digits(parts.tm_hour, 2); out.append(0x3A)
        digits(parts.tm_min, 2); out.append(0x3A)
        digits(parts.tm_sec, 2); out.append(0x5A)
        return String(decoding: out, as: UTF8.self)
    }

    /// A metric set as its JSON encoding reads back (`max_error`, `mean_width`; absent optional
    /// figures left out); null where a figure is not finite (its encoding fails).
    static func metrics(_ m: MetricSet?) -> Value {
        guard let m else { return .null }
        let figures: [Double?] = [m.rmse, m.mae, m.r2, m.maxError, m.mape, m.smape, m.mase]
        guard figures.allSatisfy({ $0?.isFinite ?? true }) else { return .null }
        var o: [String: Value] = ["rmse": .number(m.rmse), "mae": .number(m.mae), "max_error": .number(m.maxError),
                                  "smape": .number(m.smape), "count": .int(m.count)]
        if let r2 = m.r2 { o["r2"] = .number(r2) }
        if let mape = m.mape { o["mape"] = .number(mape) }
        if let mase = m.mase { o["mase"] = .number(mase) }
        if let intervals = m.intervals {
            var levels: [String: Value] = [:]
            for (level, i) in intervals {
                guard [i.level, i.coverage, i.meanWidth, i.pinball].allSatisfy(\.isFinite) else { return .null }
                levels[level] = .object(["level": .number(i.level), "coverage": .number(i.coverage), "mean_width": .number(i.meanWidth),
                                         "pinball": .number(i.pinball), "count": .int(i.count)])
            }
            o["intervals"] = .object(levels)
        }
        return .object(o)
    }
}
