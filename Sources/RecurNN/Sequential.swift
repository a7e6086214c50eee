import RecurTensor

/// A stack of layers run one after the other, with a **batch-major** interface.
///
/// Inputs are `[B, T, F]` for a model with a recurrent layer (or any rank-3 input) and
/// `[B, F]` for a dense-only model. Inside, the engine works time-major: `forward` transposes
/// the input once into a reused `[T, B, F]` workspace, runs the layers, and transposes a
/// sequence output back to `[B, T, U]`; a `[B, U]` output is returned as it is. `backward`
/// mirrors this and returns `dInput` batch-major. Nothing is allocated when shapes repeat.
///
/// Returned tensors are workspaces (the model's or the last layer's), valid until the next
/// call: copy them to keep them.
///
/// The model owns one `ParameterSet` of all layers' parameters (in layer order, each layer's
/// in Keras order), so an optimizer step is one loop over a flat buffer.
public final class Sequential {
    /// The layers, in order.
    public let layers: [Layer]
    /// Every layer's parameters in two flat buffers (values and gradients).
    public let parameters: ParameterSet
    /// The model's name (Keras: `sequential`).
    public var name: String

    /// Whether a recurrent layer is present, i.e. whether inputs are sequences `[B, T, F]`.
    public let isSequenceModel: Bool
    /// Whether the output is a sequence `[B, T, U]` (given a sequence input).
    public let returnsSequences: Bool

    private let timeMajorInput = Tensor(shape: [0])     // [T, B, F]
    private let batchMajorOutput = Tensor(shape: [0])   // [B, T, U]
    private let timeMajorDOutput = Tensor(shape: [0])   // [T, B, U]
    private let batchMajorDInput = Tensor(shape: [0])   // [B, T, F]
    private let lossGradient = Tensor(shape: [0])       // the output's shape
    private var lastInputWasSequence = false
    private var lastOutputWasSequence = false

    /// Builds a model from `layers`, checking that they connect and giving repeated names
    /// Keras-style suffixes (`lstm`, `lstm_1`, `lstm_2`, ...).
    /// - Throws: `NNError.shapeMismatch` naming the layer when a layer's `inputSize` differs
    ///   from the previous layer's `outputSize`, or when a recurrent layer follows a layer
    ///   whose output is no longer a sequence; `NNError.invalidArgument` for no layers.
    public init(_ layers: [Layer], name: String = "sequential") throws {
        guard !layers.isEmpty else {
            throw NNError.invalidArgument(layer: name, argument: "layers", value: "[]", expected: "at least one layer")
        }
        guard Set(layers.map { ObjectIdentifier($0) }).count == layers.count else {
            throw NNError.invalidArgument(layer: name, argument: "layers", value: "the same layer object twice",
                                          expected: "distinct layer objects")
        }
        var used = Set<String>()
        for layer in layers {
            var candidate = layer.name
            if used.contains(candidate) {
                var k = 1
                while used.contains("\(layer.name)_\(k)") { k += 1 }
                candidate = "\(layer.name)_\(k)"
            }
            layer.name = candidate
            used.insert(candidate)
        }
        var isSequence = true
        var previous: Layer?
        for layer in layers {
            if let previous, layer.inputSize != previous.outputSize {
                throw NNError.shapeMismatch(
                    layer: "\(layer.name) (\(layer.kind))",
                    expected: "inputSize \(previous.outputSize), the output size of \(previous.name) (\(previous.kind))",
                    got: [layer.inputSize])
            }
            if let recurrent = layer as? RecurrentLayer {
                if !isSequence, let previous {
                    throw NNError.shapeMismatch(
                        layer: "\(layer.name) (\(layer.kind))",
                        expected: "a sequence [T, B, \(layer.inputSize)], but \(previous.name) returns only the last step [B, \(previous.outputSize)] (set returnSequences on the recurrent layer before it)",
                        got: [previous.outputSize])
                }
                isSequence = recurrent.returnSequences
            }
            previous = layer
        }
        self.layers = layers
        self.name = name
        self.isSequenceModel = layers.contains { $0 is RecurrentLayer }
        self.returnsSequences = isSequence
        self.parameters = ParameterSet(layers.flatMap(\.parameters))
    }

    /// Convenience: `Sequential([a, b, c])` as `Sequential(a, b, c)`.
    public convenience init(_ layers: Layer...) throws { try self.init(layers) }

    /// Features per step (or row) of the input.
    public var inputSize: Int { layers[0].inputSize }
    /// Features per step (or row) of the output.
    public var outputSize: Int { layers[layers.count - 1].outputSize }
    /// The number of scalar parameters.
    public var parameterCount: Int { parameters.count }

    /// The layers that hold parameters, in order.
    public var parametrisedLayers: [Layer] { layers.filter { !$0.parameters.isEmpty } }

    /// `<layer name>/<parameter name>` for every parameter, in `parameters` order
    /// (the names weight files use).
    public var parameterNames: [String] {
        layers.flatMap { layer in layer.parameters.map { "\(layer.name)/\($0.name)" } }
    }

    /// The batch-major output shape for a batch-major input shape.
    /// - Throws: `NNError.shapeMismatch` when the input does not fit.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try checkInputShape(inputShape)
        let sequence = inputShape.count == 3
        let b = inputShape[0]
        if sequence {
            return returnsSequences || !isSequenceModel ? [b, inputShape[1], outputSize] : [b, outputSize]
        }
        return [b, outputSize]
    }

    private func checkInputShape(_ shape: [Int]) throws {
        let rankOK = isSequenceModel ? shape.count == 3 : (shape.count == 2 || shape.count == 3)
        guard rankOK, shape.last == inputSize, shape.allSatisfy({ $0 > 0 }) else {
            let expected = isSequenceModel ? "[B, T, \(inputSize)]" : "[B, \(inputSize)] or [B, T, \(inputSize)]"
            throw NNError.shapeMismatch(layer: "\(name) input", expected: expected, got: shape)
        }
    }

    /// Runs the model on a batch-major input (`[B, T, F]`, or `[B, F]` for a dense-only model).
    /// `training` switches dropout on. Returns `[B, T, U]` (sequence output) or `[B, U]`.
    /// - Throws: `NNError.shapeMismatch` for a wrong input shape, `NNError.nonFinite` for a NaN
    ///   or infinite input (naming its batch-major index), or a layer's error.
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        try checkInputShape(input.shape)
        if let i = input.firstNonFinite() {
            throw NNError.nonFinite(what: "\(name) input", index: input.multiIndex(of: i), value: input[i])
        }
        var x: Tensor
        if input.rank == 3 {
            let (b, t, f) = (input.shape[0], input.shape[1], input.shape[2])
            if isSequenceModel {
                timeMajorInput.resize([t, b, f])
                Sequential.swapFirstTwoAxes(input.data, into: timeMajorInput.data, b, t, f)
                x = timeMajorInput
            } else {
                x = input  // dense-only: every row is independent; no transpose needed
            }
            lastInputWasSequence = isSequenceModel
        } else {
            x = input
            lastInputWasSequence = false
        }
        for layer in layers {
            x = try layer.forward(x, training: training)
        }
        lastOutputWasSequence = lastInputWasSequence && x.rank == 3
        guard lastOutputWasSequence else { return x }
        let (t, b, u) = (x.shape[0], x.shape[1], x.shape[2])
        batchMajorOutput.resize([b, t, u])
        Sequential.swapFirstTwoAxes(x.data, into: batchMajorOutput.data, t, b, u)
        return batchMajorOutput
    }

    /// Back-propagates `dOutput` (batch-major, the shape `forward` returned) through every
    /// layer, adding into the parameters' gradients, and returns `dInput` batch-major.
    /// Gradients accumulate: call `parameters.zeroGradients()` between batches.
    public func backward(_ dOutput: Tensor) -> Tensor {
        var d: Tensor
        if lastOutputWasSequence {
            precondition(dOutput.rank == 3, "\(name).backward: dOutput \(dOutput.shape) is not [B, T, U]")
            let (b, t, u) = (dOutput.shape[0], dOutput.shape[1], dOutput.shape[2])
            timeMajorDOutput.resize([t, b, u])
            Sequential.swapFirstTwoAxes(dOutput.data, into: timeMajorDOutput.data, b, t, u)
            d = timeMajorDOutput
        } else {
            d = dOutput
        }
        for layer in layers.reversed() {
            d = layer.backward(d)
        }
        guard lastInputWasSequence else { return d }
        let (t, b, f) = (d.shape[0], d.shape[1], d.shape[2])
        batchMajorDInput.resize([b, t, f])
        Sequential.swapFirstTwoAxes(d.data, into: batchMajorDInput.data, t, b, f)
        return batchMajorDInput
    }

    /// One training pass without the update: zeroes the gradients, runs `forward` (training),
    /// computes `loss` against `target` and back-propagates it. Returns the loss (without any
    /// L2 penalty; add `optimizer.penalty(parameters)` to report it). The gradients are then
    /// in `parameters.gradients`, ready for `optimizer.step(parameters)`.
    /// - Throws: the errors of `forward` and of the loss (shape mismatch, non-finite target).
    @discardableResult
    public func computeGradients(input: Tensor, target: Tensor, loss: Loss) throws -> Float {
        parameters.zeroGradients()
        let output = try forward(input, training: true)
        let value = try loss.valueAndGradient(prediction: output, target: target, into: lossGradient)
        _ = backward(lossGradient)
        return value
    }

    /// `forward` with `training: false`.
    public func predict(_ input: Tensor) throws -> Tensor {
        try forward(input, training: false)
    }

    /// Forgets the carried states of stateful recurrent layers.
    public func resetStates() {
        for case let layer as RecurrentLayer in layers { layer.resetStates() }
    }

    /// Turns stateful mode on or off for every recurrent layer.
    public func setStateful(_ stateful: Bool) {
        for case let layer as RecurrentLayer in layers { layer.stateful = stateful }
    }

    /// The layer called `name`, or `nil`.
    public func layer(named name: String) -> Layer? { layers.first { $0.name == name } }

    /// Copies `source` `[a, b, f]` into `destination` `[b, a, f]`.
    static func swapFirstTwoAxes(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>,
                                 _ a: Int, _ b: Int, _ f: Int) {
        for i in 0..<a {
            for j in 0..<b {
                (destination + (j * a + i) * f).update(from: source + (i * b + j) * f, count: f)
            }
        }
    }
}
