import RecurNN

extension OptimizerConfig {
    /// The engine optimizer this config describes. Every setting the config leaves out takes the
    /// engine's default for the optimizer and style (read from one built with defaults only), so
    /// no default is restated here.
    public func makeOptimizer() throws -> Optimizer {
        let style = self.style ?? .keras
        let d = try OptimizerConfig(name: name).engineDefaults(style: style).hyperparameters
        func value(_ x: Double?, _ key: String) -> Float { Float(x ?? d[key] ?? .nan) }
        let clipping = GradientClipping(globalNorm: clipNorm.map { Float($0) }, value: clipValue.map { Float($0) })
        let regularization = Regularization(l2: Float(l2 ?? 0), weightDecay: Float(weightDecay ?? 0))
        let lr = value(learningRate, "learning_rate"), eps = epsilon.map { Float($0) }
        switch name {
        case .sgd:
            return try SGD(learningRate: lr, momentum: value(momentum, "momentum"), nesterov: nesterov ?? false,
                           regularization: regularization, clipping: clipping)
        case .rmsprop:
            return try RMSprop(learningRate: lr, rho: value(rho, "rho"), epsilon: eps, momentum: value(momentum, "momentum"),
                               centered: centered ?? false, style: style, regularization: regularization, clipping: clipping)
        case .adam:
            return try Adam(learningRate: lr, beta1: value(beta1, "beta1"), beta2: value(beta2, "beta2"), epsilon: eps,
                            style: style, regularization: regularization, clipping: clipping)
        case .adamw:
            return try AdamW(learningRate: lr, beta1: value(beta1, "beta1"), beta2: value(beta2, "beta2"), epsilon: eps,
                             weightDecay: value(weightDecay, "weight_decay"), l2: Float(l2 ?? 0), style: style, clipping: clipping)
        case .adadelta:
            return try Adadelta(learningRate: lr, rho: value(rho, "rho"), epsilon: value(epsilon, "epsilon"),
                                regularization: regularization, clipping: clipping)
        case .adagrad:
            return try Adagrad(learningRate: lr, initialAccumulator: value(initialAccumulator, "initial_accumulator"),
                               epsilon: eps, style: style, regularization: regularization, clipping: clipping)
        }
    }

    /// The engine optimizer `name` with all its defaults for `style`.
    private func engineDefaults(style: OptimizerStyle) throws -> Optimizer {
        switch name {
        case .sgd: return try SGD()
        case .rmsprop: return try RMSprop(style: style)
        case .adam: return try Adam(style: style)
        case .adamw: return try AdamW(style: style)
        case .adadelta: return try Adadelta()
        case .adagrad: return try Adagrad(style: style)
        }
    }
}
