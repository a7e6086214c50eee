import Foundation
import RecurTensor

/// A chart that renders itself as a standalone SVG document of ``size`` pixels.
///
/// Charts skip non-finite values (NaN and infinities never reach the SVG). A chart with no
/// finite data still renders: its frame and title with "No data" in the middle, so a report
/// never fails because one series was empty; invalid input (mismatched lengths) throws.
public protocol Chart: Sendable {
    /// The title shown above the plot and stored in the SVG's `<title>`.
    var title: String { get }
    /// The SVG document, UTF-8 text.
    func svg() throws -> String
}

/// Chart sizes and writing.
public enum ChartSize {
    /// Width of every chart, pixels.
    public static let width = 800.0
    /// Height of every chart, pixels.
    public static let height = 450.0
}

extension Chart {
    /// Renders and writes the SVG to `url` atomically: a temporary file in the same directory,
    /// then a rename over `url`, so a reader never sees half a chart. Creates the directory.
    public func write(to url: URL) throws {
        try SVGFile.writeAtomically(try svg(), to: url)
    }
}

/// Atomic file writing for charts.
public enum SVGFile {
    /// Writes `text` to `url` through a temporary sibling and `rename(2)`.
    public static func writeAtomically(_ text: String, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw ChartError.cannotWrite(path: url.path, reason: FileErrorText.describe(error))
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw ChartError.cannotWrite(path: url.path, reason: reason)
        }
    }
}
