import RecurNN
import RecurTensor

/// One training-throughput workload of DESIGN.md section 4 (or a variant of one).
struct Workload: Sendable {
    /// `W1`, `W2`, `W3`, `W2-GRU`, `W2-GRU-before`, `W2-RNN`.
    let name: String
    let summary: String
    /// Builds the model with the given generator.
    let build: @Sendable (inout RandomGenerator) throws -> Sequential
    /// Input timesteps and features per sample (`[steps, features]`).
    let steps: Int
    let features: Int
    let batch: Int
    let epochs: Int
    /// Batches trained per epoch (nil: the whole epoch); the timed run trains on the first
    /// `timedBatches × batch` prepared samples.
    let timedBatches: Int?
    let loss: Loss
    /// The example config (under `--configs`) and overrides that prepare its samples.
    let config: String
    let overrides: [String]
    /// The data set file (under `--data`).
    let csv: String
    /// Whether test RMSE (original units) is measured after training (W1).
    var reportsTestRMSE: Bool { name == "W1" }
    /// Synthetic sample count (with --synthetic).
    let syntheticSamples: Int
    /// Forward+backward floating-point operations per training sample (for achieved GFLOP/s).
    let flopsPerSample: Double
    /// Run only when named (not one of DESIGN.md's workloads).
    var extra = false
}

/// Training FLOPs per sample of a recurrent stack with `gates` gate blocks (LSTM 4, GRU 3,
/// SimpleRNN 1): forward 2·(in+H)·gates·H per step, backward twice that.
func recurrentFlops(steps: Int, sizes: [(input: Int, units: Int)], gates: Int) -> Double {
    sizes.reduce(0.0) { $0 + 3 * 2 * Double(steps) * Double($1.input + $1.units) * Double(gates * $1.units) }
}

/// The template network's recurrent widths.
let templateUnits = [24, 48, 96, 192]

/// The template's network (DESIGN.md W2): recurrent layers of 24, 48, 96 and 192 units of
/// `kind`, each followed by Dropout(0.2), then Dense(1). `resetAfter`: the GRU's reset placement.
func templateNetwork(_ kind: LayerKind, resetAfter: Bool = true, _ rng: inout RandomGenerator) throws -> Sequential {
    var layers: [Layer] = []
    var input = 1
    for (i, units) in templateUnits.enumerated() {
        let sequences = i < templateUnits.count - 1
        switch kind {
        case .gru:
            layers.append(try GRU(inputSize: input, units: units, returnSequences: sequences, resetAfter: resetAfter, rng: &rng))
        case .simpleRNN: layers.append(try SimpleRNN(inputSize: input, units: units, returnSequences: sequences, rng: &rng))
        default: layers.append(try LSTM(inputSize: input, units: units, returnSequences: sequences, rng: &rng))
        }
        layers.append(try Dropout(size: units, rate: 0.2, seed: UInt64(i + 1)))
        input = units
    }
    layers.append(try Dense(inputSize: input, units: 1, rng: &rng))
    return try Sequential(layers)
}

/// W2 (LSTM) and its GRU (either reset placement) and SimpleRNN variants: one declaration.
func templateWorkload(_ kind: LayerKind, resetAfter: Bool = true) -> Workload {
    let suffix = kind == .lstm ? "" : (kind == .gru ? (resetAfter ? "-GRU" : "-GRU-before") : "-RNN")
    let gru = resetAfter ? "GRU (reset after)" : "GRU (reset before, Keras reset_after=False)"
    let title = kind == .lstm ? "A620 template net" : "W2 with \(kind == .gru ? gru : "\(kind)") layers"
    let sizes = zip([1] + templateUnits.dropLast(), templateUnits).map { (input: $0, units: $1) }
    return Workload(
        name: "W2" + suffix,
        summary: "\(title): \(kind) 24/48/96/192 each + Dropout(0.2), Dense(1); 12 steps, batch 32, Adam, MAE; one epoch",
        build: { rng in try templateNetwork(kind, resetAfter: resetAfter, &rng) },
        steps: 12, features: 1, batch: 32, epochs: 1, timedBatches: nil, loss: .meanAbsoluteError,
        config: "a620-template-native.json", overrides: [], csv: "a620-hourly-temperature.csv",
        syntheticSamples: 8192, flopsPerSample: recurrentFlops(steps: 12, sizes: sizes, gates: kind.gates),
        extra: kind != .lstm)
}

/// Every training workload, DESIGN.md's first.
let workloads: [Workload] = [
    Workload(
        name: "W1", summary: "Melbourne scheme 1: LSTM(4) + Dense(1), lag 3 as 1 step x 3 features, batch 1, 25 epochs, Adam, MSE",
        build: { rng in try Sequential([
            LSTM(inputSize: 3, units: 4, returnSequences: false, rng: &rng),
            Dense(inputSize: 4, units: 1, rng: &rng)]) },
        steps: 1, features: 3, batch: 1, epochs: 25, timedBatches: nil, loss: .meanSquaredError,
        config: "melbourne-seed.json", overrides: [], csv: "melbourne-daily-min-temperatures.csv",
        syntheticSamples: 1997, flopsPerSample: recurrentFlops(steps: 1, sizes: [(3, 4)], gates: 4)),
    templateWorkload(.lstm),
    Workload(
        name: "W3", summary: "A620: 2 x LSTM(256) + Dense(1); 48 steps, batch 64, Adam, MSE; 32 batches",
        build: { rng in try Sequential([
            LSTM(inputSize: 1, units: 256, returnSequences: true, rng: &rng),
            LSTM(inputSize: 256, units: 256, returnSequences: false, rng: &rng),
            Dense(inputSize: 256, units: 1, rng: &rng)]) },
        steps: 48, features: 1, batch: 64, epochs: 1, timedBatches: 32, loss: .meanSquaredError,
        config: "a620-template-native.json", overrides: ["window.n_past_steps=48"], csv: "a620-hourly-temperature.csv",
        syntheticSamples: 2048, flopsPerSample: recurrentFlops(steps: 48, sizes: [(1, 256), (256, 256)], gates: 4)),
    templateWorkload(.gru),
    templateWorkload(.gru, resetAfter: false),
    templateWorkload(.simpleRNN),
]
