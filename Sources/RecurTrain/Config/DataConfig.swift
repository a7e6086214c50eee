import RecurData
import Foundation
import RecurData

/// `data`: where the series comes from, which part of the file to use, and how to clean it.
public struct DataConfig: Codable, Equatable, Sendable {
    /// CSV file; a relative path in a config is resolved against the config file's folder.
    public var path: String
    /// One column holding dates or datetimes (`datetime_column`), exclusive with `dateColumn`.
    public var datetimeColumn: String?
    /// Column holding dates, `YYYY-MM-DD` (`date_column`), optionally with `hourColumn`.
    public var dateColumn: String?
    /// Column holding the hour 0-23 (`hour_column`); needs `dateColumn`.
    public var hourColumn: String?
    /// Column holding the minute 0-59 (`minute_column`); needs `hourColumn`.
    public var minuteColumn: String?
    /// Column naming the station of each row (`station_column`); needs `station`.
    public var stationColumn: String?
    /// The station to keep (`station`); needs `stationColumn`.
    public var station: String?
    /// The column to forecast (`target`).
    public var target: String
    /// Extra input columns (`features`), default none.
    public var features: [String]
    /// First day kept, `YYYY-MM-DD`, inclusive (`since`).
    public var since: String?
    /// Last day kept, `YYYY-MM-DD`, inclusive: the whole day (`until`).
    public var until: String?
    /// Keep only readings at this minute of the hour, 0-59 (`which_minute`).
    public var whichMinute: Int?
    /// Step of the regular time grid (`frequency`).
    public var frequency: Frequency
    /// How to clean the series (`cleaning`).
    public var cleaning: CleaningConfig
    /// Calendar features computed from the timestamps (`calendar`), each a sin/cos pair; nil
    /// for none (`CalendarFeatures.swift`).
    public var calendar: [CalendarFeature]? = nil

    public init(path: String, datetimeColumn: String? = nil, dateColumn: String? = nil, hourColumn: String? = nil,
                minuteColumn: String? = nil, stationColumn: String? = nil, station: String? = nil, target: String,
                features: [String] = [], since: String? = nil, until: String? = nil, whichMinute: Int? = nil,
                frequency: Frequency = .auto, cleaning: CleaningConfig = CleaningConfig()) {
        self.path = path
        self.datetimeColumn = datetimeColumn
        self.dateColumn = dateColumn
        self.hourColumn = hourColumn
        self.minuteColumn = minuteColumn
        self.stationColumn = stationColumn
        self.station = station
        self.target = target
        self.features = features
        self.since = since
        self.until = until
        self.whichMinute = whichMinute
        self.frequency = frequency
        self.cleaning = cleaning
    }

    /// The column that carries the date or datetime.
    public var timeColumn: String { datetimeColumn ?? dateColumn ?? "" }

    /// Number of input features per time step: the target, the extra features and two per
    /// calendar feature.
    public var featureCount: Int { 1 + features.count + 2 * (calendar?.count ?? 0) }

    static let keys = ["path", "datetime_column", "date_column", "hour_column", "minute_column", "station_column",
                       "station", "target", "features", "since", "until", "which_minute", "frequency", "cleaning", "calendar"]

    /// Decodes and checks `data`; `baseDirectory` resolves a relative `path`.
    static func decode(_ value: ConfigValue, file: String?, baseDirectory: String?) throws -> DataConfig {
        let r = try ObjectReader(value, allowed: keys, file: file)
        let rawPath = try r.requiredString("path", "the CSV file to read")
        var config = DataConfig(path: ConfigPaths.resolve(rawPath, against: baseDirectory),
                                target: try r.requiredString("target", "the name of the column to forecast"))
        config.datetimeColumn = try r.string("datetime_column")
        config.dateColumn = try r.string("date_column")
        config.hourColumn = try r.string("hour_column")
        config.minuteColumn = try r.string("minute_column")
        switch (config.datetimeColumn, config.dateColumn) {
        case (nil, nil):
            _ = try r.require("datetime_column", "the name of the column holding datetimes (or give `\(r.path("date_column"))`)")
        case (_?, _?):
            throw ConfigError.conflict(r.value("date_column")!, "`\(r.path("datetime_column"))` and `\(r.path("date_column"))` cannot both be given",
                                       file: file, hint: "use `datetime_column` for one column of datetimes, or `date_column` with `hour_column`")
        case (_?, nil):
            if let h = r.value("hour_column") {
                throw ConfigError.conflict(h, "`\(h.path)` needs `\(r.path("date_column"))`, not `datetime_column`", file: file)
            }
        default: break
        }
        if let m = r.value("minute_column"), config.hourColumn == nil {
            throw ConfigError.conflict(m, "`\(m.path)` needs `\(r.path("hour_column"))`", file: file)
        }
        config.stationColumn = try r.string("station_column")
        config.station = try r.string("station")
        if config.stationColumn != nil, config.station == nil {
            _ = try r.require("station", "the station to keep, since `\(r.path("station_column"))` is given")
        }
        if config.station != nil, config.stationColumn == nil {
            _ = try r.require("station_column", "the column naming the stations, since `\(r.path("station"))` is given")
        }
        config.features = try r.stringArray("features") ?? []
        if let f = r.value("features"), let dup = config.features.first(where: { $0 == config.target }) {
            throw ConfigError.invalid(f, "extra columns other than the target", file: file,
                                      hint: "\"\(dup)\" is the target; it is always an input")
        }
        if let f = r.value("features"), let k = config.features.indices.first(where: { config.features[..<$0].contains(config.features[$0]) }) {
            throw ConfigError.invalid(f, "distinct column names", file: file,
                                      hint: "\"\(TextExcerpt.of(config.features[k]))\" is listed twice (positions \(config.features.firstIndex(of: config.features[k])! + 1) and \(k + 1)); list each column once")
        }
        config.since = try date(r, "since")
        config.until = try date(r, "until")
        if let s = config.since, let u = config.until, s > u {
            throw ConfigError.invalid(r.value("until")!, "a date not before `\(r.path("since"))` (\(s))", file: file)
        }
        config.whichMinute = try r.int("which_minute", min: 0, max: 59)
        if let f = r.value("frequency") { config.frequency = try Frequency.decode(f, file: file) }
        if let c = r.value("cleaning") { config.cleaning = try CleaningConfig.decode(c, file: file) }
        if let c = r.value("calendar") {
            let features = try ConfigReader.array(c, "an array of calendar features (\(ConfigReader.alternatives(CalendarFeature.allCases.map(\.rawValue))))", file: file)
                .map { try ConfigReader.choice($0, CalendarFeature.self, file: file) }
            if let dup = features.enumerated().first(where: { i, f in features[..<i].contains(f) }) {
                throw ConfigError.invalid(c, "each calendar feature at most once", file: file, hint: "\"\(dup.element.rawValue)\" is repeated; remove it")
            }
            config.calendar = features.isEmpty ? nil : features
        }
        return config
    }

    /// A `YYYY-MM-DD` date that exists.
    static func date(_ r: ObjectReader, _ key: String) throws -> String? {
        guard let v = r.value(key) else { return nil }
        let s = try ConfigReader.string(v, file: r.file)
        guard ConfigDates.isValidDate(s) else { throw ConfigError.invalid(v, "a date written YYYY-MM-DD", file: r.file) }
        return s
    }
}

/// `data.frequency`: the step of the regular time grid.
public enum Frequency: Codable, Equatable, Sendable, CustomStringConvertible {
    /// Inferred from the timestamps (the most common difference).
    case auto
    /// A fixed step in seconds, written like "1h", "30min", "1d", "15s", "1w".
    case seconds(Int64)

    /// The step in seconds, nil for `.auto`.
    public var seconds: Int64? {
        if case let .seconds(s) = self { return s }
        return nil
    }

    public var description: String {
        guard case let .seconds(s) = self else { return "auto" }
        for (unit, size) in [("w", Int64(604_800)), ("d", 86_400), ("h", 3_600), ("min", 60)] where s % size == 0 {
            return "\(s / size)\(unit)"
        }
        return "\(s)s"
    }

    /// Parses "auto" or a count and a unit: s/sec/second(s), min/minute(s), h/hour(s),
    /// d/day(s), w/week(s); nil for anything else (such as the ambiguous "m").
    public static func parse(_ text: String) -> Frequency? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t == "auto" { return .auto }
        let digits = t.prefix(while: { $0.isNumber })
        let unit = t.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        let count = digits.isEmpty ? 1 : Int64(digits)
        guard let count, count > 0 else { return nil }
        let sizes: [String: Int64] = ["s": 1, "sec": 1, "second": 1, "seconds": 1,
                                      "min": 60, "minute": 60, "minutes": 60, "t": 60,
                                      "h": 3_600, "hour": 3_600, "hours": 3_600,
                                      "d": 86_400, "day": 86_400, "days": 86_400,
                                      "w": 604_800, "week": 604_800, "weeks": 604_800]
        guard let size = sizes[unit] else { return nil }
        return .seconds(count * size)
    }

    static func decode(_ v: ConfigValue, file: String?) throws -> Frequency {
        let expected = "\"auto\" or a step such as \"1h\", \"30min\", \"1d\""
        guard case let .string(s) = v.kind else { throw ConfigError.wrongType(v, expected, file: file) }
        guard let f = parse(s) else {
            throw ConfigError.invalid(v, expected, file: file, hint: s.lowercased().hasSuffix("m") ? "write minutes as \"min\" (\"m\" could mean months)" : nil)
        }
        return f
    }
}

/// Calendar checks for `YYYY-MM-DD` dates.
enum ConfigDates {
    static func isValidDate(_ s: String) -> Bool { parse(s) != nil }

    /// (year, month, day) of a valid `YYYY-MM-DD` date.
    static func parse(_ s: String) -> (Int, Int, Int)? {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m) else { return nil }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return (1...days).contains(d) ? (y, m, d) : nil
    }

    /// The day after a valid date, `YYYY-MM-DD`.
    static func dayAfter(_ s: String) -> String? {
        guard var (y, m, d) = parse(s) else { return nil }
        d += 1
        if parse(String(format: "%04d-%02d-%02d", y, m, d)) == nil {
            d = 1; m += 1
            if m > 12 { m = 1; y += 1 }
        }
        return String(format: "%04d-%02d-%02d", y, m, d)
    }
}

/// Resolving paths written in a config.
public enum ConfigPaths {
    /// `path` unchanged when absolute (or `~/…`, expanded) or when there is no base; else joined
    /// to `base` (the config file's folder) and standardized.
    public static func resolve(_ path: String, against base: String?) -> String {
        if path.hasPrefix("/") { return path }
        if path.hasPrefix("~") { return NSString(string: path).expandingTildeInPath }
        guard let base, !base.isEmpty else { return path }
        let joined = URL(fileURLWithPath: base, isDirectory: true).appendingPathComponent(path).standardizedFileURL.path
        return path.hasSuffix("/") && !joined.hasSuffix("/") ? joined + "/" : joined
    }
}
