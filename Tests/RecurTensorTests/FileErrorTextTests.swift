import Foundation
@testable import RecurTensor
import XCTest

/// Foundation's file errors in plain words (issue 9, item 15): a full disk printed
/// "NSCocoaErrorDomain … Code=640".
final class FileErrorTextTests: XCTestCase {
    func testAFullDiskAFolderAndAMissingFileAreDescribedInWords() throws {
        XCTAssertEqual(FileErrorText.describe(CocoaError(.fileWriteOutOfSpace)), "the disk is full (no space left on device)")
        // A real full device, where there is one (never written atomically: that would replace it).
        if let type = try? FileManager.default.attributesOfItem(atPath: "/dev/full")[.type] as? FileAttributeType,
           type == .typeCharacterSpecial {
            do {
                try Data("x".utf8).write(to: URL(fileURLWithPath: "/dev/full"))
                XCTFail("writing /dev/full succeeded")
            } catch {
                let text = FileErrorText.describe(error)
                XCTAssertTrue(text.contains("space") || text.contains("full"), text)
                XCTAssertFalse(text.contains("NSCocoaErrorDomain"), text)
            }
        }
        XCTAssertEqual(FileErrorText.describe(CocoaError(.fileWriteNoPermission)), "permission denied")
        let folder = FileManager.default.temporaryDirectory.path
        do {
            _ = try Data(contentsOf: URL(fileURLWithPath: folder))
            XCTFail("reading a folder succeeded")
        } catch {
            XCTAssertEqual(FileErrorText.describe(error), "is a directory")
        }
        do {
            _ = try Data(contentsOf: URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)"))
        } catch {
            XCTAssertEqual(FileErrorText.describe(error), "no such file or directory")
        }
        // Writes through SafeTensors name the path and the reason.
        XCTAssertThrowsError(try SafeTensors.write(SafeTensors.File(tensors: []), to: "/nonexistent-dir-\(UUID().uuidString)/w.safetensors")) { error in
            XCTAssertFalse("\(error)".contains("NSCocoaErrorDomain"), "\(error)")
        }
    }
}
