import Foundation
@testable import RecurServe
import RecurTrain
import XCTest

/// `recur serve` answers forecasts equal to `recur predict`'s (the same cleaning path), lists
/// its models, and reports metrics.
final class ServeForecastTests: XCTestCase {
    var fixture: ServeFixture!

    override func setUpWithError() throws { fixture = try ServeFixture() }
    override func tearDown() { fixture.remove() }

    /// `recur predict --json` on the same observations, by the real binary.
    func predict(_ package: String, csv: String, steps: Int) throws -> [(String, Double)] {
        let r = try RecurBinary.run(["predict", package, "--input", csv, "--steps", "\(steps)", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let rows = try XCTUnwrap(object["forecasts"] as? [[String: Any]])
        return rows.map { (($0["timestamp"] as! String), ($0["value"] as! NSNumber).doubleValue) }
    }

    func assertSame(_ served: [(String, Double)], _ cli: [(String, Double)], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(served.count, cli.count, file: file, line: line)
        for (s, c) in zip(served, cli) {
            // The CLI prints "2021-03-09 08:00:00", the API "2021-03-09T08:00:00Z".
            XCTAssertEqual(s.0, c.0.replacingOccurrences(of: " ", with: "T") + "Z", file: file, line: line)
            XCTAssertEqual(s.1, c.1, accuracy: 1e-6, file: file, line: line)
        }
    }

    func testJSONAndCSVForecastsEqualRecurPredict() async throws {
        let data = try fixture.writeSeries()
        let package = try fixture.trainPackage(data: data, into: fixture.models.appendingPathComponent("temp").path)
        // The recent observations with a sentinel and a missing hour inside the window, which
        // the package's policy (sentinels -99, interpolate up to 3) must repair.
        var lines = try String(contentsOfFile: data, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = lines.removeFirst()
        var recent = Array(lines.suffix(30))
        recent[recent.count - 3] = recent[recent.count - 3].split(separator: ",").prefix(3).joined(separator: ",") + ",-99"
        recent.remove(at: recent.count - 5)
        let csv = fixture.dir.appendingPathComponent("recent.csv").path
        try ([header] + recent).joined(separator: "\n").appending("\n").write(toFile: csv, atomically: true, encoding: .utf8)

        let cli = try predict(package, csv: csv, steps: 5)
        let running = try await fixture.startServer()

        let json = try running.send("POST", "/v1/models/temp/forecast", body: try fixture.jsonBody(csv: csv, count: 40, steps: 5))
        XCTAssertEqual(json.status, 200, json.body)
        assertSame(try forecastRows(json.body), cli)

        let text = try String(contentsOfFile: csv, encoding: .utf8)
        let fromCSV = try running.send("POST", "/v1/models/temp/forecast?steps=5", contentType: "text/csv", body: text)
        XCTAssertEqual(fromCSV.status, 200, fromCSV.body)
        assertSame(try forecastRows(fromCSV.body), cli)

        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.body.utf8)) as? [String: Any])
        XCTAssertEqual(object["model"] as? String, "temp")
        XCTAssertNotNil(object["issued_at"] as? String)
        await running.stop()
    }

    func testExtraFeatureColumnsAreFieldsOfEachObservation() async throws {
        let data = try fixture.writeSeries(humidity: true)
        let package = try fixture.trainPackage(data: data, into: fixture.models.appendingPathComponent("hum").path, humidity: true)
        let cli = try predict(package, csv: data, steps: 2)
        let running = try await fixture.startServer()
        let answer = try running.send("POST", "/v1/models/hum/forecast", body: try fixture.jsonBody(csv: data, count: 24, steps: 2, humidity: true))
        XCTAssertEqual(answer.status, 200, answer.body)
        assertSame(try forecastRows(answer.body), cli)
        // Without the feature the field is named.
        let missing = try running.send("POST", "/v1/models/hum/forecast", body: try fixture.jsonBody(csv: data, count: 24, steps: 2))
        XCTAssertEqual(missing.status, 400)
        XCTAssertEqual(errorField(missing.body)?.field, "observations[0].hum", missing.body)
        // More steps than the horizon cannot roll forward with a feature whose future is unknown.
        let tooFar = try running.send("POST", "/v1/models/hum/forecast", body: try fixture.jsonBody(csv: data, count: 24, steps: 5, humidity: true))
        XCTAssertEqual(tooFar.status, 422)
        XCTAssertEqual(errorField(tooFar.body)?.field, "steps", tooFar.body)
        await running.stop()
    }

    func testConcurrentForecastsEqualOneAtATime() async throws {
        let data = try fixture.writeSeries()
        try fixture.trainPackage(data: data, into: fixture.models.appendingPathComponent("temp").path)
        let running = try await fixture.startServer()
        // Two bodies (different windows) interleaved, 48 requests, 12 at a time.
        let bodies = [try fixture.jsonBody(csv: data, count: 12, steps: 4), try fixture.jsonBody(csv: data, count: 9, steps: 4, dropLast: 5)]
        let alone = try bodies.map { try forecastRows(try running.send("POST", "/v1/models/temp/forecast", body: $0).body).map(\.1) }
        XCTAssertNotEqual(alone[0], alone[1])
        let requests = (0..<48).map { ("POST", running.base + "/v1/models/temp/forecast", Optional("application/json"), Array(bodies[$0 % 2].utf8)) }
        let statuses = try Curl.batch(requests, dir: fixture.dir, parallel: 12)
        XCTAssertEqual(statuses, Array(repeating: 200, count: 48))
        for i in 0..<48 {
            let body = try String(contentsOf: fixture.dir.appendingPathComponent("batch-\(i).out"), encoding: .utf8)
            XCTAssertEqual(try forecastRows(body).map(\.1), alone[i % 2], "request \(i)")
        }
        await running.stop()
    }

    func testModelListDetailHealthAndMetrics() async throws {
        let data = try fixture.writeSeries()
        try fixture.trainPackage(data: data, into: fixture.models.appendingPathComponent("temp").path)
        let running = try await fixture.startServer()

        let health = try running.send("GET", "/healthz", contentType: nil)
        XCTAssertEqual(health.status, 200)
        XCTAssertTrue(health.body.contains("\"ok\""), health.body)

        let list = try running.send("GET", "/v1/models", contentType: nil)
        XCTAssertEqual(list.status, 200)
        let models = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(list.body.utf8)) as? [String: Any])?["models"] as? [[String: Any]])
        XCTAssertEqual(models.count, 1)
        let m = models[0]
        XCTAssertEqual(m["name"] as? String, "temp")
        XCTAssertEqual(m["target"] as? String, "temp")
        XCTAssertEqual(m["n_past_steps"] as? Int, 6)
        XCTAssertEqual(m["horizon"] as? Int, 2)
        XCTAssertEqual(m["frequency_seconds"] as? Int, 3600)
        XCTAssertEqual(m["format_version"] as? Int, 2)
        XCTAssertEqual(m["intervals"] as? [Double], [0.8, 0.95])  // the default levels, calibrated at training
        XCTAssertNotNil(m["test_metrics"] as? [String: Any])
        XCTAssertNotNil((m["baseline_test_metrics"] as? [String: Any])?["persistence"])
        XCTAssertNotNil(m["created_at"] as? String)
        XCTAssertNil(m["architecture"])

        let detail = try running.send("GET", "/v1/models/temp", contentType: nil)
        XCTAssertEqual(detail.status, 200)
        let d = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(detail.body.utf8)) as? [String: Any])
        XCTAssertNotNil(d["architecture"] as? [String: Any], detail.body)

        XCTAssertEqual(try running.send("POST", "/v1/models/temp/forecast", body: try fixture.jsonBody(csv: data, count: 12, steps: 3)).status, 200)
        XCTAssertEqual(try running.send("GET", "/v1/models/nope", contentType: nil).status, 404)

        let metrics = try running.send("GET", "/metrics", contentType: nil)
        XCTAssertEqual(metrics.status, 200)
        for line in ["recur_models_loaded 1", "recur_forecasts_total{model=\"temp\"} 1",
                     "recur_http_requests_total{route=\"/v1/models/{name}/forecast\",status=\"200\"} 1",
                     "recur_http_requests_total{route=\"/v1/models/{name}\",status=\"404\"} 1",
                     "recur_http_request_duration_seconds_count{route=\"/v1/models\"} 1",
                     "recur_model_reload_failures_total 0"] {
            XCTAssertTrue(metrics.body.contains(line), "no \(line) in\n\(metrics.body)")
        }
        await running.stop()
    }

    func testLevelsThePackageWasNotCalibratedForAreRefusedNamingLevels() async throws {
        let data = try fixture.writeSeries()
        try fixture.trainPackage(data: data, into: fixture.models.appendingPathComponent("temp").path)
        let running = try await fixture.startServer()
        // The package is calibrated for the default levels 0.8 and 0.95, not for 0.5.
        let answer = try running.send("POST", "/v1/models/temp/forecast", body: try fixture.jsonBody(csv: data, count: 12, steps: 3, extra: ", \"levels\": [0.5]"))
        XCTAssertEqual(answer.status, 422, answer.body)
        XCTAssertEqual(errorField(answer.body)?.field, "levels", answer.body)
        XCTAssertTrue(errorField(answer.body)?.message.contains("0.5") ?? false, answer.body)
        XCTAssertTrue(errorField(answer.body)?.message.contains("0.8, 0.95") ?? false, answer.body)
        await running.stop()
    }

    /// The bounds of the served intervals are `recur predict`'s, level by level and step by step
    /// (to 1e-6); without `levels` every calibrated level is given, with `[]` none.
    func testIntervalsEqualRecurPredicts() async throws {
        let data = try fixture.writeSeries()
        let package = try fixture.trainPackage(data: data, into: fixture.models.appendingPathComponent("temp").path)
        let r = try RecurBinary.run(["predict", package, "--input", data, "--steps", "3", "--levels", "0.8,0.95", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let cli = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["forecasts"] as? [[String: Any]])
        let running = try await fixture.startServer()
        for extra in [", \"levels\": [0.8, 0.95]", ""] {
            let answer = try running.send("POST", "/v1/models/temp/forecast", body: try fixture.jsonBody(csv: data, count: 40, steps: 3, extra: extra))
            XCTAssertEqual(answer.status, 200, answer.body)
            let served = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])?["forecasts"] as? [[String: Any]])
            XCTAssertEqual(served.count, cli.count)
            var compared = 0
            for (s, c) in zip(served, cli) {
                let bounds = c["intervals"] as? [String: [String: Any]] ?? [:]
                for percent in ["80", "95"] {
                    guard let lower = bounds[percent]?["lower"] as? NSNumber, let upper = bounds[percent]?["upper"] as? NSNumber else {
                        XCTAssertNil(s["lower_\(percent)"], "a step without bounds in predict has none served")
                        continue
                    }
                    XCTAssertEqual((s["lower_\(percent)"] as? NSNumber)?.doubleValue ?? .nan, lower.doubleValue, accuracy: 1e-6, answer.body)
                    XCTAssertEqual((s["upper_\(percent)"] as? NSNumber)?.doubleValue ?? .nan, upper.doubleValue, accuracy: 1e-6, answer.body)
                    compared += 1
                }
            }
            XCTAssertGreaterThanOrEqual(compared, 4, "the horizon's steps carry both levels: \(answer.body)")
        }
        let none = try running.send("POST", "/v1/models/temp/forecast", body: try fixture.jsonBody(csv: data, count: 40, steps: 3, extra: ", \"levels\": []"))
        XCTAssertEqual(none.status, 200, none.body)
        XCTAssertFalse(none.body.contains("lower_"), none.body)
        await running.stop()
    }
}
