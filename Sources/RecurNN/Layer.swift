import RecurTensor

/// A layer with an explicit forward pass and a backward pass.
///
/// Shape conventions (time-major inside the engine, so that one timestep's batch is
/// contiguous):
/// - recurrent layers take `[T, B, inputSize]` and return `[T, B, units]` with
///   `returnSequences`, else `[B, units]`;
/// - `Dense` takes `[..., inputSize]` (any leading dimensions) and returns `[..., units]`;
/// - `Dropout` keeps the shape.
///
/// `forward` caches what `backward` needs. `backward(dOutput)` must follow the `forward` it
/// differentiates; it **adds** into its parameters' gradients (zeroing is the caller's job,
/// `ParameterSet.zeroGradients`) and returns the gradient with respect to the input.
/// Returned tensors are the layer's own workspaces, valid until its next call: copy them to
/// keep them. Layers allocate only when the batch size or sequence length changes.
public protocol Layer: AnyObject {
    /// The layer's name within its model, e.g. `lstm_1`; weight files use it.
    var name: String { get set }
    /// The Keras-style class name: `LSTM`, `GRU`, `SimpleRNN`, `Dense`, `Dropout`.
    var kind: String { get }
    /// Features per step (or per row) of the input.
    var inputSize: Int { get }
    /// Features per step (or per row) of the output.
    var outputSize: Int { get }
    /// The trainable parameters, in a fixed order (Keras order: kernel, recurrent_kernel, bias).
    var parameters: [Parameter] { get }
    /// The output shape for an input shape, or an error naming the mismatch.
    func outputShape(for inputShape: [Int]) throws -> [Int]
    /// Computes the output; `training` switches dropout on.
    func forward(_ input: Tensor, training: Bool) throws -> Tensor
    /// Back-propagates `dOutput` (the shape `forward` returned) and returns `dInput`.
    func backward(_ dOutput: Tensor) -> Tensor
}

/// A recurrent layer: `[T, B, inputSize]` in, with an optional initial state.
public protocol RecurrentLayer: Layer {
    /// The number of units (the state width H).
    var units: Int { get }
    /// Whether the output holds every step (`[T, B, H]`) or the last (`[B, H]`).
    var returnSequences: Bool { get }
    /// The number of state tensors: 2 for LSTM (h, c), 1 for GRU and SimpleRNN.
    var stateCount: Int { get }
    /// Initial states for the next `forward`, each `[B, H]`; `nil` means zeros (or, when
    /// `stateful`, the final states of the previous batch).
    var initialStates: [Tensor]? { get set }
    /// The final states of the last `forward`, each `[B, H]`.
    var finalStates: [Tensor] { get }
    /// Gradients of the loss with respect to the initial states, filled by `backward`.
    var initialStateGradients: [Tensor] { get }
    /// Carry final states into the next batch until `resetStates()`.
    var stateful: Bool { get set }
    /// Forgets carried states (stateful mode).
    func resetStates()
}
