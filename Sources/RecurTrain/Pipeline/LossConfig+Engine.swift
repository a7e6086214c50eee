import RecurNN

/// `training.loss` as the engine's loss and the model's output layout.
extension LossConfig {
    /// The engine's loss for this config.
    /// - Throws: `NNError.invalidArgument` for an unknown name or bad settings.
    public func engineLoss() throws -> Loss {
        if let quantiles { return try Loss.quantiles(quantiles) }
        return try Loss(name: name, huberDelta: Float(delta ?? 1))
    }

    /// Model outputs per forecast step: the number of quantiles, or 1.
    public var outputsPerStep: Int { quantiles?.count ?? 1 }

    /// The index of the median among the quantiles (nil for a point loss).
    public var medianIndex: Int? { quantiles?.firstIndex(of: Self.medianQuantile) }
}
