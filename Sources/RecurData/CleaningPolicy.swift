/// What to do with rows that share a timestamp. Resolution looks at *usable* values only:
/// empty, non-numeric and sentinel cells are missing and never outvote a real reading.
public enum DuplicatePolicy: String, Codable, CaseIterable, Sendable {
    /// Keep the first usable value in file order (default).
    case first
    /// Keep the last usable value in file order.
    case last
    /// Keep the mean of the usable values.
    case mean
    /// Stop with `DataError.duplicateTimestamp`.
    case error
}

/// What to do with empty or non-numeric value cells.
public enum InvalidCellPolicy: String, Codable, CaseIterable, Sendable {
    /// The cell becomes missing; cells are counted and the first lines reported (default).
    case missing
    /// Stop with `DataError.nonNumericCell` naming file, line and column.
    case error
}

/// How steps of the regular grid without a usable value are filled.
public enum GapMethod: String, Codable, CaseIterable, Sendable {
    /// Linear interpolation between the usable values on both sides (default), for gaps of at
    /// most `GapPolicy.maxGap` steps; longer gaps stay missing and windows touching them are dropped.
    case interpolate
    /// Repeat the last usable value, for gaps of at most `maxGap` steps (nil: any length).
    case forwardFill
    /// Fill nothing: windows touching a gap are dropped.
    case drop
    /// No regular grid: the rows, in time order, are the steps, whatever their spacing (how tools
    /// that ignore timestamps see a file; reproduces row-based splits such as the seed lesson's).
    case keepRows
}

/// A gap-filling method and the longest gap (in steps) it may fill.
public struct GapPolicy: Codable, Equatable, Sendable {
    /// How to fill.
    public var method: GapMethod
    /// The longest run of missing steps that is filled; longer runs stay missing (invalid).
    /// nil means no limit. Default 6 steps.
    public var maxGap: Int?

    public init(method: GapMethod = .interpolate, maxGap: Int? = 6) {
        self.method = method
        self.maxGap = maxGap
    }

    enum CodingKeys: String, CodingKey { case method, maxGap }

    /// Decodes with defaults: an absent `method` is `interpolate`, an absent `maxGap` is 6,
    /// an explicit `null` means no limit.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        method = try c.decodeIfPresent(GapMethod.self, forKey: .method) ?? .interpolate
        if c.contains(.maxGap) {
            maxGap = try c.decodeNil(forKey: .maxGap) ? nil : try c.decode(Int.self, forKey: .maxGap)
        } else {
            maxGap = 6
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(method, forKey: .method)
        if let maxGap { try c.encode(maxGap, forKey: .maxGap) } else { try c.encodeNil(forKey: .maxGap) }
    }
}

/// Every cleaning decision, each with a default. Codable (all keys optional when decoding) so a
/// config can set some and a model package can record all.
public struct CleaningPolicy: Codable, Equatable, Sendable {
    /// Duplicated timestamps: default `.first`.
    public var duplicates: DuplicatePolicy
    /// Values that mean "no reading" (e.g. `[0.0]` for A620); they become missing in every value
    /// column. Default none (inspection suggests candidates).
    public var sentinels: [Double]
    /// Empty or non-numeric value cells: default `.missing`.
    public var invalidCells: InvalidCellPolicy
    /// Grid step in seconds; nil infers it as the most common positive difference between
    /// consecutive distinct timestamps.
    public var frequencySeconds: Int64?
    /// Gap filling: default linear interpolation of gaps up to 6 steps.
    public var gaps: GapPolicy
    /// Values orders of magnitude outside their column (`ExtremeValueRule`): default `.error`.
    public var extremeValues: ExtremeValuePolicy = .error

    public init(duplicates: DuplicatePolicy = .first, sentinels: [Double] = [], invalidCells: InvalidCellPolicy = .missing,
                frequencySeconds: Int64? = nil, gaps: GapPolicy = GapPolicy()) {
        self.duplicates = duplicates
        self.sentinels = sentinels
        self.invalidCells = invalidCells
        self.frequencySeconds = frequencySeconds
        self.gaps = gaps
    }

    enum CodingKeys: String, CodingKey { case duplicates, sentinels, invalidCells, frequencySeconds, gaps, extremeValues }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        duplicates = try c.decodeIfPresent(DuplicatePolicy.self, forKey: .duplicates) ?? .first
        sentinels = try c.decodeIfPresent([Double].self, forKey: .sentinels) ?? []
        invalidCells = try c.decodeIfPresent(InvalidCellPolicy.self, forKey: .invalidCells) ?? .missing
        frequencySeconds = try c.decodeIfPresent(Int64.self, forKey: .frequencySeconds)
        gaps = try c.decodeIfPresent(GapPolicy.self, forKey: .gaps) ?? GapPolicy()
        // Packages written before the policy existed decode with the default.
        extremeValues = try c.decodeIfPresent(ExtremeValuePolicy.self, forKey: .extremeValues) ?? .error
    }

    /// Whether `value` equals one of the sentinels (exactly, or within 1e-9 relative).
    @inline(__always)
    public func isSentinel(_ value: Double) -> Bool {
        for s in sentinels where value == s || abs(value - s) <= 1e-9 * max(1, abs(s)) { return true }
        return false
    }
}
