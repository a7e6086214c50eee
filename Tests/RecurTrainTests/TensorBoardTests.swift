import Foundation
@testable import RecurTrain
import RecurTestSupport
import XCTest

final class TensorBoardTests: XCTestCase {
    // MARK: CRC32C and framing, byte for byte

    func testCRC32CKnownVectors() {
        XCTAssertEqual(CRC32C.checksum("123456789".utf8), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8]()), 0)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)  // RFC 3720 B.4
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
    }

    func testMaskedCRC() {
        let crc: UInt32 = 0xE306_9283
        XCTAssertEqual(CRC32C.masked("123456789".utf8), ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8)
    }

    func testRecordFramingBytes() throws {
        let data: [UInt8] = Array("abc".utf8)
        let record = TFRecord.frame(data)
        XCTAssertEqual(record.count, 3 + 16)
        XCTAssertEqual(Array(record[0..<8]), [3, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(le32(record, 8), CRC32C.masked([3, 0, 0, 0, 0, 0, 0, 0] as [UInt8]))
        XCTAssertEqual(Array(record[12..<15]), data)
        XCTAssertEqual(le32(record, 15), CRC32C.masked(data))
        XCTAssertEqual(try TFRecord.records(in: record + TFRecord.frame([])), [data, []])
    }

    func testCorruptRecordIsDetected() {
        var record = TFRecord.frame(Array("hello".utf8))
        record[13] ^= 1
        XCTAssertThrowsError(try TFRecord.records(in: record)) { error in
            XCTAssertEqual(error as? TensorBoardError, .corruptRecord(offset: 0, reason: "data checksum mismatch"))
        }
        XCTAssertThrowsError(try TFRecord.records(in: Array(TFRecord.frame([1, 2, 3]).dropLast())))
    }

    func testEventEncodingBytes() {
        // Event { wall_time: 1.5, file_version: "brain.Event:2" }
        let version = TensorBoardEventEncoding.fileVersionEvent(wallTime: 1.5)
        XCTAssertEqual(version, [0x09, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F, 0x1A, 13] + Array("brain.Event:2".utf8))
        // Event { wall_time: 2, step: 300, summary { value { tag: "a", simple_value: 1 } } }
        let scalar = TensorBoardEventEncoding.scalarsEvent(wallTime: 2, step: 300, scalars: [("a", 1)])
        let value: [UInt8] = [0x0A, 1, 0x61, 0x15, 0, 0, 0x80, 0x3F]
        let summary: [UInt8] = [0x0A, UInt8(value.count)] + value
        XCTAssertEqual(scalar, [0x09, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x10, 0xAC, 0x02, 0x2A, UInt8(summary.count)] + summary)
        // A negative step is a ten-byte varint (two's complement), as protobuf's int64 requires.
        let negative = TensorBoardEventEncoding.scalarsEvent(wallTime: 0, step: -1, scalars: [])
        XCTAssertEqual(Array(negative[9..<20]), [0x10] + [UInt8](repeating: 0xFF, count: 9) + [0x01])
    }

    func testWriterFileNameAndRecords() throws {
        let dir = try temporaryDirectory()
        let writer = try TensorBoardWriter(directory: dir, clock: { 1_700_000_000.25 })
        XCTAssertEqual(writer.fileURL.deletingLastPathComponent().standardizedFileURL, dir.standardizedFileURL)
        XCTAssertTrue(writer.fileURL.lastPathComponent.hasPrefix("events.out.tfevents.1700000000."))
        try writer.add(tag: "loss", value: 0.5, step: 1)
        // Not flushed yet: only the version record is on disk.
        XCTAssertEqual(try TFRecord.records(in: fileBytes(writer.fileURL)).count, 1)
        try writer.flush()
        let records = try TFRecord.records(in: fileBytes(writer.fileURL))
        XCTAssertEqual(records, [
            TensorBoardEventEncoding.fileVersionEvent(wallTime: 1_700_000_000.25),
            TensorBoardEventEncoding.scalarsEvent(wallTime: 1_700_000_000.25, step: 1, scalars: [("loss", 0.5)]),
        ])
        try writer.close()
        try writer.close()
        XCTAssertThrowsError(try writer.add(tag: "loss", value: 1, step: 2))
        // A second writer in the same second keeps its own file.
        let second = try TensorBoardWriter(directory: dir, clock: { 1_700_000_000.75 })
        XCTAssertNotEqual(second.fileURL, writer.fileURL)
        try second.close()
    }

    // MARK: TensorBoard's own reader

    func testTensorBoardReaderLoadsScalars() throws {
        let dir = try temporaryDirectory()
        let writer = try TensorBoardWriter(directory: dir)
        var expected: [String: [[Double]]] = [:]
        for epoch in 0..<5 {
            let loss = Float(1) / Float(epoch + 1), valLoss = Float(1.5) / Float(epoch + 1)
            try writer.add(scalars: ["loss": loss, "val_loss": valLoss], step: epoch)
            try writer.add(tag: "lr/adam", value: 0.001, step: epoch)
            expected["loss", default: []].append([Double(epoch), Double(loss)])
            expected["val_loss", default: []].append([Double(epoch), Double(valLoss)])
            expected["lr/adam", default: []].append([Double(epoch), Double(Float(0.001))])
            try writer.flush()
        }
        // Read while the writer is still open, as TensorBoard does during training.
        guard let scalars = try readWithTensorBoard(dir) else { return }  // already failed, saying why
        XCTAssertEqual(Set(scalars.keys), Set(expected.keys))
        for (tag, points) in expected {
            let got = scalars[tag] ?? []
            XCTAssertEqual(got.count, points.count, tag)
            for (g, e) in zip(got, points) {
                XCTAssertEqual(g[0], e[0], tag)
                XCTAssertEqual(g[1], e[1], accuracy: 1e-7 * max(1, abs(e[1])), tag)
            }
        }
        try writer.close()
    }

    // MARK: helpers

    private func le32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }

    private func fileBytes(_ url: URL) throws -> [UInt8] { Array(try Data(contentsOf: url)) }

    /// A folder that does not exist yet (the writer makes it) inside a temporary folder.
    private func temporaryDirectory() throws -> URL {
        try temporaryFolder("recur-tb").appendingPathComponent("events", isDirectory: true)
    }

    /// The Python to run: `$RECUR_VENV/bin/python` or `~/.cache/recur/venv/bin/python` when it
    /// exists (scripts/install-python-tools.sh makes it), else `$RECUR_PYTHON`, else `python3`.
    private func pythonInterpreter() -> String {
        let env = ProcessInfo.processInfo.environment
        let home = env["HOME"] ?? NSHomeDirectory()
        let venv = env["RECUR_VENV"] ?? "\(home)/.cache/recur/venv"
        if FileManager.default.isExecutableFile(atPath: "\(venv)/bin/python") { return "\(venv)/bin/python" }
        return env["RECUR_PYTHON"] ?? "python3"
    }

    /// Runs `arguments` through `/usr/bin/env`, both pipes drained at once (`ChildProcess`).
    private func run(_ arguments: [String]) throws -> ChildProcess.Result {
        try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/env"), arguments)
    }

    private func readWithTensorBoard(_ dir: URL) throws -> [String: [[Double]]]? {
        let python = pythonInterpreter()
        let probe = try run([python, "-c", "import tensorboard"])
        guard probe.status == 0 else {
            XCTFail("""
                the Python package `tensorboard` is not importable by \(python); install it with \
                `scripts/install-python-tools.sh` (a venv at ~/.cache/recur/venv) or point RECUR_PYTHON \
                at a python that has it (`pip install tensorboard`). \(probe.stderr)
                """)
            return nil
        }
        let script = Datasets.packageRoot.appendingPathComponent("scripts/read_tensorboard_events.py").path
        let result = try run([python, script, dir.path])
        guard result.status == 0 else {
            XCTFail("read_tensorboard_events.py exited \(result.status): \(result.stderr)")
            return nil
        }
        return try JSONDecoder().decode([String: [[Double]]].self, from: Data(result.stdout.utf8))
    }
}
