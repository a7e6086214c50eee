import Foundation
import RecurData

/// One observation handed to a forecaster in memory (e.g. by `recur serve`): a timestamp and
/// one value per package column, target first, in `PackageManifest.DataSettings.columns` order.
/// A nil value is a missing cell, handled by the package's cleaning policy like an empty CSV cell.
public struct Observation: Sendable, Equatable {
    /// Seconds since 1970, UTC.
    public var timestamp: Int64
    /// [F] values in the package's column order; nil = missing.
    public var values: [Double?]

    public init(timestamp: Int64, values: [Double?]) {
        self.timestamp = timestamp
        self.values = values
    }
}

extension Forecaster {
    /// The one cleaning path of every forecast (`recur predict`'s files, `recur serve`'s bodies):
    /// loads `table` with `source` (the package's columns, station and minute filter) and cleans
    /// it with the package's policy at the package's frequency.
    public func load(table: CSVTable, source: TimeSeriesSource) throws -> CleaningResult {
        var policy = manifest.data.cleaning
        policy.frequencySeconds = manifest.data.frequencySeconds
        // Errors name the package's keys (the package records a native `data`).
        let raw = try DataError.naming({ "the package's " + manifest.config.data.key(for: $0) }) { try SeriesLoader.load(source, table: table, policy: policy) }
        return try SeriesCleaner.clean(raw, policy: policy)
    }

    /// Cleans a CSV text in the package's own input layout (the training file's columns), as
    /// `recur predict` cleans a file; `name` stands for the file in error messages.
    public func load(csvText text: String, name: String) throws -> CleaningResult {
        try load(table: try CSVReader.parse(text: text, fileName: name), source: settings(csv: name).0)
    }

    /// Cleans in-memory observations with the package's policy, through the same loader and
    /// cleaner as a file: they are written as a CSV table (`timestamp` and the package's value
    /// columns; values in Swift's round-trip decimal form, so nothing is rounded) and loaded
    /// with the package's source settings, its time columns replaced by `timestamp` and its
    /// station filter dropped (the observations are one station's).
    public func load(observations: [Observation], name: String = "observations") throws -> CleaningResult {
        let columns = manifest.data.source.valueColumns
        var timeColumn = "timestamp"
        while columns.contains(timeColumn) { timeColumn = "_" + timeColumn }
        var lines = [([timeColumn] + columns).map(Self.csvField).joined(separator: ",")]
        lines.reserveCapacity(observations.count + 1)
        for o in observations {
            precondition(o.values.count == columns.count, "load(observations:): expected \(columns.count) values, got \(o.values.count)")
            lines.append(([Timestamps.format(o.timestamp)] + o.values.map { $0.map { "\($0)" } ?? "" }).joined(separator: ","))
        }
        var source = settings(csv: name).0
        source.timeColumn = timeColumn
        source.hourColumn = nil
        source.minuteColumn = nil
        source.stationColumn = nil
        source.station = nil
        return try load(table: try CSVReader.parse(text: lines.joined(separator: "\n") + "\n", fileName: name), source: source)
    }

    /// Forecasts `steps` steps after the last of `observations` (see `load(observations:)`),
    /// with the intervals of `levels` as `forecast(series:steps:file:levels:)` gives them.
    public func forecast(observations: [Observation], steps: Int, name: String = "observations",
                         levels: [Double]? = []) throws -> Forecast {
        try checkLevels(levels)
        guard steps >= 1 else { throw ForecastError.invalidSteps(steps) }
        let cleaned = try load(observations: observations, name: name)
        return try forecast(series: cleaned.series, steps: steps, file: name, levels: levels)
    }

    /// Forecasts `steps` steps after the end of a CSV text in the package's input layout, with
    /// the intervals of `levels`.
    public func forecast(csvText text: String, steps: Int, name: String = "the body", levels: [Double]? = []) throws -> Forecast {
        try checkLevels(levels)
        guard steps >= 1 else { throw ForecastError.invalidSteps(steps) }
        let cleaned = try load(csvText: text, name: name)
        return try forecast(series: cleaned.series, steps: steps, file: name, levels: levels)
    }

    static func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
