import ArgumentParser
import Foundation
import GRDB
import RecurDashboard
import RecurTrain
import RecurTune
import RecurTunePostgres

/// A development tool around `RecurDashboard` without an HTTP server: answer one request on
/// stdout (`get`, what scripts/dashboard_cgi_server.py calls per request), or measure a large
/// synthetic study in SQLite or PostgreSQL (`bench`, the BENCHMARKS.md figures).
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
        abstract: "Build a synthetic study of N trials (through the storage's schema and triggers, as workers write), then time the dashboard on it.")
    @Option(help: "Trials in the synthetic study.")
    var trials = 10_000
    @Option(help: "Intermediate values per trial.")
    var epochs = 20
    @Option(help: "Repetitions of each measurement (the median is reported).")
    var repeats = 5
    @Option(help: "Folder for the study file (kept: rerun with the same folder to skip building).")
    var dir: String?
    @Option(help: ArgumentHelp("Build and time the study `bench` in this PostgreSQL database instead (kept: rerun to skip building).",
                               valueName: "postgresql://USER@HOST:PORT/DB"))
    var postgres: String?

    func validate() throws {
        guard (dir == nil) != (postgres == nil) else { throw ValidationError("give one of --dir (SQLite) or --postgres (PostgreSQL)") }
    }

    func run() throws {
        let reader: any StudyReading
        /// Changes five trials (as five workers' commits would) and returns the mark from before them.
        let changeFive: () throws -> Int
        let start = Date()
        if let postgres {
            let url: PostgresURL
            do { url = try PostgresURL(postgres) } catch { throw ValidationError("\(error)") }
            if try SyntheticStudy.build(postgres: url, trials: trials, epochs: epochs) {
                print(String(format: "built %d trials x %d epochs in PostgreSQL in %.1f s", trials, epochs, Date().timeIntervalSince(start)))
            }
            reader = PostgresStudyReader(url: url, name: SyntheticStudy.name)
            changeFive = {
                let mark = try reader.read(changedAfter: Int.max).change ?? 0
                try SyntheticStudy.touch(postgres: url, trials: [1, 2, 3, 4, 5])
                return mark
            }
        } else {
            let path = (dir! as NSString).appendingPathComponent("bench.study.sqlite")
            if !FileManager.default.fileExists(atPath: path) {
                try SyntheticStudy.build(path: path, trials: trials, epochs: epochs)
                print(String(format: "built %d trials x %d epochs in %.1f s", trials, epochs, Date().timeIntervalSince(start)))
            }
            reader = StudyReader(storage: path)
            changeFive = {
                let mark = try reader.read(changedAfter: Int.max).change ?? 0
                try SyntheticStudy.touch(path: path, trials: [1, 2, 3, 4, 5])
                return mark
            }
        }
        let dashboard = Dashboard(studies: [Dashboard.Study(name: SyntheticStudy.name, reader: reader)], modelsDirectory: nil)
        let full = dashboard.handle(method: "GET", path: "/api/studies/bench", query: nil)
        precondition(full.status == 200, "\(full.status) \(full.body.prefix(300))")
        let beforeFive = try changeFive()
        let change = try reader.read(changedAfter: Int.max).change ?? 0
        func time(_ label: String, _ path: String, _ query: String?, expectTrials: Int? = nil) {
            var times: [Double] = []
            var size = 0
            for _ in 0..<repeats {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let r = dashboard.handle(method: "GET", path: path, query: query)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
                size = r.body.utf8.count
                precondition(r.status == 200, "\(path): \(r.status) \(r.body.prefix(200))")
                if let expectTrials {
                    let n = r.body.components(separatedBy: "\"attempts\":").count - 1  // one per trial
                    precondition(n == expectTrials, "\(path)?\(query ?? ""): \(n) trials, expected \(expectTrials)")
                }
            }
            times.sort()
            print(String(format: "%-44@ median %8.1f ms  min %8.1f ms  max %8.1f ms  %9d bytes", label as NSString,
                         times[times.count / 2], times[0], times[times.count - 1], size))
        }
        print("study: \(trials) trials in \(reader.storage), change mark \(change), full JSON \(full.body.utf8.count) bytes")
        var reads: [Double] = []
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = try reader.read(changedAfter: nil)
            reads.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        print(String(format: "%-44@ median %8.1f ms", "read (every trial, no rendering)" as NSString, reads.sorted()[reads.count / 2]))
        time("GET /studies/bench (whole page)", "/studies/bench", nil)
        time("GET /studies/bench?fragment=charts", "/studies/bench", "fragment=charts")
        time("GET /api/studies/bench (all trials)", "/api/studies/bench", nil)
        time("GET /api/studies/bench?after=<5 trials ago>", "/api/studies/bench", "after=\(beforeFive)", expectTrials: 5)
        time("GET /api/studies/bench?after=change (none)", "/api/studies/bench", "after=\(change)", expectTrials: 0)
        time("GET /api/studies", "/api/studies", nil)
        time("GET /", "/", nil)
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
