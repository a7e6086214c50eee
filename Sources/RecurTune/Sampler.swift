import RecurTensor
import RecurTrain

/// Chooses the parameters of the next trial.
public protocol Sampler: Sendable {
    /// Parameters for trial `number`, given every trial so far (finished AND running: running
    /// ones have state .running and no value). Deterministic in (space, trials, number, seed).
    func propose(space: SearchSpace, trials: [TrialRecord], number: Int, seed: UInt64) throws -> [String: SearchValue]
}

/// Why a sampler has nothing to propose.
public enum SamplerError: Error, Equatable, CustomStringConvertible {
    /// Every point of the grid has been taken by a trial.
    case gridExhausted(points: Int)
    /// The grid sampler was given a space with a continuous parameter.
    case notAGrid(parameter: String)

    public var description: String {
        switch self {
        case let .gridExhausted(n): return "every point of the grid (\(n)) has been tried"
        case let .notAGrid(name):
            return "the grid sampler needs every parameter to be a choice, int or quantized range; `\(name)` is continuous"
        }
    }
}

extension SearchConfig.Sampler {
    /// The sampler this config value names, with its defaults (TPE with `startupTrials`).
    public func make(startupTrials: Int = 10) -> any RecurTune.Sampler {
        switch self {
        case .tpe: return TPESampler(startupTrials: startupTrials)
        case .random: return RandomSampler()
        case .grid: return GridSampler()
        }
    }
}

extension SearchConfig {
    /// The sampler `sampler` and `startup_trials` describe.
    public func makeSampler() -> any RecurTune.Sampler { sampler.make(startupTrials: startupTrials) }
}
