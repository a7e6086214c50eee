import Foundation
import RecurData

/// `data`: where the series comes from, which part of the file to use, and how to clean it.
public struct DataConfig: Equatable, Sendable, ConfigSchema {
    /// CSV file; a relative path in a config is resolved against the config file's folder.
    public var path = ""
    public var datetimeColumn, dateColumn, hourColumn, minuteColumn, stationColumn, station: String?
    public var target = ""
    public var features: [String] = []
    public var since, until: String?
    public var whichMinute: Int?
    public var frequency: Frequency = .auto
    public var cleaning = CleaningConfig()
    /// Calendar features of the timestamps, each a sin/cos pair; nil for none.
    public var calendar: [CalendarFeature]?

    static var defaults: DataConfig { DataConfig() }
    static var schema: [ConfigKey<DataConfig>] {
        [.key("path", \.path, .string, required: true, "CSV file, relative to the config's folder"),
         .optional("datetime_column", \.datetimeColumn, .string, "one column of dates or datetimes (or give date_column)", defaultNote: "–"),
         .optional("date_column", \.dateColumn, .string, "column of YYYY-MM-DD dates", defaultNote: "–"),
         .optional("hour_column", \.hourColumn, .string, "column of the hour 0-23; needs date_column"),
         .optional("minute_column", \.minuteColumn, .string, "column of the minute 0-59; needs hour_column"),
         .optional("station_column", \.stationColumn, .string, "column naming each row's station; needs station"),
         .optional("station", \.station, .string, "the station to keep; needs station_column"),
         .key("target", \.target, .string, required: true, "the column to forecast"),
         .key("features", \.features, .list(.string, "an array of strings"), "extra input columns"),
         .optional("since", \.since, .date, "first day kept, inclusive"),
         .optional("until", \.until, .date, "last day kept, inclusive"),
         .optional("which_minute", \.whichMinute, .int(min: 0, max: 59), "keep only readings at this minute of the hour"),
         .key("frequency", \.frequency, Frequency.configFormat, "step of the time grid"),
         .key("cleaning", \.cleaning, CleaningConfig.configFormat, "cleaning policies", defaultNote: "see below"),
         .optional("calendar", \.calendar, .list(.choice(CalendarFeature.self), "an array of calendar features ("
                     + ConfigWords.alternatives(CalendarFeature.allCases.map(\.rawValue)) + ")"), "calendar features of the timestamps")]
    }

    mutating func validate(_ v: ConfigValue, file: String?) throws {
        switch (datetimeColumn, dateColumn) {
        case (nil, nil):
            throw ConfigError.missing(v, "datetime_column", "the name of the column holding datetimes (or give `\(v.path).date_column`)", file: file)
        case (_?, _?):
            throw ConfigError.conflict(v["date_column"]!, "`\(v.path).datetime_column` and `\(v.path).date_column` cannot both be given",
                                       file: file, hint: "use `datetime_column` for one column of datetimes, or `date_column` with `hour_column`")
        case (_?, nil) where hourColumn != nil:
            throw ConfigError.conflict(v["hour_column"]!, "`\(v.path).hour_column` needs `\(v.path).date_column`, not `datetime_column`", file: file)
        default: break
        }
        if minuteColumn != nil, hourColumn == nil {
            throw ConfigError.conflict(v["minute_column"]!, "`\(v.path).minute_column` needs `\(v.path).hour_column`", file: file)
        }
        for (given, needed, what) in [("station_column", "station", "the station to keep"), ("station", "station_column", "the column naming the stations")]
        where v[given: given] != nil && v[given: needed] == nil {
            throw ConfigError.missing(v, needed, "\(what), since `\(v.path).\(given)` is given", file: file)
        }
        if let f = v["features"], features.contains(target) {
            throw ConfigError.invalid(f, "extra columns other than the target", file: file, hint: "\"\(target)\" is the target; it is always an input")
        }
        if let f = v["features"], let k = features.indices.first(where: { features[..<$0].contains(features[$0]) }) {
            throw ConfigError.invalid(f, "distinct column names", file: file,
                                      hint: "\"\(TextExcerpt.of(features[k]))\" is listed twice (positions \(features.firstIndex(of: features[k])! + 1) and \(k + 1)); list each column once")
        }
        if let s = since, let u = until, s > u {
            throw ConfigError.invalid(v["until"]!, "a date not before `\(v.path).since` (\(s))", file: file)
        }
        if let c = calendar, let dup = c.indices.first(where: { c[..<$0].contains(c[$0]) }) {
            throw ConfigError.invalid(v["calendar"]!, "each calendar feature at most once", file: file, hint: "\"\(c[dup].rawValue)\" is repeated; remove it")
        }
        if calendar?.isEmpty == true { calendar = nil }
    }

    /// The column that carries the date or datetime.
    public var timeColumn: String { datetimeColumn ?? dateColumn ?? "" }

    /// Number of input features per time step: the target, the extra features and two per
    /// calendar feature.
    public var featureCount: Int { 1 + features.count + 2 * (calendar?.count ?? 0) }
}

/// `data.cleaning`: every cleaning decision, with RecurData's policy types (bridged to
/// `CleaningPolicy` in `RecurConfig+RecurData.swift`).
public struct CleaningConfig: Equatable, Sendable, ConfigSchema {
    public var duplicates: DuplicatePolicy = .first
    public var sentinels: [Double] = []
    public var detectSentinels = true
    public var nonNumeric: InvalidCellPolicy = .missing
    public var gaps: GapMethod = .interpolate
    /// Longest gap, in steps, that is filled; nil: no limit.
    public var maxGap: Int? = 6
    /// nil means `error`.
    public var extremeValues: ExtremeValuePolicy?

    static var defaults: CleaningConfig { CleaningConfig() }
    static var schema: [ConfigKey<CleaningConfig>] {
        let maxGap = ConfigFormat<Int?>.word("unlimited", nil, or: .nullable(.int(min: 0)), expected: "an integer ≥ 0 or \"unlimited\"")
        return [.key("duplicates", \.duplicates, .choice(DuplicatePolicy.self), "rows sharing a timestamp"),
                .key("sentinels", \.sentinels, .list(.number(), "an array of numbers"), "values meaning \"no reading\""),
                .key("detect_sentinels", \.detectSentinels, .bool, "also drop values inspection suspects of being sentinels"),
                .key("non_numeric", \.nonNumeric, .choice(InvalidCellPolicy.self), "empty or non-numeric cells"),
                .key("gaps", \.gaps, .choice(GapMethod.self), "steps of the grid without a value"),
                .key("max_gap", \.maxGap, maxGap, "longest gap (steps) that is filled"),
                .optional("extreme_values", \.extremeValues, .choice(ExtremeValuePolicy.self), "values far outside their column",
                          defaultNote: "\"error\"")]
    }
}

/// `data.frequency`: the step of the regular time grid.
public enum Frequency: Equatable, Sendable, CustomStringConvertible {
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
        guard let count = digits.isEmpty ? 1 : Int64(digits), count > 0 else { return nil }
        let sizes: [Int64: [String]] = [1: ["s", "sec", "second", "seconds"], 60: ["min", "minute", "minutes", "t"],
                                        3_600: ["h", "hour", "hours"], 86_400: ["d", "day", "days"], 604_800: ["w", "week", "weeks"]]
        guard let size = sizes.first(where: { $0.value.contains(unit) })?.key else { return nil }
        return .seconds(count * size)
    }

    static var configFormat: ConfigFormat<Frequency> {
        let expected = "\"auto\" or a step such as \"1h\", \"30min\", \"1d\""
        return ConfigFormat(expected: expected, read: { v, file in
            guard case let .string(s) = v.kind else { throw ConfigError.wrongType(v, expected, file: file) }
            guard let f = parse(s) else {
                throw ConfigError.invalid(v, expected, file: file, hint: s.lowercased().hasSuffix("m") ? "write minutes as \"min\" (\"m\" could mean months)" : nil)
            }
            return f
        }, write: { .string($0.description) })
    }
}
