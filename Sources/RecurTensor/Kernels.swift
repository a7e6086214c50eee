import Foundation

/// Element-wise kernels over raw `Float` buffers: the building blocks of layers' fused passes.
/// All take explicit counts; none allocates.
public enum Kernels {
    /// y[i] += alpha * x[i] for i in 0..<n.
    @inlinable public static func axpy(_ n: Int, _ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        for i in 0..<n { y[i] += alpha * x[i] }
    }

    /// Adds `bias` ([cols]) to every row of `matrix` ([rows, cols]).
    @inlinable public static func addRowVector(rows: Int, cols: Int, _ bias: UnsafePointer<Float>, _ matrix: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let row = matrix + r * cols
            for c in 0..<cols { row[c] += bias[c] }
        }
    }

    /// Adds the column sums of `matrix` ([rows, cols]) into `sums` ([cols]): a bias gradient.
    @inlinable public static func accumulateColumnSums(rows: Int, cols: Int, _ matrix: UnsafePointer<Float>, into sums: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let row = matrix + r * cols
            for c in 0..<cols { sums[c] += row[c] }
        }
    }

    /// The sum of squares of x[0..<n], accumulated in Double.
    @inlinable public static func sumOfSquares(_ n: Int, _ x: UnsafePointer<Float>) -> Double {
        var s = 0.0
        for i in 0..<n { s += Double(x[i]) * Double(x[i]) }
        return s
    }

    /// x[i] *= alpha.
    @inlinable public static func scale(_ n: Int, _ alpha: Float, _ x: UnsafeMutablePointer<Float>) {
        for i in 0..<n { x[i] *= alpha }
    }

    /// The logistic function 1 / (1 + e^-x), stable for large |x|.
    @inlinable @inline(__always) public static func sigmoid(_ x: Float) -> Float {
        if x >= 0 {
            return 1 / (1 + Foundation.exp(-x))
        } else {
            let e = Foundation.exp(x)
            return e / (1 + e)
        }
    }

    /// Hyperbolic tangent.
    @inlinable @inline(__always) public static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
}
