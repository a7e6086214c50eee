import Foundation
@testable import RecurServe
import RecurStore
import XCTest

/// `recur serve --store` upserts every forecast; the rows equal the answer.
final class ServeStoreTests: XCTestCase {
    var fixture: ServeFixture!

    override func setUpWithError() throws { fixture = try ServeFixture() }
    override func tearDown() { fixture.remove() }

    func testEveryForecastIsUpsertedIntoTheStore() async throws {
        let data = try fixture.writeSeries()
        try fixture.trainPackage(data: data, into: fixture.models.appendingPathComponent("temp").path)
        let db = fixture.dir.appendingPathComponent("store/forecasts.sqlite").path
        let running = try await fixture.startServer(store: "sqlite:\(db)")
        let body = try fixture.jsonBody(csv: data, count: 12, steps: 4)
        let first = try running.send("POST", "/v1/models/temp/forecast", body: body)
        XCTAssertEqual(first.status, 200, first.body)
        let second = try running.send("POST", "/v1/models/temp/forecast", body: body)
        XCTAssertEqual(second.status, 200)
        await running.stop()

        let rows = try SQLiteForecastStore(path: db, create: false).read(station: nil, since: nil)
        XCTAssertEqual(rows.count, 4, "the same forecast twice leaves one row per valid time")
        let answer = try forecastRows(second.body)
        XCTAssertEqual(rows.map(\.validAt), answer.map(\.0))
        for (r, a) in zip(rows, answer) { XCTAssertEqual(r.value, a.1, accuracy: 1e-5) }
        XCTAssertEqual(rows.map(\.horizonStep), [1, 2, 3, 4])
        XCTAssertEqual(Set(rows.map(\.station)), ["S1"])
        XCTAssertEqual(Set(rows.map(\.target)), ["temp"])
        XCTAssertEqual(Set(rows.map(\.model)), ["temp"])
        let issued = (try JSONSerialization.jsonObject(with: Data(second.body.utf8)) as? [String: Any])?["issued_at"] as? String
        XCTAssertEqual(Set(rows.map(\.issuedAt)), [try XCTUnwrap(issued)], "the later issue replaced the earlier")
    }
}
