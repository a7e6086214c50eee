import Dispatch
import Foundation
import RecurKernels

/// Deterministic fork–join over a fixed number of parts, for splitting one layer's work across
/// the cores (rows of the batch, columns of a gradient).
///
/// Reproducibility: the partition depends only on the shapes and on `threadCount` (never on
/// timing or load), every part writes disjoint memory, and nothing is reduced across parts, so
/// the same seed gives bit-identical weights on one machine and thread count. Results with 2
/// parts can differ from 1 part in the last bits (BLAS blocks a 16-row product differently
/// from a 32-row one).
///
/// Policy: `parts(rows:work:)` gives 1 below `minimumWork` floating-point operations (small
/// models such as W1 and tuning trials stay on one thread, where a fork would cost more than
/// it saves), else up to `threadCount`.
public enum Parallel {
    nonisolated(unsafe) private static var configuredThreads: Int = {
        if let s = ProcessInfo.processInfo.environment["RECUR_THREADS"], let n = Int(s), n >= 1 { return n }
        return Swift.min(2, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// The most parts one operation is split into: `RECUR_THREADS` when set, else the number
    /// of cores capped at 2. Set it to 1 where the caller runs models in parallel itself
    /// (e.g. tuning trials on several threads). Not thread-safe to change while training.
    public static var threadCount: Int {
        get { configuredThreads }
        set { configuredThreads = Swift.max(1, newValue) }
    }

    /// Work (floating-point operations of one parallel region) below which forking does not
    /// pay. With the pool a fork–join costs well under a microsecond, but the split halves
    /// each part's GEMMs; on W2, 1e6 and 4e6 gave the same throughput and 3e5 was 15% slower.
    nonisolated(unsafe) public static var minimumWork: Double = 4e6

    /// How many parts to split `rows` independent rows costing `work` FLOPs in all into: 1
    /// below `minimum` FLOPs (default `minimumWork`), else up to `threadCount`.
    @inlinable
    public static func parts(rows: Int, work: Double, minimum: Double = minimumWork) -> Int {
        let n = threadCount
        if n <= 1 || rows < 2 || work < minimum { return 1 }
        return Swift.min(n, rows)
    }

    /// Work below which a recurrent layer's time loop stays on one thread. The loop forks once
    /// for all its steps (each part runs every step on its own batch rows, no barrier between
    /// steps) and splitting its rows changes no bit (the packed product sums each row alone), so
    /// it pays at far less work than `minimumWork`: W2's 24-unit first layer (1.8 MFLOP forward).
    nonisolated(unsafe) public static var minimumLoopWork: Double = 2e5

    /// Like `parts(rows:work:)` for a recurrent time loop (threshold `minimumLoopWork`).
    @inlinable
    public static func loopParts(rows: Int, work: Double) -> Int {
        parts(rows: rows, work: work, minimum: minimumLoopWork)
    }

    /// Parts for an element-wise pass over `count` floats (a scan, a fill, a mask): 1 below
    /// `minimumElements` (default 32 Ki), else up to `threadCount`. Element-wise: the split changes no bit.
    @inlinable
    public static func elementParts(count: Int, minimumElements: Int = 32_768) -> Int {
        count >= minimumElements ? parts(rows: count / 4096, work: .infinity) : 1
    }

    /// The half-open range of part `k` of `count` items split into `parts` nearly equal,
    /// contiguous ranges (earlier parts get the extra items), rounded to multiples of `align`
    /// where possible.
    @inlinable
    public static func range(_ k: Int, of parts: Int, count: Int, align: Int = 1) -> Range<Int> {
        if parts <= 1 { return 0..<count }
        let units = (count + align - 1) / align
        let base = units / parts, extra = units % parts
        let lo = Swift.min(count, (k * base + Swift.min(k, extra)) * align)
        let hi = Swift.min(count, ((k + 1) * base + Swift.min(k + 1, extra)) * align)
        return lo..<hi
    }

    /// Whether `run` uses RecurKernels' pool (default) rather than libdispatch;
    /// `RECUR_POOL=0` turns the pool off (for comparisons).
    nonisolated(unsafe) public static var usePool = ProcessInfo.processInfo.environment["RECUR_POOL"] != "0"

    /// Runs `body(k)` for k in 0..<parts, concurrently when parts > 1, and returns when all
    /// have finished. Each part must write only its own memory.
    ///
    /// The parts run on RecurKernels' pool (the caller and `threadCount - 1` persistent workers
    /// that spin briefly between jobs: a fork costs under a microsecond); a nested call, or one
    /// while another thread uses the pool, runs on `DispatchQueue.concurrentPerform` instead.
    /// Which thread runs a part never changes what it computes.
    public static func run(_ parts: Int, _ body: (Int) -> Void) {
        if parts <= 1 { body(0); return }
        if Profiler.enabled {
            runParts(parts) { k in
                let t0 = Profiler.now()
                body(k)
                Profiler.addHelper(part: k, since: t0)
            }
        } else {
            runParts(parts, body)
        }
    }

    private static func runParts(_ parts: Int, _ body: (Int) -> Void) {
        let threads = Swift.max(2, Swift.min(parts, threadCount))
        let ran = usePool && withoutActuallyEscaping(body) { escapable -> Bool in
            var task = escapable
            return withUnsafeMutablePointer(to: &task) { pointer in
                recur_pool_run(Int32(parts), Int32(threads), { context, k in
                    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(k))
                }, pointer) == 0
            }
        }
        if ran { return }
        withoutActuallyEscaping(body) { escapable in
            let box = UnsafeSendableBox(escapable)
            DispatchQueue.concurrentPerform(iterations: parts) { k in box.value(k) }
        }
    }
}

/// Carries a non-Sendable value into `concurrentPerform`; `Parallel.run`'s contract (disjoint
/// writes, join before return) is what makes that safe.
@usableFromInline
struct UnsafeSendableBox<T>: @unchecked Sendable {
    @usableFromInline let value: T
    @usableFromInline init(_ value: T) { self.value = value }
}
