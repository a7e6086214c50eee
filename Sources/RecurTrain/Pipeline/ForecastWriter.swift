import Foundation
import RecurData

/// Writes forecasts into a `timestamp,value` CSV file (then `lower_<percent>,upper_<percent>`
/// per interval level when the forecast has intervals) the way the old platform did: rows of an
/// existing file with the same timestamps are replaced, the others kept, all sorted by time,
/// and the file replaced atomically (temporary file beside it, then rename).
public enum ForecastWriter {
    /// Merges `forecast` into the file at `path` (created when absent or empty) and returns the
    /// number of rows written.
    /// - Throws: `ForecastError.notAForecastFile` when the existing file is not a forecast CSV
    ///   (it is then left unchanged), `ForecastError.io` when it cannot be written.
    @discardableResult
    public static func merge(_ forecast: Forecast, into path: String) throws -> Int {
        let header = ["timestamp", "value"] + IntervalColumns.header(forecast.intervals.map(\.level)).split(separator: ",").map(String.init)
        var rows = try existingRows(path, header: header)  // timestamp -> (timestamp text, the other cells)
        for (i, t) in forecast.timestamps.enumerated() {
            rows[t] = (forecast.format(t), "\(forecast.values[i])" + IntervalColumns.cells(forecast.intervals, at: i))
        }
        let text = ([header.joined(separator: ",")] + rows.keys.sorted().map { "\(rows[$0]!.0),\(rows[$0]!.1)" }).joined(separator: "\n") + "\n"
        try writeAtomically(text, to: path)
        return rows.count
    }

    /// The rows of an existing forecast file by timestamp; empty when the file does not exist
    /// or is empty.
    static func existingRows(_ path: String, header: [String] = ["timestamp", "value"]) throws -> [Int64: (String, String)] {
        func mismatch(_ columns: [String]) -> ForecastError {
            .notAForecastFile(path: path, reason: "its header is \(columns.joined(separator: ",")), this forecast's is \(header.joined(separator: ","))"
                                + (header.count != columns.count ? " (predict's --levels chooses the interval columns)" : ""))
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [:] }
        guard !isDirectory.boolValue else { throw ForecastError.notAForecastFile(path: path, reason: "it is a folder") }
        let table: CSVTable
        do {
            table = try CSVReader.read(path: path)
        } catch DataError.emptyFile {
            return [:]
        } catch let DataError.headerOnly(_, columns) {
            guard columns.map({ $0.lowercased() }) == header else { throw mismatch(columns) }
            return [:]
        } catch let error as DataError {
            throw ForecastError.notAForecastFile(path: path, reason: "it cannot be read as CSV (\(error.description))")
        }
        guard table.header.map({ $0.lowercased() }) == header else { throw mismatch(table.header) }
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
            let rest = (2..<max(header.count, 2)).map { table.field(row: r, column: $0).trimmingCharacters(in: .whitespaces) }
            rows[t] = (time, ([value] + rest).joined(separator: ","))
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
            throw ForecastError.io(path: path, reason: "cannot write the forecast file: \(error.localizedDescription)")
        }
    }
}
