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

    public var description: String {
        switch self {
        case let .fileNotFound(path):
            return "file not found: \(path); check the path (relative paths are resolved from the current directory)"
        case let .unreadableFile(path, reason):
            return "cannot read \(path): \(reason)"
        case let .emptyFile(file):
            return "\(file) is empty; expected a header row and data rows"
        case let .headerOnly(file, columns):
            return "\(file) has a header (\(columns.joined(separator: ", "))) but no data rows; expected at least one data row"
        case let .malformedRow(file, line, expected, found):
            return "\(file), line \(line): \(found) fields, expected \(expected) as in the header; fix the row or quote fields that contain commas"
        case let .unterminatedQuote(file, line):
            return "\(file), line \(line): a quoted field is never closed; expected a closing '\"'"
        case let .missingColumn(file, column, role, key, available):
            let keyText = key.map { " (set by '\($0)')" } ?? ""
            return "\(role) column '\(column)'\(keyText) not found in \(file); columns are: \(available.joined(separator: ", ")); set it to one of them"
        case let .nonNumericCell(file, line, column, text):
            let what = text.isEmpty ? "empty cell" : "'\(text)' is not a number"
            return "\(file), line \(line), column '\(column)': \(what); expected a decimal number (or choose the 'missing' policy for invalid cells)"
        case let .unparseableDate(file, line, column, text, expected):
            return "\(file), line \(line), column '\(column)': cannot parse '\(text)'; expected \(expected)"
        case let .unknownStation(file, column, station, present):
            return "station '\(station)' does not occur in column '\(column)' of \(file); stations present: \(present.joined(separator: ", "))"
        case let .ambiguousStation(file, column, present):
            return "column '\(column)' of \(file) holds several stations (\(present.joined(separator: ", "))); choose one with the station setting"
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
            return "setting '\(key)' = \(value) is invalid; expected \(expected)"
        }
    }
}
