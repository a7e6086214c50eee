import Foundation
import RecurServe
import XCTest

/// `recur serve` mounts the dashboard (RecurDashboard) beside the forecast API: pages at `/`,
/// JSON under `/api`, the token in front of both, and a server of studies only.
final class DashboardMountTests: XCTestCase {
    var fixture: ServeFixture!

    override func setUpWithError() throws { fixture = try ServeFixture() }
    override func tearDown() { fixture.remove() }

    func testPagesAndJSONBesideTheForecastAPI() async throws {
        let data = try fixture.writeSeries()
        try fixture.trainPackage(data: data, into: fixture.models.appendingPathComponent("temp").path)
        let running = try await fixture.startServer()
        let index = try running.send("GET", "/", contentType: nil)
        XCTAssertEqual(index.status, 200, index.body)
        XCTAssertTrue(index.body.contains("<html") && index.body.contains("temp"), index.body)
        let model = try running.send("GET", "/models/temp", contentType: nil)
        XCTAssertEqual(model.status, 200)
        XCTAssertTrue(model.body.contains("<svg"), "the model page inlines its charts")
        let api = try running.send("GET", "/api/models", contentType: nil)
        XCTAssertEqual(api.status, 200)
        XCTAssertTrue(api.body.contains("\"temp\""), api.body)
        let missing = try running.send("GET", "/api/studies/nope", contentType: nil)
        XCTAssertEqual(missing.status, 404)
        XCTAssertNotNil(errorField(missing.body), missing.body)
        let head = try running.send("HEAD", "/", contentType: nil)
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.body, "", "HEAD has no body")
        // The forecast API is unchanged beside it.
        XCTAssertEqual(try running.send("GET", "/v1/models", contentType: nil).status, 200)
        await running.stop()
    }

    func testTheTokenCoversTheDashboard() async throws {
        let running = try await fixture.startServer(token: "s3cret")
        XCTAssertEqual(try running.send("GET", "/api/models", contentType: nil).status, 401)
        XCTAssertEqual(try running.send("GET", "/", contentType: nil).status, 401)
        XCTAssertEqual(try running.send("GET", "/healthz", contentType: nil).status, 200)
        await running.stop()
    }

    func testAServerOfStudiesOnlyAndOneOfNothing() async throws {
        let study = fixture.dir.appendingPathComponent("none-yet.study.sqlite").path
        let running = try await fixture.startServer(studies: [study], withModels: false)
        let list = try running.send("GET", "/api/studies", contentType: nil)
        XCTAssertEqual(list.status, 200, list.body)
        XCTAssertTrue(list.body.contains("none-yet"), list.body)
        XCTAssertEqual(try running.send("GET", "/v1/models", contentType: nil).body, "{\"models\":[]}")
        await running.stop()
        XCTAssertThrowsError(try RecurServer(ServeConfiguration(modelsDirectory: nil))) { error in
            XCTAssertTrue("\(error)".contains("--models") && "\(error)".contains("--storage"), "\(error)")
        }
    }
}
