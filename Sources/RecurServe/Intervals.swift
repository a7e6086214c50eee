import Foundation
import RecurStore
import RecurTrain

/// Prediction intervals in `recur serve`: which levels a package was calibrated for (the
/// manifest's `intervals`, as `recur predict` reads them) and the check of the levels a
/// request asks for. The bounds themselves come from the forecaster (the code path of
/// `recur predict`) and become columns through `IntervalBounds` (answers and the store alike).
enum Intervals {
    /// The coverage levels the package can give, e.g. [0.8, 0.95]; empty without intervals.
    static func calibratedLevels(_ manifest: PackageManifest) -> [Double] { manifest.intervals?.calibratedLevels ?? [] }

    /// Checks the levels asked for against the package's.
    static func check(_ levels: [Double], model: ServedModel) throws {
        let available = model.intervalLevels
        for (i, level) in levels.enumerated() where !available.contains(where: { abs($0 - level) < 1e-9 }) {
            let list = available.isEmpty ? "none (its package has no calibrated intervals)" : available.map { "\($0)" }.joined(separator: ", ")
            throw APIError.unprocessable(levels.count == 1 ? "levels" : "levels[\(i)]",
                                         "model \(model.name) was not calibrated for level \(level); its levels: \(list)")
        }
    }
}
