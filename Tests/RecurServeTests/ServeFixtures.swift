import Foundation
import RecurTestSupport
import Logging
import RecurData
@testable import RecurServe
import RecurTrain
import XCTest

/// Tiny model packages and a running server for the serve tests; everything lives in one
/// temporary folder per test.
final class ServeFixture {
    let folder: TemporaryFolder
    var dir: URL { folder.url }
    var models: URL { dir.appendingPathComponent("models") }

    init() throws {
        folder = try TemporaryFolder("recur-serve")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("models"), withIntermediateDirectories: true)
    }

    func remove() { folder.remove() }

    /// An hourly station CSV in the old platform's layout (`station,date,hr,temp[,hum]`) with a
    /// daily cycle, starting 2021-03-01 00:00, with rows of another station mixed in.
    func writeSeries(_ name: String = "series.csv", hours: Int = 200, humidity: Bool = false) throws -> String {
        var lines = [humidity ? "station,date,hr,temp,hum" : "station,date,hr,temp"]
        let start = Timestamps.parse("2021-03-01")!.seconds
        for i in 0..<hours {
            let t = start + Int64(i) * 3600
            let day = Timestamps.format(t, dateOnly: true)
            let hour = (t % 86_400) / 3600
            let v = 10 + 4 * sin(Double(i) * 2 * .pi / 24) + Double(i % 7) * 0.113
            let h = 60 + 10 * cos(Double(i) / 5)
            lines.append("S1,\(day),\(hour),\(String(format: "%.3f", v))" + (humidity ? ",\(String(format: "%.2f", h))" : ""))
            if i % 50 == 0 { lines.append("S2,\(day),\(hour),99" + (humidity ? ",1" : "")) }
        }
        let path = dir.appendingPathComponent(name).path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Trains a tiny LSTM package on `data` into `destination`.
    @discardableResult
    func trainPackage(data: String, into destination: String, seed: Int = 3, horizon: Int = 2, humidity: Bool = false) throws -> String {
        let text = """
        {
          "data": {"path": "\(data)", "date_column": "date", "hour_column": "hr", "station_column": "station",
                   "station": "S1", "target": "temp"\(humidity ? ", \"features\": [\"hum\"]" : ""),
                   "cleaning": {"sentinels": [-99], "gaps": "interpolate", "max_gap": 3}},
          "window": {"n_past_steps": 6, "horizon": \(horizon)},
          "model": {"layers": [{"type": "lstm", "units": 4}]},
          "training": {"epochs": 2, "batch_size": 16, "seed": \(seed), "checkpoint": false},
          "output": {"directory": "\(dir.path)"}
        }
        """
        let config = try RecurConfig.parse(text)
        let options = TrainingOptions.silent(packagePath: destination)
        return try TrainingRun.run(config, options: options).package
    }

    /// The JSON body of the last `count` rows of station S1 of a CSV written by `writeSeries`.
    /// `dropLast` leaves out that many of the latest rows first.
    func jsonBody(csv path: String, count: Int, steps: Int, humidity: Bool = false, extra: String = "", dropLast: Int = 0) throws -> String {
        let rows = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            .filter { $0[0] == "S1" }
        let observations = rows.dropLast(dropLast).suffix(count).map { r -> String in
            let t = Timestamps.parse(r[1])!.seconds + Int64(r[2])! * 3600
            let stamp = Timestamps.format(t).replacingOccurrences(of: " ", with: "T") + "Z"
            return "{\"timestamp\": \"\(stamp)\", \"value\": \(r[3])" + (humidity ? ", \"hum\": \(r[4])" : "") + "}"
        }
        return "{\"observations\": [\(observations.joined(separator: ", "))], \"steps\": \(steps)\(extra)}"
    }

    /// Starts a server on an ephemeral loopback port and returns it once it listens.
    func startServer(token: String? = nil, store: String? = nil, logs: LogCapture? = nil,
                     limits: ServeLimits = ServeLimits(), studies: [String] = [], studyNames: [String] = [],
                     withModels: Bool = true) async throws -> RunningServer {
        var config = ServeConfiguration(modelsDirectory: withModels ? models.path : nil)
        config.studyStorages = studies
        config.studyNames = studyNames
        config.port = 0
        config.token = token
        config.storeURL = store
        config.limits = limits
        if let logs { config.logger = Logger(label: "test", factory: { _ in logs }) }
        let server = try RecurServer(config)
        let task = Task { try await server.run() }
        // Wait (bounded) until the socket is bound.
        for _ in 0..<2000 where server.boundPort == nil { try await Task.sleep(for: .milliseconds(10)) }
        guard let port = server.boundPort else { task.cancel(); throw XCTSkip("the server did not start") }
        return RunningServer(server: server, task: task, port: port, dir: dir)
    }
}

/// A server started by a test, stopped by `stop()`.
struct RunningServer {
    let server: RecurServer
    let task: Task<Void, Error>
    let port: Int
    let dir: URL

    var base: String { "http://127.0.0.1:\(port)" }

    /// Graceful shutdown; fails the test if the server ended with an error.
    func stop() async {
        await server.shutdown()
        do { try await task.value } catch { XCTFail("the server ended with \(error)") }
    }

    /// One request through curl; returns the status and the body.
    func send(_ method: String, _ path: String, contentType: String? = "application/json", body: String? = nil,
              headers: [String] = []) throws -> (status: Int, body: String) {
        try Curl.send(method, base + path, contentType: contentType, body: body.map { Array($0.utf8) }, headers: headers, dir: dir)
    }
}

/// curl as the HTTP client (a real client, independent of the server's code).
enum Curl {
    static func send(_ method: String, _ url: String, contentType: String?, body: [UInt8]?, headers: [String], dir: URL) throws -> (status: Int, body: String) {
        let id = UUID().uuidString
        let out = dir.appendingPathComponent("curl-\(id).out")
        var args = ["-s", "-S", "--max-time", "60", "-X", method, "-o", out.path, "-w", "%{http_code}"]
        if let contentType { args += ["-H", "Content-Type: \(contentType)"] }
        for h in headers { args += ["-H", h] }
        if let body {
            let file = dir.appendingPathComponent("curl-\(id).in")
            try Data(body).write(to: file)
            args += ["--data-binary", "@\(file.path)"]
        }
        args.append(url)
        let (status, stdout, stderr) = try run(args)
        guard status == 0, let code = Int(stdout) else { throw NSError(domain: "curl", code: Int(status), userInfo: [NSLocalizedDescriptionKey: "curl failed: \(stderr)"]) }
        let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: out)
        return (code, text)
    }

    /// Many requests in one curl process (a config file with one entry per request); returns
    /// the status codes in order (0 where no answer came).
    /// With `parallel`, up to that many requests are under way at once and each answer body is
    /// kept in `batch-<i>.out` (the statuses then come in completion order).
    static func batch(_ requests: [(method: String, url: String, contentType: String?, body: [UInt8])], dir: URL,
                      parallel: Int? = nil) throws -> [Int] {
        var config = ""
        for (i, r) in requests.enumerated() {
            let file = dir.appendingPathComponent("batch-\(i).in")
            try Data(r.body).write(to: file)
            if i > 0 { config += "next\n" }
            config += "url = \"\(r.url)\"\nrequest = \"\(r.method)\"\n"
            if let c = r.contentType { config += "header = \"Content-Type: \(c)\"\n" }
            let output = parallel == nil ? "/dev/null" : dir.appendingPathComponent("batch-\(i).out").path
            config += "data-binary = \"@\(file.path)\"\noutput = \"\(output)\"\nwrite-out = \"%{http_code}\\n\"\nmax-time = 30\n"
        }
        let configFile = dir.appendingPathComponent("batch.curlrc")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        let (_, stdout, _) = try run(["-s"] + (parallel.map { ["-Z", "--parallel-max", "\($0)"] } ?? []) + ["-K", configFile.path])
        return stdout.split(separator: "\n").map { Int($0) ?? 0 }
    }

    static func run(_ args: [String]) throws -> (Int32, String, String) {
        let r = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/curl"), args)
        return (r.status, r.stdout, r.stderr)
    }
}

/// A log handler that keeps every message (for asserting what the server logged).
final class LogCapture: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        let all = self.metadata.merging(metadata ?? [:]) { $1 }
        let text = "\(level) \(message) " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lock.lock(); lines.append(text); lock.unlock()
    }

    var messages: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}

/// The `recur` binary built beside the tests.
enum RecurBinary {
    static var url: URL {
        let testBinary = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        var dir = testBinary.deletingLastPathComponent()
        if dir.pathExtension == "xctest" || dir.lastPathComponent == "MacOS" { dir = dir.deletingLastPathComponent() }
        return dir.appendingPathComponent("recur")
    }

    static func run(_ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let r = try ChildProcess.run(url, args)
        return (r.status, r.stdout, r.stderr)
    }
}

/// The `forecasts` rows of a forecast answer: [(timestamp, value)].
func forecastRows(_ body: String) throws -> [(String, Double)] {
    let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
    let rows = try XCTUnwrap(object?["forecasts"] as? [[String: Any]], body)
    return try rows.map { (try XCTUnwrap($0["timestamp"] as? String), try XCTUnwrap(($0["value"] as? NSNumber)?.doubleValue)) }
}

/// The error object of an error answer.
func errorField(_ body: String) -> (field: String?, message: String)? {
    guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
          let error = object["error"] as? [String: Any], let message = error["message"] as? String else { return nil }
    return (error["field"] as? String, message)
}
