import Foundation
import RecurNN

/// `training.ensemble: K`: K networks of the same architecture, trained on the same samples
/// from the seeds `seed, seed + 1, …, seed + K − 1` (each with its own early stopping), whose
/// forecast is the mean of theirs. The package holds all K weight sets and records each
/// member (`EnsembleRecord`); every reader (`Evaluator`: predict, evaluate, backtest, serve)
/// averages them, and the intervals are calibrated on the ensemble's validation residuals.
public enum Ensemble {
    /// The most members a config may ask for.
    public static let maxMembers = 100

    /// The weights file of member `index` (0-based): `weights.safetensors` for the first (so a
    /// one-member package is an ordinary package), `weights-member-<index + 1>.safetensors` after.
    public static func weightsFile(member index: Int) -> String {
        index == 0 ? ModelPackage.weightsFile : "weights-member-\(index + 1).safetensors"
    }

    /// The seed of member `index` for a run seeded `seed`.
    public static func seed(_ seed: UInt64, member index: Int) -> UInt64 { seed &+ UInt64(index) }
}

/// The members of an ensemble package, in `manifest.json` as `ensemble`; nil for a single model.
public struct EnsembleRecord: Codable, Equatable, Sendable {
    /// One member: its seed, its weights file in the package, and how its training went.
    public struct Member: Codable, Equatable, Sendable {
        public var seed: UInt64
        public var weights: String
        public var epochsRun: Int
        public var bestEpoch: Int?
        public var stopReason: String
        /// Its own validation RMSE in original units (nil without a validation part).
        public var validationRMSE: Double?

        enum CodingKeys: String, CodingKey { case seed, weights, epochsRun, bestEpoch, stopReason, validationRMSE = "validationRmse" }
    }

    /// The members in order; the first is the package's `training` record and `weights.safetensors`.
    public var members: [Member]
    /// How the forecasts are combined, in words.
    public var combination = "mean of the members' forecasts in original units, quantile by quantile"
}

/// The mean of forecasts of the same windows, plane by plane.
public enum EnsembleMean {
    /// The element-wise mean of `outputs` (same horizon, quantiles and shapes; not empty),
    /// accumulated in Double. One member's outputs come back unchanged. The mean of sorted
    /// quantile vectors is sorted, so an ensemble's quantiles never cross either.
    public static func of(_ outputs: [ModelOutputs]) throws -> ModelOutputs {
        precondition(!outputs.isEmpty, "the mean of no forecasts")
        guard outputs.count > 1 else { return outputs[0] }
        let first = outputs[0]
        for o in outputs.dropFirst() {
            guard o.horizon == first.horizon, o.quantiles == first.quantiles, o.planes.map(\.count) == first.planes.map(\.count) else {
                throw TrainingError.invalidData("the ensemble's members give forecasts of different shapes (\(o.planes.map(\.count)) against \(first.planes.map(\.count)))")
            }
        }
        let scale = 1 / Double(outputs.count)
        let planes = first.planes.indices.map { p -> [Float] in
            var sum = [Double](repeating: 0, count: first.planes[p].count)
            for o in outputs { for (i, v) in o.planes[p].enumerated() { sum[i] += Double(v) } }
            return sum.map { Float($0 * scale) }
        }
        return ModelOutputs(horizon: first.horizon, quantiles: first.quantiles, planes: planes)
    }
}
