// RecurBench: training throughput of the engine on the workloads of DESIGN.md section 4, the
// machine line (sgemm, the packed product, kernel levels), W4's in-process phases and W5's data
// export. scripts/bench.sh runs it beside the peers; BENCHMARKS.md holds the results.
import ArgumentParser
import Foundation
import RecurTensor
import RecurTrain

/// Options shared by every workload.
struct BenchOptions {
    var synthetic = false
    var dataDir = "../shared/datasets"
    var configDir = "examples"
    var exportDir: String?

    /// `dataDir` made absolute (configs resolve relative paths from their own folder).
    var absoluteDataDir: String {
        dataDir.hasPrefix("/") ? dataDir : FileManager.default.currentDirectoryPath + "/" + dataDir
    }
}

@main
struct RecurBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "RecurBench",
        abstract: "Recur's benchmark workloads (DESIGN.md section 4); scripts/bench.sh runs them beside the peers.",
        discussion: [
            "Data: by default the real data sets, prepared exactly as `recur train` prepares them: W1 from examples/melbourne-seed.json, W2 from examples/a620-template-native.json (A620 cleaned, MinMax on the training part, 12 steps), W3 from the same config with window.n_past_steps=48. Each workload trains through the product's FitLoop (shuffled batches, Adam). W2-GRU, W2-GRU-before and W2-RNN (run only when named) are W2 with GRU (reset after or before) or SimpleRNN layers.",
            "W4-phases --package PKG --input CSV times recur predict's phases in this process; latency times one-sample forecasts (the W2 network, 24 steps recursive, and the Melbourne calendar network) through a reused InferenceContext, --calls each (median, p99); W5 --export DIR writes the tuning slice's samples for the hyperopt + Keras peer; storage --storage PATH-or-URL times a study storage's calls per trial (median, p99) and, with --load-trials N, loading an N-trial study; env prints only the machine line. Run one workload per process to read its peak memory in isolation. Threads: as `recur` (RECUR_THREADS).",
        ].joined(separator: "\n\n"))

    @Argument(help: "Workloads to run: \(Self.knownNames.joined(separator: ", ")) (default: W1 W2 W3).")
    var names: [String] = []

    @Flag(help: "Print one JSON object (the harness reads it).")
    var json = false

    @Flag(help: "Use a noisy sine of the same shapes instead of the data sets (runs without ../shared).")
    var synthetic = false

    @Option(help: "Folder holding the data sets' CSV files.")
    var data = "../shared/datasets"

    @Option(help: "Folder holding the example configs.")
    var configs = "examples"

    @Option(help: "Write each workload's prepared arrays (.npy) and settings (JSON) here, for the peers.")
    var export: String?

    @Flag(help: "After each training workload's timed run, train its samples once more with per-phase timing (input projection, per-step products, gate passes, backward products, weight gradients, Dropout, Dense, loss, optimizer, the second core's idle time) and report it.")
    var profile = false

    @Flag(help: "With --profile: skip the timed run (a quick profile alone).")
    var profileOnly = false

    @Option(help: "With --profile: profile at most this many training steps (default: the timed run's).")
    var profileSteps: Int?

    @Option(help: "W4-phases: the model package.")
    var package: String?

    @Option(help: "W4-phases: the input CSV.")
    var input: String?

    @Option(help: "latency: one-sample forecasts timed per network.")
    var calls = 10_000

    @Option(help: "storage: the study storage to time, an SQLite file or folder, or postgresql://USER@HOST:PORT/DB (new studies are made in it).")
    var storage: String?

    @Option(help: "storage: trials timed (claim, intermediate value, heartbeat, commit).")
    var trials = 300

    @Option(help: "storage: also time loading a study of this many finished trials (trials(), and a claim's sampler view).")
    var loadTrials: Int?

    static let knownNames = workloads.map(\.name) + ["W4-phases", "W5", "latency", "storage", "env"]

    func validate() throws {
        for name in names where !Self.knownNames.contains(name) {
            throw ValidationError("unknown workload '\(name)'; choose from \(Self.knownNames.joined(separator: ", "))")
        }
        if names.contains("W4-phases") && (package == nil || input == nil) {
            throw ValidationError("W4-phases needs --package PKG --input CSV")
        }
        if names.contains("storage") && storage == nil { throw ValidationError("storage needs --storage PATH-or-URL") }
        if names.contains("W5") && export == nil { throw ValidationError("W5 only exports the tuning slice: give --export DIR") }
    }

    func run() throws {
        if names.contains("storage"), let storage {
            // No training: the storage alone (StudyStorageBench), without the machine line.
            let r = try measured("storage") { try StudyStorageBench(storage: storage, trials: trials, loadTrials: loadTrials).run() }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(r), as: UTF8.self))
            } else {
                StudyStorageBench.print(r)
            }
            return
        }
        BLAS.applyThreadSetting()
        let options = BenchOptions(synthetic: synthetic, dataDir: data, configDir: configs, exportDir: export)
        let sgemm = BLAS.measureGFLOPS(size: 1024)
        let (packed, stepSgemm) = measurePackedGFLOPS()
        var results: [WorkloadResult] = []
        if names.contains("W4-phases"), let package, let input {
            results.append(.predictPhases(try measured("W4-phases") { try predictPhases(package: package, input: input) }))
        }
        if names.contains("latency") {
            for net in LatencyNetwork.all {
                let r = try measured("latency \(net.name)") { try measureLatency(net, calls: calls) }
                results.append(.latency(r))
                if !json {
                    print(String(format: "latency %@: median %.1f us, p99 %.1f us, mean %.1f us over %d calls (%d-step forecast; %d workspace growths during the calls); Sequential.predict per step: median %.1f us, p99 %.1f us; identical: %@ | %@",
                                 net.name, r.medianMicroseconds, r.p99Microseconds, r.meanMicroseconds, r.calls, r.horizon,
                                 r.workspaceGrowthsDuringCalls, r.sequentialMedianMicroseconds, r.sequentialP99Microseconds,
                                 r.identicalToSequential ? "yes" : "no (max diff \(r.maxDifferenceToSequential))", net.summary))
                }
            }
        }
        if names.contains("W5") {
            results.append(.tuningSliceExport(try measured("W5") { try exportTuningSlice(options: options) }))
        }
        for w in workloads where names.isEmpty ? !w.extra : names.contains(w.name) {
            if profile && profileOnly {
                let p = try measured("\(w.name) profile") { try profileWorkload(w, options: options, maxSteps: profileSteps) }
                print(String(format: "%@ per training step (profiled, %d steps, %.1f samples/s):\n\n%@\n", w.name, p.steps,
                             p.samplesPerSecond, p.table))
                continue
            }
            var r = try measured(w.name) { try trainWorkload(w, options: options) }
            if profile {
                r.profile = try measured("\(w.name) profile") { try profileWorkload(w, options: options, maxSteps: profileSteps) }
            }
            results.append(.training(r))
            if !json {
                let rmse = r.testRMSE.map { String(format: "  test RMSE %.3f", $0) } ?? ""
                print(String(format: "%@  %10.1f samples/s  %8.2f s  %6.1f GFLOP/s  loss %.4f%@  RSS %.0f MB | %@",
                             w.name, r.samplesPerSecond, r.seconds, r.achievedGflops, r.finalLoss, rmse,
                             r.peakRSSMegabytes, w.summary))
                if let p = r.profile {
                    print(String(format: "\n%@ per training step (profiled epoch, %d steps, %.1f samples/s):\n", w.name, p.steps, p.samplesPerSecond))
                    print(p.table + "\n")
                }
            }
        }
        let info = BLAS.info, cpu = CPUFeatures.current
        let report = BenchReport(
            machine: "\(cpu.modelName) (\(cpu.architecture), \(cpu.logicalCores) cores)", blas: info.config,
            blasLibrary: info.library, kernels: info.kernels, engineKernels: KernelLevel.current.name,
            packedGemmGflops1Thread: packed, stepSgemmGflops1Thread: stepSgemm, sgemm1024Gflops1Thread: sgemm,
            blasThreads: BLAS.threadCount, engineThreads: Parallel.threadCount, workloads: results)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(String(format: "machine: %@; BLAS %@; kernels %@; engine kernels %@; BLAS threads %d, engine threads %d; sgemm 1024^3: %.1f GFLOP/s (1 thread); packed recurrent product 32x256x1024: %.1f GFLOP/s (OpenBLAS on it: %.1f; 1 thread)",
                         report.machine, info.library, info.kernels, report.engineKernels, report.blasThreads,
                         report.engineThreads, sgemm, packed, stepSgemm))
        }
    }

    /// Runs one workload; a failure names it and exits 1.
    func measured<T>(_ name: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch {
            throw RuntimeError(message: "RecurBench \(name): \(error)")
        }
    }
}

/// A failure that ends the run with exit 1 and its message on stderr.
struct RuntimeError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
