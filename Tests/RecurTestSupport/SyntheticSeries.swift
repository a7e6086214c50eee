import Foundation

/// The small hourly series the tuning, fleet and dashboard tests train on: `date,hr,temp` rows
/// from 2021-03-01, `days` days of 24 hours, value `15 + 4·sin(2πi/24) + (i mod 5)·ripple` at
/// hour i (°C, two decimals). One definition, so that every tiny study sees the same data.
public enum SyntheticSeries {
    /// The CSV text, header and trailing newline included (`days` at most 31: one month).
    public static func dailyCycle(days: Int = 12, ripple: Double = 0.2) -> String {
        precondition((1...31).contains(days), "dailyCycle: days must be 1...31 (one month of dates)")
        var lines = ["date,hr,temp"]
        for d in 0..<days {
            for h in 0..<24 {
                let i = d * 24 + h
                let value = 15 + 4 * sin(Double(i) * 2 * .pi / 24) + Double(i % 5) * ripple
                lines.append(String(format: "2021-03-%02d,%d,%.2f", 1 + d, h, value))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `dailyCycle(days:ripple:)` to `url` and returns its path.
    @discardableResult
    public static func write(to url: URL, days: Int = 12, ripple: Double = 0.2) throws -> String {
        try dailyCycle(days: days, ripple: ripple).write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
