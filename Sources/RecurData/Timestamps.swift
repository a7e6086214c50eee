/// Timestamps are Int64 seconds since 1970-01-01T00:00:00 UTC (leap seconds ignored, proleptic
/// Gregorian calendar). This namespace parses the ISO 8601 forms the data files use and formats
/// timestamps back for messages and reports.
public enum Timestamps {
    /// What `parse` accepts, for error messages.
    public static let acceptedForms = "an ISO date or datetime: YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS], or YYYY-MM-DDTHH:MM[:SS][.fff][Z|±HH:MM]"

    /// Days from 1970-01-01 to the civil date (Howard Hinnant's `days_from_civil`).
    public static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count from 1970-01-01 (inverse of `days`).
    public static func civil(days z0: Int64) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(m <= 2 ? y + 1 : y), Int(m), Int(d))
    }

    static func daysInMonth(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Formats a timestamp as `YYYY-MM-DD HH:MM:SS` (UTC), or `YYYY-MM-DD` when `dateOnly`.
    public static func format(_ t: Int64, dateOnly: Bool = false, separator: String = " ") -> String {
        let days = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
        let seconds = Int(t - days * 86_400)
        let (y, m, d) = civil(days: days)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let date = "\(y < 1000 ? String(repeating: "0", count: 4 - String(y).count) : "")\(y)-\(two(m))-\(two(d))"
        if dateOnly { return date }
        return "\(date)\(separator)\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
    }

    /// A duration in seconds in words, e.g. "1 hour", "1 day", "15 minutes", "90 seconds".
    public static func describeDuration(_ seconds: Int64) -> String {
        func unit(_ n: Int64, _ name: String) -> String { n == 1 ? "1 \(name)" : "\(n) \(name)s" }
        if seconds > 0, seconds % 86_400 == 0 { return unit(seconds / 86_400, "day") }
        if seconds > 0, seconds % 3600 == 0 { return unit(seconds / 3600, "hour") }
        if seconds > 0, seconds % 60 == 0 { return unit(seconds / 60, "minute") }
        return unit(seconds, "second")
    }

    /// Parses an ISO date or datetime; returns nil when the text is not one. `hasTime` tells
    /// whether a time of day was present.
    public static func parse(_ text: String) -> (seconds: Int64, hasTime: Bool)? {
        var copy = text
        return copy.withUTF8 { parse(bytes: $0) }
    }

    /// Byte-level form of `parse(_:)`. Surrounding spaces are ignored.
    public static func parse(bytes: UnsafeBufferPointer<UInt8>) -> (seconds: Int64, hasTime: Bool)? {
        var start = 0, end = bytes.count
        while start < end, bytes[start] == 32 { start += 1 }
        while end > start, bytes[end - 1] == 32 { end -= 1 }
        var i = start
        @inline(__always) func digits(_ count: Int) -> Int? {
            guard i + count <= end else { return nil }
            var v = 0
            for k in 0..<count {
                let b = bytes[i + k]
                guard b >= 48, b <= 57 else { return nil }
                v = v * 10 + Int(b - 48)
            }
            i += count
            return v
        }
        @inline(__always) func expect(_ c: UInt8) -> Bool {
            guard i < end, bytes[i] == c else { return false }
            i += 1; return true
        }
        guard let year = digits(4), expect(45), let month = digits(2), expect(45), let day = digits(2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year, month) else { return nil }
        var t = days(year: year, month: month, day: day) * 86_400
        if i == end { return (t, false) }
        guard bytes[i] == UInt8(ascii: "T") || bytes[i] == 32 else { return nil }
        i += 1
        guard let hour = digits(2), expect(58), let minute = digits(2), hour < 24, minute < 60 else { return nil }
        var second = 0
        if expect(58) {
            guard let s = digits(2), s <= 60 else { return nil }
            second = s
            if expect(46) {  // fractional seconds, ignored
                let before = i
                while i < end, bytes[i] >= 48, bytes[i] <= 57 { i += 1 }
                if i == before { return nil }
            }
        }
        t += Int64(hour * 3600 + minute * 60 + second)
        if i == end { return (t, true) }
        if expect(UInt8(ascii: "Z")) { return i == end ? (t, true) : nil }
        let sign: Int64
        if expect(43) { sign = 1 } else if expect(45) { sign = -1 } else { return nil }
        guard let offsetHours = digits(2), offsetHours <= 23 else { return nil }
        _ = expect(58)
        guard let offsetMinutes = digits(2), offsetMinutes < 60, i == end else { return nil }
        return (t - sign * Int64(offsetHours * 3600 + offsetMinutes * 60), true)
    }
}
