import Foundation
@testable import RecurServe
import RecurData
import RecurTrain
import XCTest

/// Packages moved into the models folder are served without a restart; a changed one
/// replaces the old version; a damaged one is refused and logged while the previous version
/// keeps serving.
final class HotReloadTests: XCTestCase {
    var fixture: ServeFixture!

    override func setUpWithError() throws { fixture = try ServeFixture() }
    override func tearDown() { fixture.remove() }

    func modelNames(_ running: RunningServer) throws -> [String] {
        let list = try running.send("GET", "/v1/models", contentType: nil)
        let models = (try JSONSerialization.jsonObject(with: Data(list.body.utf8)) as? [String: Any])?["models"] as? [[String: Any]] ?? []
        return models.compactMap { $0["name"] as? String }
    }

    func version(_ running: RunningServer, _ name: String) throws -> String? {
        let detail = try running.send("GET", "/v1/models/\(name)", contentType: nil)
        return (try? JSONSerialization.jsonObject(with: Data(detail.body.utf8)) as? [String: Any])?["version"] as? String
    }

    func testPackagesAreAddedReplacedAndDamagedOnesRefusedWhileTheOldKeepsServing() async throws {
        let data = try fixture.writeSeries()
        let staging = fixture.dir.appendingPathComponent("staging")
        try fixture.trainPackage(data: data, into: fixture.models.appendingPathComponent("a").path, seed: 3)
        let logs = LogCapture()
        let running = try await fixture.startServer(logs: logs)
        XCTAssertEqual(try modelNames(running), ["a"])
        let body = try fixture.jsonBody(csv: data, count: 12, steps: 3)

        // 1. A package renamed into the folder is picked up by the watcher (bounded wait).
        let b = try fixture.trainPackage(data: data, into: staging.appendingPathComponent("b").path, seed: 4)
        try FileManager.default.moveItem(atPath: b, toPath: fixture.models.appendingPathComponent("b").path)
        var names: [String] = []
        for _ in 0..<300 {
            names = try modelNames(running)
            if names == ["a", "b"] { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertEqual(names, ["a", "b"])
        XCTAssertEqual(try running.send("POST", "/v1/models/b/forecast", body: body).status, 200)

        // 2. A retrained "a" swapped in by rename replaces the old version for new requests.
        let oldVersion = try XCTUnwrap(try version(running, "a"))
        let before = try forecastRows(try running.send("POST", "/v1/models/a/forecast", body: body).body)
        let a2 = try fixture.trainPackage(data: data, into: staging.appendingPathComponent("a2").path, seed: 11)
        let aPath = fixture.models.appendingPathComponent("a").path
        try FileManager.default.moveItem(atPath: aPath, toPath: staging.appendingPathComponent("a-old").path)
        try FileManager.default.moveItem(atPath: a2, toPath: aPath)
        running.server.registry.scan()
        let newVersion = try XCTUnwrap(try version(running, "a"))
        XCTAssertNotEqual(newVersion, oldVersion)
        let after = try forecastRows(try running.send("POST", "/v1/models/a/forecast", body: body).body)
        let expected = try Forecaster(package: try ModelPackage.load(aPath)).forecast(observations: try observations(body), steps: 3)
        XCTAssertEqual(after.count, expected.values.count)
        for (x, y) in zip(after.map(\.1), expected.values) { XCTAssertEqual(x, Double(y), accuracy: 1e-6) }
        XCTAssertNotEqual(after.map(\.1), before.map(\.1))

        // 3. A damaged manifest is refused and logged; the loaded version keeps serving.
        try "{ not json".write(toFile: aPath + "/manifest.json", atomically: true, encoding: .utf8)
        running.server.registry.scan()
        XCTAssertEqual(try version(running, "a"), newVersion)
        let still = try running.send("POST", "/v1/models/a/forecast", body: body)
        XCTAssertEqual(still.status, 200, still.body)
        XCTAssertEqual(try forecastRows(still.body).map(\.1), after.map(\.1))
        XCTAssertTrue(logs.messages.contains { $0.contains("refused") && $0.contains("model=a") }, logs.messages.joined(separator: "\n"))
        let metrics = try running.send("GET", "/metrics", contentType: nil).body
        XCTAssertTrue(metrics.contains("recur_model_reload_failures_total 1"), metrics)
        // Refused once per version: scanning again does not log or count it again.
        running.server.registry.scan()
        XCTAssertEqual(logs.messages.filter { $0.contains("refused") }.count, 1)

        // 4. A damaged package that was never served is not served; a removed one is gone.
        try FileManager.default.createDirectory(at: fixture.models.appendingPathComponent("broken"), withIntermediateDirectories: true)
        try "{}".write(to: fixture.models.appendingPathComponent("broken/manifest.json"), atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: fixture.models.appendingPathComponent("b"))
        running.server.registry.scan()
        XCTAssertEqual(try modelNames(running), ["a"])
        XCTAssertEqual(try running.send("POST", "/v1/models/b/forecast", body: body).status, 404)
        await running.stop()
    }

    /// The observations of a JSON body, as the server parses them.
    func observations(_ body: String) throws -> [Observation] {
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        return (object["observations"] as! [[String: Any]]).map {
            Observation(timestamp: Timestamps.parse($0["timestamp"] as! String)!.seconds, values: [($0["value"] as! NSNumber).doubleValue])
        }
    }
}
