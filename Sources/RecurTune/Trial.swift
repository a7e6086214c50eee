import RecurTensor
import RecurTrain

/// Where a trial stands. `running` trials have proposed parameters and no final value yet.
/// As a dictionary key it encodes as its name (`CodingKeyRepresentable`: `{"complete": 3}`).
public enum TrialState: String, Codable, CodingKeyRepresentable, Sendable, CaseIterable {
    case running, complete, pruned, failed
}

/// A trial as samplers and pruners see it. `value`: the objective, lower is better (set when
/// complete; pruned trials keep their last intermediate value there too, for TPE).
public struct TrialRecord: Sendable, Equatable {
    /// 0-based, unique in a study.
    public var number: Int
    /// Active parameters only.
    public var params: [String: SearchValue]
    public var state: TrialState
    public var value: Double?
    /// Epoch (1-based) -> objective after that epoch.
    public var intermediate: [Int: Double]

    public init(number: Int, params: [String: SearchValue], state: TrialState, value: Double? = nil,
                intermediate: [Int: Double] = [:]) {
        self.number = number
        self.params = params
        self.state = state
        self.value = value
        self.intermediate = intermediate
    }

    /// The last epoch with an intermediate value, nil when none was reported.
    public var lastStep: Int? { intermediate.keys.max() }

    /// The intermediate value of the last reported epoch.
    public var lastIntermediate: Double? { lastStep.flatMap { intermediate[$0] } }
}

extension RandomGenerator {
    /// The generator of trial `number` in a study seeded with `seed`: independent of every
    /// other trial's, so the same seed and history give the same proposal, and a resumed study
    /// proposes what an uninterrupted one would have.
    /// The trial number goes through SplitMix64's finalizer first, so that neighbouring trials'
    /// seeds are unrelated (not one golden-ratio step apart, which would shift one seeding
    /// sequence into the next).
    public init(trialSeed seed: UInt64, number: Int) {
        var z = (UInt64(truncatingIfNeeded: number) &+ 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        self.init(seed: seed ^ z ^ (z >> 31))
    }
}
