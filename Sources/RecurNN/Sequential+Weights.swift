import Foundation
import RecurTensor

/// Saving and loading a model's weights as safetensors.
///
/// Tensor names are `<layer name>/<parameter name>` (`lstm/kernel`, `lstm/recurrent_kernel`,
/// `lstm/bias`, `dense/kernel`, ...), in Keras's layout (see docs/weights.md), float32, in
/// model order. The file is readable by the `safetensors` Python package.
extension Sequential {
    /// The metadata key naming the layout of a weights file written by Recur.
    public static let weightsLayoutKey = "recur.layout"

    /// The model's weights as a safetensors file (tensors are views of the live parameters).
    public func weightsFile(metadata: [String: String] = [:]) -> SafeTensors.File {
        var tensors: [(name: String, tensor: Tensor)] = []
        for layer in layers {
            for p in layer.parameters { tensors.append(("\(layer.name)/\(p.name)", p.value)) }
        }
        var meta = metadata
        meta[Sequential.weightsLayoutKey] = meta[Sequential.weightsLayoutKey] ?? "keras"
        return SafeTensors.File(tensors: tensors, metadata: meta)
    }

    /// Writes the weights to `path` atomically (a temporary file, then a rename), with
    /// `metadata` in the file's `__metadata__`.
    /// - Throws: `NNError.nonFinite` when a weight is NaN or infinite (nothing is written),
    ///   `NNError.tensor` when the file cannot be written.
    public func saveWeights(to path: String, metadata: [String: String] = [:]) throws {
        let file = weightsFile(metadata: metadata)
        for (name, tensor) in file.tensors {
            if let i = tensor.firstNonFinite() {
                throw NNError.nonFinite(what: "\(self.name): weight \(name)", index: tensor.multiIndex(of: i),
                                        value: tensor[i])
            }
        }
        do { try SafeTensors.write(file, to: path) } catch let error as TensorError { throw NNError.tensor(error) }
    }

    /// Reads weights written by `saveWeights` (or any file with the same names and shapes)
    /// and returns the file's metadata.
    /// - Throws: `NNError.tensor` when the file cannot be read; `NNError.weights` (see
    ///   `loadWeights(from file:)`). On any error the model is unchanged.
    @discardableResult
    public func loadWeights(from path: String) throws -> [String: String] {
        let file: SafeTensors.File
        do { file = try SafeTensors.read(path) } catch let error as TensorError { throw NNError.tensor(error) }
        try loadWeights(from: file)
        return file.metadata
    }

    /// Copies the weights of `file` into the model. Every parameter must be present under
    /// `<layer>/<parameter>` with its exact shape, no other tensor may be present, and every
    /// value must be finite.
    /// - Throws: `NNError.weights` naming the file and listing every missing, unexpected and
    ///   misshapen tensor (expected vs got shape) or the first non-finite value. On any error
    ///   the model is unchanged.
    public func loadWeights(from file: SafeTensors.File) throws {
        let path = file.path.isEmpty ? "<weights>" : file.path
        var byName: [String: Tensor] = [:]
        for (name, tensor) in file.tensors { byName[name] = tensor }
        var missing: [String] = [], misshapen: [String] = [], pairs: [(Parameter, Tensor)] = []
        var expected = Set<String>()
        for layer in layers {
            for p in layer.parameters {
                let name = "\(layer.name)/\(p.name)"
                expected.insert(name)
                guard let t = byName[name] else { missing.append(name); continue }
                if t.shape != p.shape {
                    misshapen.append("'\(name)' has shape \(t.shape), expected \(p.shape)")
                } else {
                    pairs.append((p, t))
                }
            }
        }
        let unexpected = file.names.filter { !expected.contains($0) }
        var problems: [String] = []
        if !missing.isEmpty { problems.append("missing tensors: \(missing.joined(separator: ", "))") }
        if !misshapen.isEmpty { problems.append("misshapen tensors: \(misshapen.joined(separator: "; "))") }
        if !unexpected.isEmpty { problems.append("unexpected tensors: \(unexpected.joined(separator: ", "))") }
        if !problems.isEmpty {
            throw NNError.weights(path: path, reason: "the weights do not fit model '\(name)': "
                + problems.joined(separator: "; "))
        }
        for (name, tensor) in file.tensors {
            if let i = tensor.firstNonFinite() {
                throw NNError.weights(path: path, reason: "tensor '\(name)' holds the non-finite value \(tensor[i]) at index \(tensor.multiIndex(of: i))")
            }
        }
        for (p, t) in pairs { p.value.copy(from: t) }
    }
}
