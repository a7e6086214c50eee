import ArgumentParser
import Foundation
import GRDB
import RecurDashboard
import RecurTrain
import RecurTune

/// A development tool around `RecurDashboard` without an HTTP server: answer one request on
/// stdout (`get`, what scripts/dashboard_cgi_server.py calls per request), or measure a large
/// synthetic study (`bench`, the BENCHMARKS.md figures).
@main
struct RecurDashboardTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "RecurDashboardTool", abstract: "Answer dashboard requests without a server; measure a large study.",
        subcommands: [Get.self, Bench.self])
}

struct Sources: ParsableArguments {
    @Option(name: .long, help: "A study file (repeatable).")
    var storage: [String] = []
    @Option(name: .long, help: "The models folder.")
    var models: String?
    @Option(name: .long, help: "Poll interval of the pages, seconds.")
    var poll: Double = 2

    func dashboard() throws -> Dashboard {
        var options = Dashboard.Options()
        options.pollSeconds = poll
        do { return try Dashboard(storages: storage, modelsDirectory: models, options: options) } catch {
            throw ValidationError("\(error)")
        }
    }
}

struct Get: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the answer to GET TARGET (a path with an optional ?query).")
    @OptionGroup var sources: Sources
    @Argument(help: "e.g. /studies/tiny or /api/studies/tiny?after=3")
    var target: String
    @Flag(help: "Print `STATUS CONTENT-TYPE` on a first line before the body.")
    var head = false

    func run() throws {
        let dashboard = try sources.dashboard()
        let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
        let response = dashboard.handle(method: "GET", path: parts[0], query: parts.count > 1 ? parts[1] : nil)
        if head { FileHandle.standardOutput.write(Data("\(response.status) \(response.contentType)\n".utf8)) }
        FileHandle.standardOutput.write(Data(response.body.utf8))
        if !head && response.status >= 400 { throw ExitCode(1) }
    }
}

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build a synthetic study of N trials (through StudyStorage, as workers write), then time the dashboard on it.")
    @Option(help: "Trials in the synthetic study.")
    var trials = 10_000
    @Option(help: "Intermediate values per trial.")
    var epochs = 20
    @Option(help: "Repetitions of each measurement (the median is reported).")
    var repeats = 5
    @Option(help: "Folder for the study file (kept: rerun with the same folder to skip building).")
    var dir: String

    func run() throws {
        let path = (dir as NSString).appendingPathComponent("bench.study.sqlite")
        if !FileManager.default.fileExists(atPath: path) {
            let start = Date()
            try Self.build(path: path, trials: trials, epochs: epochs)
            print(String(format: "built %d trials x %d epochs in %.1f s", trials, epochs, Date().timeIntervalSince(start)))
        }
        let dashboard = try Dashboard(storages: [path], modelsDirectory: nil)
        let full = dashboard.handle(method: "GET", path: "/api/studies/bench", query: nil)
        let change = try StudyReader(storage: path).read(changedAfter: Int.max).change ?? 0
        func time(_ label: String, _ path: String, _ query: String?) {
            var times: [Double] = []
            var size = 0
            for _ in 0..<repeats {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let r = dashboard.handle(method: "GET", path: path, query: query)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
                size = r.body.utf8.count
                precondition(r.status == 200, "\(path): \(r.status) \(r.body.prefix(200))")
            }
            times.sort()
            print(String(format: "%-44@ median %8.1f ms  min %8.1f ms  max %8.1f ms  %9d bytes", label as NSString,
                         times[times.count / 2], times[0], times[times.count - 1], size))
        }
        print("study: \(trials) trials, change counter \(change), full JSON \(full.body.utf8.count) bytes")
        var reads: [Double] = []
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = try StudyReader(storage: path).read(changedAfter: nil)
            reads.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        print(String(format: "%-44@ median %8.1f ms", "StudyReader.read (every trial, no rendering)" as NSString, reads.sorted()[reads.count / 2]))
        time("GET /studies/bench (whole page)", "/studies/bench", nil)
        time("GET /studies/bench?fragment=charts", "/studies/bench", "fragment=charts")
        time("GET /api/studies/bench (all trials)", "/api/studies/bench", nil)
        time("GET /api/studies/bench?after=change-5", "/api/studies/bench", "after=\(max(change - 5, 0))")
        time("GET /api/studies/bench?after=change (none)", "/api/studies/bench", "after=\(change)")
        time("GET /api/studies", "/api/studies", nil)
        time("GET /", "/", nil)
    }

    /// Trials with a learning rate, a unit count, a dropout and an optimizer; 80% complete,
    /// 15% pruned halfway, 5% failed; the objective depends on the learning rate and units.
    /// The schema (and its change-counting triggers) is StudyStorage's; the rows go in through
    /// one transaction of plain inserts (the triggers number every change as a worker's would).
    static func build(path: String, trials: Int, epochs: Int) throws {
        let storage = try StudyStorage.open(path: path, create: true)
        try storage.attach(StudyRecord(name: "bench", configHash: "fnv1a64:0", configJSON: "{}", objective: "val_loss", sampler: "tpe",
                                       seed: 1, maxEvals: trials, bestPackage: (path as NSString).deletingLastPathComponent + "/best"))
        let queue = try DatabaseQueue(path: path)
        var rng = RandomNumberGeneratorWithSeed(seed: 42)
        try queue.write { db in
            for n in 0..<trials {
                let lr = pow(10, -4 + 3 * rng.unit()), units = [8, 16, 32, 64][Int(rng.unit() * 4) % 4]
                let dropout = 0.5 * rng.unit(), optimizer = ["adam", "rmsprop", "sgd"][n % 3]
                let base = 0.05 + 0.2 * abs(log10(lr) + 2.5) + 0.002 * Double(64 / units) + 0.02 * rng.unit()
                let roll = rng.unit()
                let state: TrialState = roll < 0.8 ? .complete : (roll < 0.95 ? .pruned : .failed)
                let last = state == .pruned ? epochs / 2 : epochs
                let params: [String: SearchValue] = ["training.optimizer.learning_rate": .number(lr), "model.units": .number(Double(units)),
                                                     "model.dropout": .number(dropout), "training.optimizer.name": .string(optimizer)]
                let value: Double? = state == .failed ? nil : base * (1 + 2 / Double(last))
                try db.execute(sql: """
                    INSERT INTO trial (number, state, params_json, value, started_at, finished_at, seconds, seed, error, epochs, attempts)
                    VALUES (?, ?, ?, ?, ?, ?, 9, ?, ?, ?, 1)
                    """, arguments: [n, state.rawValue, ParamsJSON.encode(params), value, 1_700_000_000 + Double(n) * 10,
                                     1_700_000_009 + Double(n) * 10, n, state == .failed ? "diverged" : nil, last])
                if state != .failed {
                    for e in 1...last {
                        try db.execute(sql: "INSERT INTO intermediate (trial, epoch, value) VALUES (?, ?, ?)",
                                       arguments: [n, e, base * (1 + 2 / Double(e))])
                    }
                }
            }
        }
        try queue.close()
    }
}

/// SplitMix64, for the synthetic study only.
struct RandomNumberGeneratorWithSeed {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
