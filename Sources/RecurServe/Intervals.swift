import Foundation
import RecurStore
import RecurTrain

/// Prediction intervals in `recur serve`: the one place that knows which levels a package was
/// calibrated for and how they become answer columns (`lower_80`, `upper_80`) and store
/// columns. Packages carry no calibrated intervals yet, so every level is refused with 422
/// naming `levels`; when packages record calibrated levels, `calibratedLevels` reads them and
/// `bounds` computes them, and nothing else changes.
enum Intervals {
    /// The coverage levels the package can give, e.g. [0.8, 0.95]; none yet.
    static func calibratedLevels(_ manifest: PackageManifest) -> [Double] { [] }

    /// Checks the levels asked for against the package's.
    static func check(_ levels: [Double], model: ServedModel) throws {
        let available = model.intervalLevels
        for (i, level) in levels.enumerated() where !available.contains(where: { abs($0 - level) < 1e-9 }) {
            let list = available.isEmpty ? "none (its package has no calibrated intervals)" : available.map { "\($0)" }.joined(separator: ", ")
            throw APIError.unprocessable(levels.count == 1 ? "levels" : "levels[\(i)]",
                                         "model \(model.name) was not calibrated for level \(level); its levels: \(list)")
        }
    }

    /// Step k's bounds for each level asked for: [steps][levels]. Empty while packages have none.
    static func bounds(_ forecast: Forecast, levels: [Double], model: ServedModel) -> [[IntervalBounds]] {
        guard !levels.isEmpty else { return [] }
        return []
    }
}
