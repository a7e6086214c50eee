import Foundation
import RecurTensor

/// Writes a float32 C-order .npy file (NumPy format 1.0), for the peers to read.
func writeNPY(_ t: Tensor, to path: String) throws {
    let shape = t.shape.map(String.init).joined(separator: ", ") + (t.rank == 1 ? "," : "")
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(shape)), }"
    let total = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
    var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
    let n = UInt16(header.utf8.count)
    data.append(contentsOf: [UInt8(n & 0xff), UInt8(n >> 8)])
    data.append(contentsOf: Array(header.utf8))
    data.append(Data(bytes: t.data, count: t.count * 4))
    try data.write(to: URL(fileURLWithPath: path))
}

/// Writes `value` as sorted-key JSON.
func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    try encoder.encode(value).write(to: URL(fileURLWithPath: path))
}
