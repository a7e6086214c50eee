import Dispatch

/// The phases of one training step that `Profiler` tells apart (RecurBench's `profile`).
///
/// `forwardLoop` and `backwardLoop` are the wall time of the recurrent time loops; the
/// per-step products and gate passes inside them are what the calling thread (part 0) spent on
/// each, so a loop's wall time minus its two parts is its wait for the other core (and the
/// loop's own bookkeeping).
public enum ProfilePhase: Int, CaseIterable, Sendable {
    /// x · kernel for all steps of a recurrent layer.
    case inputProjection
    /// Packing the recurrent kernel (forward) and its transpose (backward).
    case packing
    /// The forward time loop (wall).
    case forwardLoop
    /// h_{t−1} · recurrent_kernel per step (inside `forwardLoop`, part 0).
    case stepProducts
    /// The forward gate passes (inside `forwardLoop`, part 0).
    case forwardGates
    /// The backward time loop (wall).
    case backwardLoop
    /// The backward gate passes (inside `backwardLoop`, part 0).
    case backwardGates
    /// dz · recurrent_kernelᵀ per step (inside `backwardLoop`, part 0).
    case backwardProducts
    /// Kernel, recurrent-kernel and bias gradients and the input gradient of the recurrent layers.
    case weightGradients
    /// Dropout forward (masks drawn) and backward.
    case dropout
    /// Dense forward and backward.
    case dense
    /// The loss and its gradient.
    case loss
    /// The optimizer step (finite check, clipping, update).
    case optimizer

    /// A short label for reports.
    public var label: String {
        switch self {
        case .inputProjection: return "input projection"
        case .packing: return "packing U, Uᵀ"
        case .forwardLoop: return "forward time loop (wall)"
        case .stepProducts: return "  per-step products h·U"
        case .forwardGates: return "  forward gate passes"
        case .backwardLoop: return "backward time loop (wall)"
        case .backwardGates: return "  backward gate passes"
        case .backwardProducts: return "  backward products dz·Uᵀ"
        case .weightGradients: return "weight gradients + dInput"
        case .dropout: return "Dropout"
        case .dense: return "Dense"
        case .loss: return "loss"
        case .optimizer: return "optimizer"
        }
    }

    /// Whether the phase is counted inside another (a time loop's parts).
    public var isNested: Bool { self == .stepProducts || self == .forwardGates || self == .backwardGates || self == .backwardProducts }
}

/// Opt-in per-phase timing of training steps, for RecurBench's `profile` only (off by default;
/// when off, each probe is one branch). Phases are timed on the calling thread; `Parallel.run`
/// adds the time other threads spend in their parts to `helperBusyNanoseconds`, so the second
/// core's idle time is the wall time minus that. Not for concurrent training runs.
public enum Profiler {
    nonisolated(unsafe) public private(set) static var enabled = false
    nonisolated(unsafe) private static var totals = [UInt64](repeating: 0, count: ProfilePhase.allCases.count)
    nonisolated(unsafe) private static let helperBusy = UnsafeMutablePointer<UInt64>.allocate(capacity: 64)

    /// Starts (clearing the totals) or stops profiling.
    public static func setEnabled(_ on: Bool) {
        if on { reset() }
        enabled = on
    }

    /// Clears the totals.
    public static func reset() {
        for i in totals.indices { totals[i] = 0 }
        helperBusy.initialize(repeating: 0, count: 64)
    }

    /// Nanoseconds now when profiling, else 0.
    @inline(__always)
    public static func now() -> UInt64 { enabled ? DispatchTime.now().uptimeNanoseconds : 0 }

    /// Adds the time since `start` (from `now()`) to `phase`; only `part` 0 (the calling
    /// thread) counts.
    @inline(__always)
    public static func add(_ phase: ProfilePhase, since start: UInt64, part: Int = 0) {
        if enabled && part == 0 { totals[phase.rawValue] &+= DispatchTime.now().uptimeNanoseconds &- start }
    }

    /// Times `body` as `phase` (on the calling thread).
    @inline(__always)
    public static func measure<T>(_ phase: ProfilePhase, _ body: () throws -> T) rethrows -> T {
        if !enabled { return try body() }
        let t0 = DispatchTime.now().uptimeNanoseconds
        defer { totals[phase.rawValue] &+= DispatchTime.now().uptimeNanoseconds &- t0 }
        return try body()
    }

    /// Called by `Parallel.run` around part `part` > 0 (on whichever thread runs it).
    @inline(__always)
    static func addHelper(part: Int, since start: UInt64) {
        if enabled && part > 0 && part < 64 { helperBusy[part] &+= DispatchTime.now().uptimeNanoseconds &- start }
    }

    /// Nanoseconds per phase since the last reset.
    public static var nanoseconds: [ProfilePhase: UInt64] {
        Dictionary(uniqueKeysWithValues: ProfilePhase.allCases.map { ($0, totals[$0.rawValue]) })
    }

    /// Nanoseconds the parts other than part 0 ran, summed over all `Parallel.run` calls.
    public static var helperBusyNanoseconds: UInt64 { (1..<64).reduce(0) { $0 &+ helperBusy[$1] } }
}
