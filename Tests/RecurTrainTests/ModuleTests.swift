import RecurTrain
import XCTest

final class ModuleTests: XCTestCase {
    func testModuleName() { XCTAssertEqual(RecurTrainInfo.name, "RecurTrain") }
}
