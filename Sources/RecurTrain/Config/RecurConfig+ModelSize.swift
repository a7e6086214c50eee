/// The size check of `checkConsistency`: a model whose parameters and training workspace
/// (`ModelMemory`) exceed `ModelMemory.limitBytes` is a config error naming the key that makes
/// it large, before anything is allocated.
extension RecurConfig {
    /// - Throws: `ConfigError` (`.invalidValue`) naming the units or multiplier key, the layer
    ///   size, the memory it would need and the limit.
    func checkModelSize(_ architecture: ModelArchitecture, tree: ConfigValue?) throws {
        let need = ModelMemory(architecture, batchSize: training.batchSize)
        let limit = ModelMemory.limitBytes
        guard need.totalBytes > limit else { return }
        let largest = architecture.layers.max { $0.units < $1.units }
        let (key, value) = sizeKey(tree: tree)
        let count = need.parameterCount == Int.max ? "more than \(Int.max)" : "\(need.parameterCount)"
        throw ConfigError(
            kind: .invalidValue, file: sourceFile, keyPath: key, location: value?.location,
            message: "`\(key)` makes a model too large for this machine: its largest layer has \(largest?.units ?? 0) units, "
                + "\(count) parameters in all; training it needs about \(ModelMemory.describe(bytes: need.totalBytes)) "
                + "(\(ModelMemory.describe(bytes: need.parameterBytes)) for parameters, gradients and optimizer state, "
                + "\(ModelMemory.describe(bytes: need.workspaceBytes)) of workspace for batches of \(training.batchSize)), "
                + "more than the limit of \(ModelMemory.describe(bytes: limit)) (\(ModelMemory.limitSource))",
            hint: "use fewer units (or a smaller multiplier), or a smaller training.batch_size")
    }

    /// The key that sets the size of the largest layer, and its node in `tree` when known.
    private func sizeKey(tree: ConfigValue?) -> (String, ConfigValue?) {
        switch model {
        case let .layers(layers):
            let units = layers.map { layer -> Int in
                guard layer.type != .dropout else { return 0 }
                return (layer.units ?? .auto).resolved(inputCount: inputCount)
            }
            let i = units.indices.max { units[$0] < units[$1] } ?? 0
            let key = "model.layers[\(i)].units"
            var node: ConfigValue? = nil
            if case let .array(items)? = tree?["model"]?["layers"]?.kind, i < items.count { node = items[i]["units"] }
            return (key, node)
        case let .widthRule(rule):
            // The group with the largest multiplier (first wins ties): it is what grows the layers.
            let groups = [("first", rule.first.mult), ("middle", rule.middle.mult), ("last", rule.last.mult)]
            let group = groups.max { $0.1 < $1.1 }!.0, key = "model.width_rule.\(group).mult"
            if format == .template { return (TemplateConfig.key(forNative: key), nil) }
            return (key, tree?["model"]?["width_rule"]?[group]?["mult"])
        }
    }
}
