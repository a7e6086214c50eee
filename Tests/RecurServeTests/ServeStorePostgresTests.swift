import Foundation
@testable import RecurServe
import RecurStore
import RecurStorePostgres
import RecurTestSupport
import XCTest

/// `recur serve --store postgresql://…`: the real server on an ephemeral port, called with
/// curl twice, leaves one row per valid time in a real PostgreSQL (scripts/pg-test-server.sh).
final class ServeStorePostgresTests: PostgresTestCase {
    var fixture: ServeFixture!

    override func setUpWithError() throws { fixture = try ServeFixture() }
    override func tearDown() { fixture.remove() }

    func testEveryForecastIsUpsertedIntoPostgreSQL() async throws {
        let server = try requireServer()
        let data = try fixture.writeSeries()
        try fixture.trainPackage(data: data, into: fixture.models.appendingPathComponent("temp").path)
        let running = try await fixture.startServer(store: server.url)
        let body = try fixture.jsonBody(csv: data, count: 12, steps: 4)
        let first = try running.send("POST", "/v1/models/temp/forecast", body: body)
        XCTAssertEqual(first.status, 200, first.body)
        let second = try running.send("POST", "/v1/models/temp/forecast", body: body)
        XCTAssertEqual(second.status, 200)
        await running.stop()

        let rows = try ForecastStoreURL.open(server.url, create: false).read(station: nil, since: nil)
        XCTAssertEqual(rows.count, 4, "the same forecast twice leaves one row per valid time")
        let answer = try forecastRows(second.body)
        XCTAssertEqual(rows.map(\.validAt), answer.map(\.0))
        for (r, a) in zip(rows, answer) { XCTAssertEqual(r.value, a.1, accuracy: 1e-5) }
        let issued = (try JSONSerialization.jsonObject(with: Data(second.body.utf8)) as? [String: Any])?["issued_at"] as? String
        XCTAssertEqual(Set(rows.map(\.issuedAt)), [try XCTUnwrap(issued)], "the later issue replaced the earlier")
    }
}
