import Foundation
import XCTest

/// A fresh, empty folder under the system's temporary folder (`<tmp>/<prefix>-<UUID>`), removed
/// with everything in it when the fixture is released (or by `remove()`). Tests write only here.
/// In a test case, `temporaryFolder(_:)` gives one removed when the test ends.
public final class TemporaryFolder {
    /// The folder.
    public let url: URL

    /// Creates `<tmp>/<prefix>-<UUID>`.
    public init(_ prefix: String = "recur-test") throws {
        url = try Self.make(prefix)
    }

    /// The folder's path.
    public var path: String { url.path }

    /// Removes the folder and everything in it now.
    public func remove() { Self.remove(url) }

    deinit { remove() }

    static func make(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func remove(_ url: URL) { try? FileManager.default.removeItem(at: url) }
}

extension XCTestCase {
    /// A fresh temporary folder (`<tmp>/<prefix>-<UUID>`) removed with its contents when the
    /// current test ends, whether it is made in `setUp` or in the test itself.
    public func temporaryFolder(_ prefix: String = "recur-test") throws -> URL {
        let url = try TemporaryFolder.make(prefix)
        addTeardownBlock { TemporaryFolder.remove(url) }
        return url
    }
}
