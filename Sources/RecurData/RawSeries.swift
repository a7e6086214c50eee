/// Rows of a file as read, before cleaning: one timestamp and F values per kept row, in file
/// order. Missing cells (empty or non-numeric) are NaN; sentinels are still present.
public struct RawSeries: Sendable {
    /// File name, for messages.
    public var file: String
    /// All columns of the file, as in its header.
    public var fileColumns: [String]
    /// Value columns, target first: [F].
    public var columns: [String]
    /// Timestamps, seconds since 1970 UTC: [m].
    public var timestamps: [Int64]
    /// Values, row-major [m, F]; NaN marks an empty or non-numeric cell.
    public var values: [Double]
    /// 1-based file line of each row: [m].
    public var lines: [Int]
    /// Data rows in the file (before any filter).
    public var rowsRead: Int
    /// Rows dropped because they belong to another station.
    public var rowsOtherStations: Int
    /// Rows dropped by the `since`/`until` bounds.
    public var rowsOutsideDates: Int
    /// Rows dropped by `whichMinute`.
    public var rowsOtherMinutes: Int
    /// Stations present in the station column with their row counts (empty without one).
    public var stations: [String: Int]
    /// Empty or non-numeric value cells that became missing.
    public var invalidCells: LineSample

    /// Number of rows m.
    public var count: Int { timestamps.count }
    /// Number of value columns F.
    public var featureCount: Int { columns.count }

    /// The target's values (column 0): [m].
    public var targetValues: [Double] { stride(from: 0, to: values.count, by: featureCount).map { values[$0] } }
}

/// A count with the first few file lines where it happened (at most `LineSample.limit`).
public struct LineSample: Codable, Equatable, Sendable {
    /// How many lines are kept as examples.
    public static let limit = 5
    /// How many times it happened.
    public var count: Int = 0
    /// The first lines (1-based) where it happened.
    public var lines: [Int] = []

    public init(count: Int = 0, lines: [Int] = []) {
        self.count = count
        self.lines = lines
    }

    /// Counts one occurrence at `line`.
    @inline(__always)
    public mutating func add(line: Int) {
        count += 1
        if lines.count < LineSample.limit { lines.append(line) }
    }
}

/// Reads a `TimeSeriesSource` into a `RawSeries`: parses time, applies the station, date and
/// minute filters, and parses value cells (invalid cells become NaN or throw, by policy).
public enum SeriesLoader {
    /// Reads the source's file and loads it.
    public static func load(_ source: TimeSeriesSource, policy: CleaningPolicy = CleaningPolicy()) throws -> RawSeries {
        let table = try CSVReader.read(path: source.path)
        return try load(source, table: table, policy: policy)
    }

    /// Loads from an already parsed table (the source's path is not read again).
    public static func load(_ source: TimeSeriesSource, table: CSVTable, policy: CleaningPolicy = CleaningPolicy()) throws -> RawSeries {
        let file = table.fileName
        // Errors name the source's settings; callers rename them (`DataError.naming`).
        func column(_ name: String, _ role: String, _ setting: SourceSetting) throws -> Int {
            try table.columnIndex(name, role: role, key: setting.rawValue)
        }
        let timeIndex = try column(source.timeColumn, "date", .timeColumn)
        let hourIndex = try source.hourColumn.map { try column($0, "hour", .hourColumn) }
        let minuteIndex = try source.minuteColumn.map { try column($0, "minute", .minuteColumn) }
        let stationIndex = try source.stationColumn.map { try column($0, "station", .stationColumn) }
        var valueIndices = [try column(source.target, "target", .target)]
        for feature in source.features { valueIndices.append(try column(feature, "feature", .features)) }
        if let m = source.whichMinute, !(0..<60).contains(m) {
            throw DataError.invalidSetting(key: SourceSetting.whichMinute.rawValue, value: "\(m)", expected: "a minute of the hour, 0-59")
        }
        func bound(_ text: String?, key: SourceSetting, endOfDay: Bool) throws -> Int64? {
            guard let text else { return nil }
            guard let (t, hasTime) = Timestamps.parse(text) else {
                throw DataError.invalidSetting(key: key.rawValue, value: "'\(text)'", expected: Timestamps.acceptedForms)
            }
            return endOfDay && !hasTime ? t + 86_399 : t
        }
        let since = try bound(source.since, key: .since, endOfDay: false)
        let until = try bound(source.until, key: .until, endOfDay: true)
        if let since, let until, since > until {
            throw DataError.invalidSetting(key: SourceSetting.since.rawValue, value: "'\(source.since!)'", expected: "a date not after until ('\(source.until!)')")
        }

        // Stations.
        var stations: [String: Int] = [:]
        var keepStation: [UInt8]? = nil
        if let s = stationIndex {
            var flags = [UInt8](repeating: 0, count: table.rowCount)
            let wanted = source.station.map { Array($0.trimmingCharacters(in: .whitespaces).utf8) }
            // Rows of one station usually come in runs: compare bytes with the previous row's.
            var previous: [UInt8] = [], previousName = "", run = 0, previousMatches = false
            for row in 0..<table.rowCount {
                let same = table.withFieldBytes(row: row, column: s) { $0.elementsEqual(previous) }
                if !same {
                    if run > 0 { stations[previousName, default: 0] += run }
                    previous = table.withFieldBytes(row: row, column: s) { Array($0) }
                    previousName = String(decoding: previous, as: UTF8.self).trimmingCharacters(in: .whitespaces)
                    previousMatches = wanted.map { Array(previousName.utf8) == $0 } ?? false
                    run = 0
                }
                run += 1
                if previousMatches { flags[row] = 1 }
            }
            if run > 0 { stations[previousName, default: 0] += run }
            if let station = source.station {
                guard stations[station] != nil else {
                    throw DataError.unknownStation(file: file, column: table.header[s], station: station, present: stations.keys.sorted())
                }
                keepStation = flags
            } else if stations.count > 1 {
                throw DataError.ambiguousStation(file: file, column: table.header[s], present: stations.keys.sorted())
            }
        }

        let featureCount = valueIndices.count
        var raw = RawSeries(file: file, fileColumns: table.header, columns: valueIndices.map { table.header[$0] },
                            timestamps: [], values: [], lines: [], rowsRead: table.rowCount, rowsOtherStations: 0,
                            rowsOutsideDates: 0, rowsOtherMinutes: 0, stations: stations, invalidCells: LineSample())
        raw.timestamps.reserveCapacity(table.rowCount)
        raw.values.reserveCapacity(table.rowCount * featureCount)
        raw.lines.reserveCapacity(table.rowCount)

        func smallInteger(_ row: Int, _ column: Int, _ range: ClosedRange<Int>, _ expected: String) throws -> Int {
            let value: Int? = table.withFieldBytes(row: row, column: column) { bytes in
                var v = 0, n = 0, i = 0
                while i < bytes.count, bytes[i] == 32 { i += 1 }
                while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57, n < 6 { v = v * 10 + Int(bytes[i] - 48); n += 1; i += 1 }
                if i < bytes.count, bytes[i] == UInt8(ascii: "."), n > 0 {  // "7.0"
                    i += 1
                    while i < bytes.count, bytes[i] == 48 { i += 1 }
                }
                while i < bytes.count, bytes[i] == 32 { i += 1 }
                return n > 0 && i == bytes.count ? v : nil
            }
            guard let value, range.contains(value) else {
                throw DataError.unparseableDate(file: file, line: table.line(ofRow: row), column: table.header[column],
                                                text: table.field(row: row, column: column), expected: expected)
            }
            return value
        }

        for row in 0..<table.rowCount {
            if let keepStation, keepStation[row] == 0 { raw.rowsOtherStations += 1; continue }
            guard let (dayTime, hasTime) = table.withFieldBytes(row: row, column: timeIndex, { Timestamps.parse(bytes: $0) }) else {
                throw DataError.unparseableDate(file: file, line: table.line(ofRow: row), column: table.header[timeIndex],
                                                text: table.field(row: row, column: timeIndex), expected: Timestamps.acceptedForms)
            }
            var t = dayTime
            if let h = hourIndex {
                if hasTime {
                    throw DataError.unparseableDate(file: file, line: table.line(ofRow: row), column: table.header[timeIndex],
                                                    text: table.field(row: row, column: timeIndex),
                                                    expected: "a date without a time of day, since the hour comes from column '\(table.header[h])'")
                }
                let hasColon = table.withFieldBytes(row: row, column: h) { $0.contains(UInt8(ascii: ":")) }
                if hasColon {  // "HH:MM"
                    let hourText = table.field(row: row, column: h)
                    // Split at the byte ':' (a combining mark after it would hide it from a Character search).
                    let bytes = Array(hourText.utf8)
                    let colon = bytes.firstIndex(of: UInt8(ascii: ":")) ?? bytes.count
                    let hourPart = String(decoding: bytes[..<colon], as: UTF8.self)
                    let minutePart = String(decoding: bytes[min(colon + 1, bytes.count)...], as: UTF8.self)
                    guard let hh = Int(hourPart.trimmingCharacters(in: .whitespaces)), (0...23).contains(hh),
                          let mm = Int(minutePart.trimmingCharacters(in: .whitespaces)), (0...59).contains(mm) else {
                        throw DataError.unparseableDate(file: file, line: table.line(ofRow: row), column: table.header[h], text: hourText,
                                                        expected: "an hour of the day, 0-23 or HH:MM")
                    }
                    t += Int64(hh * 3600 + mm * 60)
                } else {
                    t += Int64(try smallInteger(row, h, 0...23, "an hour of the day, 0-23 or HH:MM") * 3600)
                }
                if let m = minuteIndex { t += Int64(try smallInteger(row, m, 0...59, "a minute of the hour, 0-59") * 60) }
            }
            if let since, t < since { raw.rowsOutsideDates += 1; continue }
            if let until, t > until { raw.rowsOutsideDates += 1; continue }
            if let m = source.whichMinute {
                let secondOfDay = ((t % 86_400) + 86_400) % 86_400
                if secondOfDay / 60 % 60 != Int64(m) { raw.rowsOtherMinutes += 1; continue }
            }
            raw.timestamps.append(t)
            raw.lines.append(table.line(ofRow: row))
            for column in valueIndices {
                if let v = table.number(row: row, column: column) {
                    raw.values.append(v)
                } else {
                    if policy.invalidCells == .error {
                        throw DataError.nonNumericCell(file: file, line: table.line(ofRow: row), column: table.header[column],
                                                       text: table.field(row: row, column: column).trimmingCharacters(in: .whitespaces))
                    }
                    raw.invalidCells.add(line: table.line(ofRow: row))
                    raw.values.append(.nan)
                }
            }
        }
        if raw.count == 0 {
            var reasons: [String] = []
            if raw.rowsOtherStations > 0 { reasons.append("\(raw.rowsOtherStations) rows of other stations") }
            if raw.rowsOutsideDates > 0 { reasons.append("\(raw.rowsOutsideDates) rows outside since/until") }
            if raw.rowsOtherMinutes > 0 { reasons.append("\(raw.rowsOtherMinutes) rows of other minutes") }
            throw DataError.allValuesMissing(file: file, column: source.target,
                                             reason: "no row left after filtering: " + reasons.joined(separator: ", "))
        }
        return raw
    }
}
