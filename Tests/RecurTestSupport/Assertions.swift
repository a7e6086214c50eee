import RecurTensor
import XCTest

/// The worst element where `actual` and `expected` disagree beyond `atol + rtol * |expected|`:
/// its index and its excess over the tolerance (`.infinity` for a NaN on either side or unequal infinities), or nil
/// when every element agrees. A NaN on either side is always a disagreement.
public func worstMismatch(_ actual: [Float], _ expected: [Float], atol: Float, rtol: Float)
    -> (index: Int, excess: Float)?
{
    precondition(actual.count == expected.count, "compare counts first")
    var worst: (index: Int, excess: Float)?
    for i in 0..<actual.count {
        let excess: Float
        if actual[i] == expected[i] {
            continue  // equal infinities too
        } else if actual[i].isNaN || expected[i].isNaN || !actual[i].isFinite || !expected[i].isFinite {
            excess = .infinity
        } else {
            excess = abs(actual[i] - expected[i]) - (atol + rtol * abs(expected[i]))
        }
        if excess > 0, excess > (worst?.excess ?? 0) || worst == nil { worst = (i, excess) }
    }
    return worst
}

/// Asserts that two float sequences agree element-wise within `atol + rtol * |expected|`,
/// reporting the worst element. A NaN on either side fails.
public func assertClose(
    _ actual: [Float], _ expected: [Float], atol: Float = 1e-5, rtol: Float = 0,
    _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line
) {
    guard actual.count == expected.count else {
        XCTFail("\(message()): count \(actual.count) != \(expected.count)", file: file, line: line)
        return
    }
    if let (i, _) = worstMismatch(actual, expected, atol: atol, rtol: rtol) {
        XCTFail("\(message()): element \(i) is \(actual[i]), expected \(expected[i]) (|diff| \(abs(actual[i] - expected[i])) > atol \(atol) + rtol \(rtol))", file: file, line: line)
    }
}

/// Tensor form of `assertClose`: the shapes must be equal, then the elements close.
public func assertClose(
    _ actual: Tensor, _ expected: Tensor, atol: Float = 1e-5, rtol: Float = 0,
    _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line
) {
    guard actual.shape == expected.shape else {
        XCTFail("\(message()): shape \(actual.shape) != \(expected.shape)", file: file, line: line)
        return
    }
    assertClose(actual.scalars, expected.scalars, atol: atol, rtol: rtol, message(), file: file, line: line)
}

/// The largest absolute element-wise difference.
public func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
