import Foundation
import RecurTensor
import RecurData

/// Writes forecasts into a `timestamp,value` CSV file the way the old platform did: rows of an
/// existing file with the same timestamps are replaced, the others kept, all sorted by time,
/// and the file replaced atomically (temporary file beside it, then rename).
public enum ForecastWriter {
    /// Merges `forecast` into the file at `path` (created when absent or empty) and returns the
    /// number of rows written.
    /// - Throws: `ForecastError.notAForecastFile` when the existing file is not a forecast CSV
    ///   (it is then left unchanged), `ForecastError.io` when it cannot be written.
    @discardableResult
    public static func merge(_ forecast: Forecast, into path: String) throws -> Int {
        var rows = try existingRows(path)  // timestamp -> (timestamp text, value text)
        for (t, v) in zip(forecast.timestamps, forecast.values) {
            rows[t] = (forecast.format(t), "\(v)")
        }
        let text = (["timestamp,value"] + rows.keys.sorted().map { "\(rows[$0]!.0),\(rows[$0]!.1)" }).joined(separator: "\n") + "\n"
        try writeAtomically(text, to: path)
        return rows.count
    }

    /// The rows of an existing forecast file by timestamp; empty when the file does not exist
    /// or is empty.
    static func existingRows(_ path: String) throws -> [Int64: (String, String)] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [:] }
        guard !isDirectory.boolValue else { throw ForecastError.notAForecastFile(path: path, reason: "it is a folder") }
        let table: CSVTable
        do {
            table = try CSVReader.read(path: path)
        } catch DataError.emptyFile {
            return [:]
        } catch let DataError.headerOnly(_, columns) {
            guard columns.map({ $0.lowercased() }) == ["timestamp", "value"] else {
                throw ForecastError.notAForecastFile(path: path, reason: "its header is \(columns.joined(separator: ","))")
            }
            return [:]
        } catch let error as DataError {
            throw ForecastError.notAForecastFile(path: path, reason: "it cannot be read as CSV (\(error.description))")
        }
        guard table.header.map({ $0.lowercased() }) == ["timestamp", "value"] else {
            throw ForecastError.notAForecastFile(path: path, reason: "its header is \(table.header.joined(separator: ","))")
        }
        var rows: [Int64: (String, String)] = [:]
        for r in 0..<table.rowCount {
            let time = table.field(row: r, column: 0).trimmingCharacters(in: .whitespaces)
            guard let (t, _) = Timestamps.parse(time) else {
                throw ForecastError.notAForecastFile(path: path, reason: "line \(table.line(ofRow: r)): '\(time)' is not a timestamp")
            }
            let value = table.field(row: r, column: 1).trimmingCharacters(in: .whitespaces)
            guard table.number(row: r, column: 1) != nil else {
                throw ForecastError.notAForecastFile(path: path, reason: "line \(table.line(ofRow: r)): '\(value)' is not a number")
            }
            rows[t] = (time, value)
        }
        return rows
    }

    /// Writes `text` to a temporary file beside `path`, then renames it over `path`.
    static func writeAtomically(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else {
                throw ForecastError.io(path: path, reason: "cannot replace the file: \(String(cString: strerror(errno)))")
            }
        } catch let error as ForecastError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw ForecastError.io(path: path, reason: "cannot write the forecast file: \(FileErrorText.describe(error))")
        }
    }
}
