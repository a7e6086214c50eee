import RecurTensor

/// The kinds of layer, by their Keras class names (the raw values, printed in summaries and
/// messages).
public enum LayerKind: String, Sendable, CaseIterable, CustomStringConvertible {
    case lstm = "LSTM", gru = "GRU", simpleRNN = "SimpleRNN", dense = "Dense", dropout = "Dropout"

    public var description: String { rawValue }

    /// Gate blocks of the kernels (`[In, gates·units]`): 4 (LSTM), 3 (GRU), 1 (SimpleRNN,
    /// Dense); 0 for Dropout, which has no kernel.
    public var gates: Int {
        switch self {
        case .lstm: return 4
        case .gru: return 3
        case .simpleRNN, .dense: return 1
        case .dropout: return 0
        }
    }

    /// Whether the layer has a recurrent kernel.
    public var isRecurrent: Bool { self == .lstm || self == .gru || self == .simpleRNN }

    /// The recurrent kind whose recurrent kernel holds `ratio` gate blocks per unit (the
    /// recurrent kernel's width over its height): 4 LSTM, 3 GRU, 1 SimpleRNN; nil otherwise.
    public static func recurrent(gateRatio ratio: Int) -> LayerKind? {
        allCases.first { $0.isRecurrent && $0.gates == ratio }
    }

    /// The recurrent kind of a recurrent kernel of `shape` (`[units, gates·units]`, or
    /// PyTorch's `[gates·units, units]` with `transposed`); nil when the shape says none.
    public static func recurrent(kernelShape shape: [Int], transposed: Bool = false) -> LayerKind? {
        guard shape.count == 2 else { return nil }
        let (units, width) = transposed ? (shape[1], shape[0]) : (shape[0], shape[1])
        guard units > 0, width % units == 0 else { return nil }
        return recurrent(gateRatio: width / units)
    }
}

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
    /// The Keras-style class (`LSTM`, `GRU`, `SimpleRNN`, `Dense`, `Dropout`).
    var kind: LayerKind { get }
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
