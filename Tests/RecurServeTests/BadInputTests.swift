import Foundation
@testable import RecurServe
import XCTest

/// Bad requests get a 4xx JSON error naming the field, never a 500 or a crash; a fuzzing
/// client leaves the server serving; the bearer token guards every route but /healthz.
final class BadInputTests: XCTestCase {
    var fixture: ServeFixture!

    override func setUpWithError() throws { fixture = try ServeFixture() }
    override func tearDown() { fixture.remove() }

    func testBadRequestsGetA4xxNamingTheField() async throws {
        let data = try fixture.writeSeries()
        try fixture.trainPackage(data: data, into: fixture.models.appendingPathComponent("temp").path)
        var limits = ServeLimits()
        limits.maxBodyBytes = 64 * 1024
        let running = try await fixture.startServer(limits: limits)
        let good = try fixture.jsonBody(csv: data, count: 12, steps: 3)
        let obs = "{\"timestamp\": \"2021-03-08T00:00:00Z\", \"value\": 1}"
        func observations(_ n: Int, from start: Int = 0) -> String {
            (0..<n).map { "{\"timestamp\": \"2021-03-08T\(String(format: "%02d", start + $0)):00:00Z\", \"value\": \(10 + $0)}" }.joined(separator: ",")
        }
        let path = "/v1/models/temp/forecast"
        let cases: [(String, String, String?, String?, Int, String?)] = [
            // (name, path, content type, body, status, field)
            ("malformed JSON", path, "application/json", "{\"observations\": [", 400, "body"),
            ("not an object", path, "application/json", "[1, 2]", 400, "body"),
            ("wrong content type", path, "text/plain", good, 415, "Content-Type"),
            ("no content type", path, nil, good, 415, "Content-Type"),
            ("missing observations", path, "application/json", "{\"steps\": 3}", 400, "observations"),
            ("missing steps", path, "application/json", "{\"observations\": [\(observations(8))]}", 400, "steps"),
            ("unknown field", path, "application/json", "{\"observations\": [\(observations(8))], \"steps\": 3, \"stpes\": 1}", 400, "stpes"),
            ("observations not an array", path, "application/json", "{\"observations\": 5, \"steps\": 3}", 400, "observations"),
            ("missing timestamp", path, "application/json", "{\"observations\": [{\"value\": 1}], \"steps\": 3}", 400, "observations[0].timestamp"),
            ("missing value", path, "application/json", "{\"observations\": [{\"timestamp\": \"2021-03-08T00:00:00Z\"}], \"steps\": 3}", 400, "observations[0].value"),
            ("bad timestamp", path, "application/json", "{\"observations\": [{\"timestamp\": \"yesterday\", \"value\": 1}], \"steps\": 3}", 400, "observations[0].timestamp"),
            ("string value", path, "application/json", "{\"observations\": [{\"timestamp\": \"2021-03-08T00:00:00Z\", \"value\": \"1\"}], \"steps\": 3}", 400, "observations[0].value"),
            ("non-finite value", path, "application/json", "{\"observations\": [{\"timestamp\": \"2021-03-08T00:00:00Z\", \"value\": 1e999}], \"steps\": 3}", 400, nil),
            ("unknown column", path, "application/json", "{\"observations\": [{\"timestamp\": \"2021-03-08T00:00:00Z\", \"value\": 1, \"hum\": 3}], \"steps\": 3}", 400, "observations[0].hum"),
            ("too few observations", path, "application/json", "{\"observations\": [\(observations(3))], \"steps\": 3}", 422, "observations"),
            ("unsorted timestamps", path, "application/json", "{\"observations\": [\(observations(4, from: 5)),\(observations(4))], \"steps\": 3}", 400, "observations[4].timestamp"),
            ("duplicated timestamps", path, "application/json", "{\"observations\": [\(observations(4)),\(obs)], \"steps\": 3}", 400, "observations[4].timestamp"),
            ("steps zero", path, "application/json", "{\"observations\": [\(observations(8))], \"steps\": 0}", 422, "steps"),
            ("steps negative", path, "application/json", "{\"observations\": [\(observations(8))], \"steps\": -4}", 422, "steps"),
            ("steps above the cap", path, "application/json", "{\"observations\": [\(observations(8))], \"steps\": 1001}", 422, "steps"),
            ("steps not whole", path, "application/json", "{\"observations\": [\(observations(8))], \"steps\": 2.5}", 400, "steps"),
            ("steps a string", path, "application/json", "{\"observations\": [\(observations(8))], \"steps\": \"3\"}", 400, "steps"),
            ("level out of range", path, "application/json", "{\"observations\": [\(observations(8))], \"steps\": 3, \"levels\": [80]}", 400, "levels[0]"),
            ("level not calibrated", path, "application/json", "{\"observations\": [\(observations(8))], \"steps\": 3, \"levels\": [0.5]}", 422, "levels"),
            ("a gap in the window", path, "application/json", "{\"observations\": [\(observations(4)),\(observations(4, from: 10))], \"steps\": 3}", 422, "observations"),
            ("body over the cap", path, "application/json", "{\"observations\": [" + String(repeating: "\(obs),", count: 2000) + "\(obs)], \"steps\": 3}", 413, "body"),
            ("CSV without steps", path, "text/csv", "station,date,hr,temp\nS1,2021-03-08,0,1\n", 400, "steps"),
            ("CSV of wrong columns", path + "?steps=2", "text/csv", "a,b\n1,2\n", 422, "body"),
            ("unknown model", "/v1/models/other/forecast", "application/json", good, 404, "model"),
            ("a path as model name", "/v1/models/..%2F..%2Fetc/forecast", "application/json", good, 404, "model"),
            ("unknown route", "/v2/things", "application/json", good, 404, nil),
        ]
        for (name, p, type, body, status, field) in cases {
            let answer = try running.send("POST", p, contentType: type, body: body)
            XCTAssertEqual(answer.status, status, "\(name): \(answer.body)")
            let error = errorField(answer.body)
            XCTAssertNotNil(error, "\(name): no JSON error in \(answer.body)")
            if let field { XCTAssertEqual(error?.field, field, "\(name): \(answer.body)") }
        }
        XCTAssertEqual(try running.send("GET", path, contentType: nil).status, 405)
        // Still serving.
        XCTAssertEqual(try running.send("POST", path, body: good).status, 200)
        await running.stop()
    }

    func testFuzzedBodiesLeaveTheServerServing() async throws {
        let data = try fixture.writeSeries()
        try fixture.trainPackage(data: data, into: fixture.models.appendingPathComponent("temp").path)
        let running = try await fixture.startServer()
        let good = Array(try fixture.jsonBody(csv: data, count: 12, steps: 3).utf8)
        let csv = Array(try String(contentsOfFile: data, encoding: .utf8).utf8.suffix(2000))
        var rng = SystemRandomNumberGenerator()
        var seed = UInt64.random(in: 0...UInt64.max, using: &rng)
        func next() -> UInt64 {  // splitmix64: the run is reproducible from the seed printed on failure
            seed &+= 0x9E37_79B9_7F4A_7C15
            var z = seed
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let startSeed = seed
        let tokens: [[UInt8]] = ["{", "}", "[", "]", ",", ":", "\"", "null", "true", "-1e400", "1e308", "NaN", "\"steps\"", "\"observations\"",
                                 "\"levels\"", "\"timestamp\"", "\"value\"", "0", "-0", "99999999999999999999", "\\u0000", "\u{FFFF}", "\n"].map { Array($0.utf8) }
        func mutate(_ base: [UInt8]) -> [UInt8] {
            var b = base
            for _ in 0..<(1 + Int(next() % 6)) {
                guard !b.isEmpty else { break }
                let i = Int(next() % UInt64(b.count))
                switch next() % 5 {
                case 0: b[i] = UInt8(truncatingIfNeeded: next())
                case 1: b.remove(at: i)
                case 2: b.insert(contentsOf: tokens[Int(next() % UInt64(tokens.count))], at: i)
                case 3: b = Array(b.prefix(i))
                default: b.insert(contentsOf: b[i..<min(b.count, i + Int(next() % 64))], at: i)
                }
            }
            return b
        }
        let url = running.base + "/v1/models/temp/forecast"
        var requests: [(method: String, url: String, contentType: String?, body: [UInt8])] = []
        for k in 0..<2400 {
            switch k % 6 {
            case 0: requests.append(("POST", url, "application/json", (0..<Int(next() % 300)).map { _ in UInt8(truncatingIfNeeded: next()) }))
            case 1: requests.append(("POST", url + "?steps=\(Int64(bitPattern: next()) % 2000)", "text/csv", mutate(csv)))
            case 2: requests.append(("POST", running.base + "/v1/models/\(next() % 3 == 0 ? "temp" : "x%00y")/forecast", "application/json", mutate(good)))
            default: requests.append(("POST", url, "application/json", mutate(good)))
            }
        }
        var statuses: [Int] = []
        for chunk in stride(from: 0, to: requests.count, by: 400) {
            statuses += try Curl.batch(Array(requests[chunk..<min(requests.count, chunk + 400)]), dir: fixture.dir)
        }
        XCTAssertEqual(statuses.count, requests.count, "seed \(startSeed)")
        let bad = statuses.enumerated().filter { !(200..<500).contains($0.element) }
        XCTAssertTrue(bad.isEmpty, "seed \(startSeed): \(bad.count) answers outside 2xx-4xx, first \(bad.prefix(5))")
        XCTAssertTrue(statuses.contains { (400..<500).contains($0) })
        XCTAssertEqual(try running.send("GET", "/healthz", contentType: nil).status, 200)
        XCTAssertEqual(try running.send("POST", "/v1/models/temp/forecast", body: String(decoding: good, as: UTF8.self)).status, 200)
        await running.stop()
    }

    func testBearerTokenGuardsEveryRouteButHealth() async throws {
        let data = try fixture.writeSeries()
        try fixture.trainPackage(data: data, into: fixture.models.appendingPathComponent("temp").path)
        let tokenFile = fixture.dir.appendingPathComponent("token").path
        try "s3cret-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let token = try ServeConfiguration.readToken(file: tokenFile)
        XCTAssertEqual(token, "s3cret-token")
        let running = try await fixture.startServer(token: token)
        let body = try fixture.jsonBody(csv: data, count: 12, steps: 2)
        for (path, method) in [("/v1/models", "GET"), ("/v1/models/temp", "GET"), ("/metrics", "GET"), ("/v1/models/temp/forecast", "POST")] {
            let none = try running.send(method, path, body: method == "POST" ? body : nil)
            XCTAssertEqual(none.status, 401, path)
            XCTAssertEqual(errorField(none.body)?.field, "Authorization", none.body)
            for wrong in ["Bearer s3cret-tokeN", "Bearer s3cret-token2", "Bearer s3cret", "Basic s3cret-token", "Bearer "] {
                XCTAssertEqual(try running.send(method, path, body: method == "POST" ? body : nil, headers: ["Authorization: \(wrong)"]).status, 401, "\(path) \(wrong)")
            }
            XCTAssertEqual(try running.send(method, path, body: method == "POST" ? body : nil, headers: ["Authorization: Bearer s3cret-token"]).status, 200, path)
        }
        XCTAssertEqual(try running.send("GET", "/healthz", contentType: nil).status, 200)
        await running.stop()
        // An empty token file is refused at start.
        try "\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ServeConfiguration.readToken(file: tokenFile)) { XCTAssertTrue("\($0)".contains("empty"), "\($0)") }
    }

    func testConstantTimeCompareAndLoopbackDefault() {
        XCTAssertTrue(BearerToken.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        XCTAssertFalse(BearerToken.constantTimeEqual(Array("abd".utf8), Array("abc".utf8)))
        XCTAssertFalse(BearerToken.constantTimeEqual(Array("ab".utf8), Array("abc".utf8)))
        XCTAssertFalse(BearerToken.constantTimeEqual(Array("abcd".utf8), Array("abc".utf8)))
        XCTAssertFalse(BearerToken.constantTimeEqual([], Array("abc".utf8)))
        XCTAssertEqual(ServeConfiguration(modelsDirectory: "x").host, "127.0.0.1")
    }
}
