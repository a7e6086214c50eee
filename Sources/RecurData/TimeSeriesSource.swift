/// The settings of a `TimeSeriesSource` an error can be about. RecurData names them by these
/// raw values (`target`, `timeColumn`, ...); each caller renames them in its own terms (a
/// config's `data.target`, the template's `numeric_var`, `recur inspect`'s `--target`) with
/// `DataError.naming(_:_:)`, so the data layer knows no config or command-line key.
public enum SourceSetting: String, CaseIterable, Sendable {
    case timeColumn, hourColumn, minuteColumn, stationColumn, target, features, whichMinute, since, until
}

extension DataError {
    /// This error with the key of a `SourceSetting` renamed by `name`; other errors unchanged.
    public func naming(_ name: (SourceSetting) -> String) -> DataError {
        switch self {
        case let .missingColumn(file, column, role, key?, available):
            guard let s = SourceSetting(rawValue: key) else { return self }
            return .missingColumn(file: file, column: column, role: role, key: name(s), available: available)
        case let .invalidSetting(key, value, expected):
            guard let s = SourceSetting(rawValue: key) else { return self }
            return .invalidSetting(key: name(s), value: value, expected: expected)
        default:
            return self
        }
    }

    /// `body`'s result; a `DataError` it throws has its source settings renamed by `name`.
    public static func naming<T>(_ name: (SourceSetting) -> String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as DataError { throw error.naming(name) }
    }
}

/// Where a series comes from and which part of the file to use: the time columns, an optional
/// station filter, the target column, optional extra feature columns, date bounds and a minute
/// filter. Codable so a model package can record it.
///
/// Time is given either by one column holding ISO dates or datetimes (`timeColumn` alone), or by
/// a date column plus an hour column (integers 0-23, or `HH:MM`) and optionally a minute column.
/// Timestamps are Int64 seconds since 1970 UTC; times without a zone are taken as UTC.
public struct TimeSeriesSource: Codable, Equatable, Sendable {
    /// Path of the CSV file.
    public var path: String
    /// Column holding dates (`YYYY-MM-DD`) or datetimes (see `Timestamps.acceptedForms`).
    public var timeColumn: String
    /// Optional column holding the hour of the day, 0-23 (requires `timeColumn` to hold dates).
    public var hourColumn: String?
    /// Optional column holding the minute of the hour, 0-59 (used with `hourColumn`).
    public var minuteColumn: String?
    /// Optional column naming the station (sensor) of each row.
    public var stationColumn: String?
    /// The station to keep; nil keeps all rows, which is an error when the column holds several.
    public var station: String?
    /// The column to forecast; it becomes feature 0 of the cleaned series.
    public var target: String
    /// Extra input columns, features 1...F-1 of the cleaned series, in this order.
    public var features: [String]
    /// First date or datetime to keep, inclusive (ISO text, e.g. "2008-01-01").
    public var since: String?
    /// Last date or datetime to keep, inclusive; a date alone includes that whole day.
    public var until: String?
    /// Keep only rows whose timestamp falls on this minute of the hour (0-59).
    public var whichMinute: Int?

    public init(path: String, timeColumn: String, hourColumn: String? = nil, minuteColumn: String? = nil,
                stationColumn: String? = nil, station: String? = nil, target: String, features: [String] = [],
                since: String? = nil, until: String? = nil, whichMinute: Int? = nil) {
        self.path = path
        self.timeColumn = timeColumn
        self.hourColumn = hourColumn
        self.minuteColumn = minuteColumn
        self.stationColumn = stationColumn
        self.station = station
        self.target = target
        self.features = features
        self.since = since
        self.until = until
        self.whichMinute = whichMinute
    }

    /// All value columns, target first: [F].
    public var valueColumns: [String] { [target] + features }

    enum CodingKeys: String, CodingKey {
        case path, timeColumn, hourColumn, minuteColumn, stationColumn, station, target, features, since, until, whichMinute
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decode(String.self, forKey: .path)
        timeColumn = try c.decode(String.self, forKey: .timeColumn)
        hourColumn = try c.decodeIfPresent(String.self, forKey: .hourColumn)
        minuteColumn = try c.decodeIfPresent(String.self, forKey: .minuteColumn)
        stationColumn = try c.decodeIfPresent(String.self, forKey: .stationColumn)
        station = try c.decodeIfPresent(String.self, forKey: .station)
        target = try c.decode(String.self, forKey: .target)
        features = try c.decodeIfPresent([String].self, forKey: .features) ?? []
        since = try c.decodeIfPresent(String.self, forKey: .since)
        until = try c.decodeIfPresent(String.self, forKey: .until)
        whichMinute = try c.decodeIfPresent(Int.self, forKey: .whichMinute)
    }
}

extension TimeSeriesSource {
    /// Guesses a source for a CSV file nobody described (for `recur inspect DATA.csv`):
    /// the time column is the first named like a date (`date`, `datetime`, `time`, `timestamp`,
    /// `data`, `fecha`, `day`) or else the first whose first cell parses as an ISO date; the
    /// hour column is one named `hr`, `hour`, `hora` or `hh`; the minute column one named
    /// `min`, `minute` or `minuto`; the station column the first other column whose first cell
    /// is not a number (the station kept is the most frequent value); the target is the last
    /// remaining column whose first cell is a number. Returns nil when no time or target column
    /// can be found.
    public static func infer(from table: CSVTable, path: String) -> TimeSeriesSource? {
        let lower = table.header.map { $0.lowercased() }
        let firstRow = (0..<table.columnCount).map { table.field(row: 0, column: $0) }
        let dateNames: Set<String> = ["date", "datetime", "time", "timestamp", "data", "fecha", "day", "ds"]
        guard let timeIndex = lower.firstIndex(where: { dateNames.contains($0) && Timestamps.parse(firstRow[lower.firstIndex(of: $0)!]) != nil })
            ?? firstRow.firstIndex(where: { Timestamps.parse($0) != nil }) else { return nil }
        var used: Set<Int> = [timeIndex]
        func named(_ names: Set<String>) -> Int? {
            guard let k = lower.indices.first(where: { !used.contains($0) && names.contains(lower[$0]) }) else { return nil }
            used.insert(k); return k
        }
        let hasTime = Timestamps.parse(firstRow[timeIndex])?.hasTime ?? false
        let hourIndex = hasTime ? nil : named(["hr", "hour", "hora", "hh"])
        let minuteIndex = hourIndex == nil ? nil : named(["min", "minute", "minuto", "mm"])
        let numeric = table.header.indices.map { table.number(row: 0, column: $0) != nil }
        var stationIndex: Int? = nil
        if let k = table.header.indices.first(where: { !used.contains($0) && !numeric[$0] }) {
            stationIndex = k; used.insert(k)
        }
        guard let targetIndex = table.header.indices.last(where: { !used.contains($0) && numeric[$0] }) else { return nil }
        var station: String? = nil
        if let s = stationIndex {
            var counts: [String: Int] = [:]
            for row in 0..<table.rowCount { counts[table.field(row: row, column: s), default: 0] += 1 }
            station = counts.max { a, b in a.value < b.value || (a.value == b.value && a.key > b.key) }?.key
        }
        return TimeSeriesSource(path: path, timeColumn: table.header[timeIndex],
                                hourColumn: hourIndex.map { table.header[$0] },
                                minuteColumn: minuteIndex.map { table.header[$0] },
                                stationColumn: stationIndex.map { table.header[$0] }, station: station,
                                target: table.header[targetIndex])
    }
}
