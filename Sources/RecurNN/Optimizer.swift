import Foundation
import RecurTensor

/// Which framework's formulation an optimizer follows where PyTorch and Keras differ (mostly
/// where epsilon goes). Each optimizer documents the difference.
public enum OptimizerStyle: String, Sendable, CaseIterable {
    /// Keras 3 (`keras.optimizers.*`).
    case keras
    /// PyTorch (`torch.optim.*`).
    case torch
}

/// The two regularisation options, which are different things:
///
/// - `l2` is a penalty `l2 * Σ w²` over every kernel and recurrent kernel, part of the loss.
///   Its gradient `2 * l2 * w` is added to the gradients before clipping and before the
///   update, so adaptive optimizers rescale it like any other gradient. `Optimizer.penalty`
///   gives its value so that a reported loss can include it (Keras's `kernel_regularizer=l2`).
/// - `weightDecay` is decoupled decay (Loshchilov & Hutter, PyTorch `AdamW`): before the
///   update, `w -= learningRate * weightDecay * w` for every kernel and recurrent kernel.
///
/// For plain SGD they coincide when `weightDecay == 2 * l2`; for Adam they differ.
/// Biases (`ParameterRole.bias`) are never penalised or decayed.
public struct Regularization: Sendable, Equatable {
    /// The L2 penalty factor λ (loss += λ Σ w²).
    public var l2: Float
    /// The decoupled weight decay factor.
    public var weightDecay: Float

    public init(l2: Float = 0, weightDecay: Float = 0) {
        self.l2 = l2
        self.weightDecay = weightDecay
    }

    /// No regularisation.
    public static let none = Regularization()
}

/// The shared base of all optimizers: hyperparameter validation, regularisation, clipping
/// and moment buffers. Subclasses differ only in `update`, their rule over the flat buffers.
///
/// An optimizer belongs to one `ParameterSet`: it keeps its moments in flat buffers
/// (`[count]` each) with the set's layout, created on the first `step`.
///
/// A step, in order: check the learning rate and that every gradient is finite (else throw,
/// nothing changed); add the L2 penalty's gradient; clip; apply decoupled weight decay; apply
/// the update rule. The step count `t` (for bias corrections) starts at 1.
public class Optimizer {
    /// The config name: `sgd`, `rmsprop`, `adam`, `adamw`, `adadelta`, `adagrad`.
    public let name: String
    /// The learning rate; may change between steps (schedules, reduce-on-plateau). A negative
    /// or non-finite value makes the next `step` throw.
    public var learningRate: Float
    /// L2 penalty and decoupled weight decay.
    public let regularization: Regularization
    /// Gradient clipping, applied before the update.
    public let clipping: GradientClipping
    /// Steps taken so far.
    public private(set) var stepCount = 0
    /// The moment buffers, `[count]` each, in the parameter set's layout; empty before the
    /// first step.
    public private(set) var moments: [Tensor] = []

    init(name: String, learningRate: Float, regularization: Regularization, clipping: GradientClipping) throws {
        self.name = name
        self.learningRate = learningRate
        self.regularization = regularization
        self.clipping = clipping
        try Optimizer.require(learningRate.isFinite && learningRate >= 0, name, "learningRate", learningRate,
                              "a finite number >= 0")
        try Optimizer.require(regularization.l2.isFinite && regularization.l2 >= 0, name, "l2", regularization.l2,
                              "a finite number >= 0")
        try Optimizer.require(regularization.weightDecay.isFinite && regularization.weightDecay >= 0, name,
                              "weightDecay", regularization.weightDecay, "a finite number >= 0")
        try clipping.validate(owner: name)
    }

    /// Throws `NNError.invalidArgument` naming this optimizer unless `condition` holds.
    static func require(_ condition: Bool, _ owner: String, _ argument: String, _ value: Float,
                        _ expected: String) throws {
        if !condition {
            throw NNError.invalidArgument(layer: owner, argument: argument, value: "\(value)", expected: expected)
        }
    }

    // MARK: Subclass hooks

    /// How many moment buffers the rule needs.
    var momentCount: Int { 0 }

    /// Sets the moment buffers' initial values (zero unless overridden).
    func initializeMoments() {}

    /// The update rule over the flat buffers: `w` `[n]` values, `g` `[n]` gradients (already
    /// regularised and clipped), `lr` the learning rate, `t` the step number (1-based).
    func update(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int, lr: Float, t: Int) {}

    /// The hyperparameters, for manifests and logs.
    public var hyperparameters: [String: Double] {
        var h: [String: Double] = ["learning_rate": Double(learningRate)]
        if regularization.l2 != 0 { h["l2"] = Double(regularization.l2) }
        if regularization.weightDecay != 0 { h["weight_decay"] = Double(regularization.weightDecay) }
        if let n = clipping.globalNorm { h["clip_global_norm"] = Double(n) }
        if let v = clipping.value { h["clip_value"] = Double(v) }
        return h
    }

    // MARK: Stepping

    /// The L2 penalty `l2 * Σ w²` over the set's kernels and recurrent kernels (0 without L2).
    public func penalty(_ set: ParameterSet) -> Float {
        let l2 = regularization.l2
        guard l2 != 0 else { return 0 }
        var sum = 0.0
        for p in set.parameters where p.role.isDecayed {
            sum += Kernels.sumOfSquares(p.value.count, p.value.data)
        }
        return Float(Double(l2) * sum)
    }

    /// One update of every parameter in `set` from its gradient (see the type's notes).
    /// The gradient buffer is modified (penalty gradient added, clipped).
    /// - Throws: `NNError.nonFinite` for a NaN or infinite gradient, `NNError.invalidArgument`
    ///   for a bad learning rate or a set of another size than the one the moments were made
    ///   for; in every case no parameter or moment has changed.
    public func step(_ set: ParameterSet) throws {
        try Optimizer.require(learningRate.isFinite && learningRate >= 0, name, "learningRate", learningRate,
                              "a finite number >= 0")
        if let i = set.gradients.firstNonFinite() {
            var k = 0
            while k + 1 < set.offsets.count && set.offsets[k + 1] <= i { k += 1 }
            let p = set.parameters[k]
            throw NNError.nonFinite(what: "\(name): gradient of parameter #\(k) '\(p.name)'",
                                    index: p.gradient.multiIndex(of: i - set.offsets[k]), value: set.gradients[i])
        }
        let n = set.count
        if moments.isEmpty && momentCount > 0 {
            moments = (0..<momentCount).map { _ in Tensor(shape: [n]) }
            initializeMoments()
        } else if let first = moments.first, first.count != n {
            throw NNError.invalidArgument(layer: name, argument: "parameter set", value: "\(n) parameters",
                                          expected: "the set of \(first.count) parameters this optimizer was used with")
        }
        let lr = learningRate
        let l2 = regularization.l2, decay = regularization.weightDecay
        if l2 != 0 {
            for p in set.parameters where p.role.isDecayed {
                Kernels.axpy(p.value.count, 2 * l2, p.value.data, p.gradient.data)
            }
        }
        clipping.apply(to: set.gradients)
        if decay != 0 {
            let factor = 1 - lr * decay
            for p in set.parameters where p.role.isDecayed {
                Kernels.scale(p.value.count, factor, p.value.data)
            }
        }
        stepCount += 1
        update(set.values.data, set.gradients.data, n, lr: lr, t: stepCount)
    }

    /// Forgets the moments and the step count (the next step starts afresh).
    public func reset() {
        moments = []
        stepCount = 0
    }

    // MARK: Factory

    /// The names `Optimizer.named` accepts.
    public static let acceptedNames = ["sgd", "rmsprop", "adam", "adamw", "adadelta", "adagrad"]

    /// An optimizer from its config name (case-insensitive) with its default hyperparameters
    /// (Keras's; see each class), optionally another learning rate.
    /// - Throws: `NNError.invalidArgument` for an unknown name or invalid values.
    public static func named(_ name: String, learningRate: Float? = nil, regularization: Regularization = .none,
                             clipping: GradientClipping = .none) throws -> Optimizer {
        switch name.lowercased() {
        case "sgd":
            return try SGD(learningRate: learningRate ?? 0.01, regularization: regularization, clipping: clipping)
        case "rmsprop":
            return try RMSprop(learningRate: learningRate ?? 0.001, regularization: regularization, clipping: clipping)
        case "adam":
            return try Adam(learningRate: learningRate ?? 0.001, regularization: regularization, clipping: clipping)
        case "adamw":
            var r = regularization
            if r.weightDecay == 0 { r.weightDecay = AdamW.defaultWeightDecay }
            return try AdamW(learningRate: learningRate ?? 0.001, weightDecay: r.weightDecay, l2: r.l2,
                             clipping: clipping)
        case "adadelta":
            return try Adadelta(learningRate: learningRate ?? 0.001, regularization: regularization, clipping: clipping)
        case "adagrad":
            return try Adagrad(learningRate: learningRate ?? 0.001, regularization: regularization, clipping: clipping)
        default:
            throw NNError.invalidArgument(layer: "optimizer", argument: "name", value: name,
                                          expected: "one of \(acceptedNames.joined(separator: ", "))")
        }
    }
}
