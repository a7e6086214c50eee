import Foundation
import XCTest

final class DoctorAndDemoTests: XCTestCase {
    func testDoctorReportsVectorKernelsAndSgemmSpeed() throws {
        let r = try CLIRunner.run(["doctor", "--json", "--size", "256"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["self_test_passed"] as? Bool, true)
        let kernels = try XCTUnwrap(object["kernels"] as? String)
        XCTAssertNotEqual(kernels.lowercased(), "prescott")
        XCTAssertNotEqual(kernels, "builtin", "OpenBLAS was not loaded: \(object["warnings"] ?? "")")
        let sgemm = try XCTUnwrap(object["sgemm"] as? [[String: Any]])
        XCTAssertGreaterThan(try XCTUnwrap(sgemm.first?["gflops"] as? Double), 1)
    }

    func testDoctorHonoursExplicitCoreType() throws {
        let r = try CLIRunner.run(["doctor", "--json", "--size", "64"], environment: ["RECUR_BLAS_CORETYPE": "Haswell"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((object["kernels"] as? String)?.lowercased(), "haswell")
    }

    func testDemoTrainsAndBeatsPersistenceReproducibly() throws {
        let a = try CLIRunner.run(["demo", "--epochs", "3", "--seed", "5", "--units", "8"])
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertTrue(a.stdout.contains("Synthetic series"), a.stdout)
        let b = try CLIRunner.run(["demo", "--epochs", "3", "--seed", "5", "--units", "8"])
        let rmse = { (s: String) in s.split(separator: "\n").first { $0.hasPrefix("test RMSE") }.map(String.init) }
        XCTAssertNotNil(rmse(a.stdout))
        XCTAssertEqual(rmse(a.stdout), rmse(b.stdout), "same seed, same result")
    }

    func testBadArgumentsExitWithUsageCode() throws {
        let r = try CLIRunner.run(["demo", "--epochs", "0"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("--epochs"), r.stderr)
        XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr)
    }
}
