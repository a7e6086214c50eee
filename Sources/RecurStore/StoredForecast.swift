import Foundation
import RecurData

/// One row of the `forecasts` table: one model's forecast of one target at one station for
/// one valid time, as issued at `issuedAt`.
public struct StoredForecast: Codable, Equatable, Sendable {
    /// The package's station (`data.station`), "" when it reads a file of one station.
    public var station: String
    /// The target column.
    public var target: String
    /// The model's name: the package's folder name.
    public var model: String
    /// The package's content fingerprint (`ModelVersion`).
    public var modelVersion: String
    /// When the forecast was made: ISO 8601 UTC with milliseconds (`ISOTime.issued`).
    public var issuedAt: String
    /// The time forecast: ISO 8601 UTC (`ISOTime.format`).
    public var validAt: String
    /// 1 for the first step after the last observation.
    public var horizonStep: Int
    /// The forecast in the target's original units.
    public var value: Double
    /// Interval bounds by level (e.g. 0.8 -> lower_80/upper_80 columns); empty when the package
    /// has no calibrated intervals.
    public var intervals: [IntervalBounds]

    public init(station: String, target: String, model: String, modelVersion: String, issuedAt: String, validAt: String,
                horizonStep: Int, value: Double, intervals: [IntervalBounds] = []) {
        self.station = station
        self.target = target
        self.model = model
        self.modelVersion = modelVersion
        self.issuedAt = issuedAt
        self.validAt = validAt
        self.horizonStep = horizonStep
        self.value = value
        self.intervals = intervals
    }
}

/// The lower and upper bound of one central prediction interval (original units).
public struct IntervalBounds: Codable, Equatable, Sendable {
    /// Nominal coverage in (0, 1), e.g. 0.8.
    public var level: Double
    public var lower: Double
    public var upper: Double

    public init(level: Double, lower: Double, upper: Double) {
        self.level = level
        self.lower = lower
        self.upper = upper
    }

    /// The column-name suffix of a level, the same in the store and in `recur serve`'s
    /// answers: 0.8 -> "80", 0.975 -> "97_5".
    public static func suffix(_ level: Double) -> String {
        let percent = (level * 1000).rounded() / 10
        if percent == percent.rounded() { return "\(Int(percent))" }
        return String(format: "%.1f", percent).replacingOccurrences(of: ".", with: "_")
    }

    /// `lower_80`, `upper_80`.
    public static func columns(_ level: Double) -> (lower: String, upper: String) {
        ("lower_\(suffix(level))", "upper_\(suffix(level))")
    }
}

/// Timestamps as the store and the server write them.
public enum ISOTime {
    /// `YYYY-MM-DDTHH:MM:SSZ` for seconds since 1970 UTC.
    public static func format(_ t: Int64) -> String {
        Timestamps.format(t, separator: "T") + "Z"
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` for a moment (issue times, so two issues in one second still
    /// order correctly).
    public static func issued(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded())  // nearest millisecond
        let s = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let frac = ms - s * 1000
        let f = String(frac)
        return Timestamps.format(s, separator: "T") + "." + String(repeating: "0", count: 3 - f.count) + f + "Z"
    }
}
