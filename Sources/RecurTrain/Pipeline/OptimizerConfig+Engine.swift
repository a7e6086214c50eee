import RecurNN

extension OptimizerConfig {
    /// The engine optimizer this config describes (defaults: the optimizer's own, Keras's).
    public func makeOptimizer() throws -> Optimizer {
        let clipping = GradientClipping(globalNorm: clipNorm.map { Float($0) }, value: clipValue.map { Float($0) })
        let regularization = Regularization(l2: Float(l2 ?? 0), weightDecay: Float(weightDecay ?? 0))
        let lr = learningRate.map { Float($0) }
        let engineStyle = style ?? .keras
        switch name {
        case .sgd:
            return try SGD(learningRate: lr ?? 0.01, momentum: Float(momentum ?? 0), nesterov: nesterov ?? false,
                           regularization: regularization, clipping: clipping)
        case .rmsprop:
            return try RMSprop(learningRate: lr ?? 0.001, rho: Float(rho ?? 0.9), epsilon: epsilon.map { Float($0) },
                               momentum: Float(momentum ?? 0), centered: centered ?? false, style: engineStyle,
                               regularization: regularization, clipping: clipping)
        case .adam:
            return try Adam(learningRate: lr ?? 0.001, beta1: Float(beta1 ?? 0.9), beta2: Float(beta2 ?? 0.999),
                            epsilon: epsilon.map { Float($0) }, style: engineStyle,
                            regularization: regularization, clipping: clipping)
        case .adamw:
            return try AdamW(learningRate: lr ?? 0.001, beta1: Float(beta1 ?? 0.9), beta2: Float(beta2 ?? 0.999),
                             epsilon: epsilon.map { Float($0) }, weightDecay: Float(weightDecay ?? Double(AdamW.defaultWeightDecay)),
                             l2: Float(l2 ?? 0), style: engineStyle, clipping: clipping)
        case .adadelta:
            return try Adadelta(learningRate: lr ?? 0.001, rho: Float(rho ?? 0.95), epsilon: Float(epsilon ?? 1e-7),
                                regularization: regularization, clipping: clipping)
        case .adagrad:
            return try Adagrad(learningRate: lr ?? 0.001, initialAccumulator: Float(initialAccumulator ?? 0.1),
                               epsilon: epsilon.map { Float($0) }, style: engineStyle,
                               regularization: regularization, clipping: clipping)
        }
    }
}
