import Foundation
import RecurTensor

extension Sequential {
    /// A Keras-style summary table: each layer's name and type, its batch-major output shape
    /// (`None` for the batch, and for the steps unless `timesteps` is given) and its parameter
    /// count, then the totals. Every parameter is trainable.
    ///
    ///     Model: "sequential"
    ///     _________________________________________________________________
    ///      Layer (type)                Output Shape              Param #
    ///     =================================================================
    ///      lstm (LSTM)                 (None, 12, 24)            2,496
    ///      ...
    ///     =================================================================
    ///     Total params: 2,521 (9.85 KB)
    public func summary(timesteps: Int? = nil) -> String {
        let steps = timesteps.map(String.init) ?? "None"
        var rows: [(String, String, String)] = []
        var sequence = isSequenceModel
        for layer in layers {
            if let recurrent = layer as? RecurrentLayer { sequence = recurrent.returnSequences }
            let shape = sequence ? "(None, \(steps), \(layer.outputSize))" : "(None, \(layer.outputSize))"
            let count = layer.parameters.reduce(0) { $0 + $1.value.count }
            rows.append(("\(layer.name) (\(layer.kind))", shape, Sequential.grouped(count)))
        }
        let w0 = max(28, (rows.map(\.0.count).max() ?? 0) + 2)
        let w1 = max(26, (rows.map(\.1.count).max() ?? 0) + 2)
        let w2 = max(10, (rows.map(\.2.count).max() ?? 0) + 1)
        let width = 1 + w0 + w1 + w2
        func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
        func line(_ a: String, _ b: String, _ c: String) -> String {
            var s = " " + pad(a, w0) + pad(b, w1) + c
            while s.hasSuffix(" ") { s.removeLast() }
            return s
        }
        var out = "Model: \"\(name)\"\n"
        out += String(repeating: "_", count: width) + "\n"
        out += line("Layer (type)", "Output Shape", "Param #") + "\n"
        out += String(repeating: "=", count: width) + "\n"
        for (i, row) in rows.enumerated() {
            out += line(row.0, row.1, row.2) + "\n"
            if i + 1 < rows.count { out += "\n" }
        }
        out += String(repeating: "=", count: width) + "\n"
        let total = parameterCount
        out += "Total params: \(Sequential.grouped(total)) (\(Sequential.bytes(total * 4)))\n"
        out += "Trainable params: \(Sequential.grouped(total)) (\(Sequential.bytes(total * 4)))\n"
        out += "Non-trainable params: 0 (0.00 B)\n"
        out += String(repeating: "_", count: width) + "\n"
        return out
    }

    /// 1234567 → "1,234,567".
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }

    /// A byte count as Keras prints it: "9.85 KB".
    static func bytes(_ n: Int) -> String {
        let units = ["B", "KB", "MB", "GB"]
        var value = Double(n), k = 0
        while value >= 1024 && k < units.count - 1 { value /= 1024; k += 1 }
        return String(format: "%.2f", value) + " " + units[k]
    }
}
