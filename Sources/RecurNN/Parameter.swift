import RecurTensor

/// What a parameter is, which decides how regularisation treats it: the L2 penalty and
/// decoupled weight decay apply to kernels (input and recurrent), never to biases.
public enum ParameterRole: String, Sendable {
    /// An input kernel, e.g. an LSTM's `[inputSize, 4 * units]`.
    case kernel
    /// A recurrent kernel, e.g. an LSTM's `[units, 4 * units]`.
    case recurrentKernel
    /// A bias vector.
    case bias

    /// Whether L2 penalties and weight decay apply.
    public var isDecayed: Bool { self != .bias }
}

/// One trainable tensor of a layer with its gradient, which has the same shape.
///
/// Layers create their parameters as stand-alone tensors; a `ParameterSet` then moves them
/// into one flat buffer and points `value` and `gradient` at views of it, so an optimizer
/// step is one loop over contiguous memory. Layers must therefore read `value.data` and
/// `gradient.data` at each call rather than caching the pointers.
public final class Parameter {
    /// The name within its layer, Keras style: `kernel`, `recurrent_kernel`, `bias`.
    public let name: String
    /// How regularisation treats it.
    public let role: ParameterRole
    /// The current values.
    public internal(set) var value: Tensor
    /// The gradient of the loss with respect to `value`; layers' `backward` adds into it.
    public internal(set) var gradient: Tensor

    /// A zero parameter of the given shape.
    public init(name: String, shape: [Int], role: ParameterRole) {
        self.name = name
        self.role = role
        self.value = Tensor(shape: shape)
        self.gradient = Tensor(shape: shape)
    }

    /// The parameter's shape.
    public var shape: [Int] { value.shape }

    /// Re-points value and gradient at views of shared buffers (used by `ParameterSet`).
    func rebind(value newValue: Tensor, gradient newGradient: Tensor) {
        newValue.copy(from: value)
        newGradient.copy(from: gradient)
        value = newValue
        gradient = newGradient
    }
}

/// All parameters of a model in two flat buffers, `values` and `gradients` (`[count]` each),
/// with each `Parameter` pointing at its slice. Optimizers keep their moments in buffers of
/// the same layout.
public final class ParameterSet {
    /// The parameters, in model order.
    public let parameters: [Parameter]
    /// Every parameter value, concatenated: `[count]`.
    public let values: Tensor
    /// Every gradient, concatenated in the same order: `[count]`.
    public let gradients: Tensor
    /// Each parameter's first element in the flat buffers.
    public let offsets: [Int]

    /// Moves `parameters` into flat buffers (their current values and gradients are kept).
    public init(_ parameters: [Parameter]) {
        self.parameters = parameters
        var offsets: [Int] = []
        var total = 0
        for p in parameters {
            offsets.append(total)
            total += p.value.count
        }
        self.offsets = offsets
        self.values = Tensor(shape: [total])
        self.gradients = Tensor(shape: [total])
        for (p, offset) in zip(parameters, offsets) {
            p.rebind(value: Tensor(viewing: values, offset: offset, shape: p.shape),
                     gradient: Tensor(viewing: gradients, offset: offset, shape: p.shape))
        }
    }

    /// The number of scalar parameters.
    public var count: Int { values.count }

    /// Sets every gradient to zero.
    public func zeroGradients() { gradients.fill(0) }
}
