import Foundation
import RecurDashboard
import RecurTrain
@testable import RecurTune
import RecurData
import RecurTestSupport
import XCTest

/// A temporary folder with a study file (trials in every state) and a models folder holding one
/// small trained package, the study's best.
final class DashboardFixture {
    let folder: TemporaryFolder
    var dir: URL { folder.url }
    var studyPath: String { dir.appendingPathComponent("runs/tiny.study.sqlite").path }
    var modelsPath: String { dir.appendingPathComponent("models").path }
    var packagePath: String { dir.appendingPathComponent("models/tiny-best").path }

    init() throws {
        folder = try TemporaryFolder("recur-dashboard")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("models"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("runs"), withIntermediateDirectories: true)
    }

    /// The study: trials 0–2 complete, 3 pruned at epoch 2, 4 failed, 5 running (a worker
    /// `token`), each with per-epoch values; trial 1 is the best.
    @discardableResult
    func writeStudy(bestPackage: String? = nil) throws -> StudyStorage {
        let storage = try StudyStorage.open(path: studyPath, create: true)
        try storage.attach(StudyRecord(name: "tiny", configHash: "fnv1a64:0000000000000000", configJSON: "{}", objective: "val_loss",
                                       sampler: "tpe", seed: 7, maxEvals: 8, bestPackage: bestPackage ?? packagePath))
        let values: [(TrialState, Double?, [Int: Double])] = [
            (.complete, 0.30, [1: 0.50, 2: 0.40, 3: 0.30]), (.complete, 0.10, [1: 0.40, 2: 0.20, 3: 0.10]),
            (.complete, 0.20, [1: 0.45, 2: 0.30, 3: 0.20]), (.pruned, 0.60, [1: 0.70, 2: 0.60]), (.failed, nil, [:]),
            (.running, nil, [1: 0.35]),
        ]
        for (n, v) in values.enumerated() {
            let params: [String: SearchValue] = ["training.optimizer.learning_rate": .number(0.001 * Double(n + 1)),
                                                 "model.units": .number(Double(4 << (n % 3))), "training.optimizer.name": .string(n % 2 == 0 ? "adam" : "sgd")]
            try storage.insert(StoredTrial(record: TrialRecord(number: n, params: params, state: v.0, value: v.1, intermediate: v.2),
                                           started: 1_700_000_000 + Double(n) * 60, finished: v.0 == .running ? nil : 1_700_000_030 + Double(n) * 60,
                                           seconds: v.0 == .running ? nil : 30, seed: UInt64(n), error: v.0 == .failed ? "diverged" : nil,
                                           metrics: nil, epochs: v.2.count, workerPID: v.0 == .running ? 1 : nil, workerHost: "h",
                                           workerToken: v.0 == .running ? "token" : nil, heartbeat: nil, attempts: 1,
                                           retryOf: v.0 == .running ? 4 : nil, retries: v.0 == .running ? 1 : 0))
        }
        try storage.setBest(trial: 1, testMetrics: nil)
        return storage
    }

    /// A 2-epoch package trained on a synthetic hourly series, at `packagePath`.
    func writePackage() throws {
        var lines = ["datetime,temp"]
        for i in 0..<(24 * 20) {
            let v = 15 + 5 * sin(Double(i) * 2 * .pi / 24) + Double((i * 7919) % 13) * 0.05
            lines.append("\(Timestamps.format(1_600_000_000 + Int64(i) * 3_600)),\(String(format: "%.2f", v))")
        }
        try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("station.csv"), atomically: true, encoding: .utf8)
        let config = try RecurConfig.parse("""
        {
          "data": {"path": "station.csv", "datetime_column": "datetime", "target": "temp"},
          "window": {"n_past_steps": 6},
          "model": {"layers": [{"type": "lstm", "units": 4}]},
          "training": {"epochs": 2, "batch_size": 32, "seed": 3},
          "intervals": {"levels": []},
          "output": {"directory": "runs"}
        }
        """, file: "test.json", baseDirectory: dir.path)
        let options = TrainingOptions.silent(packagePath: packagePath)
        _ = try TrainingRun.run(config, options: options)
    }

    /// Adds `lower_80,upper_80` columns (prediction ± 1) to the package's test predictions.
    func addIntervalColumns() throws {
        let file = (packagePath as NSString).appendingPathComponent(ModelPackage.testPredictionsFile)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        var rows = text.split(separator: "\n").map(String.init)
        let predicted = rows[0].split(separator: ",").firstIndex(of: "predicted")!
        rows[0] += ",lower_80,upper_80"
        for i in 1..<rows.count {
            let p = Double(rows[i].split(separator: ",", omittingEmptySubsequences: false)[predicted]) ?? 0
            rows[i] += ",\(p - 1),\(p + 1)"
        }
        try (rows.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
    }

    func dashboard() throws -> Dashboard {
        try Dashboard(storages: [studyPath], modelsDirectory: modelsPath)
    }
}

/// Small readers of the answers.
enum Answer {
    static func json(_ r: DashboardResponse, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        XCTAssertEqual(r.contentType, DashboardResponse.jsonType, file: file, line: line)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any], r.body, file: file, line: line)
    }

    /// How often `needle` occurs in `text`.
    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    /// The inlined chart `data-chart="key"`, from `<svg` to its `</svg>`.
    static func chart(_ key: String, in html: String) -> String? {
        guard let start = html.range(of: "<svg class=\"chart\" data-chart=\"\(key)\"") else { return nil }
        guard let end = html.range(of: "</svg>", range: start.upperBound..<html.endIndex) else { return nil }
        return String(html[start.lowerBound..<end.upperBound])
    }

    /// The circles inside the `<g class="group">` groups of `svg`.
    static func circles(inGroup group: String, of svg: String) -> Int {
        var total = 0
        var rest = svg[...]
        while let r = rest.range(of: "<g class=\"\(group)\">") {
            let after = rest[r.upperBound...]
            let end = after.range(of: "</g>")!
            total += count("<circle", in: String(after[..<end.lowerBound]))
            rest = after[end.upperBound...]
        }
        return total
    }
}
