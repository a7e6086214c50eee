import RecurData

/// `data.cleaning`: every cleaning decision, each with a default, mirroring
/// `RecurData.CleaningPolicy` (see `RecurConfig+RecurData.swift`).
public struct CleaningConfig: Codable, Equatable, Sendable {
    /// Rows that share a timestamp (`duplicates`).
    public enum Duplicates: String, Codable, CaseIterable, Sendable {
        case first, last, mean, error
    }

    /// Empty or non-numeric value cells (`non_numeric`).
    public enum NonNumeric: String, Codable, CaseIterable, Sendable {
        case missing, error
    }

    /// Steps of the time grid without a usable value (`gaps`).
    public enum Gaps: String, Codable, CaseIterable, Sendable {
        /// Linear interpolation of gaps up to `max_gap` steps.
        case interpolate
        /// Repeat the last value, for gaps up to `max_gap` steps.
        case forwardFill = "forward_fill"
        /// Fill nothing: windows touching a gap are dropped.
        case drop
        /// No time grid: the rows, in time order, are the steps (the seed lesson's view of a file).
        case keepRows = "keep_rows"
    }

    /// Default `.first`.
    public var duplicates: Duplicates
    /// Values meaning "no reading", e.g. `[0.0]`; default none.
    public var sentinels: [Double]
    /// Also treat as missing the values inspection suspects of being sentinels
    /// (`detect_sentinels`, default true): a value far more frequent than its neighbours, such as
    /// A620's 0.0. Set false for zero-inflated variables (precipitation), where 0 is real.
    public var detectSentinels: Bool = true
    /// Default `.missing`.
    public var nonNumeric: NonNumeric
    /// Default `.interpolate`.
    public var gaps: Gaps
    /// Longest gap, in steps, that is filled; longer ones are dropped. nil: no limit. Default 6.
    public var maxGap: Int?
    /// Values orders of magnitude outside their column (`extreme_values`, see
    /// `RecurData.ExtremeValueRule`): nil means `error` (stop naming the line); `missing` drops
    /// them, `keep` trains on them. Optional so that packages written before it still decode.
    public var extremeValues: ExtremeValuePolicy?

    public init(duplicates: Duplicates = .first, sentinels: [Double] = [], nonNumeric: NonNumeric = .missing,
                gaps: Gaps = .interpolate, maxGap: Int? = 6) {
        self.duplicates = duplicates
        self.sentinels = sentinels
        self.nonNumeric = nonNumeric
        self.gaps = gaps
        self.maxGap = maxGap
    }

    static let keys = ["duplicates", "sentinels", "detect_sentinels", "non_numeric", "gaps", "max_gap", "extreme_values"]

    static func decode(_ value: ConfigValue, file: String?) throws -> CleaningConfig {
        let r = try ObjectReader(value, allowed: keys, file: file)
        var c = CleaningConfig()
        c.duplicates = try r.choice("duplicates", Duplicates.self) ?? .first
        if let s = r.value("sentinels") {
            c.sentinels = try ConfigReader.array(s, "an array of numbers", file: file).map { try ConfigReader.double($0, file: file) }
        }
        c.detectSentinels = try r.bool("detect_sentinels") ?? true
        c.nonNumeric = try r.choice("non_numeric", NonNumeric.self) ?? .missing
        c.gaps = try r.choice("gaps", Gaps.self) ?? .interpolate
        c.extremeValues = try r.choice("extreme_values", ExtremeValuePolicy.self)
        if let m = r.value("max_gap") {
            if case .string("unlimited") = m.kind { c.maxGap = nil }
            else {
                guard case .number = m.kind else { throw ConfigError.wrongType(m, "an integer ≥ 0 or \"unlimited\"", file: file) }
                c.maxGap = try ConfigReader.int(m, min: 0, file: file)
            }
        }
        return c
    }
}
