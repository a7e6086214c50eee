import Foundation

/// A calendar feature computed from a timestamp (UTC, no daylight saving): the phase of the
/// timestamp in one cycle, fed to the network as the pair sin(2π·phase), cos(2π·phase), so that
/// the end of a cycle lies next to its start. The phases, for t seconds since 1970 UTC, with
/// d = floor(t / 86400) the day number and s = t - 86400·d the second of the day:
///
/// - `hour_of_day`: s / 86400 (minutes and seconds included; 12:00 is phase 0.5).
/// - `minute_of_hour`: (t mod 3600) / 3600.
/// - `day_of_week`: ((d + 3) mod 7 + s / 86400) / 7, Monday 00:00 being phase 0 (1970-01-01 was a
///   Thursday, day 3).
/// - `day_of_year`: (day of the year - 1 + s / 86400) / (days in that year: 365, or 366 in a leap
///   year), so 1 January 00:00 is phase 0 and 31 December of a leap year ends just below 1.
///   Dividing by the year's own length (not 365.25) keeps every calendar date at the same phase
///   in every year except for the days after 28 February in leap years, which move by under a
///   day's share (1/366), and wraps exactly at the year's end.
public enum CalendarFeature: String, Codable, CaseIterable, Sendable {
    case hourOfDay = "hour_of_day"
    case dayOfWeek = "day_of_week"
    case dayOfYear = "day_of_year"
    case minuteOfHour = "minute_of_hour"

    /// The length of the feature's cycle in seconds (the year's: 365 days; used for the check
    /// of what a frequency can carry).
    public var periodSeconds: Int64 {
        switch self {
        case .minuteOfHour: return 3_600
        case .hourOfDay: return 86_400
        case .dayOfWeek: return 7 * 86_400
        case .dayOfYear: return 365 * 86_400
        }
    }

    /// Whether a series with steps of `stepSeconds` can carry the feature: at least two steps
    /// per cycle (step ≤ period / 2). `hour_of_day` on daily data is the same value at every
    /// step, so it says nothing.
    public func isCarried(byStep stepSeconds: Int64) -> Bool { stepSeconds > 0 && 2 * stepSeconds <= periodSeconds }

    /// The phase in [0, 1) of timestamp `t` (seconds since 1970 UTC).
    public func phase(at t: Int64) -> Double {
        let day = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
        let secondOfDay = Double(t - day * 86_400)
        switch self {
        case .hourOfDay:
            return secondOfDay / 86_400
        case .minuteOfHour:
            let m = t % 3_600
            return Double(m < 0 ? m + 3_600 : m) / 3_600
        case .dayOfWeek:
            var w = (day + 3) % 7
            if w < 0 { w += 7 }
            return (Double(w) + secondOfDay / 86_400) / 7
        case .dayOfYear:
            let year = Timestamps.civil(days: day).year
            let first = Timestamps.days(year: year, month: 1, day: 1)
            let length = Double(Timestamps.days(year: year + 1, month: 1, day: 1) - first)
            return (Double(day - first) + secondOfDay / 86_400) / length
        }
    }

    /// (sin 2π·phase, cos 2π·phase) at `t`.
    public func values(at t: Int64) -> (sin: Float, cos: Float) {
        let angle = 2 * Double.pi * phase(at: t)
        return (Float(Foundation.sin(angle)), Float(Foundation.cos(angle)))
    }

    /// The two column names the feature adds: `calendar.<name>.sin`, `calendar.<name>.cos`.
    public var columnNames: [String] { ["calendar.\(rawValue).sin", "calendar.\(rawValue).cos"] }
}

/// The calendar columns a model reads beside the measured ones: the features in order, each a
/// sin/cos pair, computed for every step of a series from its timestamps. Each step carries the
/// calendar of the step `leadSteps` steps later (timestamp + leadSteps × stepSeconds), so the
/// last input step of a window carries the calendar of the last step the model forecasts (with
/// one output, of the step forecast): the calendar of the future is known, and the network sees
/// it. Codable for model packages.
public struct CalendarColumns: Codable, Equatable, Sendable {
    /// The features, in the config's order.
    public var features: [CalendarFeature]
    /// How many steps ahead each step's calendar is taken: the model's outputs per call.
    public var leadSteps: Int
    /// The series' step in seconds.
    public var stepSeconds: Int64

    public init(features: [CalendarFeature], leadSteps: Int, stepSeconds: Int64) {
        self.features = features
        self.leadSteps = leadSteps
        self.stepSeconds = stepSeconds
    }

    /// Number of columns added, 2 per feature.
    public var count: Int { 2 * features.count }
    /// Their names, in order.
    public var columnNames: [String] { features.flatMap(\.columnNames) }

    /// The calendar values of the step at timestamp `t`: [count].
    public func row(at t: Int64) -> [Float] {
        let shifted = t + Int64(leadSteps) * stepSeconds
        return features.flatMap { f -> [Float] in
            let v = f.values(at: shifted)
            return [v.sin, v.cos]
        }
    }

    /// Throws `invalidSetting` (key `data.calendar`) for a feature the step cannot carry.
    public func validate() throws {
        for f in features where !f.isCarried(byStep: stepSeconds) {
            let step = Timestamps.describeDuration(stepSeconds)
            let carried = CalendarFeature.allCases.filter { $0.isCarried(byStep: stepSeconds) }.map(\.rawValue)
            throw DataError.invalidSetting(
                key: "data.calendar", value: "\"\(f.rawValue)\"",
                expected: "a feature the data's step (\(step)) can carry: a cycle of at least two steps; \"\(f.rawValue)\" needs a step of at most \(Timestamps.describeDuration(f.periodSeconds / 2)); remove it from data.calendar (this step carries: \(carried.isEmpty ? "none" : carried.joined(separator: ", ")))")
        }
        if Set(features).count != features.count {
            throw DataError.invalidSetting(key: "data.calendar", value: features.map { "\"\($0.rawValue)\"" }.joined(separator: ", "),
                                           expected: "each feature at most once; remove the repeated one")
        }
    }

    /// `series` with the calendar columns appended after its columns (validity unchanged; a
    /// step's calendar is known even where its measurements are missing).
    public func appended(to series: CleanSeries) -> CleanSeries {
        guard count > 0 else { return series }
        let F = series.featureCount, C = count, n = series.count
        var values = [Float](repeating: 0, count: n * (F + C))
        for i in 0..<n {
            for f in 0..<F { values[i * (F + C) + f] = series.values[i * F + f] }
            let r = row(at: series.timestamps[i])
            for c in 0..<C { values[i * (F + C) + F + c] = r[c] }
        }
        return CleanSeries(columns: series.columns + columnNames, timestamps: series.timestamps, stepSeconds: series.stepSeconds,
                           isRegular: series.isRegular, values: values, valid: series.valid)
    }
}
