// RecurBench: training throughput of the engine on the workloads of DESIGN.md section 4.
//
// Usage: swift run -c release RecurBench [W1 W2 W3 ...] [--json]
//
// Data: synthetic series of the same shapes as the real workloads (a noisy daily/annual
// sine), so this runs on a fresh clone without ../shared. Each workload trains through
// `BatchTrainer` exactly as the product does: forward, loss, backward, optimizer step.
// The sgemm GFLOP/s and the BLAS kernels are printed next to the model figures.
import Foundation
import RecurNN
import RecurTensor

struct Workload {
    let name: String
    let summary: String
    /// Builds the model with the given generator.
    let build: (inout RandomGenerator) throws -> Sequential
    let steps: Int
    let features: Int
    let batch: Int
    let samples: Int
    let epochs: Int
    let loss: Loss
    /// Forward+backward floating-point operations per training sample (for achieved GFLOP/s).
    let flopsPerSample: Double
}

/// Training FLOPs per sample of an LSTM stack: forward 2*(in+H)*4H per step, backward twice that.
func lstmFlops(steps: Int, sizes: [(input: Int, units: Int)]) -> Double {
    sizes.reduce(0.0) { $0 + 3 * 2 * Double(steps) * Double($1.input + $1.units) * Double(4 * $1.units) }
}

func syntheticWindows(samples: Int, steps: Int, features: Int, seed: UInt64) -> (x: [Float], y: [Float]) {
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
    return (x, y)
}

func run(_ w: Workload) throws -> [String: Any] {
    var rng = RandomGenerator(seed: 42)
    let model = try w.build(&rng)
    let optimizer = try Optimizer.named("adam")
    let trainer = BatchTrainer(model: model, loss: w.loss, optimizer: optimizer)
    let data = syntheticWindows(samples: w.samples, steps: w.steps, features: w.features, seed: 7)
    let batchCount = w.samples / w.batch
    // Batches are prepared up front, as the fit loop does, so the timed loop only trains.
    var inputs: [Tensor] = [], targets: [Tensor] = []
    let sampleSize = w.steps * w.features
    for b in 0..<batchCount {
        let xs = Array(data.x[(b * w.batch * sampleSize)..<((b + 1) * w.batch * sampleSize)])
        inputs.append(try Tensor(shape: [w.batch, w.steps, w.features], values: xs))
        targets.append(try Tensor(shape: [w.batch, 1], values: Array(data.y[(b * w.batch)..<((b + 1) * w.batch)])))
    }
    _ = try trainer.step(input: inputs[0], target: targets[0])  // warm-up: workspaces sized
    var lastLoss: Float = 0
    let t0 = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<w.epochs {
        for b in 0..<batchCount { lastLoss = try trainer.step(input: inputs[b], target: targets[b]) }
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
    let trained = Double(batchCount * w.batch * w.epochs)
    return [
        "workload": w.name, "summary": w.summary, "seconds": seconds, "samples": trained,
        "samples_per_second": trained / seconds, "final_loss": Double(lastLoss),
        "achieved_gflops": w.flopsPerSample * trained / seconds / 1e9,
        "parameters": model.parameterCount,
    ]
}

let workloads: [Workload] = [
    Workload(
        name: "W1", summary: "LSTM(4) + Dense(1), lag 3 as 1 step x 3 features, batch 1, 25 epochs, Adam, MSE (Melbourne scheme 1 shape)",
        build: { rng in try Sequential([
            LSTM(inputSize: 3, units: 4, returnSequences: false, rng: &rng),
            Dense(inputSize: 4, units: 1, rng: &rng)]) },
        steps: 1, features: 3, batch: 1, samples: 1997, epochs: 25, loss: .meanSquaredError,
        flopsPerSample: lstmFlops(steps: 1, sizes: [(3, 4)])),
    Workload(
        name: "W2", summary: "LSTM 24/48/96/192 each + Dropout(0.2), Dense(1); 12 steps, batch 32, Adam, MAE (template net)",
        build: { rng in
            var layers: [Layer] = []
            var input = 1
            for (i, units) in [24, 48, 96, 192].enumerated() {
                layers.append(try LSTM(inputSize: input, units: units, returnSequences: i < 3, rng: &rng))
                layers.append(try Dropout(size: units, rate: 0.2, seed: UInt64(i + 1)))
                input = units
            }
            layers.append(try Dense(inputSize: 192, units: 1, rng: &rng))
            return try Sequential(layers)
        },
        steps: 12, features: 1, batch: 32, samples: 8192, epochs: 1, loss: .meanAbsoluteError,
        flopsPerSample: lstmFlops(steps: 12, sizes: [(1, 24), (24, 48), (48, 96), (96, 192)])),
    Workload(
        name: "W3", summary: "2 x LSTM(256) + Dense(1); 48 steps, batch 64, Adam, MSE",
        build: { rng in try Sequential([
            LSTM(inputSize: 1, units: 256, returnSequences: true, rng: &rng),
            LSTM(inputSize: 256, units: 256, returnSequences: false, rng: &rng),
            Dense(inputSize: 256, units: 1, rng: &rng)]) },
        steps: 48, features: 1, batch: 64, samples: 1024, epochs: 1, loss: .meanSquaredError,
        flopsPerSample: lstmFlops(steps: 48, sizes: [(1, 256), (256, 256)])),
]

let arguments = CommandLine.arguments.dropFirst()
let asJSON = arguments.contains("--json")
let selected = Set(arguments.filter { !$0.hasPrefix("--") })
let threads = Int(ProcessInfo.processInfo.environment["RECUR_THREADS"] ?? "") ?? 1
BLAS.setThreadCount(threads)
let info = BLAS.info
let gflops1 = BLAS.measureGFLOPS(size: 1024)
let cpu = CPUFeatures.current
var results: [[String: Any]] = []
for w in workloads where selected.isEmpty || selected.contains(w.name) {
    let r = try run(w)
    results.append(r)
    if !asJSON {
        print(String(format: "%@  %10.1f samples/s  %8.2f s  %6.1f GFLOP/s  loss %.4f  | %@",
                     w.name, r["samples_per_second"] as! Double, r["seconds"] as! Double,
                     r["achieved_gflops"] as! Double, r["final_loss"] as! Double, w.summary))
    }
}
if asJSON {
    let object: [String: Any] = [
        "machine": "\(cpu.modelName) (\(cpu.architecture), \(cpu.logicalCores) cores)",
        "blas": info.config, "kernels": info.kernels, "threads": threads,
        "sgemm_1024_gflops_1thread": gflops1, "workloads": results,
    ]
    let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    print(String(decoding: data, as: UTF8.self))
} else {
    print(String(format: "machine: %@ (%@, %d cores); BLAS %@; kernels %@; %d thread(s); sgemm 1024^3: %.1f GFLOP/s (1 thread)",
                 cpu.modelName, cpu.architecture, cpu.logicalCores, info.library, info.kernels, threads, gflops1))
}
