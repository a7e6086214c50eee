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
    ///
    /// The result depends only on the shape and the generator's state, so it is remembered
    /// (`OrthogonalMemo`): a study's trials of one architecture and seed (or an ensemble's
    /// members of one seed) factor each matrix once per process and get the same bits.
    public static func orthogonal(_ tensor: Tensor, rows: Int, cols: Int, gain: Float = 1,
                                  rng: inout RandomGenerator) {
        precondition(tensor.count == rows * cols && rows > 0 && cols > 0)
        let key = OrthogonalMemo.Key(rows: rows, cols: cols, state: rng)
        let entry: OrthogonalMemo.Entry
        if let known = OrthogonalMemo.shared.entry(for: key) {
            entry = known
        } else {
            var draw = rng
            let q = orthogonalFactor(rows: rows, cols: cols, rng: &draw)
            entry = OrthogonalMemo.Entry(matrix: q, stateAfter: draw)
            OrthogonalMemo.shared.remember(entry, for: key)
        }
        let out = tensor.data
        for i in 0..<(rows * cols) { out[i] = gain * entry.matrix[i] }
        rng = entry.stateAfter
    }

    /// The orthogonal `[rows, cols]` matrix of `orthogonal` with gain 1 (row-major), computed
    /// afresh from `rng`'s draws (the memo's source; tests compare the two).
    static func orthogonalFactor(rows: Int, cols: Int, rng: inout RandomGenerator) -> [Float] {
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
        var out = [Float](repeating: 0, count: rows * cols)
        if rows >= cols {
            // Q is [rows, cols]: element (i, j) = column j, row i.
            for i in 0..<rows { for j in 0..<cols { out[i * cols + j] = Float(q[j * m + i]) } }
        } else {
            // Qᵀ is [rows, cols] with rows = n: element (i, j) = Q[j, i] = column i, row j.
            for i in 0..<rows { for j in 0..<cols { out[i * cols + j] = Float(q[i * m + j]) } }
        }
        return out
    }
}

/// The orthogonal matrices `Initializers.orthogonal` has factored in this process, by shape
/// and generator state, with the state after their draws. The factorisation (O(m·n²) in
/// Double) was about 5% of a `recur tune` trial of the template's network (four layers up to
/// `[192, 768]`), and every trial of one architecture and seed draws the same matrices.
/// Bounded: at most `capacity` floats are kept (the oldest entries go first); thread-safe
/// (`--jobs` trials build networks at once).
final class OrthogonalMemo: @unchecked Sendable {
    struct Key: Hashable {
        var rows: Int
        var cols: Int
        var state: RandomGenerator
    }

    struct Entry {
        /// `[rows, cols]` row-major, gain 1.
        var matrix: [Float]
        var stateAfter: RandomGenerator
    }

    static let shared = OrthogonalMemo(capacity: 8 << 20)

    /// Floats kept at most (8 Mi: 32 MB).
    let capacity: Int
    private let lock = NSLock()
    private var entries: [Key: Entry] = [:]
    private var order: [Key] = []
    private var floats = 0

    init(capacity: Int) { self.capacity = capacity }

    func entry(for key: Key) -> Entry? {
        lock.lock(); defer { lock.unlock() }
        return entries[key]
    }

    func remember(_ entry: Entry, for key: Key) {
        let size = entry.matrix.count
        guard size <= capacity else { return }
        lock.lock(); defer { lock.unlock() }
        guard entries[key] == nil else { return }
        while floats + size > capacity, !order.isEmpty {
            let oldest = order.removeFirst()
            floats -= entries.removeValue(forKey: oldest)?.matrix.count ?? 0
        }
        entries[key] = entry
        order.append(key)
        floats += size
    }

    /// Entries kept (tests).
    var count: Int {
        lock.lock(); defer { lock.unlock() }
        return entries.count
    }
}
