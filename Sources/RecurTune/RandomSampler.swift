import RecurTensor
import RecurTrain

/// Independent uniform draws (`SearchSpace.sampleRandomly`) from the trial's own generator: the
/// history is ignored, so trial `number` gets the same point whatever ran before it.
public struct RandomSampler: Sampler {
    public init() {}

    public func propose(space: SearchSpace, trials: [TrialRecord], number: Int, seed: UInt64) throws -> [String: SearchValue] {
        var rng = RandomGenerator(trialSeed: seed, number: number)
        return space.sampleRandomly(using: &rng)
    }
}
