import Foundation
import RecurNN
import RecurTensor
import RecurTrain

/// One training step of a workload, phase by phase (`RecurBench --profile`): milliseconds per
/// step on the calling thread (part 0) and each phase's share of the step's wall time, plus
/// the second core's idle time (wall time minus the time the other threads spent in their
/// parts). `other` is the rest of the step: batch assembly, transposes, NaN/Inf scans, zeroing
/// gradients.
struct StepProfile: Encodable {
    struct Phase: Encodable {
        let phase: String
        let label: String
        let msPerStep: Double
        let shareOfStep: Double
        /// Whether the phase is a part of the time loop above it (not added to the total).
        let nested: Bool
        enum CodingKeys: String, CodingKey { case phase, label, nested; case msPerStep = "ms_per_step", shareOfStep = "share_of_step" }
    }
    let steps: Int
    let msPerStep: Double
    let phases: [Phase]
    let otherMsPerStep: Double
    /// The other threads' busy time per step, and the second core's idle share of the step.
    let helperBusyMsPerStep: Double
    let secondCoreIdleShare: Double
    let samplesPerSecond: Double
    /// The calling thread's CPU time over the wall time: below 1 when the machine took the core
    /// away (a loaded machine; the phases then include waits for the scheduler).
    let callingThreadCPUShare: Double

    enum CodingKeys: String, CodingKey {
        case steps, phases
        case msPerStep = "ms_per_step", otherMsPerStep = "other_ms_per_step"
        case helperBusyMsPerStep = "helper_busy_ms_per_step", secondCoreIdleShare = "second_core_idle_share"
        case samplesPerSecond = "samples_per_second", callingThreadCPUShare = "calling_thread_cpu_share"
    }

    /// Markdown rows for the report.
    var table: String {
        var lines = ["| phase | ms per step | share of step |", "|---|---|---|"]
        for p in phases where p.msPerStep > 0 || !p.nested {
            lines.append(String(format: "| %@ | %.3f | %.1f%% |", p.label, p.msPerStep, 100 * p.shareOfStep))
        }
        lines.append(String(format: "| other (batches, transposes, scans, zeroing) | %.3f | %.1f%% |", otherMsPerStep, 100 * otherMsPerStep / msPerStep))
        lines.append(String(format: "| **step (wall)** | **%.3f** | 100%% |", msPerStep))
        lines.append(String(format: "| second core busy / idle | %.3f / %.3f | idle %.1f%% |", helperBusyMsPerStep,
                            msPerStep - helperBusyMsPerStep, 100 * secondCoreIdleShare))
        lines.append(String(format: "| calling thread's CPU time / wall time | | %.0f%% (below 100%%: the machine was loaded) |",
                            100 * callingThreadCPUShare))
        return lines.joined(separator: "\n")
    }
}

/// Trains the workload's timed samples once more (one epoch through `FitLoop`, as the timed
/// run) with `Profiler` on, and returns the per-step phases.
func profileWorkload(_ w: Workload, options: BenchOptions, maxSteps: Int? = nil) throws -> StepProfile {
    let data = try prepare(w, options: options)
    var train = try w.timedBatches.map { try prefix(data.train, $0 * w.batch) } ?? data.train
    if let maxSteps, maxSteps > 0 { train = try prefix(train, maxSteps * w.batch) }
    var rng = RandomGenerator(seed: 42)
    let model = try w.build(&rng)
    let trainer = BatchTrainer(model: model, loss: w.loss, optimizer: try Optimizer.named("adam"))
    _ = try FitLoop.fit(trainer, train: try prefix(train, w.batch), validation: nil,
                        options: FitOptions(epochs: 1, batchSize: w.batch, shuffle: false))
    Profiler.setEnabled(true)
    defer { Profiler.setEnabled(false) }
    let cpu0 = threadCPUNanoseconds(), t0 = DispatchTime.now().uptimeNanoseconds
    _ = try FitLoop.fit(trainer, train: train, validation: nil,
                        options: FitOptions(epochs: 1, batchSize: w.batch, shuffle: true, seed: 42))
    let wall = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-6
    let cpu = Double(threadCPUNanoseconds() - cpu0) * 1e-6
    let steps = (train.count + w.batch - 1) / w.batch
    let step = wall / Double(steps)
    let ns = Profiler.nanoseconds
    let phases = ProfilePhase.allCases.map { p -> StepProfile.Phase in
        let ms = Double(ns[p] ?? 0) * 1e-6 / Double(steps)
        return StepProfile.Phase(phase: "\(p)", label: p.label, msPerStep: ms, shareOfStep: ms / step, nested: p.isNested)
    }
    let counted = phases.filter { !$0.nested }.reduce(0) { $0 + $1.msPerStep }
    let helper = Double(Profiler.helperBusyNanoseconds) * 1e-6 / Double(steps)
    return StepProfile(steps: steps, msPerStep: step, phases: phases, otherMsPerStep: step - counted,
                       helperBusyMsPerStep: helper, secondCoreIdleShare: Parallel.threadCount > 1 ? 1 - helper / step : 0,
                       samplesPerSecond: Double(train.count) / (wall * 1e-3), callingThreadCPUShare: cpu / wall)
}

/// CPU time of the calling thread, nanoseconds.
func threadCPUNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
