import ArgumentParser
import Foundation
import RecurData
import RecurTrain

/// `recur inspect DATA.csv`: a data-quality report of a CSV series (rows, span, frequency,
/// duplicates, gaps, suspected sentinels, outliers, summary statistics, ACF/PACF and a
/// suggested `n_past_steps`), as text or JSON, with optional SVG charts.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report the quality of a CSV time series: duplicates, sentinels, gaps, outliers, statistics, ACF/PACF.",
        discussion: """
        Without --config the columns are guessed (a date or datetime column, an hour column named \
        hr/hour, a station column of text, the last numeric column as the target); the options \
        below override the guess. With --config, the config's columns, station and cleaning \
        policy are used and DATA.csv replaces its data path. The report goes to stdout; chart \
        paths (--plots) to stderr.
        """)

    @Argument(help: ArgumentHelp("The CSV file to inspect.", valueName: "data.csv"))
    var data: String

    @Option(help: ArgumentHelp("A config (native or the old template) whose data settings and cleaning policy to use.", valueName: "config"))
    var config: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a config key (needs --config), e.g. --set numeric_var=temp (repeatable).", valueName: "key.path=value"))
    var overrides: [String] = []

    @Option(help: ArgumentHelp("The column to analyse.", valueName: "column"))
    var target: String?

    @Option(name: .customLong("date-column"), help: ArgumentHelp("The column holding dates or datetimes.", valueName: "column"))
    var dateColumn: String?

    @Option(name: .customLong("hour-column"), help: ArgumentHelp("The column holding the hour of the day (0-23).", valueName: "column"))
    var hourColumn: String?

    @Option(name: .customLong("station-column"), help: ArgumentHelp("The column naming the station of each row.", valueName: "column"))
    var stationColumn: String?

    @Option(help: ArgumentHelp("The station to keep.", valueName: "name"))
    var station: String?

    @OptionGroup var dataOptions: DataOptions

    @Flag(help: "Print the report as one JSON object on stdout.")
    var json = false

    @Option(help: ArgumentHelp("Write SVG charts (series, histogram, box plot, ACF, PACF) into this folder.", valueName: "dir"))
    var plots: String?

    func run() throws {
        if config == nil && !overrides.isEmpty {
            throw UsageError("--set needs --config (without a config, name the columns with --target, --date-column, --hour-column, --station-column)")
        }
        let table = try CSVReader.read(path: data)
        let (source, policy, inferred, key) = try resolveSource(table: table)
        let raw = try DataError.naming(key) { try SeriesLoader.load(source, table: table, policy: policy) }
        let report = try DataInspector.inspect(raw: raw, source: source, sourceInferred: inferred, policy: policy)
        if json {
            try printJSON(report)
        } else {
            print(report.text)
        }
        if let plots {
            let series = try InspectionCharts.seriesData(raw: raw, report: report, policy: policy)
            let written = try InspectionCharts.write(report: report, data: series, to: URL(fileURLWithPath: plots))
            for url in written { note("wrote \(url.path)") }
        }
    }

    /// The source and policy: from the config, or guessed from the table; explicit options win.
    /// The last element names each source setting in the user's terms: the config's keys, or the options.
    func resolveSource(table: CSVTable) throws -> (TimeSeriesSource, CleaningPolicy, Bool, (SourceSetting) -> String) {
        var source: TimeSeriesSource
        var policy = CleaningPolicy()
        var inferred = false
        var key: (SourceSetting) -> String = Inspect.option
        if let config {
            let loaded = try RecurConfig.load(path: config, overrides: overrides + dataOptions.overrides)
            key = loaded.key
            source = loaded.timeSeriesSource
            policy = loaded.cleaningPolicy
            source.path = data
        } else {
            if let guess = TimeSeriesSource.infer(from: table, path: data) {
                source = guess
                inferred = true
            } else if let dateColumn, let target {
                source = TimeSeriesSource(path: data, timeColumn: dateColumn, target: target)
            } else {
                throw DataError.invalidSetting(
                    key: "columns", value: table.header.joined(separator: ", "),
                    expected: "a date or datetime column and a numeric column; name them with --date-column and --target (or use --config)")
            }
            source.since = dataOptions.since
            source.until = dataOptions.until
            source.whichMinute = dataOptions.whichMinute
        }
        let explicit = target != nil || dateColumn != nil || hourColumn != nil || stationColumn != nil || station != nil
        if explicit { inferred = false }
        if let target { source.target = target }
        if let dateColumn {
            source.timeColumn = dateColumn
            if hourColumn == nil, config == nil, source.hourColumn != nil, let (_, hasTime) = firstTime(table, dateColumn), hasTime {
                source.hourColumn = nil
                source.minuteColumn = nil
            }
        }
        if let hourColumn { source.hourColumn = hourColumn }
        if let stationColumn {
            if stationColumn != source.stationColumn { source.station = nil }
            source.stationColumn = stationColumn
            if station == nil, let index = table.header.firstIndex(of: stationColumn) {
                source.station = mostFrequent(table, column: index)
            }
        }
        if let station {
            source.station = station
            if source.stationColumn == nil {
                throw UsageError("--station \(station) needs --station-column (the column naming the stations; columns are: \(table.header.joined(separator: ", ")))")
            }
        }
        return (source, policy, inferred, key)
    }

    func firstTime(_ table: CSVTable, _ column: String) -> (Int64, Bool)? {
        guard table.rowCount > 0, let index = table.header.firstIndex(of: column) else { return nil }
        return Timestamps.parse(table.field(row: 0, column: index)).map { ($0.seconds, $0.hasTime) }
    }

    func mostFrequent(_ table: CSVTable, column: Int) -> String? {
        var counts: [String: Int] = [:]
        for row in 0..<table.rowCount { counts[table.field(row: row, column: column).trimmingCharacters(in: .whitespaces), default: 0] += 1 }
        return counts.max { a, b in a.value < b.value || (a.value == b.value && a.key > b.key) }?.key
    }
}

extension Inspect {
    /// The option of `recur inspect` that sets `setting`, for RecurData's errors.
    static func option(_ setting: SourceSetting) -> String {
        switch setting {
        case .timeColumn: return "--date-column"
        default: return "--" + setting.rawValue.replacingOccurrences(of: "([a-z])([A-Z])", with: "$1-$2", options: .regularExpression).lowercased()
        }
    }
}
