import RecurNN
import RecurTensor

/// Windowed training samples: inputs `x` `[N, T, F]` (batch-major, scaled units) and targets
/// `y` `[N, H]` (H horizon steps, scaled units).
public struct SampleSet {
    /// Inputs, `[N, T, F]`.
    public let x: Tensor
    /// Targets, `[N, H]`.
    public let y: Tensor

    /// Pairs inputs and targets.
    /// - Throws: `TrainingError.invalidData` when the sample counts differ or a value is NaN/Inf.
    public init(x: Tensor, y: Tensor, name: String = "samples") throws {
        guard x.rank == 3, y.rank == 2, x.shape[0] == y.shape[0] else {
            throw TrainingError.invalidData("\(name): inputs \(x.shape) and targets \(y.shape) do not pair up as [N, T, F] and [N, H]")
        }
        if let i = x.firstNonFinite() { throw TrainingError.invalidData("\(name): input value \(x[i]) at \(x.multiIndex(of: i)) is not finite") }
        if let i = y.firstNonFinite() { throw TrainingError.invalidData("\(name): target value \(y[i]) at \(y.multiIndex(of: i)) is not finite") }
        self.x = x
        self.y = y
    }

    /// The number of samples N.
    public var count: Int { x.shape[0] }
    /// Steps per sample T.
    public var steps: Int { x.shape[1] }
    /// Features per step F.
    public var features: Int { x.shape[2] }
    /// Outputs per sample H.
    public var outputs: Int { y.shape[1] }
}

/// Copies chosen samples into reusable batch tensors (no allocation once they are big enough).
final class BatchAssembler {
    let x = Tensor(shape: [0])  // [B, T, F]
    let y = Tensor(shape: [0])  // [B, H]

    func fill(from set: SampleSet, indices: ArraySlice<Int>) {
        let b = indices.count
        let xSize = set.steps * set.features, ySize = set.outputs
        x.resize([b, set.steps, set.features])
        y.resize([b, ySize])
        for (row, s) in indices.enumerated() {
            (x.data + row * xSize).update(from: set.x.data + s * xSize, count: xSize)
            (y.data + row * ySize).update(from: set.y.data + s * ySize, count: ySize)
        }
    }
}
