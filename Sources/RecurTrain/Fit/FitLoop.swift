import Foundation
import RecurNN
import RecurTensor

/// Settings of a fit that are not callbacks.
public struct FitOptions: Sendable {
    /// Passes over the training samples (≥ 1).
    public var epochs: Int
    /// Samples per batch (≥ 1); the last batch of an epoch may be smaller (as Keras).
    public var batchSize: Int
    /// Whether the sample order is reshuffled every epoch (seeded).
    public var shuffle: Bool
    /// Seed of the shuffling generator.
    public var seed: UInt64
    /// Validate every this many epochs (and always after the last).
    public var validationEvery: Int

    public init(epochs: Int, batchSize: Int = 32, shuffle: Bool = true, seed: UInt64 = 42, validationEvery: Int = 1) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.validationEvery = validationEvery
    }
}

/// The fit loop: epochs of shuffled mini-batches through a `BatchTrainer`, validation loss
/// per epoch, callbacks after each batch and epoch.
public enum FitLoop {
    /// Trains `trainer.model` on `train`, validating on `validation` when given.
    /// - Returns: the history (with `bestEpoch` set by early stopping when it restored weights).
    /// - Throws: `TrainingError.nonFiniteLoss` when a batch loss is NaN/Inf (after the
    ///   callbacks' `trainingDidEnd`, so a checkpoint already on disk is kept as it is);
    ///   errors from callbacks (I/O).
    public static func fit(
        _ trainer: BatchTrainer, train: SampleSet, validation: SampleSet?, options: FitOptions,
        callbacks: [TrainingCallback] = [], checkpointPath: String? = nil,
        validationMetrics: ((Sequential) throws -> [String: Double])? = nil
    ) throws -> TrainingHistory {
        guard options.epochs >= 1 else { throw TrainingError.invalidData("epochs must be >= 1, got \(options.epochs)") }
        guard options.batchSize >= 1 else { throw TrainingError.invalidData("batch_size must be >= 1, got \(options.batchSize)") }
        guard train.count >= 1 else { throw TrainingError.invalidData("no training samples") }
        let model = trainer.model, optimizer = trainer.optimizer
        var rng = RandomGenerator(seed: options.seed)
        let assembler = BatchAssembler()
        var history = TrainingHistory()
        let start = Date()
        for callback in callbacks { try callback.trainingWillBegin(model: model, optimizer: optimizer) }
        var order = Array(0..<train.count)
        let batches = (train.count + options.batchSize - 1) / options.batchSize
        epochs: for epoch in 1...options.epochs {
            let epochStart = Date()
            if options.shuffle { order = rng.permutation(train.count) }
            let learningRate = Double(optimizer.learningRate)
            var total = 0.0
            for b in 0..<batches {
                let lower = b * options.batchSize, upper = min(lower + options.batchSize, train.count)
                assembler.fill(from: train, indices: order[lower..<upper])
                let loss: Float
                do {
                    loss = try trainer.step(input: assembler.x, target: assembler.y)
                } catch let NNError.nonFinite(what, _, value) where what.contains("loss") || what.contains("gradient") {
                    history.stopReason = "non_finite_loss"
                    history.seconds = Date().timeIntervalSince(start)
                    for callback in callbacks { try? callback.trainingDidEnd(history: &history, model: model) }
                    throw TrainingError.nonFiniteLoss(epoch: epoch, batch: b + 1, value: value, checkpoint: checkpointPath)
                }
                total += Double(loss) * Double(upper - lower)
                for callback in callbacks { callback.batchDidEnd(epoch: epoch, batch: b + 1, of: batches, loss: loss) }
            }
            var validationLoss: Double?
            var metrics: [String: Double]?
            if let validation, validation.count > 0,
               epoch % max(options.validationEvery, 1) == 0 || epoch == options.epochs {
                validationLoss = try evaluate(trainer, on: validation, batchSize: max(options.batchSize, 256), assembler: assembler)
                metrics = try validationMetrics?(model)
            }
            let record = EpochRecord(epoch: epoch, loss: total / Double(train.count), validationLoss: validationLoss,
                                     learningRate: learningRate, seconds: Date().timeIntervalSince(epochStart), metrics: metrics)
            history.epochs.append(record)
            var stop: String?
            for callback in callbacks {
                if case let .stop(reason) = try callback.epochDidEnd(record, model: model, optimizer: optimizer), stop == nil {
                    stop = reason
                }
            }
            if let stop {
                history.stopReason = stop
                break epochs
            }
        }
        history.seconds = Date().timeIntervalSince(start)
        for callback in callbacks { try callback.trainingDidEnd(history: &history, model: model) }
        return history
    }

    /// The mean loss over `samples` in inference mode (no dropout), batched.
    public static func evaluate(_ trainer: BatchTrainer, on samples: SampleSet, batchSize: Int = 256) throws -> Double {
        try evaluate(trainer, on: samples, batchSize: batchSize, assembler: BatchAssembler())
    }

    static func evaluate(_ trainer: BatchTrainer, on samples: SampleSet, batchSize: Int, assembler: BatchAssembler) throws -> Double {
        var total = 0.0
        var lower = 0
        let indices = Array(0..<samples.count)
        while lower < samples.count {
            let upper = min(lower + batchSize, samples.count)
            assembler.fill(from: samples, indices: indices[lower..<upper])
            total += Double(try trainer.evaluate(input: assembler.x, target: assembler.y)) * Double(upper - lower)
            lower = upper
        }
        return total / Double(samples.count)
    }

    /// Model outputs for every sample, `[N, H·Q]` (scaled units; `Q` outputs per target value,
    /// 1 except for a quantile model), in batches.
    public static func predict(_ model: Sequential, _ samples: SampleSet, batchSize: Int = 256) throws -> Tensor {
        var out: Tensor?
        var width = samples.outputs
        let assembler = BatchAssembler()
        let indices = Array(0..<samples.count)
        var lower = 0
        while lower < samples.count {
            let upper = min(lower + batchSize, samples.count)
            assembler.fill(from: samples, indices: indices[lower..<upper])
            let y = try model.forward(assembler.x, training: false)
            if out == nil { width = y.count / (upper - lower) }
            guard y.count == (upper - lower) * width, width % samples.outputs == 0, width > 0 else {
                throw TrainingError.invalidData("model output \(y.shape) does not match targets of \(samples.outputs) values per sample")
            }
            if out == nil { out = Tensor(shape: [samples.count, width]) }
            (out!.data + lower * width).update(from: y.data, count: y.count)
            lower = upper
        }
        return out ?? Tensor(shape: [samples.count, samples.outputs])
    }
}
