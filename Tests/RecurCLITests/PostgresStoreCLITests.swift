import Foundation
import RecurTestSupport
import XCTest

/// `recur predict --store postgresql://…` and `recur forecasts postgresql://…` with the built
/// binary against a real server (scripts/pg-test-server.sh): predicting twice keeps one row per
/// valid time; an unreachable server is exit 2 naming host:port.
final class PostgresStoreCLITests: PostgresTestCase {
    var dir: URL!

    override func setUpWithError() throws { dir = try temporaryFolder("recur-pg-store-cli") }

    func testPredictTwiceKeepsOneRowPerValidTimeAndForecastsReadsThemBack() throws {
        let server = try requireServer()
        let data = dir.appendingPathComponent("data.csv").path
        try SmallModel.series().write(toFile: data, atomically: true, encoding: .utf8)
        let package = try SmallModel.train(data: data, in: dir, output: dir.appendingPathComponent("models/temp").path)
        for _ in 0..<2 {
            let r = try CLIRunner.run(["predict", package, "--input", data, "--steps", "3", "--store", server.url])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let csv = try CLIRunner.run(["forecasts", server.url])
        XCTAssertEqual(csv.status, 0, csv.stderr)
        let lines = csv.stdout.split(separator: "\n")
        XCTAssertEqual(lines.first, "station,target,model,model_version,issued_at,valid_at,horizon_step,value,lower_80,upper_80,lower_95,upper_95")
        XCTAssertEqual(lines.count, 4, "predicting twice keeps one row per valid time:\n\(csv.stdout)")
        XCTAssertTrue(lines[1].contains("2020-01-11T00:00:00Z"), String(lines[1]))
        let json = try CLIRunner.run(["forecasts", server.url, "--since", "2020-01-11T01:00:00Z", "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((object["forecasts"] as? [[String: Any]])?.count, 2)
        XCTAssertEqual(try CLIRunner.run(["forecasts", server.url, "--station", "S9"]).stdout.split(separator: "\n").count, 1)

        // Port 1 on loopback: nothing listens there.
        let unreachable = "postgresql://\(server.user)@127.0.0.1:1/\(server.database)"
        let down = try CLIRunner.run(["predict", package, "--input", data, "--steps", "3", "--store", unreachable])
        XCTAssertEqual(down.status, 2, down.stderr)
        XCTAssertTrue(down.stderr.contains("127.0.0.1:1"), down.stderr)
        XCTAssertTrue(down.stdout.isEmpty, down.stdout)
        let bad = try CLIRunner.run(["forecasts", "postgresql://\(server.user)@127.0.0.1:99999/x"])
        XCTAssertEqual(bad.status, 2, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("99999"), bad.stderr)
    }
}
