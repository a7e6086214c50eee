// RecurBench: training throughput of the engine on the workloads of DESIGN.md section 4.
//
// Usage: RecurBench [W1 W2 W3 W2-GRU W2-RNN ...] [--json] [--data DIR] [--configs DIR] [--export DIR] [--synthetic]
//        RecurBench W4-phases --package PKG --input CSV --json    (recur predict's phases, in-process)
//        RecurBench W5 --export DIR [--data DIR]                   (W5's samples for the peer)
//
// Data: by default the real data sets, prepared exactly as `recur train` prepares them
// (RecurTrain's `DataPreparation`): W1 from examples/melbourne-seed.json, W2 from
// examples/a620-template-native.json (A620, sentinel 0.0 removed, duplicates dropped, short
// gaps interpolated, MinMax on the training part, 12 steps), W3 from the same config with
// `window.n_past_steps=48`. `--data DIR` names the folder holding the CSV files
// (default ../shared/datasets), `--configs DIR` the examples folder (default examples).
// `--synthetic` uses a noisy sine of the same shapes instead (runs without ../shared).
// `--export DIR` writes each workload's prepared arrays as .npy (float32) plus a JSON of
// settings, so that scripts/bench_peers.py trains PyTorch and Keras on identical samples.
//
// `W5 --export DIR` only exports the tuning workload's arrays (no training): the template's
// `hyperopt_pars` search on the A620 slice 2016-06-01..2016-08-31 (the template config with
// numeric_var=temp, 3 epochs), train and validation samples exactly as `recur tune` prepares
// them, for scripts/bench_peer_tune.py (hyperopt + Keras); the harness times `recur tune` itself.
//
// W2-GRU and W2-RNN (run only when named) are W2 with GRU or SimpleRNN layers instead of
// LSTM: not DESIGN.md workloads, they show the other recurrent layers' throughput.
//
// Each workload trains through `BatchTrainer` as the product does: forward, loss, backward,
// Adam step; batches are assembled from shuffled indices inside the timed loop.
// Run one workload per process to read its peak memory (ru_maxrss) in isolation.
import Foundation
import RecurData
import RecurNN
import RecurTensor
import RecurTrain
#if canImport(Glibc)
import Glibc
#endif

struct Workload {
    let name: String
    let summary: String
    /// Builds the model with the given generator.
    let build: (inout RandomGenerator) throws -> Sequential
    let steps: Int
    let features: Int
    let batch: Int
    let epochs: Int
    /// Batches timed per epoch (nil: the whole epoch).
    let timedBatches: Int?
    let loss: Loss
    let config: String
    let overrides: [String]
    let csv: String
    /// Whether test RMSE (original units) is measured after training (W1).
    var reportsTestRMSE: Bool { name == "W1" }
    /// Synthetic sample count (with --synthetic).
    let syntheticSamples: Int
    /// Forward+backward floating-point operations per training sample (for achieved GFLOP/s).
    let flopsPerSample: Double
    /// Run only when named (not one of DESIGN.md's workloads).
    var extra = false
}

/// Training FLOPs per sample of an LSTM stack: forward 2*(in+H)*4H per step, backward twice that.
func lstmFlops(steps: Int, sizes: [(input: Int, units: Int)], gates: Int = 4) -> Double {
    sizes.reduce(0.0) { $0 + 3 * 2 * Double(steps) * Double($1.input + $1.units) * Double(gates * $1.units) }
}

func syntheticWindows(samples: Int, steps: Int, features: Int, seed: UInt64) throws -> (x: Tensor, y: Tensor) {
    var rng = RandomGenerator(seed: seed)
    let n = samples + steps
    var series = [Float](repeating: 0, count: n * features)
    for t in 0..<n {
        for f in 0..<features {
            let phase = Double(t) / 24 * 2 * .pi + Double(f)
            series[t * features + f] = Float(0.5 + 0.3 * sin(phase) + 0.1 * sin(phase / 365)) + rng.uniform(-0.05, 0.05)
        }
    }
    var x = [Float](repeating: 0, count: samples * steps * features), y = [Float](repeating: 0, count: samples)
    for s in 0..<samples {
        for k in 0..<(steps * features) { x[s * steps * features + k] = series[s * features + k] }
        y[s] = series[(s + steps) * features]
    }
    return (try Tensor(shape: [samples, steps, features], values: x), try Tensor(shape: [samples, 1], values: y))
}

/// Writes a float32 C-order .npy file.
func writeNPY(_ t: Tensor, to path: String) throws {
    let shape = t.shape.map(String.init).joined(separator: ", ") + (t.rank == 1 ? "," : "")
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(shape)), }"
    let total = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
    var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
    let n = UInt16(header.utf8.count)
    data.append(contentsOf: [UInt8(n & 0xff), UInt8(n >> 8)])
    data.append(contentsOf: Array(header.utf8))
    data.append(Data(bytes: t.data, count: t.count * 4))
    try data.write(to: URL(fileURLWithPath: path))
}

func peakRSSMegabytes() -> Double {
    var usage = rusage()
    _ = getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_maxrss) / 1024
}

struct Prepared {
    var train: (x: Tensor, y: Tensor)
    var test: (x: Tensor, y: Tensor)?
    var scaler: Scaler?
}

func prepare(_ w: Workload, options: Options) throws -> Prepared {
    if options.synthetic {
        return Prepared(train: try syntheticWindows(samples: w.syntheticSamples, steps: w.steps, features: w.features, seed: 7))
    }
    let dataDir = options.dataDir.hasPrefix("/") ? options.dataDir
        : FileManager.default.currentDirectoryPath + "/" + options.dataDir
    let overrides = ["data.path=\(dataDir)/\(w.csv)"] + w.overrides
    let config = try RecurConfig.load(path: "\(options.configDir)/\(w.config)", overrides: overrides)
    let data = try DataPreparation.prepare(config)
    precondition(data.trainSamples.steps == w.steps && data.trainSamples.features == w.features,
                 "\(w.name): prepared samples are \(data.trainSamples.x.shape), expected [N, \(w.steps), \(w.features)]")
    return Prepared(train: (data.trainSamples.x, data.trainSamples.y),
                    test: data.testSamples.map { ($0.x, $0.y) }, scaler: data.scaler)
}

func run(_ w: Workload, options: Options) throws -> [String: Any] {
    let data = try prepare(w, options: options)
    let (x, y) = data.train
    let n = x.shape[0], sampleSize = w.steps * w.features
    if let dir = options.exportDir {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try writeNPY(x, to: "\(dir)/\(w.name)_train_x.npy")
        try writeNPY(y, to: "\(dir)/\(w.name)_train_y.npy")
        var meta: [String: Any] = ["workload": w.name, "batch": w.batch, "epochs": w.epochs, "steps": w.steps,
                                   "features": w.features, "loss": w.loss.name, "samples": n]
        if let tb = w.timedBatches { meta["timed_batches"] = tb }
        if w.reportsTestRMSE, let test = data.test {
            try writeNPY(test.x, to: "\(dir)/\(w.name)_test_x.npy")
            try writeNPY(test.y, to: "\(dir)/\(w.name)_test_y.npy")
        }
        if let s = data.scaler { meta["target_offset"] = s.offset[0]; meta["target_scale"] = s.scale[0] }
        let json = try JSONSerialization.data(withJSONObject: meta, options: [.sortedKeys])
        try json.write(to: URL(fileURLWithPath: "\(dir)/\(w.name).json"))
    }
    var rng = RandomGenerator(seed: 42)
    let model = try w.build(&rng)
    let optimizer = try Optimizer.named("adam")
    let trainer = BatchTrainer(model: model, loss: w.loss, optimizer: optimizer)
    let bx = Tensor(shape: [w.batch, w.steps, w.features]), by = Tensor(shape: [w.batch, 1])
    func fill(_ indices: ArraySlice<Int>) {
        bx.resize([indices.count, w.steps, w.features])
        by.resize([indices.count, 1])
        for (row, s) in indices.enumerated() {
            (bx.data + row * sampleSize).update(from: x.data + s * sampleSize, count: sampleSize)
            by.data[row] = y.data[s]
        }
    }
    var order = Array(0..<n)
    var shuffler = RandomGenerator(seed: 42)
    fill(order[0..<w.batch])
    _ = try trainer.step(input: bx, target: by)  // warm-up: workspaces sized
    let batchesPerEpoch = min((n + w.batch - 1) / w.batch, w.timedBatches ?? Int.max)
    var lastLoss: Float = 0, trained = 0
    let t0 = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<w.epochs {
        for i in stride(from: n - 1, to: 0, by: -1) {  // Fisher–Yates, seeded
            let j = Int(shuffler.next() % UInt64(i + 1))
            order.swapAt(i, j)
        }
        for b in 0..<batchesPerEpoch {
            let slice = order[(b * w.batch)..<min(n, (b + 1) * w.batch)]
            fill(slice)
            lastLoss = try trainer.step(input: bx, target: by)
            trained += slice.count
        }
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
    var result: [String: Any] = [
        "workload": w.name, "summary": w.summary, "seconds": seconds, "samples": trained,
        "samples_per_second": Double(trained) / seconds, "final_loss": Double(lastLoss),
        "achieved_gflops": w.flopsPerSample * Double(trained) / seconds / 1e9,
        "parameters": model.parameterCount, "epochs": w.epochs, "batches_per_epoch": batchesPerEpoch,
        "train_samples_available": n, "data": options.synthetic ? "synthetic" : "real",
    ]
    if w.reportsTestRMSE, let test = data.test, let scaler = data.scaler {
        // Predicted in chunks of 256 samples (workspaces stay small).
        var scaled: [Float] = []
        let m = test.x.shape[0], chunk = 256
        for start in stride(from: 0, to: m, by: chunk) {
            let k = min(chunk, m - start)
            let part = Tensor(shape: [k, w.steps, w.features])
            part.data.update(from: test.x.data + start * sampleSize, count: k * sampleSize)
            scaled += try model.predict(part).scalars
        }
        let pred = scaler.inverseTransformTarget(scaled), truth = scaler.inverseTransformTarget(test.y.scalars)
        var sse = 0.0
        for i in 0..<pred.count { sse += Double(pred[i] - truth[i]) * Double(pred[i] - truth[i]) }
        result["test_rmse"] = (sse / Double(pred.count)).squareRoot()
    }
    result["peak_rss_mb"] = peakRSSMegabytes()
    return result
}

/// The template's network (DESIGN.md W2): recurrent layers of 24, 48, 96 and 192 units, each
/// followed by Dropout(0.2), then Dense(1); `layer` makes each recurrent layer.
func templateNetwork(_ rng: inout RandomGenerator,
                     layer: (_ input: Int, _ units: Int, _ returnSequences: Bool, inout RandomGenerator) throws -> Layer)
    throws -> Sequential {
    var layers: [Layer] = []
    var input = 1
    for (i, units) in [24, 48, 96, 192].enumerated() {
        layers.append(try layer(input, units, i < 3, &rng))
        layers.append(try Dropout(size: units, rate: 0.2, seed: UInt64(i + 1)))
        input = units
    }
    layers.append(try Dense(inputSize: 192, units: 1, rng: &rng))
    return try Sequential(layers)
}

let workloads: [Workload] = [
    Workload(
        name: "W1", summary: "Melbourne scheme 1: LSTM(4) + Dense(1), lag 3 as 1 step x 3 features, batch 1, 25 epochs, Adam, MSE",
        build: { rng in try Sequential([
            LSTM(inputSize: 3, units: 4, returnSequences: false, rng: &rng),
            Dense(inputSize: 4, units: 1, rng: &rng)]) },
        steps: 1, features: 3, batch: 1, epochs: 25, timedBatches: nil, loss: .meanSquaredError,
        config: "melbourne-seed.json", overrides: [], csv: "melbourne-daily-min-temperatures.csv",
        syntheticSamples: 1997, flopsPerSample: lstmFlops(steps: 1, sizes: [(3, 4)])),
    Workload(
        name: "W2", summary: "A620 template net: LSTM 24/48/96/192 each + Dropout(0.2), Dense(1); 12 steps, batch 32, Adam, MAE; one epoch",
        build: { rng in
            try templateNetwork(&rng) { try LSTM(inputSize: $0, units: $1, returnSequences: $2, rng: &$3) }
        },
        steps: 12, features: 1, batch: 32, epochs: 1, timedBatches: nil, loss: .meanAbsoluteError,
        config: "a620-template-native.json", overrides: [], csv: "a620-hourly-temperature.csv",
        syntheticSamples: 8192, flopsPerSample: lstmFlops(steps: 12, sizes: [(1, 24), (24, 48), (48, 96), (96, 192)])),
    Workload(
        name: "W3", summary: "A620: 2 x LSTM(256) + Dense(1); 48 steps, batch 64, Adam, MSE; 32 batches",
        build: { rng in try Sequential([
            LSTM(inputSize: 1, units: 256, returnSequences: true, rng: &rng),
            LSTM(inputSize: 256, units: 256, returnSequences: false, rng: &rng),
            Dense(inputSize: 256, units: 1, rng: &rng)]) },
        steps: 48, features: 1, batch: 64, epochs: 1, timedBatches: 32, loss: .meanSquaredError,
        config: "a620-template-native.json", overrides: ["window.n_past_steps=48"], csv: "a620-hourly-temperature.csv",
        syntheticSamples: 2048, flopsPerSample: lstmFlops(steps: 48, sizes: [(1, 256), (256, 256)])),
    Workload(
        name: "W2-GRU", summary: "W2 with GRU layers (reset after): GRU 24/48/96/192 each + Dropout(0.2), Dense(1); 12 steps, batch 32, Adam, MAE; one epoch",
        build: { rng in
            try templateNetwork(&rng) { try GRU(inputSize: $0, units: $1, returnSequences: $2, rng: &$3) }
        },
        steps: 12, features: 1, batch: 32, epochs: 1, timedBatches: nil, loss: .meanAbsoluteError,
        config: "a620-template-native.json", overrides: [], csv: "a620-hourly-temperature.csv",
        syntheticSamples: 8192, flopsPerSample: lstmFlops(steps: 12, sizes: [(1, 24), (24, 48), (48, 96), (96, 192)], gates: 3), extra: true),
    Workload(
        name: "W2-RNN", summary: "W2 with SimpleRNN layers: SimpleRNN 24/48/96/192 each + Dropout(0.2), Dense(1); 12 steps, batch 32, Adam, MAE; one epoch",
        build: { rng in
            try templateNetwork(&rng) { try SimpleRNN(inputSize: $0, units: $1, returnSequences: $2, rng: &$3) }
        },
        steps: 12, features: 1, batch: 32, epochs: 1, timedBatches: nil, loss: .meanAbsoluteError,
        config: "a620-template-native.json", overrides: [], csv: "a620-hourly-temperature.csv",
        syntheticSamples: 8192, flopsPerSample: lstmFlops(steps: 12, sizes: [(1, 24), (24, 48), (48, 96), (96, 192)], gates: 1), extra: true),
]

struct Options {
    var json = false
    var synthetic = false
    var dataDir = "../shared/datasets"
    var configDir = "examples"
    var exportDir: String?
    var selected: Set<String> = []
    var package: String?
    var input: String?
}

/// W5: exports the tuning slice's train and validation samples (as `recur tune` prepares them).
func exportTuningSlice(options: Options) throws -> [String: Any] {
    guard let dir = options.exportDir else {
        throw TrainingError.invalidData("W5 only exports the tuning slice: give --export DIR")
    }
    let dataDir = options.dataDir.hasPrefix("/") ? options.dataDir
        : FileManager.default.currentDirectoryPath + "/" + options.dataDir
    let overrides = ["numeric_var=temp", "input_csv=\(dataDir)/a620-hourly-temperature.csv", "epochs=3",
                     "data.since=\"\(tuningSlice.since)\"", "data.until=\"\(tuningSlice.until)\""]
    let config = try RecurConfig.load(path: "\(dataDir)/seed-config-template.json", overrides: overrides)
    let data = try DataPreparation.prepare(config)
    guard let validation = data.validationSamples else {
        throw TrainingError.invalidData("W5: the template config gave no validation samples")
    }
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try writeNPY(data.trainSamples.x, to: "\(dir)/W5_train_x.npy")
    try writeNPY(data.trainSamples.y, to: "\(dir)/W5_train_y.npy")
    try writeNPY(validation.x, to: "\(dir)/W5_val_x.npy")
    try writeNPY(validation.y, to: "\(dir)/W5_val_y.npy")
    let meta: [String: Any] = [
        "workload": "W5", "batch": config.training.batchSize, "epochs": config.training.epochs,
        "steps": data.trainSamples.steps, "features": data.trainSamples.features, "loss": "mae",
        "samples": data.trainSamples.x.shape[0], "validation_samples": validation.x.shape[0],
        "since": tuningSlice.since, "until": tuningSlice.until, "overrides": overrides,
    ]
    let json = try JSONSerialization.data(withJSONObject: meta, options: [.sortedKeys])
    try json.write(to: URL(fileURLWithPath: "\(dir)/W5.json"))
    return meta
}

/// W4's phases in this process (best of `repeats`, milliseconds): loading the package (which
/// builds the architecture without random initialization), building it with its random
/// initialization (as training does; for comparison), reading and cleaning the input
/// whole or from its tail, and the 24-step forecast itself.
func predictPhases(package path: String, input: String, repeats: Int = 7) throws -> [String: Any] {
    func best(_ body: () throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-6)
        }
        return times.min()!
    }
    var package = try ModelPackage.load(path)
    let load = try best { package = try ModelPackage.load(path) }
    let build = try best { _ = try package.manifest.architecture.build(seed: package.manifest.training.seed) }
    let full = Forecaster(package: package, tailReadThreshold: Int.max), tail = Forecaster(package: package)
    let fullRead = try best { _ = try full.load(csv: input) }
    var a: Forecast?, b: Forecast?
    let fullForecast = try best { a = try full.forecast(csv: input, steps: 24) }
    let tailForecast = try best { b = try tail.forecast(csv: input, steps: 24) }
    let series = try full.load(csv: input).series
    let model = try best { _ = try full.forecast(series: series, steps: 24) }
    return ["workload": "W4-phases", "package_load_ms": load, "architecture_build_ms": build, "full_read_clean_ms": fullRead,
            "forecast_full_read_ms": fullForecast, "forecast_tail_read_ms": tailForecast, "model_24_steps_ms": model,
            "tail_equals_full": a == b]
}

/// The fixed A620 slice of W5.
let tuningSlice = (since: "2016-06-01", until: "2016-08-31")

var options = Options()
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let a = arguments.removeFirst()
    switch a {
    case "--json": options.json = true
    case "--synthetic": options.synthetic = true
    case "--data": options.dataDir = arguments.removeFirst()
    case "--configs": options.configDir = arguments.removeFirst()
    case "--export": options.exportDir = arguments.removeFirst()
    case "--package": options.package = arguments.removeFirst()
    case "--input": options.input = arguments.removeFirst()
    case "--help", "-h":
        print("usage: RecurBench [W1 W2 W3 W2-GRU W2-RNN ...] [--json] [--data DIR] [--configs DIR] [--export DIR] [--synthetic]\n       RecurBench W4-phases --package PKG --input CSV [--json]\n       RecurBench W5 --export DIR [--data DIR]")
        exit(0)
    default: options.selected.insert(a)
    }
}
// BLAS on one thread: the engine splits large layers across cores itself (Parallel,
// RECUR_THREADS, default 2 on this machine); RECUR_BLAS_THREADS=N gives BLAS N threads instead.
BLAS.setThreadCount(Int(ProcessInfo.processInfo.environment["RECUR_BLAS_THREADS"] ?? "") ?? 1)
let info = BLAS.info
let gflops1 = BLAS.measureGFLOPS(size: 1024)

/// GFLOP/s of the engine's packed recurrent product on one thread at W3's per-thread step shape
/// (32 rows of h [32, 256] times a packed recurrent kernel [256, 1024]) and of OpenBLAS's sgemm
/// on the same product, best of 5 x 200 each.
func measurePackedGFLOPS(m: Int = 32, n: Int = 1024, k: Int = 256) -> (packed: Double, openblas: Double) {
    var rng = RandomGenerator(seed: 1)
    let a = Tensor(shape: [m, k]), b = Tensor(shape: [k, n]), c = Tensor(shape: [m, n])
    rng.fillUniform(a, -1, 1)
    rng.fillUniform(b, -1, 1)
    let packed = PackedMatrix()
    packed.pack(b.data, ld: n, k: k, n: n)
    var best = (packed: 0.0, openblas: 0.0)
    for _ in 0..<5 {
        var start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<200 { packed.multiply(m: m, a: a.data, lda: k, c: c.data, ldc: n, accumulate: true) }
        var seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        best.packed = max(best.packed, 2 * Double(m * n * k) * 200 / seconds / 1e9)
        // The same product through OpenBLAS, as the layers ran it before (it packs B every call).
        start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<200 { BLAS.gemm(m: m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: n, beta: 1, c: c.data, ldc: n) }
        seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        best.openblas = max(best.openblas, 2 * Double(m * n * k) * 200 / seconds / 1e9)
    }
    return best
}
let (packedGflops, stepSgemmGflops) = measurePackedGFLOPS()
let cpu = CPUFeatures.current
var results: [[String: Any]] = []
if options.selected.contains("W4-phases") {
    do {
        guard let package = options.package, let input = options.input else {
            throw TrainingError.invalidData("W4-phases needs --package PKG --input CSV")
        }
        results.append(try predictPhases(package: package, input: input))
    } catch {
        FileHandle.standardError.write(Data("RecurBench W4-phases: \(error)\n".utf8))
        exit(1)
    }
}
if options.selected.contains("W5") {
    do {
        results.append(try exportTuningSlice(options: options))
    } catch {
        FileHandle.standardError.write(Data("RecurBench W5: \(error)\n".utf8))
        exit(1)
    }
}
for w in workloads where options.selected.isEmpty ? !w.extra : options.selected.contains(w.name) {
    let r: [String: Any]
    do {
        r = try run(w, options: options)
    } catch {
        FileHandle.standardError.write(Data("RecurBench \(w.name): \(error)\n".utf8))
        exit(1)
    }
    results.append(r)
    if !options.json {
        let rmse = (r["test_rmse"] as? Double).map { String(format: "  test RMSE %.3f", $0) } ?? ""
        print(String(format: "%@  %10.1f samples/s  %8.2f s  %6.1f GFLOP/s  loss %.4f%@  RSS %.0f MB | %@",
                     w.name, r["samples_per_second"] as! Double, r["seconds"] as! Double,
                     r["achieved_gflops"] as! Double, r["final_loss"] as! Double, rmse,
                     r["peak_rss_mb"] as! Double, w.summary))
    }
}
let machine = "\(cpu.modelName) (\(cpu.architecture), \(cpu.logicalCores) cores)"
if options.json {
    let object: [String: Any] = [
        "machine": machine, "blas": info.config, "blas_library": info.library, "kernels": info.kernels,
        "engine_kernels": KernelLevel.current.name, "packed_gemm_gflops_1thread": packedGflops,
        "step_sgemm_gflops_1thread": stepSgemmGflops,
        "blas_threads": BLAS.threadCount, "engine_threads": Parallel.threadCount,
        "sgemm_1024_gflops_1thread": gflops1, "workloads": results,
    ]
    let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    print(String(decoding: data, as: UTF8.self))
} else {
    print(String(format: "machine: %@; BLAS %@; kernels %@; engine kernels %@; BLAS threads %d, engine threads %d; sgemm 1024^3: %.1f GFLOP/s (1 thread); packed recurrent product 32x256x1024: %.1f GFLOP/s (OpenBLAS on it: %.1f; 1 thread)",
                 machine, info.library, info.kernels, KernelLevel.current.name, BLAS.threadCount, Parallel.threadCount, gflops1, packedGflops, stepSgemmGflops))
}
