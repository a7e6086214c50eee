import Foundation
@testable import RecurDashboard
import RecurTrain
@testable import RecurTune
import XCTest

/// The pages and the JSON API on a fixture study and package.
final class DashboardTests: XCTestCase {
    var fixture: DashboardFixture!

    override func setUpWithError() throws { fixture = try DashboardFixture() }
    override func tearDown() { fixture = nil }

    func get(_ d: Dashboard, _ target: String) -> DashboardResponse {
        let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
        return d.handle(method: "GET", path: parts[0], query: parts.count > 1 ? parts[1] : nil)
    }

    func testIndexListsTheStudiesWithCountsAndTheModels() throws {
        try fixture.writeStudy()
        try fixture.writePackage()
        let r = get(try fixture.dashboard(), "/")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.contentType, DashboardResponse.htmlType)
        XCTAssertTrue(r.body.contains("<a href=\"/studies/tiny\">tiny</a>"), r.body)
        XCTAssertTrue(r.body.contains(fixture.studyPath))
        XCTAssertTrue(r.body.contains("<td class=\"n\" data-col=\"complete\">3</td>"))
        XCTAssertTrue(r.body.contains("<td class=\"n\" data-col=\"pruned\">1</td>"))
        XCTAssertTrue(r.body.contains("<td class=\"n\" data-col=\"failed\">1</td>"))
        XCTAssertTrue(r.body.contains("<td class=\"n\" data-col=\"running\">1</td>"))
        XCTAssertTrue(r.body.contains("data-col=\"best\" data-v=\"0.1\""), "best value 0.1")
        XCTAssertTrue(r.body.contains("<a href=\"/models/tiny-best\">tiny-best</a>"))
        XCTAssertFalse(r.body.contains("http://") || r.body.contains("https://"), "no external asset")
    }

    func testStudyPageHasOnePointPerFinishedTrialAndOneRowPerTrial() throws {
        try fixture.writeStudy()
        try fixture.writePackage()
        let r = get(try fixture.dashboard(), "/studies/tiny")
        XCTAssertEqual(r.status, 200)
        let trials = try StudyStorage.open(path: fixture.studyPath, create: false).trials()
        XCTAssertEqual(Answer.count("<tr id=\"trial-", in: r.body), trials.count, "one table row per trial in the database")
        let history = try XCTUnwrap(Answer.chart("history", in: r.body))
        let finished = trials.filter { ($0.state == .complete || $0.state == .pruned) && $0.value != nil }.count
        XCTAssertEqual(Answer.circles(inGroup: "trial-points", of: history), finished, "one dot per finished trial with a value")
        let intermediate = try XCTUnwrap(Answer.chart("intermediate", in: r.body))
        XCTAssertEqual(Answer.circles(inGroup: "pruned-points", of: intermediate), 1, "the pruned trial is marked where it stopped")
        XCTAssertTrue(intermediate.contains("pruned (1)"))
        for key in ["parallel", "importance", "slice-0", "slice-1", "slice-2"] {
            XCTAssertNotNil(Answer.chart(key, in: r.body), key)
        }
        XCTAssertNil(Answer.chart("slice-3", in: r.body), "one slice per parameter (3)")
        XCTAssertTrue(r.body.contains("ε² (epsilon-squared)"), "the importance method is named")
        XCTAssertTrue(r.body.contains("<a id=\"best-package\" href=\"/models/tiny-best\">"), "link to the best package's page")
        XCTAssertTrue(r.body.contains("data-change=\""))
        // Two inlined charts must not share an id (their clip paths would clip each other).
        let ids = r.body.components(separatedBy: " id=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
        XCTAssertEqual(ids.count, Set(ids).count, "ids on the page are unique")
        // The fragment is the charts alone.
        let fragment = get(try fixture.dashboard(), "/studies/tiny?fragment=charts")
        XCTAssertEqual(fragment.status, 200)
        XCTAssertFalse(fragment.body.contains("<html"))
        XCTAssertNotNil(Answer.chart("history", in: fragment.body))
    }

    func testStudyJSONHasEveryTrialWithItsFields() throws {
        try fixture.writeStudy()
        let d = try fixture.dashboard()
        let list = try Answer.json(get(d, "/api/studies"))
        let studies = try XCTUnwrap(list["studies"] as? [[String: Any]])
        XCTAssertEqual(studies.count, 1)
        XCTAssertEqual(studies[0]["name"] as? String, "tiny")
        XCTAssertEqual(studies[0]["storage"] as? String, fixture.studyPath)
        XCTAssertEqual(studies[0]["counts"] as? [String: Int], ["running": 1, "complete": 3, "pruned": 1, "failed": 1])
        XCTAssertEqual(studies[0]["best_value"] as? Double, 0.1)

        let study = try Answer.json(get(d, "/api/studies/tiny"))
        XCTAssertEqual(study["name"] as? String, "tiny")
        XCTAssertEqual(study["incremental"] as? Bool, false)
        XCTAssertNotNil(study["change"] as? Int)
        XCTAssertEqual((study["best"] as? [String: Any])?["number"] as? Int, 1)
        let trials = try XCTUnwrap(study["trials"] as? [[String: Any]])
        XCTAssertEqual(trials.map { $0["number"] as? Int }, [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(trials.map { $0["state"] as? String }, ["complete", "complete", "complete", "pruned", "failed", "running"])
        for t in trials {
            for key in ["number", "state", "params", "value", "intermediate"] { XCTAssertNotNil(t[key], key) }
        }
        XCTAssertEqual((trials[1]["params"] as? [String: Any])?["training.optimizer.name"] as? String, "sgd")
        XCTAssertEqual(trials[1]["intermediate"] as? [String: Double], ["1": 0.4, "2": 0.2, "3": 0.1])
        XCTAssertTrue(trials[4]["value"] is NSNull)
        XCTAssertEqual(trials[5]["retry_of"] as? Int, 4, "a retry names the lost trial it re-runs")
        XCTAssertTrue(trials[0]["retry_of"] is NSNull)
    }

    func testAfterReturnsOnlyTheTrialsChangedSince() throws {
        let storage = try fixture.writeStudy()
        let d = try fixture.dashboard()
        let first = try Answer.json(get(d, "/api/studies/tiny"))
        let change = try XCTUnwrap(first["change"] as? Int)
        let none = try Answer.json(get(d, "/api/studies/tiny?after=\(change)"))
        XCTAssertEqual((none["trials"] as? [Any])?.count, 0)
        XCTAssertEqual(none["incremental"] as? Bool, true)
        XCTAssertEqual(none["change"] as? Int, change)
        XCTAssertEqual(none["total"] as? Int, 6, "counts are of the whole study")

        // A heartbeat alone is no change; an intermediate value and the finish are.
        try storage.heartbeat(token: "token")
        XCTAssertEqual((try Answer.json(get(d, "/api/studies/tiny?after=\(change)"))["trials"] as? [Any])?.count, 0)
        try storage.reportIntermediate(number: 5, epoch: 2, value: 0.25, token: "token")
        let one = try Answer.json(get(d, "/api/studies/tiny?after=\(change)"))
        XCTAssertEqual((one["trials"] as? [[String: Any]])?.map { $0["number"] as? Int }, [5])
        let next = try XCTUnwrap(one["change"] as? Int)
        XCTAssertGreaterThan(next, change)
        XCTAssertTrue(try storage.finish(number: 5, token: "token", state: .complete, value: 0.05, seconds: 3))
        let claimed = try XCTUnwrap(try storage.claimTrial(maxEvals: 8, worker: WorkerIdentity(pid: 1, host: "h", token: "t2"), staleAfter: 1e9) { _, _ in
            (["model.units": .number(8)], 1)
        })
        XCTAssertEqual(claimed.number, 6)
        let two = try Answer.json(get(d, "/api/studies/tiny?after=\(next)"))
        let changed = try XCTUnwrap(two["trials"] as? [[String: Any]])
        XCTAssertEqual(changed.map { $0["number"] as? Int }, [5, 6], "the finished trial and the new one, nothing else")
        XCTAssertEqual(changed[0]["state"] as? String, "complete")
        XCTAssertEqual(changed[1]["state"] as? String, "running")
        XCTAssertEqual((two["best"] as? [String: Any])?["number"] as? Int, 5)
        // From 0: every trial.
        XCTAssertEqual((try Answer.json(get(d, "/api/studies/tiny?after=0"))["trials"] as? [Any])?.count, 7)
    }

    func testUnknownNamesRoutesAndBadQueriesAre4xxWithJSONErrors() throws {
        try fixture.writeStudy()
        try fixture.writePackage()
        let d = try fixture.dashboard()
        func error(_ r: DashboardResponse) throws -> [String: Any] { try XCTUnwrap(try Answer.json(r)["error"] as? [String: Any]) }
        var r = get(d, "/api/studies/nope")
        XCTAssertEqual(r.status, 404)
        XCTAssertEqual(try error(r)["field"] as? String, "study")
        XCTAssertTrue((try error(r)["message"] as? String)?.contains("the studies are: tiny") ?? false)
        r = get(d, "/api/models/nope")
        XCTAssertEqual(r.status, 404)
        XCTAssertEqual(try error(r)["field"] as? String, "model")
        for traversal in ["/api/models/..%2Fmodels%2Ftiny-best", "/api/models/..", "/models/%2e%2e", "/api/studies/..%2Fruns%2Ftiny.study.sqlite"] {
            XCTAssertEqual(get(d, traversal).status, 404, traversal)
        }
        r = get(d, "/api/nothing")
        XCTAssertEqual(r.status, 404)
        XCTAssertTrue(try error(r)["field"] is NSNull)
        r = get(d, "/api/studies/tiny?after=-1")
        XCTAssertEqual(r.status, 400)
        XCTAssertEqual(try error(r)["field"] as? String, "after")
        r = get(d, "/api/studies/tiny?after=x")
        XCTAssertEqual(r.status, 400)
        r = d.handle(method: "POST", path: "/api/studies", query: nil)
        XCTAssertEqual(r.status, 405)
        XCTAssertEqual(try error(r)["field"] as? String, "method")
        r = get(d, "/studies/nope")
        XCTAssertEqual(r.status, 404)
        XCTAssertEqual(r.contentType, DashboardResponse.htmlType)
        XCTAssertTrue(r.body.contains("no study named"))
        XCTAssertEqual(get(d, "/models/nope").status, 404)
    }

    func testAStudyFileThatIsNotThereYetIsListedWithItsError() throws {
        let d = try Dashboard(storages: [fixture.studyPath], modelsDirectory: nil)
        let list = try Answer.json(get(d, "/api/studies"))
        let study = try XCTUnwrap((list["studies"] as? [[String: Any]])?.first)
        XCTAssertTrue((study["error"] as? String)?.contains("no study") ?? false, "\(study)")
        XCTAssertEqual(get(d, "/").status, 200)
        XCTAssertEqual(get(d, "/api/studies/tiny").status, 404)
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixture.studyPath), "reading created nothing")
        XCTAssertThrowsError(try Dashboard(storages: ["postgresql://u@h:5432/db"], modelsDirectory: nil))
        XCTAssertThrowsError(try Dashboard(storages: [], modelsDirectory: fixture.dir.appendingPathComponent("none").path))
    }

    func testModelPageShowsMetricsLossForecastResidualsArchitectureAndConfig() throws {
        try fixture.writePackage()
        let d = try Dashboard(storages: [], modelsDirectory: fixture.modelsPath)
        var r = get(d, "/models/tiny-best")
        XCTAssertEqual(r.status, 200)
        XCTAssertTrue(r.body.contains("<table id=\"metrics\">"))
        XCTAssertTrue(r.body.contains("<td>persistence</td>") && r.body.contains("<td>seasonal naive</td>"), "baselines beside the model")
        for key in ["metrics", "loss", "forecast", "forecast-detail", "residuals"] { XCTAssertNotNil(Answer.chart(key, in: r.body), key) }
        XCTAssertTrue(r.body.contains("No interval bands"), "no interval columns yet")
        XCTAssertTrue(r.body.contains("<table id=\"layers\">") && r.body.contains("<td>lstm</td>"))
        XCTAssertTrue(r.body.contains("<pre id=\"config\">"))
        let api = try Answer.json(get(d, "/api/models/tiny-best"))
        XCTAssertEqual(api["name"] as? String, "tiny-best")
        XCTAssertEqual((api["history"] as? [Any])?.count, 2)
        XCTAssertNotNil((api["baselines"] as? [String: Any])?["persistence"])
        XCTAssertEqual(api["intervals"] as? [Int], [])
        let list = try Answer.json(get(d, "/api/models"))
        XCTAssertEqual((list["models"] as? [[String: Any]])?.map { $0["name"] as? String }, ["tiny-best"])

        // With interval columns the detail chart gets its band (the package is re-read on change).
        try fixture.addIntervalColumns()
        r = get(d, "/models/tiny-best")
        let detail = try XCTUnwrap(Answer.chart("forecast-detail", in: r.body))
        XCTAssertTrue(detail.contains("80% interval"), "the band is in the legend")
        XCTAssertTrue(detail.contains("fill-opacity=\"0.25\""), "the band is drawn")
        XCTAssertEqual(try Answer.json(get(d, "/api/models/tiny-best"))["intervals"] as? [Int], [80])
    }

    func testLearningRateChangesAreFound() {
        let h = [1, 2, 3, 4].map { EpochRecord(epoch: $0, loss: 1 / Double($0), validationLoss: nil, learningRate: $0 < 3 ? 0.01 : 0.005, seconds: 1) }
        let changes = ModelPage.learningRateChanges(h)
        XCTAssertEqual(changes.count, 1)
        XCTAssertEqual(changes[0].epoch, 3)
        XCTAssertEqual(changes[0].from, 0.01)
        XCTAssertEqual(changes[0].to, 0.005)
    }

    func testImportanceFindsTheParameterThatDrivesTheObjective() {
        // y depends on a only; b is noise (a fixed pseudo-random pattern).
        let n = 64
        let a = (0..<n).map { SearchValue.number(Double($0 % 8)) }
        let b = (0..<n).map { SearchValue.number(Double(($0 * 37) % 11)) }
        let c = (0..<n).map { SearchValue.string($0 % 2 == 0 ? "x" : "y") }
        let y: [Double] = (0..<n).map { (i: Int) -> Double in
            let noise = 0.01 * Double((i * 13) % 5)
            return Double(i % 8) + noise
        }
        let e = ParameterImportance.estimate([("a", a), ("b", b), ("c", c)], objective: y)
        XCTAssertGreaterThan(e[0].importance!, 0.9)
        XCTAssertLessThan(e[1].importance!, 0.2)
        XCTAssertLessThan(e[2].importance!, 0.2)
        XCTAssertEqual(e[0].groups, 8)
        XCTAssertNil(ParameterImportance.estimate([("a", Array(a.prefix(3)))], objective: Array(y.prefix(3)))[0].importance, "too few trials")
    }
}
