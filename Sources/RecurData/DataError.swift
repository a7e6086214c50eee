import Foundation

/// Errors from reading, cleaning, splitting and windowing a series. Each message names the file,
/// line and column (or the setting's key), what was expected, and what to do about it.
public enum DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file does not exist (or is not a regular file).
    case fileNotFound(path: String)
    /// The file exists but could not be read.
    case unreadableFile(path: String, reason: String)
    /// The file holds no bytes (or only a byte-order mark and blank lines).
    case emptyFile(file: String)
    /// The file holds a header row and no data rows.
    case headerOnly(file: String, columns: [String])
    /// A record whose number of fields differs from the header's, or an unterminated quote.
    case malformedRow(file: String, line: Int, expectedFields: Int, foundFields: Int)
    /// A quoted field that is never closed.
    case unterminatedQuote(file: String, line: Int)
    /// A setting names a column the file does not have. `role` is what the column was for
    /// ("target", "date", "station", ...), `key` the setting that named it when known.
    case missingColumn(file: String, column: String, role: String, key: String?, available: [String])
    /// A cell that is not a number, under the `error` policy for invalid cells (empty cells have text "").
    case nonNumericCell(file: String, line: Int, column: String, text: String)
    /// A date, datetime, hour or minute cell that could not be parsed.
    case unparseableDate(file: String, line: Int, column: String, text: String, expected: String)
    /// The station to keep does not occur in the station column.
    case unknownStation(file: String, column: String, station: String, present: [String])
    /// The station column holds several stations and none was chosen.
    case ambiguousStation(file: String, column: String, present: [String])
    /// After filtering and sentinel removal no value of the column is left.
    case allValuesMissing(file: String, column: String, reason: String)
    /// Two rows with the same timestamp, under the `error` policy for duplicates.
    case duplicateTimestamp(file: String, line: Int, firstLine: Int, timestamp: String)
    /// Fewer rows (steps) than one window needs.
    case tooFewRows(what: String, have: Int, need: Int, nPastSteps: Int, horizon: Int)
    /// Rows exist but every window touches an invalid (unfilled) step.
    case noValidWindows(what: String, steps: Int, nPastSteps: Int, horizon: Int)
    /// Chronological split fractions that are negative or do not sum to 1.
    case splitFractions(train: Double, validation: Double, test: Double)
    /// A setting with a value out of range; `expected` says what is allowed.
    case invalidSetting(key: String, value: String, expected: String)
    /// Two header columns with the same name (1-based positions).
    case duplicateColumn(file: String, column: String, first: Int, second: Int)
    /// Too few rows to infer the step between timestamps (two are needed).
    case tooFewRowsForFrequency(file: String, have: Int)
    /// Timestamps so far apart for the rows there are that the grid would be mostly empty
    /// (a mistyped year, usually): more than `GridLimit.stepsPerRow` grid steps per row.
    case sparseGrid(file: String, first: String, firstLine: Int, last: String, lastLine: Int, steps: Int, rows: Int, step: String)
    /// A value orders of magnitude outside the rest of its column (`ExtremeValueRule`), under
    /// the `error` policy for extreme values.
    case extremeValue(file: String, line: Int, column: String, value: Double, median: Double, spread: Double)
    /// The training part yields too few windows to learn from.
    case tooFewTrainingWindows(file: String, windows: Int, need: Int, batchSize: Int, steps: Int, nPastSteps: Int)

    public var description: String {
        switch self {
        case let .fileNotFound(path):
            let relative = path.hasPrefix("/") ? "" : " (a relative path given on the command line is taken from the current folder)"
            return "file not found: \(TextExcerpt.of(path))\(relative); check the path (a relative data.path in a config is taken from the config file's folder)"
        case let .unreadableFile(path, reason):
            return "cannot read \(path): \(reason)"
        case let .emptyFile(file):
            return "\(file) is empty; expected a header row and data rows"
        case let .headerOnly(file, columns):
            return "\(file) has a header (\(TextExcerpt.of(columns.joined(separator: ", ")))) but no data rows; expected at least one data row"
        case let .malformedRow(file, line, expected, found):
            return "\(file), line \(line): \(found) fields, expected \(expected) as in the header; fix the row or quote fields that contain commas"
        case let .unterminatedQuote(file, line):
            return "\(file), line \(line): a quoted field is never closed; expected a closing '\"'"
        case let .missingColumn(file, column, role, key, available):
            let keyText = key.map { " (set by '\($0)')" } ?? ""
            return "\(role) column '\(TextExcerpt.of(column))'\(keyText) not found in \(file); columns are: \(TextExcerpt.of(available.joined(separator: ", "))); set it to one of them"
        case let .nonNumericCell(file, line, column, text):
            let what: String
            if text.isEmpty {
                what = "empty cell"
            } else if let v = Double(text.trimmingCharacters(in: .whitespaces)), v.isFinite {
                what = "'\(TextExcerpt.of(text))' is beyond the range of 32-bit floats (±3.4e38), which Recur computes in"
            } else {
                what = "'\(TextExcerpt.of(text))' is not a finite number"
            }
            return "\(file), line \(line), column '\(column)': \(what); expected a decimal number (or choose the 'missing' policy for invalid cells)"
        case let .unparseableDate(file, line, column, text, expected):
            return "\(file), line \(line), column '\(TextExcerpt.of(column))': cannot parse '\(TextExcerpt.of(text))'; expected \(expected)"
        case let .unknownStation(file, column, station, present):
            return "station '\(TextExcerpt.of(station))' does not occur in column '\(TextExcerpt.of(column))' of \(file); stations present: \(TextExcerpt.of(present.joined(separator: ", ")))"
        case let .ambiguousStation(file, column, present):
            return "column '\(TextExcerpt.of(column))' of \(file) holds several stations (\(TextExcerpt.of(present.joined(separator: ", ")))); choose one with the station setting"
        case let .allValuesMissing(file, column, reason):
            return "no usable value of column '\(column)' in \(file) (\(reason)); check the column, the station, the date bounds and the sentinels"
        case let .duplicateTimestamp(file, line, firstLine, timestamp):
            return "\(file), line \(line): timestamp \(timestamp) already seen on line \(firstLine); choose the duplicate policy 'first', 'last' or 'mean' to resolve duplicates"
        case let .tooFewRows(what, have, need, nPast, horizon):
            return "\(what) has \(have) steps after cleaning, fewer than n_past_steps (\(nPast)) + horizon (\(horizon)) = \(need); use a smaller n_past_steps or horizon, or more data"
        case let .noValidWindows(what, steps, nPast, horizon):
            return "\(what): none of its \(steps) steps starts a window of \(nPast) + \(horizon) steps free of unfilled gaps; allow longer interpolated gaps or use a shorter window"
        case let .splitFractions(train, validation, test):
            return "split fractions train \(train), validation \(validation), test \(test) sum to \(train + validation + test); expected non-negative fractions summing to 1 (e.g. 0.6/0.2/0.2)"
        case let .invalidSetting(key, value, expected):
            return "setting '\(key)' = \(TextExcerpt.of(value)) is invalid; expected \(expected)"
        case let .duplicateColumn(file, column, first, second):
            return "\(file): the header names column '\(TextExcerpt.of(column))' twice, as column \(first) and column \(second); rename one of them so every column has its own name"
        case let .tooFewRowsForFrequency(file, have):
            return "\(file) has \(have) usable row\(have == 1 ? "" : "s") after filtering; at least 2 are needed to tell the step between timestamps (or set data.frequency), and training needs n_past_steps + horizon steps per window"
        case let .sparseGrid(file, first, firstLine, last, lastLine, steps, rows, step):
            return "\(file): the timestamps run from \(first) (line \(firstLine)) to \(last) (line \(lastLine)), \(steps) steps of \(step) for only \(rows) rows (more than \(GridLimit.stepsPerRow) steps per row); check those dates for a typo, or set data.frequency, or use the cleaning gaps policy 'keep_rows' to treat rows as steps"
        case let .extremeValue(file, line, column, value, median, spread):
            return "\(file), line \(line), column '\(TextExcerpt.of(column))': value \(value) is orders of magnitude outside the column (median \(median), interquartile spread \(spread); the limit is \(ExtremeValueRule.factor) spreads from the median); fix or remove the row, or set data.cleaning.extreme_values to \"missing\" (drop such values) or \"keep\" (train on them)"
        case let .tooFewTrainingWindows(file, windows, need, batch, steps, nPast):
            return "\(file): the training part (\(steps) steps) yields \(windows) training window\(windows == 1 ? "" : "s"), fewer than the \(need) needed (one batch of training.batch_size \(batch), and never fewer than \(TrainingMinimum.windows)); use more data (an earlier --since or data.since), a smaller window.n_past_steps, a larger split.train, or a smaller training.batch_size"
        }
    }
}
