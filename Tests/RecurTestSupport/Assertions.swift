import RecurTensor
import XCTest

/// Asserts that two float sequences agree element-wise within `atol + rtol * |expected|`,
/// reporting the worst element.
public func assertClose(
    _ actual: [Float], _ expected: [Float], atol: Float = 1e-5, rtol: Float = 0,
    _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line
) {
    guard actual.count == expected.count else {
        XCTFail("\(message()): count \(actual.count) != \(expected.count)", file: file, line: line)
        return
    }
    var worst = 0, worstExcess: Float = -.infinity
    for i in 0..<actual.count {
        let tolerance = atol + rtol * abs(expected[i])
        let excess = abs(actual[i] - expected[i]) - tolerance
        if !(excess <= worstExcess) || actual[i].isNaN { worst = i; worstExcess = actual[i].isNaN ? .infinity : excess }
    }
    if worstExcess > 0 {
        XCTFail("\(message()): element \(worst) is \(actual[worst]), expected \(expected[worst]) (|diff| \(abs(actual[worst] - expected[worst])) > atol \(atol) + rtol \(rtol))", file: file, line: line)
    }
}

/// Tensor form of `assertClose`, also checking shapes.
public func assertClose(
    _ actual: Tensor, _ expected: Tensor, atol: Float = 1e-5, rtol: Float = 0,
    _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.count, expected.count, "\(message()): shape \(actual.shape) vs \(expected.shape)", file: file, line: line)
    assertClose(actual.scalars, expected.scalars, atol: atol, rtol: rtol, message(), file: file, line: line)
}

/// The largest absolute element-wise difference.
public func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
