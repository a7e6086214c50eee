/// TFRecord framing, the container format of TensorBoard event files.
///
/// Each record is, all integers little-endian:
/// ```
/// uint64 length            // of data, in bytes
/// uint32 masked_crc32c(length's 8 bytes)
/// byte   data[length]
/// uint32 masked_crc32c(data)
/// ```
/// so a record is `length + 16` bytes. See ``CRC32C/masked(_:)`` for the mask.
public enum TFRecord {
    /// Frames `data` as one record and returns its `data.count + 16` bytes.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var record: [UInt8] = []
        record.reserveCapacity(data.count + 16)
        var length: [UInt8] = []
        withUnsafeBytes(of: UInt64(data.count).littleEndian) { length.append(contentsOf: $0) }
        record.append(contentsOf: length)
        withUnsafeBytes(of: CRC32C.masked(length).littleEndian) { record.append(contentsOf: $0) }
        record.append(contentsOf: data)
        withUnsafeBytes(of: CRC32C.masked(data).littleEndian) { record.append(contentsOf: $0) }
        return record
    }

    /// Splits `bytes` back into the records' data, verifying both checksums of each.
    ///
    /// Throws ``TensorBoardError/corruptRecord(offset:reason:)`` on a truncated record or a
    /// checksum mismatch. Used by tests and by tools that read Recur's own logs.
    public static func records(in bytes: [UInt8]) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        var offset = 0
        func uint32(at i: Int) -> UInt32 {
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[i + $1]) << (8 * UInt32($1)) }
        }
        while offset < bytes.count {
            guard bytes.count - offset >= 12 else {
                throw TensorBoardError.corruptRecord(offset: offset, reason: "truncated header")
            }
            let lengthBytes = Array(bytes[offset..<offset + 8])
            let length = (0..<8).reduce(UInt64(0)) { $0 | UInt64(lengthBytes[$1]) << (8 * UInt64($1)) }
            guard uint32(at: offset + 8) == CRC32C.masked(lengthBytes) else {
                throw TensorBoardError.corruptRecord(offset: offset, reason: "length checksum mismatch")
            }
            guard length <= UInt64(bytes.count - offset - 16) else {
                throw TensorBoardError.corruptRecord(offset: offset, reason: "truncated data")
            }
            let start = offset + 12, end = start + Int(length)
            let data = Array(bytes[start..<end])
            guard uint32(at: end) == CRC32C.masked(data) else {
                throw TensorBoardError.corruptRecord(offset: offset, reason: "data checksum mismatch")
            }
            out.append(data)
            offset = end + 4
        }
        return out
    }
}
