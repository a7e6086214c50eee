import Foundation

/// What a network needs in memory before it is built, so that a model too large for the machine
/// is refused with a message instead of aborting in an allocation (a layer of 10⁸ units).
///
/// The estimate counts, in bytes of Float32: the parameters five times (weights, gradients, the
/// two moments of Adam, the packed recurrent kernel) and the training workspace of one batch of
/// `batchSize` samples × `timesteps` steps (per recurrent layer the gate pre-activations and
/// their gradients, the hidden and cell states, the input gradient; per dense or dropout layer
/// its input and output and their gradients). All arithmetic saturates at `Int.max`.
public struct ModelMemory: Equatable, Sendable {
    /// Trainable parameters of the whole network (saturated).
    public var parameterCount: Int
    /// Bytes for parameters, gradients, optimizer state and packed copies.
    public var parameterBytes: Int
    /// Bytes of training workspace for one batch.
    public var workspaceBytes: Int
    /// `parameterBytes + workspaceBytes` (saturated).
    public var totalBytes: Int { ModelMemory.add(parameterBytes, workspaceBytes) }

    /// The environment variable that sets `limitBytes`: a number of bytes, or a number with
    /// the suffix K, M, G or T (powers of 1024), e.g. `RECUR_MAX_MODEL_MEMORY=64G`.
    public static let limitVariable = "RECUR_MAX_MODEL_MEMORY"

    /// The most memory one model may need: `RECUR_MAX_MODEL_MEMORY` when set (and valid),
    /// otherwise half of this machine's physical memory.
    public static var limitBytes: Int {
        if let text = ProcessInfo.processInfo.environment[limitVariable], let n = parseBytes(text) { return n }
        return Int(min(ProcessInfo.processInfo.physicalMemory / 2, UInt64(Int.max)))
    }

    /// Where `limitBytes` comes from, for messages.
    public static var limitSource: String {
        ProcessInfo.processInfo.environment[limitVariable].flatMap(parseBytes) != nil
            ? "set by \(limitVariable)" : "half of this machine's memory; \(limitVariable) sets another"
    }

    /// `text` as bytes: digits with an optional K, M, G or T suffix (powers of 1024); nil if malformed.
    public static func parseBytes(_ text: String) -> Int? {
        var digits = text.trimmingCharacters(in: .whitespaces).uppercased()
        var factor = 1
        if let last = digits.last, let power = ["K": 1, "M": 2, "G": 3, "T": 4][String(last)] {
            digits.removeLast()
            factor = 1 << (10 * power)
        }
        guard let n = Int(digits), n > 0 else { return nil }
        let (v, o) = n.multipliedReportingOverflow(by: factor)
        return o ? nil : v
    }

    /// "1.5 GiB", "12 MiB", "900 bytes".
    public static func describe(bytes: Int) -> String {
        if bytes == Int.max { return "more than 8 EiB" }
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var v = Double(bytes)
        var k = 0
        while v >= 1024, k < units.count - 1 { v /= 1024; k += 1 }
        return k == 0 ? "\(bytes) bytes" : String(format: v < 10 ? "%.1f %@" : "%.0f %@", v, units[k])
    }

    static func add(_ a: Int, _ b: Int) -> Int { let (v, o) = a.addingReportingOverflow(b); return o ? .max : v }
    static func mul(_ a: Int, _ b: Int) -> Int { let (v, o) = a.multipliedReportingOverflow(by: b); return o ? .max : v }

    /// Parameters of one layer (saturated); 0 for dropout and unknown types.
    public static func parameterCount(of layer: LayerSpec) -> Int {
        let i = max(0, layer.inputSize), h = max(0, layer.units)
        let biasRows = (layer.separateRecurrentBias ?? false) ? 2 : 1
        switch layer.type {
        case "lstm", "gru", "simple_rnn":
            let g = mul(gateCount(layer), h)
            // GRU with reset_after has two bias rows too.
            let rows = layer.type == "gru" && (layer.resetAfter ?? true) ? 2 : biasRows
            return mul(g, add(add(i, h), rows))
        case "dense": return mul(h, add(i, 1))
        default: return 0
        }
    }

    static func gateCount(_ layer: LayerSpec) -> Int {
        switch layer.type {
        case "lstm": return 4
        case "gru": return 3
        default: return 1
        }
    }

    /// The estimate for `architecture` trained on batches of `batchSize` samples.
    public init(_ architecture: ModelArchitecture, batchSize: Int) {
        let b = max(1, batchSize), t = max(1, architecture.inputSteps)
        var params = 0, work = 0
        for layer in architecture.layers {
            params = ModelMemory.add(params, ModelMemory.parameterCount(of: layer))
            let i = max(0, layer.inputSize), h = max(0, layer.units)
            let perStep: Int
            switch layer.type {
            case "lstm", "gru", "simple_rnn":
                let g = ModelMemory.mul(ModelMemory.gateCount(layer), h)
                perStep = ModelMemory.add(ModelMemory.add(ModelMemory.mul(2, g), ModelMemory.mul(4, h)), i)
            default:
                perStep = ModelMemory.mul(2, ModelMemory.add(i, h))
            }
            work = ModelMemory.add(work, ModelMemory.mul(ModelMemory.mul(b, t), perStep))
        }
        parameterCount = params
        parameterBytes = ModelMemory.mul(params, 5 * MemoryLayout<Float>.size)
        workspaceBytes = ModelMemory.mul(work, MemoryLayout<Float>.size)
    }
}
