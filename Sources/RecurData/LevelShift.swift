import Foundation

/// Whether the end of a series sits at a level its start never reached: a trend or a level
/// shift, where a model scaled globally on the training part (MinMax, standard) sees inputs
/// outside anything it was trained on. The rule, on the valid values in time order: the *early*
/// part is the first 60% (the default training part), the *late* part the last 20% (the default
/// test part); a shift is detected when the late mean differs from the early mean by at least
/// one early standard deviation, |late mean - early mean| / early std ≥ 1, or when at least 10%
/// of the late values lie outside the early part's [min, max]. A seasonal series whose cycles
/// repeat (temperatures over years) has neither.
public struct LevelShiftSummary: Codable, Equatable, Sendable {
    /// Mean and population standard deviation of the early part (target units).
    public var earlyMean: Double
    public var earlyStd: Double
    /// Range of the early part.
    public var earlyMin: Double
    public var earlyMax: Double
    /// Mean of the late part.
    public var lateMean: Double
    /// (late mean - early mean) / early std (0 when the early std is 0 and the means agree).
    public var shift: Double
    /// Share of the late values outside [earlyMin, earlyMax], 0...1.
    public var outsideShare: Double
    /// Whether the rule fires.
    public var detected: Bool
    /// The rule, in words.
    public var rule: String

    /// Share of the values in the early part.
    public static let earlyShare = 0.6
    /// Share of the values in the late part.
    public static let lateShare = 0.2
    /// Bounds of the rule.
    public static let shiftBound = 1.0
    public static let outsideBound = 0.1

    /// The summary of `values` (NaN for missing steps, skipped); nil for fewer than 10 valid values.
    public static func of(_ values: [Double]) -> LevelShiftSummary? {
        let v = values.filter { !$0.isNaN }
        guard v.count >= 10 else { return nil }
        let early = Array(v.prefix(Int((Double(v.count) * earlyShare).rounded())))
        let late = Array(v.suffix(Int((Double(v.count) * lateShare).rounded())))
        guard !early.isEmpty, !late.isEmpty else { return nil }
        let mean = early.reduce(0, +) / Double(early.count)
        let std = (early.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(early.count)).squareRoot()
        let lateMean = late.reduce(0, +) / Double(late.count)
        let lo = early.min()!, hi = early.max()!
        let shift = std > 0 ? (lateMean - mean) / std : (lateMean == mean ? 0 : (lateMean > mean ? .infinity : -.infinity))
        let outside = Double(late.filter { $0 < lo || $0 > hi }.count) / Double(late.count)
        return LevelShiftSummary(
            earlyMean: mean, earlyStd: std, earlyMin: lo, earlyMax: hi, lateMean: lateMean, shift: shift, outsideShare: outside,
            detected: abs(shift) >= shiftBound || outside >= outsideBound,
            rule: "the last 20% of the values against the first 60%: |mean difference| ≥ 1 std of the first 60%, or ≥ 10% of them outside its range")
    }
}
