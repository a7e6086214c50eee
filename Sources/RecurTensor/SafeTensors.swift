import Foundation

/// Reading and writing the safetensors format (https://github.com/huggingface/safetensors):
/// an 8-byte little-endian header length, a JSON header mapping each tensor name to
/// `{"dtype", "shape", "data_offsets": [begin, end]}` (plus an optional `"__metadata__"`
/// map of strings), then the raw little-endian data.
///
/// Recur writes `F32` only; it reads `F32`, `F64` and `F16` (converted to `Float`).
/// Files are written to a temporary name and renamed, so a reader never sees half a file.
public enum SafeTensors {
    /// The tensors of a file, by name, and its metadata.
    public struct File {
        /// Tensors in the order of their data in the file.
        public var tensors: [(name: String, tensor: Tensor)]
        /// The `__metadata__` strings.
        public var metadata: [String: String]
        /// Where it came from, for error messages.
        public var path: String

        public init(tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], path: String = "") {
            self.tensors = tensors
            self.metadata = metadata
            self.path = path
        }

        /// All names.
        public var names: [String] { tensors.map(\.name) }

        /// The tensor called `name`, or `nil`.
        public subscript(name: String) -> Tensor? { tensors.first { $0.name == name }?.tensor }

        /// The tensor called `name`, checked against `shape` when one is given.
        /// - Throws: `TensorError.missingTensor` or `.shapeMismatch` naming the file and tensor.
        public func require(_ name: String, shape: [Int]? = nil) throws -> Tensor {
            guard let t = self[name] else {
                throw TensorError.missingTensor(path: path, name: name, available: names)
            }
            if let shape, t.shape != shape {
                throw TensorError.shapeMismatch(what: "\(path): tensor '\(name)'", expected: shape, got: t.shape)
            }
            return t
        }
    }

    /// Encodes tensors (in the given order) and metadata as safetensors bytes.
    public static func encode(_ file: File) -> Data {
        var header = "{"
        var offset = 0
        var first = true
        if !file.metadata.isEmpty {
            let entries = file.metadata.keys.sorted().map { "\(JSONText.quote($0)):\(JSONText.quote(file.metadata[$0]!))" }
            header += "\"__metadata__\":{\(entries.joined(separator: ","))}"
            first = false
        }
        for (name, tensor) in file.tensors {
            let bytes = tensor.count * 4
            header += (first ? "" : ",") + "\(JSONText.quote(name)):{\"dtype\":\"F32\",\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}"
            offset += bytes
            first = false
        }
        header += "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }  // pad with spaces, as the reference does
        var data = Data(capacity: 8 + headerBytes.count + offset)
        var length = UInt64(headerBytes.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(contentsOf: headerBytes)
        for (_, tensor) in file.tensors {
            #if _endian(little)
            // The file's byte order is the memory's: one copy per tensor (appending 4 bytes at a
            // time cost 4% of a tuning run's profile).
            data.append(UnsafeBufferPointer(start: UnsafeRawPointer(tensor.data).assumingMemoryBound(to: UInt8.self),
                                            count: tensor.count * 4))
            #else
            for i in 0..<tensor.count {
                var bits = tensor[i].bitPattern.littleEndian
                withUnsafeBytes(of: &bits) { data.append(contentsOf: $0) }
            }
            #endif
        }
        return data
    }

    /// Writes `file` to `path` atomically (temporary file in the same folder, then rename).
    public static func write(_ file: File, to path: String) throws {
        let data = encode(file)
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw TensorError.file(path: path, reason: "cannot write: \(FileErrorText.describe(error))")
        }
    }

    /// Reads a safetensors file.
    /// - Throws: `TensorError.file` naming the path and what is malformed.
    public static func read(_ path: String) throws -> File {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw TensorError.file(path: path, reason: "cannot read: \(FileErrorText.describe(error))")
        }
        return try decode(data, path: path)
    }

    /// Decodes safetensors bytes; `path` names the source in errors.
    ///
    /// Everything is checked before a tensor is allocated: sizes are computed with overflow
    /// checks, each tensor's byte length must equal its dtype's size × its element count, and the
    /// tensors' `data_offsets`, sorted, must tile the data exactly (the first begins at 0, each
    /// begins where the previous ends, the last ends at the end of the file): no gaps, no
    /// overlaps, no trailing bytes, as the reference implementation requires.
    public static func decode(_ data: Data, path: String = "<data>") throws -> File {
        func fail(_ reason: String) -> TensorError { .file(path: path, reason: "not a valid safetensors file: \(reason)") }
        func shown(_ name: String) -> String { name.count <= 80 ? name : String(name.prefix(80)) + "…" }
        guard data.count >= 8 else { throw fail("shorter than its 8-byte header length") }
        let bytes = [UInt8](data)
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(bytes.count - 8) else { throw fail("header length \(headerLength) exceeds the file") }
        let headerData = Data(bytes[8..<(8 + Int(headerLength))])
        guard let json = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw fail("header is not a JSON object")
        }
        let base = 8 + Int(headerLength)
        let dataLength = bytes.count - base
        /// A non-negative integer of JSON, or nil (fractions, negatives, strings).
        func integer(_ v: Any) -> Int? {
            guard let n = v as? NSNumber else { return nil }
            let d = n.doubleValue
            guard d >= 0, d < 9.2e18, d == d.rounded() else { return nil }
            return n.intValue
        }
        var metadata: [String: String] = [:]
        var entries: [(name: String, width: Int, shape: [Int], count: Int, begin: Int, end: Int)] = []
        for (name, value) in json {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (k, v) in map {
                    guard let s = v as? String else { throw fail("__metadata__['\(shown(k))'] is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shapeItems = entry["shape"] as? [Any], let offsetItems = entry["data_offsets"] as? [Any]
            else { throw fail("entry '\(shown(name))' lacks dtype, shape or data_offsets") }
            let shape = shapeItems.compactMap(integer), offsets = offsetItems.compactMap(integer)
            guard shape.count == shapeItems.count else { throw fail("tensor '\(shown(name))' has a shape that is not a list of non-negative integers") }
            guard offsets.count == 2, offsetItems.count == 2 else { throw fail("tensor '\(shown(name))' has data_offsets that are not two non-negative integers") }
            let width: Int
            switch dtype {
            case "F32": width = 4
            case "F64": width = 8
            case "F16": width = 2
            default: throw fail("tensor '\(shown(name))' has dtype \(shown(dtype)); Recur reads F32, F64 and F16")
            }
            var count = 1
            var overflow = false
            for d in shape {
                let (p, o) = count.multipliedReportingOverflow(by: d)
                count = p
                overflow = overflow || o
            }
            let (byteCount, o2) = count.multipliedReportingOverflow(by: width)
            guard !overflow, !o2 else { throw fail("tensor '\(shown(name))' has shape \(shape), more elements than can be addressed") }
            guard offsets[0] <= offsets[1], offsets[1] - offsets[0] == byteCount else {
                throw fail("tensor '\(shown(name))' has data_offsets \(offsets) (\(offsets[1] &- offsets[0]) bytes), but shape \(shape) \(dtype) takes \(byteCount) bytes")
            }
            guard offsets[1] <= dataLength else {
                throw fail("tensor '\(shown(name))' has data_offsets \(offsets) past the end of the data (\(dataLength) bytes)")
            }
            entries.append((name, width, shape, count, offsets[0], offsets[1]))
        }
        entries.sort { $0.begin < $1.begin || ($0.begin == $1.begin && ($0.end < $1.end || ($0.end == $1.end && $0.name < $1.name))) }
        var next = 0
        for e in entries {
            guard e.begin == next else {
                let what = e.begin < next ? "overlaps the tensor before it" : "leaves a gap of \(e.begin - next) bytes before it"
                throw fail("tensor '\(shown(e.name))' at data_offsets [\(e.begin), \(e.end)] \(what) (the previous ends at \(next)); tensors must tile the data exactly")
            }
            next = e.end
        }
        guard next == dataLength else {
            throw fail("the tensors end at byte \(next) of the data, but the file has \(dataLength) bytes of data")
        }
        var tensors: [(name: String, tensor: Tensor)] = []
        tensors.reserveCapacity(entries.count)
        for e in entries {
            let t = Tensor(shape: e.shape)
            let start = base + e.begin
            bytes.withUnsafeBytes { raw in
                for i in 0..<e.count {
                    let p = start + i * e.width
                    switch e.width {
                    case 4: t[i] = Float(bitPattern: raw.loadUnaligned(fromByteOffset: p, as: UInt32.self).littleEndian)
                    case 8: t[i] = Float(Double(bitPattern: raw.loadUnaligned(fromByteOffset: p, as: UInt64.self).littleEndian))
                    default:
                        #if arch(arm64) || arch(x86_64)
                        t[i] = Float(Float16(bitPattern: raw.loadUnaligned(fromByteOffset: p, as: UInt16.self).littleEndian))
                        #endif
                    }
                }
            }
            tensors.append((e.name, t))
        }
        return File(tensors: tensors, metadata: metadata, path: path)
    }
}
