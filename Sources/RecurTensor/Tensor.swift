import RecurKernels

/// A contiguous, row-major array of `Float` (32-bit) values with a shape.
///
/// `Tensor` is a reference type: layers keep their caches and workspaces as tensors and
/// reuse them from step to step, so nothing is copied or reallocated inside a training loop.
/// A tensor either owns its memory (64-byte aligned) or is a *view* into another tensor's
/// memory (for example one parameter inside a model's flat parameter buffer); a view keeps
/// its base alive.
///
/// Shapes follow the engine's conventions: dense data `[rows, features]`, sequences
/// time-major `[T, B, F]` inside layers (see `RecurNN.Sequential` for the batch-major API).
public final class Tensor {
    /// The extent of each dimension; the product is `count`.
    public private(set) var shape: [Int]
    /// The number of elements.
    public private(set) var count: Int
    /// The first element. Valid for `count` elements.
    public private(set) var data: UnsafeMutablePointer<Float>
    /// Elements allocated (owned tensors only); `resize` reallocates only beyond it.
    private var capacity: Int
    /// The tensor whose memory a view points into; `nil` when this tensor owns its memory.
    private let base: Tensor?

    /// A tensor of the given shape filled with `value`.
    public init(shape: [Int], value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.count = shape.reduce(1, *)
        self.capacity = Swift.max(count, 1)
        self.data = Tensor.allocate(capacity)
        self.base = nil
        data.initialize(repeating: value, count: capacity)
    }

    /// A tensor holding `values` with the given shape.
    /// - Throws: `TensorError.shapeMismatch` when `values.count` is not the product of `shape`.
    public convenience init(shape: [Int], values: [Float]) throws {
        let expected = shape.reduce(1, *)
        guard expected == values.count, shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.shapeMismatch(
                what: "Tensor(shape:values:)", expected: shape, got: [values.count])
        }
        self.init(shape: shape)
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
    }

    /// A one-dimensional tensor holding `values`.
    public convenience init(_ values: [Float]) {
        try! self.init(shape: [values.count], values: values)
    }

    /// A view of `count(shape)` elements of `base` starting at element `offset`.
    /// Writes through the view change `base`.
    public init(viewing base: Tensor, offset: Int, shape: [Int]) {
        let n = shape.reduce(1, *)
        precondition(offset >= 0 && offset + n <= base.count, "view out of range")
        self.shape = shape
        self.count = n
        self.capacity = n
        self.data = base.data + offset
        self.base = base
    }

    deinit {
        if base == nil { UnsafeMutableRawPointer(data).deallocate() }
    }

    private static func allocate(_ n: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: n * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: n)
    }

    /// Whether this tensor is a view into another tensor's memory.
    public var isView: Bool { base != nil }

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// Element `i` of the flat, row-major storage.
    @inlinable public subscript(i: Int) -> Float {
        get { data[i] }
        set { data[i] = newValue }
    }

    /// The elements as a Swift array (a copy).
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// The flat storage as a buffer pointer.
    public var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: data, count: count)
    }

    /// Changes the shape to one of the same element count; no data moves.
    public func reshape(_ newShape: [Int]) {
        precondition(newShape.reduce(1, *) == count, "reshape \(shape) -> \(newShape) changes the count")
        shape = newShape
    }

    /// Gives an owned tensor a new shape, reallocating only when it needs more capacity.
    /// Contents are unspecified afterwards (zero when newly allocated). Used for workspaces
    /// that depend on batch size and sequence length.
    public func resize(_ newShape: [Int]) {
        precondition(base == nil, "a view cannot be resized")
        let n = newShape.reduce(1, *)
        if n > capacity {
            UnsafeMutableRawPointer(data).deallocate()
            capacity = n
            data = Tensor.allocate(n)
            data.initialize(repeating: 0, count: n)
        }
        shape = newShape
        count = n
    }

    /// Sets every element to `value`.
    public func fill(_ value: Float) {
        let parts = Parallel.elementParts(count: count, minimumElements: 65_536)
        if parts <= 1 { data.update(repeating: value, count: count); return }
        let n = count, d = data  // a model's gradients: the ranges filled on the cores
        Parallel.run(parts) { part in
            let r = Parallel.range(part, of: parts, count: n, align: 64)
            (d + r.lowerBound).update(repeating: value, count: r.count)
        }
    }

    /// Copies all elements of `other`, which must have the same count.
    public func copy(from other: Tensor) {
        precondition(other.count == count, "copy \(other.shape) into \(shape)")
        data.update(from: other.data, count: count)
    }

    /// A new owned tensor with the same shape and contents.
    public func clone() -> Tensor {
        let t = Tensor(shape: shape)
        t.copy(from: self)
        return t
    }

    /// The index of the first NaN or infinite element, or `nil` when all are finite.
    public func firstNonFinite() -> Int? {
        let parts = Parallel.elementParts(count: count, minimumElements: 65_536)
        if parts <= 1 {
            let i = recur_first_nonfinite(count, data)  // RecurKernels: 64 values a test
            return i < 0 ? nil : i
        }
        // Large tensors (a model's gradients): the ranges are scanned on the cores and the
        // first part that found one wins, so the index is the same as a scan in one piece.
        var found = [Int](repeating: -1, count: parts)
        let n = count, x = UnsafePointer(data)
        found.withUnsafeMutableBufferPointer { out in
            let out = out.baseAddress!
            Parallel.run(parts) { part in
                let r = Parallel.range(part, of: parts, count: n, align: 64)
                let i = recur_first_nonfinite(r.count, x + r.lowerBound)
                out[part] = i < 0 ? -1 : r.lowerBound + i
            }
        }
        return found.first { $0 >= 0 }
    }

    /// Row-major multi-index of flat index `i`, for error messages.
    public func multiIndex(of i: Int) -> [Int] {
        var rest = i
        var index = [Int](repeating: 0, count: shape.count)
        for d in stride(from: shape.count - 1, through: 0, by: -1) where shape[d] > 0 {
            index[d] = rest % shape[d]
            rest /= shape[d]
        }
        return index
    }

    /// Throws `TensorError.nonFinite` naming `what` and the position of the first NaN/Inf.
    public func checkFinite(_ what: String) throws {
        if let i = firstNonFinite() {
            throw TensorError.nonFinite(what: what, index: multiIndex(of: i), value: data[i])
        }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(\(shape): [\(shown)\(count > 8 ? ", ..." : "")])"
    }
}
