import Foundation
import RecurData
import RecurNN
import RecurTensor
import RecurTrain
#if canImport(Glibc)
import Glibc
#endif

/// A workload's prepared samples: exactly what `recur train` prepares (RecurTrain's
/// `DataPreparation`), or a synthetic series of the same shapes.
struct PreparedWorkload {
    var train: SampleSet
    var test: SampleSet?
    var scaler: Scaler?
}

/// A noisy daily-and-yearly sine, windowed into `[samples, steps, features]` → `[samples, 1]`.
func syntheticSamples(samples: Int, steps: Int, features: Int, seed: UInt64) throws -> SampleSet {
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
    return try SampleSet(x: try Tensor(shape: [samples, steps, features], values: x), y: try Tensor(shape: [samples, 1], values: y))
}

/// The first `count` samples of `set` (a copy).
func prefix(_ set: SampleSet, _ count: Int) throws -> SampleSet {
    guard count < set.count else { return set }
    let xSize = set.steps * set.features, ySize = set.outputs
    let x = Tensor(shape: [count, set.steps, set.features]), y = Tensor(shape: [count, ySize])
    x.data.update(from: set.x.data, count: count * xSize)
    y.data.update(from: set.y.data, count: count * ySize)
    return try SampleSet(x: x, y: y)
}

func prepare(_ w: Workload, options: BenchOptions) throws -> PreparedWorkload {
    if options.synthetic {
        return PreparedWorkload(train: try syntheticSamples(samples: w.syntheticSamples, steps: w.steps, features: w.features, seed: 7))
    }
    let overrides = ["data.path=\(options.absoluteDataDir)/\(w.csv)"] + w.overrides
    let config = try RecurConfig.load(path: "\(options.configDir)/\(w.config)", overrides: overrides)
    let data = try DataPreparation.prepare(config)
    guard data.trainSamples.steps == w.steps && data.trainSamples.features == w.features else {
        throw TrainingError.invalidData("\(w.name): prepared samples are \(data.trainSamples.x.shape), expected [N, \(w.steps), \(w.features)]")
    }
    return PreparedWorkload(train: data.trainSamples, test: data.testSamples, scaler: data.scaler)
}

/// Writes the workload's prepared arrays and settings for scripts/bench_peers.py.
func export(_ w: Workload, _ data: PreparedWorkload, to dir: String) throws {
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try writeNPY(data.train.x, to: "\(dir)/\(w.name)_train_x.npy")
    try writeNPY(data.train.y, to: "\(dir)/\(w.name)_train_y.npy")
    if w.reportsTestRMSE, let test = data.test {
        try writeNPY(test.x, to: "\(dir)/\(w.name)_test_x.npy")
        try writeNPY(test.y, to: "\(dir)/\(w.name)_test_y.npy")
    }
    let meta = ExportedWorkload(workload: w.name, batch: w.batch, epochs: w.epochs, steps: w.steps, features: w.features,
                                loss: w.loss.name, samples: data.train.count, timedBatches: w.timedBatches,
                                targetOffset: data.scaler?.offset[0], targetScale: data.scaler?.scale[0])
    try writeJSON(meta, to: "\(dir)/\(w.name).json")
}

/// The process's peak resident memory so far, MB.
func peakRSSMegabytes() -> Double {
    var usage = rusage()
    _ = getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// Trains the workload through the product's own `FitLoop` (shuffled batches, seeded, as
/// `recur train` runs them) and times it. One warm-up fit of a single batch first sizes the
/// workspaces, as a long training run amortises them.
func trainWorkload(_ w: Workload, options: BenchOptions) throws -> TrainingResult {
    let data = try prepare(w, options: options)
    if let dir = options.exportDir { try export(w, data, to: dir) }
    let train = try w.timedBatches.map { try prefix(data.train, $0 * w.batch) } ?? data.train
    var rng = RandomGenerator(seed: 42)
    let model = try w.build(&rng)
    let trainer = BatchTrainer(model: model, loss: w.loss, optimizer: try Optimizer.named("adam"))
    _ = try FitLoop.fit(trainer, train: try prefix(train, w.batch), validation: nil,
                        options: FitOptions(epochs: 1, batchSize: w.batch, shuffle: false))
    let t0 = DispatchTime.now().uptimeNanoseconds
    let history = try FitLoop.fit(trainer, train: train, validation: nil,
                                  options: FitOptions(epochs: w.epochs, batchSize: w.batch, shuffle: true, seed: 42))
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
    let trained = w.epochs * train.count
    var result = TrainingResult(
        workload: w.name, summary: w.summary, seconds: seconds, samples: trained,
        samplesPerSecond: Double(trained) / seconds, finalLoss: history.epochs.last?.loss ?? .nan,
        achievedGflops: w.flopsPerSample * Double(trained) / seconds / 1e9, parameters: model.parameterCount,
        epochs: w.epochs, batchesPerEpoch: (train.count + w.batch - 1) / w.batch,
        trainSamplesAvailable: data.train.count, data: options.synthetic ? "synthetic" : "real",
        testRMSE: nil, peakRSSMegabytes: 0)
    if w.reportsTestRMSE, let test = data.test, let scaler = data.scaler {
        let scaled = try model.predict(test.x).scalars
        let pred = scaler.inverseTransformTarget(scaled), truth = scaler.inverseTransformTarget(test.y.scalars)
        result.testRMSE = ForecastMetrics.rmse(pred, truth)
    }
    result.peakRSSMegabytes = peakRSSMegabytes()
    return result
}
