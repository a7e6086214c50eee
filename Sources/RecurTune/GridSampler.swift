import RecurTensor
import RecurTrain

/// Enumerates the grid (`SearchSpace.forEachGridPoint`: the first parameter varies slowest) and
/// proposes the first point no trial has taken. Complete, pruned and running trials take their
/// point; a failed trial gives its point back `failedRetries` times (a trial killed with its
/// process, or a transient error, is tried again; one that always fails is not tried forever).
/// Throws `SamplerError.gridExhausted` when every point is taken. The seed is not used: the
/// order is the grid's own.
public struct GridSampler: Sampler {
    /// How many failures of a point are retried (default 1: a point is dropped after failing twice).
    public var failedRetries: Int

    public init(failedRetries: Int = 1) {
        self.failedRetries = max(0, failedRetries)
    }

    public func propose(space: SearchSpace, trials: [TrialRecord], number: Int, seed: UInt64) throws -> [String: SearchValue] {
        if let k = space.domains.firstIndex(where: { $0.count == nil }) {
            throw SamplerError.notAGrid(parameter: space.parameters[k].name)
        }
        var taken = Set<[String: SearchValue]>()
        var failures: [[String: SearchValue]: Int] = [:]
        for t in trials where t.number != number {
            if t.state == .failed {
                failures[t.params, default: 0] += 1
            } else {
                taken.insert(t.params)
            }
        }
        for (point, n) in failures where n > failedRetries { taken.insert(point) }
        var found: [String: SearchValue]? = nil
        space.forEachGridPoint { point in
            if taken.contains(point) { return true }
            found = point
            return false
        }
        guard let found else { throw SamplerError.gridExhausted(points: space.gridSize ?? 0) }
        return found
    }
}
