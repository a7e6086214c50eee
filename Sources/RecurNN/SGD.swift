import RecurTensor

/// Stochastic gradient descent with optional momentum and Nesterov momentum, in PyTorch's
/// formulation (`torch.optim.SGD`, no dampening):
///
///     b = momentum * b + g                 (b starts at zero, so the first b is g)
///     d = nesterov ? g + momentum * b : b  (d = g without momentum)
///     w -= lr * d
///
/// With a constant learning rate this equals Keras's `SGD` (`v = momentum * v - lr * g`,
/// `w += v`, or `w += momentum * v - lr * g` with Nesterov), since Keras's `v` is `-lr * b`.
/// Defaults are Keras's: learning rate 0.01, no momentum.
public final class SGD: Optimizer {
    /// The momentum factor in [0, 1); 0 turns momentum off.
    public let momentum: Float
    /// Whether to use Nesterov momentum (needs `momentum > 0`).
    public let nesterov: Bool

    /// - Throws: `NNError.invalidArgument` for a negative learning rate, a momentum outside
    ///   [0, 1), or Nesterov without momentum.
    public init(learningRate: Float = 0.01, momentum: Float = 0, nesterov: Bool = false,
                regularization: Regularization = .none, clipping: GradientClipping = .none) throws {
        self.momentum = momentum
        self.nesterov = nesterov
        try super.init(name: "sgd", learningRate: learningRate, regularization: regularization, clipping: clipping)
        try Optimizer.require(momentum >= 0 && momentum < 1, name, "momentum", momentum, "a number in [0, 1)")
        try Optimizer.require(!nesterov || momentum > 0, name, "momentum", momentum, "> 0 when nesterov is on")
    }

    override var momentCount: Int { momentum > 0 ? 1 : 0 }

    override public var hyperparameters: [String: Double] {
        var h = super.hyperparameters
        h["momentum"] = Double(momentum)
        h["nesterov"] = nesterov ? 1 : 0
        return h
    }

    override func update(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int, lr: Float, t: Int) {
        if momentum == 0 {
            for i in 0..<n { w[i] -= lr * g[i] }
            return
        }
        let b = moments[0].data, mu = momentum
        if nesterov {
            for i in 0..<n {
                b[i] = mu * b[i] + g[i]
                w[i] -= lr * (g[i] + mu * b[i])
            }
        } else {
            for i in 0..<n {
                b[i] = mu * b[i] + g[i]
                w[i] -= lr * b[i]
            }
        }
    }
}
