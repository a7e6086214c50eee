import Foundation
import RecurTestSupport
import XCTest

/// Inputs a hostile user tried against the release binary (issue 9): each used to crash with a
/// signal, pass silently or print a poor message. Each must now exit 2 with one clear message.
final class HostileInputCLITests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try temporaryFolder("recur-hostile")
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// An hourly `date,hr,temp` CSV with a daily cycle, `hours` hours from 2020-01-01.
    func writeSeries(_ name: String = "data.csv", hours: Int = 240, header: String = "date,hr,temp",
                     edit: (Int, String) -> String = { $1 }) throws -> String {
        var lines = [header]
        for i in 0..<hours {
            let v = 20 + 5 * sin(Double(i) * 2 * .pi / 24) + Double(i % 7) * 0.1
            lines.append(edit(i, String(format: "2020-%02d-%02d,%d,%.2f", 1 + i / 24 / 28, 1 + (i / 24) % 28, i % 24, v)))
        }
        try lines.joined(separator: "\n").appending("\n").write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    /// A native config over `data` with `model` (a JSON value) and `extra` top-level members.
    func writeConfig(_ name: String = "config.json", data: String, model: String = #"{"layers": [{"type": "lstm", "units": 4}]}"#,
                     nPast: Int = 6, batch: Int = 16, extra: String = "") throws -> String {
        try """
        {
          "data": {"path": "\(data)", "date_column": "date", "hour_column": "hr", "target": "temp"},
          "window": {"n_past_steps": \(nPast), "horizon": 2},
          "model": \(model),
          "training": {"epochs": 1, "batch_size": \(batch), "checkpoint": false},
          "output": {"directory": "\(dir.path)"}\(extra)
        }
        """.write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    /// Trains a small package with `recur train`.
    func train() throws -> String {
        let config = try writeConfig(data: try writeSeries())
        let r = try CLIRunner.run(["train", config, "--output", path("pkg"), "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return path("pkg")
    }

    /// Asserts a clean refusal: exit 2 (not a signal), one message containing every `needle`.
    func assertRefused(_ r: CLIRunner.Result, _ needles: String..., file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, 2, "stderr: \(r.stderr.prefix(2000))", file: file, line: line)
        for n in needles { XCTAssertTrue(r.stderr.contains(n), "'\(n)' missing from: \(r.stderr.prefix(2000))", file: file, line: line) }
        XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr, file: file, line: line)
        XCTAssertLessThan(r.stderr.count, 4000, "stderr is one message", file: file, line: line)
    }

    // MARK: item 5, size checks before allocation

    func testHugeUnitsExitTwoNamingTheKeyAndTheMemory() throws {
        let config = try writeConfig(data: try writeSeries(), model: #"{"layers": [{"type": "lstm", "units": 100000000}]}"#)
        let r = try CLIRunner.run(["train", config, "--output", path("pkg")])
        assertRefused(r, "model.layers[0].units", "too large", "RECUR_MAX_MODEL_MEMORY")
        XCTAssertTrue(r.stderr.contains("config.json:4:"), "located: \(r.stderr)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("pkg")))
        // The limit is the documented variable's: a small model over a tiny limit is refused too.
        let small = try writeConfig(data: try writeSeries(), model: #"{"layers": [{"type": "lstm", "units": 64}]}"#)
        assertRefused(try CLIRunner.run(["train", small, "--output", path("pkg")], environment: ["RECUR_MAX_MODEL_MEMORY": "100K"]),
                      "set by RECUR_MAX_MODEL_MEMORY")
    }

    func testATrialTooLargeToBuildIsRecordedFailedAndTheStudyResumes() throws {
        let search = #", "search": {"max_evals": 2, "sampler": "grid", "space": {"model.layers[0].units": {"choice": [4, 100000000]}}}"#
        let config = try writeConfig(data: try writeSeries(), extra: search)
        let storage = path("s.sqlite")
        let r = try CLIRunner.run(["tune", config, "--storage", storage, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["trials"] as? [String: Int], ["complete": 1, "pruned": 0, "failed": 1, "running": 0])
        let show = try CLIRunner.run(["study", "show", storage])
        XCTAssertTrue(show.stdout.contains("too large") || show.stderr.contains("too large") || r.stderr.contains("too large"), show.stdout + r.stderr)
        // A rerun finds nothing to do and does not abort.
        let again = try CLIRunner.run(["tune", config, "--storage", storage, "--json"])
        XCTAssertEqual(again.status, 0, again.stderr)
    }

    // MARK: item 6, nesting depth

    func testDeeplyNestedConfigFileAndOverrideExitTwo() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        try "{\"description\": \(deep)}".write(toFile: path("deep.json"), atomically: true, encoding: .utf8)
        assertRefused(try CLIRunner.run(["train", path("deep.json")]), "deep.json:1:", "nested more than 64 levels")
        let config = try writeConfig(data: try writeSeries())
        assertRefused(try CLIRunner.run(["train", config, "--set", "description=" + deep]), "--set description=", "nested more than 64 levels")
    }

    // MARK: item 7, safetensors and manifest checks

    /// Replaces the package's weights file by a header with `tensors` (JSON members) and `dataBytes` zero bytes.
    func writeWeights(_ package: String, _ tensors: String, dataBytes: Int) throws {
        let header = Array("{\(tensors)}".utf8)
        var d = Data()
        var n = UInt64(header.count).littleEndian
        withUnsafeBytes(of: &n) { d.append(contentsOf: $0) }
        d.append(contentsOf: header)
        d.append(Data(count: dataBytes))
        try d.write(to: URL(fileURLWithPath: package + "/weights.safetensors"))
    }

    func testOverflowingAndOverlappingSafetensorsAreRefusedByPredictAndReport() throws {
        let package = try train()
        let data = path("data.csv")
        try writeWeights(package, #""lstm_1/kernel":{"dtype":"F32","shape":[2147483648,2147483648],"data_offsets":[0,16]}"#, dataBytes: 16)
        assertRefused(try CLIRunner.run(["predict", package, "--input", data, "--steps", "2"]), "weights.safetensors", "shape")
        assertRefused(try CLIRunner.run(["report", package, "--output", path("report")]), "weights.safetensors")
        try writeWeights(package, #""a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}"#, dataBytes: 16)
        assertRefused(try CLIRunner.run(["predict", package, "--input", data, "--steps", "2"]), "weights.safetensors", "overlaps")
    }

    /// Edits the package's manifest as JSON.
    func editManifest(_ package: String, _ edit: (inout [String: Any]) -> Void) throws {
        let url = URL(fileURLWithPath: package + "/manifest.json")
        var m = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        edit(&m)
        try JSONSerialization.data(withJSONObject: m).write(to: url)
    }

    func testAManifestWhosePartsDisagreeIsRefusedNamingTheManifest() throws {
        let original = try train()
        let data = path("data.csv")
        let cases: [(String, (inout [String: Any]) -> Void)] = [
            ("n_past_steps", { m in
                var d = m["data"] as! [String: Any]; var w = d["window"] as! [String: Any]
                w["n_past_steps"] = 3; d["window"] = w; m["data"] = d }),
            ("horizon", { m in
                var d = m["data"] as! [String: Any]; var w = d["window"] as! [String: Any]
                w["horizon"] = 5; d["window"] = w; m["data"] = d }),
            ("frequency_seconds", { m in
                var d = m["data"] as! [String: Any]; d["frequency_seconds"] = 0; m["data"] = d }),
            ("scaler.scale", { m in
                var s = m["scaler"] as! [String: Any]; s["scale"] = [0]; m["scaler"] = s }),
        ]
        for (i, (needle, edit)) in cases.enumerated() {
            let package = path("pkg-\(i)")
            try FileManager.default.copyItem(atPath: original, toPath: package)
            try editManifest(package, edit)
            let r = try CLIRunner.run(["predict", package, "--input", data, "--steps", "2"])
            assertRefused(r, package + "/manifest.json", needle)
            XCTAssertEqual(r.stdout, "", "no forecast from a damaged package")
        }
    }

    // MARK: item 8, --steps cap

    func testPredictStepsIsCappedAndTheCapIsAnOption() throws {
        let package = try train()
        let data = path("data.csv")
        assertRefused(try CLIRunner.run(["predict", package, "--input", data, "--steps", "1000000000000000000"]),
                      "--steps 1000000000000000000", "at most 100000", "--max-steps")
        assertRefused(try CLIRunner.run(["predict", package, "--input", data, "--steps", "-3"]), "--steps -3")
        assertRefused(try CLIRunner.run(["predict", package, "--input", data, "--steps", "30", "--max-steps", "20"]), "at most 20")
        let ok = try CLIRunner.run(["predict", package, "--input", data, "--steps", "30", "--max-steps", "30"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(ok.stdout.split(separator: "\n").count, 31)
    }

    // MARK: item 12, numbers beyond Float32 and extreme values

    func testNumbersBeyondFloat32AreInvalidCellsNotInfinities() throws {
        let data = try writeSeries(edit: { i, line in i == 30 ? line.components(separatedBy: ",").dropLast().joined(separator: ",") + ",1e39" : line })
        let r = try CLIRunner.run(["inspect", data, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        for bad in ["\"inf\"", "\"-inf\"", "\"nan\"", "-nan"] { XCTAssertFalse(r.stdout.contains(bad), "\(bad) in \(r.stdout.prefix(3000))") }
        XCTAssertTrue(r.stdout.contains("non-numeric cells become missing"), String(r.stdout.prefix(3000)))
        let config = try writeConfig(data: data, extra: "")
        let strict = try CLIRunner.run(["train", config, "--set", "data.cleaning.non_numeric=error", "--output", path("pkg")])
        assertRefused(strict, "data.csv, line 32, column 'temp'", "'1e39'", "32-bit floats")
    }

    func testASingleHugeValueStopsTrainingNamingLineAndValue() throws {
        let data = try writeSeries(edit: { i, line in i == 50 ? line.components(separatedBy: ",").dropLast().joined(separator: ",") + ",1e30" : line })
        let config = try writeConfig(data: data)
        let r = try CLIRunner.run(["train", config, "--output", path("pkg")])
        assertRefused(r, "data.csv, line 52, column 'temp'", "1e+30", "extreme_values")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("pkg")))
        let dropped = try CLIRunner.run(["train", config, "--set", "data.cleaning.extreme_values=missing", "--output", path("pkg"), "--json"])
        XCTAssertEqual(dropped.status, 0, dropped.stderr)
        let manifest = try String(contentsOfFile: path("pkg/manifest.json"), encoding: .utf8)
        XCTAssertTrue(manifest.contains("\"extreme_values\" : \"missing\""), "the policy is recorded for predict")
    }

    // MARK: item 13, duplicated header

    func testADuplicatedHeaderIsRefusedNamingBothColumns() throws {
        let data = try writeSeries(header: "date,hr,temp,temp", edit: { _, line in line + ",1" })
        let config = try writeConfig(data: data)
        assertRefused(try CLIRunner.run(["train", config, "--output", path("pkg")]), "'temp' twice", "column 3 and column 4")
        assertRefused(try CLIRunner.run(["inspect", data]), "'temp' twice")
    }

    // MARK: item 14, a training part too small

    func testATrainingPartTooSmallIsRefusedNamingTheCountsAndTheFix() throws {
        let data = try writeSeries(hours: 24)
        let model = #"{"layers": [{"type": "lstm", "units": 8, "return_sequences": true}, {"type": "lstm", "units": 8, "return_sequences": true}, {"type": "lstm", "units": 8, "return_sequences": true}, {"type": "lstm", "units": 8}]}"#
        let config = try writeConfig(data: data, model: model, nPast: 6, batch: 4)
        let r = try CLIRunner.run(["train", config, "--output", path("pkg")])
        assertRefused(r, "training part", "training windows", "fewer than the 16 needed", "--since", "n_past_steps")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("pkg")))
        // One batch is the other bound.
        let big = try writeConfig(data: try writeSeries(hours: 240), batch: 512)
        assertRefused(try CLIRunner.run(["train", big, "--output", path("pkg")]), "one batch of training.batch_size 512")
    }

    // MARK: item 15, messages

    func testMessagesSayWhatIsWrongInPlainWords() throws {
        // A config that is a folder: no NSCocoaErrorDomain.
        try FileManager.default.createDirectory(atPath: path("folder.json"), withIntermediateDirectories: true)
        let folder = try CLIRunner.run(["train", path("folder.json")])
        assertRefused(folder, "is a folder, not a config file")
        XCTAssertFalse(folder.stderr.contains("NSCocoaErrorDomain"), folder.stderr)
        // synth into a path under a file.
        try "x".write(toFile: path("plain"), atomically: true, encoding: .utf8)
        let synth = try CLIRunner.run(["synth", "--output", path("plain") + "/sub"])
        XCTAssertEqual(synth.status, 1, synth.stderr)
        XCTAssertTrue(synth.stderr.hasPrefix("error: cannot write \(path("plain"))/sub: "), synth.stderr)
        XCTAssertFalse(synth.stderr.contains("NSCocoaErrorDomain"), synth.stderr)
        // --seed -1 says what a seed is, not "Missing value".
        let config = try writeConfig(data: try writeSeries())
        let seed = try CLIRunner.run(["train", config, "--seed", "-1"])
        assertRefused(seed, "non-negative integer")
        XCTAssertFalse(seed.stderr.contains("Missing value"), seed.stderr)
        // A config error says "error" once, in the compiler's form.
        try #"{"data": {"path": "x.csv", "date_column": "d", "target": "t"}, "window": {"n_past_steps": 0}, "training": {"epochs": 1}}"#
            .write(toFile: path("bad.json"), atomically: true, encoding: .utf8)
        let bad = try CLIRunner.run(["train", path("bad.json")])
        assertRefused(bad, "`window.n_past_steps` must be an integer ≥ 1")
        XCTAssertTrue(bad.stderr.hasPrefix(path("bad.json") + ":1:"), bad.stderr)
        XCTAssertEqual(bad.stderr.components(separatedBy: "error").count - 1, 1, bad.stderr)
        // A single-row file says two rows are needed, not "n_past_steps (1)".
        let one = try writeConfig("one.json", data: try writeSeries("one.csv", hours: 1))
        let single = try CLIRunner.run(["train", one])
        assertRefused(single, "at least 2 are needed")
        XCTAssertFalse(single.stderr.contains("n_past_steps (1)"), single.stderr)
        // A missing data file: relative data.path is taken from the config's folder.
        let missing = try writeConfig("missing.json", data: "nowhere.csv")
        assertRefused(try CLIRunner.run(["train", missing]), "config file's folder")
    }

    func testPredictNamesThePackagesKeysAndCapsAWideHeader() throws {
        let package = try train()
        // An input without the target column: the package's key, never the template's numeric_var.
        let other = try writeSeries("other.csv", header: "date,hr,temperature")
        let r = try CLIRunner.run(["predict", package, "--input", other, "--steps", "2"])
        assertRefused(r, "the package's data.target")
        XCTAssertFalse(r.stderr.contains("numeric_var"), r.stderr)
        // A 60 kB header is not echoed whole.
        let wide = "date,hr," + (0..<9000).map { "c\($0)" }.joined(separator: ",")
        let wideData = try writeSeries("wide.csv", header: wide, edit: { _, line in line.components(separatedBy: ",").prefix(2).joined(separator: ",") + String(repeating: ",1", count: 9000) })
        assertRefused(try CLIRunner.run(["predict", package, "--input", wideData, "--steps", "2"]), "…")
    }
}
