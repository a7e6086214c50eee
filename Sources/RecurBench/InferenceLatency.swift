import Foundation
import RecurNN
import RecurTensor

/// One network's in-process forecast latency (`RecurBench latency`): `calls` one-sample
/// forecasts through a reused `InferenceContext`, each timed on its own (microseconds), and
/// the same forecast through `Sequential.predict` (a `[1, T, F]` tensor per step, as the
/// forecaster ran it before) for comparison.
struct LatencyResult: Encodable {
    let network: String
    let summary: String
    let steps: Int
    let features: Int
    let horizon: Int
    let calls: Int
    let medianMicroseconds: Double
    let p99Microseconds: Double
    let meanMicroseconds: Double
    let minMicroseconds: Double
    /// Buffer growths during the timed calls (0: nothing allocated after the first call).
    let workspaceGrowthsDuringCalls: Int
    let workspaceFloats: Int
    /// The same forecast through `Sequential.predict` per step: median and p99 over `sequentialCalls`.
    let sequentialCalls: Int
    let sequentialMedianMicroseconds: Double
    let sequentialP99Microseconds: Double
    /// Whether both paths give the same forecast bit for bit, and the largest difference.
    let identicalToSequential: Bool
    let maxDifferenceToSequential: Double

    enum CodingKeys: String, CodingKey {
        case network, summary, steps, features, horizon, calls
        case medianMicroseconds = "median_us", p99Microseconds = "p99_us", meanMicroseconds = "mean_us", minMicroseconds = "min_us"
        case workspaceGrowthsDuringCalls = "workspace_growths_during_calls", workspaceFloats = "workspace_floats"
        case sequentialCalls = "sequential_calls", sequentialMedianMicroseconds = "sequential_median_us"
        case sequentialP99Microseconds = "sequential_p99_us"
        case identicalToSequential = "identical_to_sequential", maxDifferenceToSequential = "max_difference_to_sequential"
    }
}

/// A serving network of the latency benchmark; scripts/bench_peers.py `latency` builds the same.
struct LatencyNetwork: Sendable {
    let name: String
    let summary: String
    let steps: Int
    let features: Int
    let horizon: Int
    let build: @Sendable (inout RandomGenerator) throws -> Sequential

    static let all: [LatencyNetwork] = [
        LatencyNetwork(name: "W2", summary: "the A620 template net (LSTM 24/48/96/192 + Dropout, Dense(1)); 12 steps x 1 feature; 24 steps, recursive",
                       steps: 12, features: 1, horizon: 24, build: { try templateNetwork(.lstm, &$0) }),
        LatencyNetwork(name: "Melbourne", summary: "examples/melbourne-calendar.json: LSTM(32) + Dense(1); 14 steps x 3 features (value, day-of-year sin, cos); 1 step",
                       steps: 14, features: 3, horizon: 1,
                       build: { rng in try Sequential([LSTM(inputSize: 3, units: 32, rng: &rng), Dense(inputSize: 32, units: 1, rng: &rng)]) }),
    ]
}

/// The p-quantile of sorted values (nearest rank).
func quantile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[Swift.min(sorted.count - 1, Swift.max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
}

func measureLatency(_ net: LatencyNetwork, calls: Int) throws -> LatencyResult {
    var rng = RandomGenerator(seed: 42)
    let model = try net.build(&rng)
    let T = net.steps, F = net.features, horizon = net.horizon
    var window = [Float](repeating: 0, count: T * F)
    for t in 0..<T {
        for f in 0..<F { window[t * F + f] = Float(0.5 + 0.3 * sin(Double(t) / 24 * 2 * .pi + Double(f))) }
    }
    let context = try InferenceContext(model: model)
    var out = [Float](repeating: 0, count: horizon)
    try window.withUnsafeBufferPointer { w in try out.withUnsafeMutableBufferPointer { o in
        try context.forecast(window: w.baseAddress!, steps: T, horizon: horizon, into: o.baseAddress!)
    } }
    let growths = context.workspaceAllocations
    var times = [Double](repeating: 0, count: calls)
    try window.withUnsafeBufferPointer { w in try out.withUnsafeMutableBufferPointer { o in
        for i in 0..<calls {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try context.forecast(window: w.baseAddress!, steps: T, horizon: horizon, into: o.baseAddress!)
            times[i] = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-3
        }
    } }
    let grown = context.workspaceAllocations - growths
    // The same forecast through Sequential.predict, one [1, T, F] tensor per step.
    let input = Tensor(shape: [1, T, F])
    var reference = [Float](repeating: 0, count: horizon)
    func sequentialForecast() throws {
        for i in 0..<(T * F) { input.data[i] = window[i] }
        for k in 0..<horizon {
            let y = try model.predict(input).data[0]
            reference[k] = y
            if k == horizon - 1 { break }
            for i in 0..<((T - 1) * F) { input.data[i] = input.data[i + F] }
            input.data[(T - 1) * F] = y
        }
    }
    let sequentialCalls = Swift.max(1, calls / 10)
    try sequentialForecast()
    var seqTimes = [Double](repeating: 0, count: sequentialCalls)
    for i in 0..<sequentialCalls {
        let t0 = DispatchTime.now().uptimeNanoseconds
        try sequentialForecast()
        seqTimes[i] = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-3
    }
    let sorted = times.sorted(), seqSorted = seqTimes.sorted()
    let diff = zip(out, reference).map { Double(abs($0 - $1)) }.max() ?? 0
    return LatencyResult(
        network: net.name, summary: net.summary, steps: T, features: F, horizon: horizon, calls: calls,
        medianMicroseconds: quantile(sorted, 0.5), p99Microseconds: quantile(sorted, 0.99),
        meanMicroseconds: times.reduce(0, +) / Double(calls), minMicroseconds: sorted[0],
        workspaceGrowthsDuringCalls: grown, workspaceFloats: context.workspaceFloats,
        sequentialCalls: sequentialCalls, sequentialMedianMicroseconds: quantile(seqSorted, 0.5),
        sequentialP99Microseconds: quantile(seqSorted, 0.99), identicalToSequential: out == reference,
        maxDifferenceToSequential: diff)
}
