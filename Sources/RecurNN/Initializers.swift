import Foundation
import RecurTensor

/// Keras's default initializers, drawing from Recur's seeded generator (so the same seed gives
/// the same weights on every machine; the numbers differ from Keras's, the distributions match).
public enum Initializers {
    /// Glorot (Xavier) uniform: U(−limit, limit) with limit = sqrt(6 / (fanIn + fanOut)).
    /// For a kernel `[In, G * H]` Keras takes fanIn = In and fanOut = G * H (the whole matrix,
    /// all gate blocks together), and so does Recur.
    public static func glorotUniform(_ tensor: Tensor, fanIn: Int, fanOut: Int, rng: inout RandomGenerator) {
        let limit = Float((6.0 / Double(fanIn + fanOut)).squareRoot())
        rng.fillUniform(tensor, -limit, limit)
    }

    /// The bound `glorotUniform` uses.
    public static func glorotLimit(fanIn: Int, fanOut: Int) -> Float {
        Float((6.0 / Double(fanIn + fanOut)).squareRoot())
    }

    /// Keras's `Orthogonal(gain)` for a `[rows, cols]` matrix: the Q factor of the QR
    /// decomposition of a standard normal matrix of shape `[max(rows, cols), min(rows, cols)]`,
    /// with columns signed so that R's diagonal is positive, transposed when rows < cols.
    ///
    /// So a recurrent kernel `[H, G * H]` gets orthonormal **rows** (U Uᵀ = I_H) across all of
    /// its gate blocks together, exactly as Keras builds it; a square matrix is orthogonal.
    /// The factorisation is modified Gram–Schmidt with re-orthogonalisation, in Double; its
    /// R diagonal is positive by construction, which is the sign correction Keras applies.
    public static func orthogonal(_ tensor: Tensor, rows: Int, cols: Int, gain: Float = 1,
                                  rng: inout RandomGenerator) {
        precondition(tensor.count == rows * cols && rows > 0 && cols > 0)
        let m = max(rows, cols), n = min(rows, cols)
        // a: [m, n] row-major, drawn in row-major order like Keras.
        var a = [Double](repeating: 0, count: m * n)
        for i in 0..<(m * n) { a[i] = rng.nextNormal() }
        // Columns of Q, stored column-major for locality: q[j * m + i].
        var q = [Double](repeating: 0, count: m * n)
        var v = [Double](repeating: 0, count: m)
        for j in 0..<n {
            for i in 0..<m { v[i] = a[i * n + j] }
            for _ in 0..<2 {  // twice is enough (Kahan–Parlett)
                for p in 0..<j {
                    var dot = 0.0
                    for i in 0..<m { dot += q[p * m + i] * v[i] }
                    for i in 0..<m { v[i] -= dot * q[p * m + i] }
                }
            }
            var norm = 0.0
            for i in 0..<m { norm += v[i] * v[i] }
            norm = norm.squareRoot()
            if norm < 1e-300 {  // degenerate draw (probability zero): any unit vector orthogonal works
                for i in 0..<m { v[i] = i == j ? 1 : 0 }
                for p in 0..<j {
                    var dot = 0.0
                    for i in 0..<m { dot += q[p * m + i] * v[i] }
                    for i in 0..<m { v[i] -= dot * q[p * m + i] }
                }
                norm = 0
                for i in 0..<m { norm += v[i] * v[i] }
                norm = norm.squareRoot()
            }
            for i in 0..<m { q[j * m + i] = v[i] / norm }
        }
        let out = tensor.data
        if rows >= cols {
            // Q is [rows, cols]: element (i, j) = column j, row i.
            for i in 0..<rows { for j in 0..<cols { out[i * cols + j] = gain * Float(q[j * m + i]) } }
        } else {
            // Qᵀ is [rows, cols] with rows = n: element (i, j) = Q[j, i] = column i, row j.
            for i in 0..<rows { for j in 0..<cols { out[i * cols + j] = gain * Float(q[i * m + j]) } }
        }
    }
}
