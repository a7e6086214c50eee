import Foundation
import RecurTensor
import RecurData

/// Writes forecasts into a `timestamp,value` CSV file (then `lower_<percent>,upper_<percent>`
/// per interval level when the forecast has intervals) the way the old platform did: rows of an
/// existing file with the same timestamps are replaced, the others kept, all sorted by time,
/// and the file replaced atomically (temporary file beside it, then rename), under a lock
/// that concurrent writers share.
public enum ForecastWriter {
    /// Merges `forecast` into the file at `path` (created when absent or empty) and returns the
    /// number of rows written.
    /// - Throws: `ForecastError.notAForecastFile` when the existing file is not a forecast CSV
    ///   (it is then left unchanged), `ForecastError.io` when it cannot be written.
    ///
    /// Processes writing into one file take turns: the read, merge and write happen while
    /// holding an exclusive lock on `.<name>.lock` beside the file (`FileLock`), so no writer's
    /// rows are lost to another's.
    @discardableResult
    public static func merge(_ forecast: Forecast, into path: String) throws -> Int {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ForecastError.io(path: path, reason: "cannot create its folder: \(error.localizedDescription)")
        }
        let header = ["timestamp", "value"] + IntervalColumns.header(forecast.intervals.map(\.level)).split(separator: ",").map(String.init)
        do {
            return try FileLock.beside(path).withLock {
                OwnedLeftovers.sweep(folder: folder)
                var rows = try existingRows(path, header: header)  // timestamp -> (timestamp text, the other cells)
                for (i, t) in forecast.timestamps.enumerated() {
                    rows[t] = (forecast.format(t), "\(forecast.values[i])" + IntervalColumns.cells(forecast.intervals, at: i))
                }
                let text = ([header.joined(separator: ",")] + rows.keys.sorted().map { "\(rows[$0]!.0),\(rows[$0]!.1)" }).joined(separator: "\n") + "\n"
                try writeAtomically(text, to: path)
                return rows.count
            }
        } catch let failure as FileLock.Failure {
            throw ForecastError.io(path: path, reason: "cannot lock the forecast file for writing: \(failure)")
        }
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
        let temporary = URL(fileURLWithPath: OwnedLeftovers.path(for: url.path, .tmp))
        let registration = TemporaryPaths.register(temporary.path)
        defer { TemporaryPaths.unregister(registration) }
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
