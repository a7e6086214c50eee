import Foundation
import RecurTrain

/// The fixed A620 slice of W5.
let tuningSlice = (since: "2016-06-01", until: "2016-08-31")

/// W5: exports the tuning slice's train and validation samples, as `recur tune` prepares them
/// from the template config (numeric_var=temp, 3 epochs), for scripts/bench_peer_tune.py.
func exportTuningSlice(options: BenchOptions) throws -> TuningSliceExport {
    guard let dir = options.exportDir else {
        throw TrainingError.invalidData("W5 only exports the tuning slice: give --export DIR")
    }
    let dataDir = options.absoluteDataDir
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
    let meta = TuningSliceExport(batch: config.training.batchSize, epochs: config.training.epochs,
                                 steps: data.trainSamples.steps, features: data.trainSamples.features,
                                 samples: data.trainSamples.count, validationSamples: validation.count,
                                 since: tuningSlice.since, until: tuningSlice.until, overrides: overrides)
    try writeJSON(meta, to: "\(dir)/W5.json")
    return meta
}
