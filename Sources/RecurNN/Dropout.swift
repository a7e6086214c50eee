import RecurKernels
import RecurTensor

/// Inverted dropout: in training, each element is zeroed with probability `rate` and the
/// others are scaled by 1 / (1 − rate), so inference (the identity) needs no rescaling.
///
/// Shapes: any input whose last dimension is `size`; the output has the same shape.
/// The mask comes from the layer's own generator, seeded at construction: the same seed gives
/// the same sequence of masks, and each training forward draws a new one (one draw keys a
/// counter-based hash of each element's index, so the mask does not depend on threads).
public final class Dropout: Layer {
    public var name: String
    public let kind = LayerKind.dropout
    /// Features of the last dimension.
    public let size: Int
    public var inputSize: Int { size }
    public var outputSize: Int { size }
    /// The probability of dropping an element, in [0, 1).
    public let rate: Float
    /// Dropout has no activation; `.linear` for uniformity with the other layers.
    public var activation: Activation { .linear }
    public var parameters: [Parameter] { [] }
    /// When true, a training forward reuses the last mask instead of drawing a new one (when the
    /// shape is unchanged). For gradient checks, which evaluate the same function many times.
    public var freezeMask = false
    /// Whether forward scans the input for NaN/Inf.
    public var checksInput = true

    private var rng: RandomGenerator
    private let seed: UInt64
    private let mask = Tensor(shape: [0])     // same shape as the input: 0 or 1 / (1 − rate)
    private let output = Tensor(shape: [0])
    private let dInput = Tensor(shape: [0])
    private var lastWasTraining = false
    private var hasMask = false

    /// - Parameters:
    ///   - size: features of the input's last dimension (> 0).
    ///   - rate: drop probability in [0, 1).
    ///   - seed: seeds the mask generator.
    /// - Throws: `NNError.invalidArgument` for a bad size or rate.
    public init(size: Int, rate: Float, seed: UInt64, name: String = "dropout") throws {
        try LayerChecks.positive(size, "size", layer: name)
        guard rate >= 0 && rate < 1 else {
            throw NNError.invalidArgument(layer: name, argument: "rate", value: String(rate), expected: "a value in [0, 1)")
        }
        self.name = name
        self.size = size
        self.rate = rate
        self.seed = seed
        rng = RandomGenerator(seed: seed)
    }

    /// Restarts the mask sequence from the seed.
    public func resetMaskGenerator() {
        rng = RandomGenerator(seed: seed)
        hasMask = false
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard let last = inputShape.last, last == size, inputShape.allSatisfy({ $0 >= 0 }) else {
            throw NNError.shapeMismatch(layer: name, expected: "[..., \(size)]", got: inputShape)
        }
        return inputShape
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let start = Profiler.now()
        defer { Profiler.add(.dropout, since: start) }
        _ = try outputShape(for: input.shape)
        if checksInput { try LayerChecks.finite(input, layer: name) }
        lastWasTraining = training && rate > 0
        guard lastWasTraining else { return input }
        let n = input.count
        output.resize(input.shape)
        let x = UnsafePointer(input.data), y = output.data
        if freezeMask && hasMask && mask.count == n {
            let m = mask.data
            for i in 0..<n { y[i] = x[i] * m[i] }
            return output
        }
        // A new mask: one draw of the layer's generator keys a counter-based hash of each
        // element's index (RecurKernels), so the mask is the same whichever thread or ISA
        // computes which elements; large tensors are split across the cores.
        mask.resize(input.shape)
        let key = rng.next(), k0 = UInt32(truncatingIfNeeded: key), k1 = UInt32(truncatingIfNeeded: key >> 32)
        let keep = 1 / (1 - rate), rate = self.rate, m = mask.data
        let parts = Parallel.elementParts(count: n)
        Parallel.run(parts) { part in
            let r = Parallel.range(part, of: parts, count: n, align: 64), i = r.lowerBound
            recur_dropout(r.count, i, k0, k1, rate, keep, x + i, m + i, y + i)
        }
        hasMask = true
        return output
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        guard lastWasTraining else { return dOutput }
        let start = Profiler.now()
        defer { Profiler.add(.dropout, since: start) }
        precondition(dOutput.count == mask.count, "\(name): dOutput \(dOutput.shape) vs mask \(mask.shape)")
        dInput.resize(dOutput.shape)
        let d = UnsafePointer(dOutput.data), dx = dInput.data, m = UnsafePointer(mask.data), n = dOutput.count
        let parts = Parallel.elementParts(count: n)  // element-wise: the split changes no bit
        Parallel.run(parts) { part in
            let r = Parallel.range(part, of: parts, count: n, align: 64)
            for i in r { dx[i] = d[i] * m[i] }
        }
        return dInput
    }
}
