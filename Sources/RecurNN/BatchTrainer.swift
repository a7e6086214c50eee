import RecurTensor

/// Trains a `Sequential` one batch at a time (Keras's `train_on_batch`): forward in training
/// mode, loss and its gradient, backward, optimizer step.
///
/// The gradient of the loss lives in a workspace reused from batch to batch, so a step
/// allocates nothing once shapes repeat. The fit loop with callbacks is built on this.
public final class BatchTrainer {
    /// The model being trained.
    public let model: Sequential
    /// The loss minimised.
    public let loss: Loss
    /// The optimizer that updates `model.parameters`.
    public let optimizer: Optimizer
    private let dPrediction = Tensor(shape: [0])  // shape of the model output

    /// A trainer for `model`.
    public init(model: Sequential, loss: Loss, optimizer: Optimizer) {
        self.model = model
        self.loss = loss
        self.optimizer = optimizer
    }

    /// One optimisation step on a batch.
    /// - Parameters:
    ///   - input: `[B, T, F]` (or `[B, F]` for a dense-only model), batch-major.
    ///   - target: the shape of the model's output, `[B, U]` or `[B, T, U]`.
    /// - Returns: the batch's loss before the update, plus the L2 penalty when one is set.
    /// - Throws: shape errors, `NNError.nonFinite` for NaN/Inf in inputs, targets, loss or
    ///   gradients; the parameters are unchanged when it throws.
    @discardableResult
    public func step(input: Tensor, target: Tensor) throws -> Float {
        let prediction = try model.forward(input, training: true)
        dPrediction.resize(prediction.shape)
        let value = try Profiler.measure(.loss) {
            try loss.valueAndGradient(prediction: prediction, target: target, into: dPrediction)
        }
        guard value.isFinite else {
            throw NNError.nonFinite(what: "\(loss.name) loss", index: [], value: value)
        }
        let penalty = optimizer.penalty(model.parameters)
        model.parameters.zeroGradients()
        _ = model.backward(dPrediction)
        try Profiler.measure(.optimizer) { try optimizer.step(model.parameters) }
        return value + penalty
    }

    /// The loss of the model on a batch in inference mode (no dropout, no update).
    public func evaluate(input: Tensor, target: Tensor) throws -> Float {
        let prediction = try model.forward(input, training: false)
        return try loss.value(prediction: prediction, target: target)
    }
}
