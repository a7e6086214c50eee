import Foundation
@testable import RecurTensor
import XCTest

/// Damaged safetensors headers (issue 9, item 7): each must be a `TensorError` naming the file,
/// never a trap or an allocation of what the header claims.
final class SafeTensorsDecodeTests: XCTestCase {
    /// A file of `header` (JSON text) followed by `dataBytes` zero bytes.
    func file(_ header: String, dataBytes: Int) -> Data {
        var d = Data()
        var n = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &n) { d.append(contentsOf: $0) }
        d.append(contentsOf: Array(header.utf8))
        d.append(Data(count: dataBytes))
        return d
    }

    func reason(_ data: Data, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try SafeTensors.decode(data, path: "w.safetensors")
            XCTFail("decoded", file: file, line: line)
        } catch {
            let text = "\(error)"
            XCTAssertTrue(text.contains("w.safetensors"), text, file: file, line: line)
            return text
        }
        return ""
    }

    func testShapeWhoseElementCountOverflowsIsAnError() {
        // [2^31, 2^31] × 4 bytes trapped with "arithmetic overflow"; [2^62, 4] overflows Int itself.
        let r = reason(file(#"{"w":{"dtype":"F32","shape":[2147483648,2147483648],"data_offsets":[0,16]}}"#, dataBytes: 16))
        XCTAssertTrue(r.contains("shape"), r)
        _ = reason(file(#"{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,16]}}"#, dataBytes: 16))
        _ = reason(file(#"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,18446744073709551615]}}"#, dataBytes: 16))
    }

    func testOffsetsMustTileTheDataExactly() {
        // Overlapping: b reads a's last 8 bytes.
        let overlap = reason(file(#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#, dataBytes: 16))
        XCTAssertTrue(overlap.contains("overlaps"), overlap)
        let gap = reason(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}}"#, dataBytes: 20))
        XCTAssertTrue(gap.contains("gap of 4 bytes"), gap)
        let notAtZero = reason(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, dataBytes: 12))
        XCTAssertTrue(notAtZero.contains("gap"), notAtZero)
        let trailing = reason(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, dataBytes: 12))
        XCTAssertTrue(trailing.contains("12 bytes of data"), trailing)
        let wrongSize = reason(file(#"{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}"#, dataBytes: 8))
        XCTAssertTrue(wrongSize.contains("takes 16 bytes"), wrongSize)
        let reversed = reason(file(#"{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}"#, dataBytes: 8))
        XCTAssertTrue(reversed.contains("data_offsets"), reversed)
    }

    func testShapeAndOffsetsMustBeNonNegativeIntegers() {
        // A non-number in a shape was dropped, making the tensor a scalar.
        _ = reason(file(#"{"a":{"dtype":"F32","shape":["x"],"data_offsets":[0,4]}}"#, dataBytes: 4))
        _ = reason(file(#"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, dataBytes: 4))
        _ = reason(file(#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, dataBytes: 4))
        _ = reason(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}"#, dataBytes: 8))
    }

    func testValidFilesStillRoundTrip() throws {
        let a = Tensor([1, 2, 3]), b = try Tensor(shape: [2, 2], values: [4, 5, 6, 7]), empty = Tensor(shape: [0, 3])
        let f = SafeTensors.File(tensors: [("a", a), ("empty", empty), ("b", b)], metadata: ["k": "v"])
        let back = try SafeTensors.decode(SafeTensors.encode(f))
        XCTAssertEqual(back.names, ["a", "empty", "b"])
        XCTAssertEqual(back["b"]?.shape, [2, 2])
        XCTAssertEqual(back["b"]?[3], 7)
        XCTAssertEqual(back["empty"]?.shape, [0, 3])
        XCTAssertEqual(back.metadata, ["k": "v"])
    }
}
