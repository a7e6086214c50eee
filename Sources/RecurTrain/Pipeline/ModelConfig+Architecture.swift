/// Turning a `ModelConfig` into the layers actually built (`ModelArchitecture`, recorded in model
/// packages): `"auto"` units resolved, `return_sequences` defaults filled in, Dropout layers
/// inserted after layers with a `dropout` rate, and the output Dense appended when missing.
extension ModelConfig {
    /// The network for samples shaped by `window` with `featureCount` features per step.
    ///
    /// Inputs per sample are `window.nPastSteps × featureCount`; the network sees
    /// `window.timesteps` steps of `inputCount / timesteps` features. The output Dense has
    /// `window.outputCount × outputsPerStep` units (horizon for the direct strategy, 1 for the
    /// recursive one; times the quantiles of a quantile loss, innermost).
    /// - Throws: `ConfigError` naming the layer (`model.layers[i]`) for layers that do not fit
    ///   together: a final Dense of the wrong width, a Dense before a recurrent layer, a
    ///   recurrent layer told not to return sequences although another recurrent layer follows.
    public func architecture(window: WindowConfig, featureCount: Int, outputsPerStep: Int = 1, file: String? = nil) throws -> ModelArchitecture {
        let outputCount = window.outputCount * outputsPerStep
        let inputCount = window.inputCount(featureCount: featureCount)
        let steps = window.timesteps
        var builder = ArchitectureBuilder(inputSize: inputCount / steps)
        switch self {
        case let .widthRule(rule):
            let units = rule.units(nPastSteps: window.nPastSteps)
            let rates = [rule.first.dropout] + Array(repeating: rule.middle.dropout, count: rule.middle.count) + [rule.last.dropout]
            for (k, u) in units.enumerated() {
                builder.add(rule.cell.rawValue, units: u, returnSequences: k < units.count - 1)
                builder.addDropout(rates[k])
            }
            builder.add("dense", units: outputCount)
        case let .layers(layers):
            func nextIsRecurrent(after i: Int) -> Bool {
                layers[(i + 1)...].first(where: { $0.type != .dropout })?.type.isRecurrent ?? false
            }
            func fail(_ i: Int, _ key: String?, _ message: String, hint: String? = nil) -> ConfigError {
                let path = "model.layers[\(i)]" + (key.map { "." + $0 } ?? "")
                return ConfigError(kind: .invalidValue, file: file, keyPath: path, message: "`\(path)` " + message, hint: hint)
            }
            for (i, layer) in layers.enumerated() {
                switch layer.type {
                case .dropout:
                    builder.addDropout(layer.rate ?? 0)
                case .dense:
                    if nextIsRecurrent(after: i) {
                        throw fail(i, nil, "is a dense layer before a recurrent one, which is not supported",
                                   hint: "put dense layers after the recurrent ones")
                    }
                    let isOutput = isLastNonDropout(i, layers)
                    var units: Int
                    switch layer.units {
                    case let .count(n)?: units = n
                    case .auto?: units = isOutput ? outputCount : Units.autoUnits(inputCount: inputCount)
                    case nil:
                        guard isOutput else { throw fail(i, "units", "is required for a dense layer that is not the output layer") }
                        units = outputCount
                    }
                    if isOutput, units != outputCount {
                        throw fail(i, "units", "must be \(outputCount) (the model's outputs: \(window.strategy == .direct ? "the horizon" : "1 for the recursive strategy")\(outputsPerStep > 1 ? " times \(outputsPerStep) quantiles" : "")), got \(units)",
                                   hint: "leave `units` out of the final dense layer, or end the list with a recurrent layer to get the output layer added")
                    }
                    builder.add("dense", units: units, activation: layer.activation)
                    if let d = layer.dropout { builder.addDropout(d) }
                default:
                    let follows = nextIsRecurrent(after: i)
                    if follows, layer.returnSequences == false {
                        throw fail(i, "return_sequences", "must be true: another recurrent layer follows")
                    }
                    builder.add(layer.type.rawValue, units: (layer.units ?? .auto).resolved(inputCount: inputCount),
                                returnSequences: layer.returnSequences ?? follows, activation: layer.activation,
                                recurrentActivation: layer.recurrentActivation,
                                resetAfter: layer.type == .gru ? (layer.resetAfter ?? true) : nil)
                    if let d = layer.dropout { builder.addDropout(d) }
                }
            }
            if layers.last(where: { $0.type != .dropout })?.type != .dense {
                builder.add("dense", units: outputCount)
            }
        }
        return ModelArchitecture(inputSteps: steps, inputFeatures: inputCount / steps, layers: builder.layers)
    }

    private func isLastNonDropout(_ i: Int, _ layers: [LayerConfig]) -> Bool {
        layers.lastIndex(where: { $0.type != .dropout }) == i
    }
}

/// Appends layer specs, tracking sizes and Keras-style names (`lstm_1`, `dropout_2`, `dense_1`).
private struct ArchitectureBuilder {
    var layers: [LayerSpec] = []
    var size: Int
    var counts: [String: Int] = [:]

    init(inputSize: Int) { size = inputSize }

    mutating func name(_ type: String) -> String {
        counts[type, default: 0] += 1
        return "\(type)_\(counts[type]!)"
    }

    mutating func add(_ type: String, units: Int, returnSequences: Bool? = nil, activation: String? = nil,
                      recurrentActivation: String? = nil, resetAfter: Bool? = nil) {
        let recurrent = type != "dense"
        layers.append(LayerSpec(type: type, name: name(type), inputSize: size, units: units,
                                returnSequences: recurrent ? (returnSequences ?? false) : nil, activation: activation,
                                recurrentActivation: recurrentActivation, resetAfter: resetAfter))
        size = units
    }

    mutating func addDropout(_ rate: Double) {
        layers.append(LayerSpec(type: "dropout", name: name("dropout"), inputSize: size, units: size, rate: rate))
    }
}
