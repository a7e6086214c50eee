import Foundation
import RecurKernels

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
        accumulateColumnSums(rows: rows, cols: cols, ldm: cols, matrix, into: sums)
    }

    /// Adds the column sums of the `cols` first columns of `matrix` (`rows` rows, row stride
    /// `ldm`) into `sums` ([cols]), each summed over the rows in order (RecurKernels: row by
    /// row with the sums held in registers, 16 lanes with AVX-512).
    @inlinable public static func accumulateColumnSums(rows: Int, cols: Int, ldm: Int, _ matrix: UnsafePointer<Float>,
                                                       into sums: UnsafeMutablePointer<Float>) {
        recur_column_sums(Int32(rows), Int32(cols), Int32(ldm), matrix, sums)
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

    /// The logistic function 1 / (1 + e^-x): `FastMath.sigmoid` (relative error under 2e-7,
    /// no libm call; 0 below about -87).
    @inlinable @inline(__always) public static func sigmoid(_ x: Float) -> Float { FastMath.sigmoid(x) }

    /// Hyperbolic tangent: `FastMath.tanh` (relative error under 2e-7, no libm call).
    @inlinable @inline(__always) public static func tanh(_ x: Float) -> Float { FastMath.tanh(x) }
}
