/// The few protocol-buffer wire-format primitives that TensorBoard's `Event` messages need.
///
/// Why by hand rather than swift-protobuf: a scalar log uses five fields of three messages
/// (`Event.wall_time = 1` double, `Event.step = 2` int64, `Event.file_version = 3` string,
/// `Event.summary = 5` message; `Summary.value = 1` repeated message; `Summary.Value.tag = 1`
/// string, `Summary.Value.simple_value = 2` float; checked against TensorBoard's
/// `tensorboard/compat/proto/event.proto` and `summary.proto`). Generated code would need the
/// `protoc` compiler and swift-protobuf's plugin, whose first build takes about ten minutes here,
/// for about sixty lines of encoding that a reader-side test checks byte for byte.
struct ProtobufEncoder {
    /// The encoded message so far.
    private(set) var bytes: [UInt8] = []

    /// Wire types used here.
    enum WireType: UInt8 { case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5 }

    /// Appends `value` as a base-128 varint (least significant group first).
    mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Appends a field key: `(fieldNumber << 3) | wireType`.
    mutating func appendKey(_ field: Int, _ wireType: WireType) {
        appendVarint(UInt64(field) << 3 | UInt64(wireType.rawValue))
    }

    /// A `double` field (wire type 1, little-endian IEEE 754).
    mutating func appendDouble(field: Int, _ value: Double) {
        appendKey(field, .fixed64)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A `float` field (wire type 5, little-endian IEEE 754).
    mutating func appendFloat(field: Int, _ value: Float) {
        appendKey(field, .fixed32)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// An `int64` field (wire type 0; negative values take ten bytes, two's complement).
    mutating func appendInt64(field: Int, _ value: Int64) {
        appendKey(field, .varint)
        appendVarint(UInt64(bitPattern: value))
    }

    /// A `string`, `bytes` or embedded-message field (wire type 2, length-prefixed).
    mutating func appendBytes<Bytes: Collection>(field: Int, _ value: Bytes) where Bytes.Element == UInt8 {
        appendKey(field, .lengthDelimited)
        appendVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A `string` field, UTF-8 encoded.
    mutating func appendString(field: Int, _ value: String) {
        appendBytes(field: field, Array(value.utf8))
    }
}

/// Encodes the TensorBoard `Event` messages that a scalar log needs.
enum TensorBoardEventEncoding {
    /// `Event { wall_time, file_version }`, the first record of every event file.
    static func fileVersionEvent(wallTime: Double, version: String = "brain.Event:2") -> [UInt8] {
        var event = ProtobufEncoder()
        event.appendDouble(field: 1, wallTime)
        event.appendString(field: 3, version)
        return event.bytes
    }

    /// `Event { wall_time, step, summary { value { tag, simple_value }... } }`.
    static func scalarsEvent(wallTime: Double, step: Int64, scalars: [(tag: String, value: Float)]) -> [UInt8] {
        var summary = ProtobufEncoder()
        for scalar in scalars {
            var value = ProtobufEncoder()
            value.appendString(field: 1, scalar.tag)
            value.appendFloat(field: 2, scalar.value)
            summary.appendBytes(field: 1, value.bytes)
        }
        var event = ProtobufEncoder()
        event.appendDouble(field: 1, wallTime)
        event.appendInt64(field: 2, step)
        event.appendBytes(field: 5, summary.bytes)
        return event.bytes
    }
}
