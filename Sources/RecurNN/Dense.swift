import RecurTensor

/// A fully connected layer: `y = activation(x · kernel + bias)`.
///
/// Shapes: input `[..., inputSize]` (any leading dimensions, e.g. `[B, In]` or `[T, B, In]`),
/// output `[..., units]`. Parameters, Keras layout: `kernel` `[inputSize, units]`
/// (glorot-uniform), `bias` `[units]` (zeros).
public final class Dense: Layer {
    public var name: String
    public let kind = LayerKind.dense
    public let inputSize: Int
    /// Output features.
    public let units: Int
    public var outputSize: Int { units }
    /// The activation applied to `x · kernel + bias`.
    public let activation: Activation
    /// `[inputSize, units]`.
    public let kernel: Parameter
    /// `[units]`.
    public let bias: Parameter
    public var parameters: [Parameter] { [kernel, bias] }
    /// Whether forward scans the input for NaN/Inf (one pass; models may turn it off for all
    /// but their first layer).
    public var checksInput = true

    private var input: Tensor?                  // [rows, In], the last forward's input (not copied)
    private let output = Tensor(shape: [0])     // [..., units]
    private let dPre = Tensor(shape: [0])       // [rows, units] gradient before the activation
    private let dInput = Tensor(shape: [0])     // [..., In]

    /// - Parameters:
    ///   - inputSize: features of the input's last dimension (> 0).
    ///   - units: output features (> 0).
    ///   - rng: draws the kernel (glorot uniform).
    /// - Throws: `NNError.invalidArgument` for a non-positive size.
    public init(inputSize: Int, units: Int, activation: Activation = .linear, name: String = "dense",
                initializeWeights: Bool = true,
                rng: inout RandomGenerator) throws {
        try LayerChecks.positive(inputSize, "inputSize", layer: name)
        try LayerChecks.positive(units, "units", layer: name)
        self.name = name
        self.inputSize = inputSize
        self.units = units
        self.activation = activation
        kernel = Parameter(name: "kernel", shape: [inputSize, units], role: .kernel)
        bias = Parameter(name: "bias", shape: [units], role: .bias)
        // Skipped when weights are about to be loaded (a package): same shapes, no random draws.
        if initializeWeights {
            Initializers.glorotUniform(kernel.value, fanIn: inputSize, fanOut: units, rng: &rng)
        }
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard let last = inputShape.last, last == inputSize, inputShape.allSatisfy({ $0 >= 0 }) else {
            throw NNError.shapeMismatch(layer: name, expected: "[..., \(inputSize)]", got: inputShape)
        }
        return inputShape.dropLast() + [units]
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let start = Profiler.now()
        defer { Profiler.add(.dense, since: start) }
        let shape = try outputShape(for: input.shape)
        if checksInput { try LayerChecks.finite(input, layer: name) }
        self.input = input
        let rows = input.count / inputSize
        output.resize(shape)
        let y = output.data, b = bias.value.data
        BLAS.gemm(m: rows, n: units, k: inputSize, a: input.data, lda: inputSize,
                  b: kernel.value.data, ldb: units, c: y, ldc: units)
        let act = activation
        for r in 0..<rows {
            let row = y + r * units
            for j in 0..<units { row[j] = act.apply(row[j] + b[j]) }
        }
        return output
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard let input else { preconditionFailure("\(name): backward called before forward") }
        let start = Profiler.now()
        defer { Profiler.add(.dense, since: start) }
        precondition(dOutput.count == output.count, "\(name): dOutput \(dOutput.shape) vs output \(output.shape)")
        let rows = input.count / inputSize
        var dz = UnsafePointer(dOutput.data)
        if activation != .linear {
            dPre.resize([rows, units])
            activation.backward(rows * units, output: output.data, dOutput.data, into: dPre.data)
            dz = UnsafePointer(dPre.data)
        }
        // d kernel += xᵀ · dz ; d bias += column sums ; dx = dz · kernelᵀ
        BLAS.gemm(transA: true, m: inputSize, n: units, k: rows, a: input.data, lda: inputSize,
                  b: dz, ldb: units, beta: 1, c: kernel.gradient.data, ldc: units)
        Kernels.accumulateColumnSums(rows: rows, cols: units, dz, into: bias.gradient.data)
        dInput.resize(input.shape)
        BLAS.gemm(transB: true, m: rows, n: inputSize, k: units, a: dz, lda: units,
                  b: kernel.value.data, ldb: units, c: dInput.data, ldc: inputSize)
        return dInput
    }
}
