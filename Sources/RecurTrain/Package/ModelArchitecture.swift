import RecurNN
import RecurTensor

/// One layer as built, recorded in a model package: enough to rebuild it exactly.
public struct LayerSpec: Codable, Equatable, Sendable {
    /// `lstm`, `gru`, `simple_rnn`, `dense` or `dropout`.
    public var type: String
    /// The layer's name in the model (weights are stored under it).
    public var name: String
    /// Features per step in.
    public var inputSize: Int
    /// Units (features out); for dropout, the same as `inputSize`.
    public var units: Int
    /// Recurrent layers: whether every step is returned.
    public var returnSequences: Bool?
    /// Activation (`tanh`, `relu`, ...); `nil` means the layer's default.
    public var activation: String?
    /// Recurrent activation of LSTM and GRU.
    public var recurrentActivation: String?
    /// GRU only.
    public var resetAfter: Bool?
    /// Dropout only: the rate in [0, 1).
    public var rate: Double?
    /// LSTM and SimpleRNN only: two bias rows (PyTorch's `b_ih`, `b_hh`) instead of one; `nil`
    /// means `false`. See `LSTM.separateRecurrentBias`.
    public var separateRecurrentBias: Bool?

    public init(type: String, name: String, inputSize: Int, units: Int, returnSequences: Bool? = nil, activation: String? = nil,
                recurrentActivation: String? = nil, resetAfter: Bool? = nil, rate: Double? = nil,
                separateRecurrentBias: Bool? = nil) {
        self.type = type
        self.name = name
        self.inputSize = inputSize
        self.units = units
        self.returnSequences = returnSequences
        self.activation = activation
        self.recurrentActivation = recurrentActivation
        self.resetAfter = resetAfter
        self.rate = rate
        self.separateRecurrentBias = separateRecurrentBias
    }
}

/// A model's layers as built: the part of a package that rebuilds the network.
public struct ModelArchitecture: Codable, Equatable, Sendable {
    /// Steps per input sample (T).
    public var inputSteps: Int
    /// Features per step (F).
    public var inputFeatures: Int
    /// The layers in order.
    public var layers: [LayerSpec]

    public init(inputSteps: Int, inputFeatures: Int, layers: [LayerSpec]) {
        self.inputSteps = inputSteps
        self.inputFeatures = inputFeatures
        self.layers = layers
    }

    /// The units of the recurrent layers, in order (what a results table shows).
    public var recurrentUnits: [Int] { layers.filter { ["lstm", "gru", "simple_rnn"].contains($0.type) }.map(\.units) }

    /// Builds the network; initial weights come from `seed` (dropout masks from seeds derived from it).
    /// With `initializeWeights` false the weights start at zero (and the forget bias at one),
    /// for a model whose weights are loaded next: it skips the orthogonal initializers' QR,
    /// which dominates loading a package (W4 in BENCHMARKS.md). Dropout masks, which only
    /// training uses, then come from a different stream.
    /// - Throws: `NNError` for invalid specs (names the layer).
    public func build(seed: UInt64, initializeWeights: Bool = true) throws -> Sequential {
        // Refuse what cannot be allocated before allocating it (a config is checked with its
        // batch size earlier; this guards every other way in, such as a package's manifest).
        let need = ModelMemory(self, batchSize: 1)
        if need.parameterBytes > ModelMemory.limitBytes, let largest = layers.max(by: { $0.units < $1.units }) {
            throw NNError.invalidArgument(
                layer: largest.name, argument: "units", value: "\(largest.units)",
                expected: "a model that fits in memory: \(need.parameterCount == Int.max ? "this many" : "\(need.parameterCount)") parameters need about \(ModelMemory.describe(bytes: need.parameterBytes)), more than the limit of \(ModelMemory.describe(bytes: ModelMemory.limitBytes)) (\(ModelMemory.limitSource))")
        }
        var rng = RandomGenerator(seed: seed)
        var layers: [Layer] = []
        func activation(_ name: String?, _ fallback: Activation, _ spec: LayerSpec, _ key: String) throws -> Activation {
            guard let name else { return fallback }
            guard let a = Activation(rawValue: name) else {
                throw NNError.invalidArgument(layer: spec.name, argument: key, value: name,
                                              expected: Activation.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return a
        }
        for spec in self.layers {
            let layer: Layer
            switch spec.type {
            case "lstm":
                layer = try LSTM(inputSize: spec.inputSize, units: spec.units, returnSequences: spec.returnSequences ?? false,
                                 activation: activation(spec.activation, .tanh, spec, "activation"),
                                 recurrentActivation: activation(spec.recurrentActivation, .sigmoid, spec, "recurrent_activation"),
                                 separateRecurrentBias: spec.separateRecurrentBias ?? false, name: spec.name, initializeWeights: initializeWeights, rng: &rng)
            case "gru":
                layer = try GRU(inputSize: spec.inputSize, units: spec.units, returnSequences: spec.returnSequences ?? false,
                                resetAfter: spec.resetAfter ?? true,
                                activation: activation(spec.activation, .tanh, spec, "activation"),
                                recurrentActivation: activation(spec.recurrentActivation, .sigmoid, spec, "recurrent_activation"),
                                name: spec.name, initializeWeights: initializeWeights, rng: &rng)
            case "simple_rnn":
                layer = try SimpleRNN(inputSize: spec.inputSize, units: spec.units, returnSequences: spec.returnSequences ?? false,
                                      activation: activation(spec.activation, .tanh, spec, "activation"),
                                      separateRecurrentBias: spec.separateRecurrentBias ?? false, name: spec.name, initializeWeights: initializeWeights, rng: &rng)
            case "dense":
                layer = try Dense(inputSize: spec.inputSize, units: spec.units,
                                  activation: activation(spec.activation, .linear, spec, "activation"), name: spec.name, initializeWeights: initializeWeights, rng: &rng)
            case "dropout":
                layer = try Dropout(size: spec.inputSize, rate: Float(spec.rate ?? 0), seed: rng.next(), name: spec.name)
            default:
                throw NNError.invalidArgument(layer: spec.name, argument: "type", value: spec.type,
                                              expected: "lstm, gru, simple_rnn, dense or dropout")
            }
            layers.append(layer)
        }
        return try Sequential(layers)
    }
}
