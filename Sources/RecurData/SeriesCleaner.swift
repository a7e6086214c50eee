/// A cleaned series and the account of how it was made.
public struct CleaningResult: Sendable {
    /// The regular series, ready for splitting, scaling and windowing.
    public var series: CleanSeries
    /// What was found and done.
    public var report: CleaningReport
}

/// Turns a `RawSeries` into a `CleanSeries`, in this order:
/// 1. sentinel values become missing (every value column);
/// 2. rows out of time order are sorted (stable, so duplicates keep file order);
/// 3. duplicated timestamps are resolved by `DuplicatePolicy`, looking at usable values only;
/// 4. the step is inferred (the most common positive difference between consecutive distinct
///    timestamps, the smallest on ties) or taken from the policy; rows off the grid
///    `start + k * step` are dropped;
/// 5. gaps (grid steps where some feature has no usable value) are filled per feature by the
///    `GapPolicy`; steps still missing are invalid (NaN), and missing steps at the start and end
///    are trimmed;
/// 6. an interpolated value that would equal a sentinel is moved to the next representable
///    Float, so no sentinel value ever appears in the output.
public enum SeriesCleaner {
    /// Cleans `raw` by `policy`. Throws `allValuesMissing` when no usable target value is left,
    /// `duplicateTimestamp` under the `error` duplicate policy, `invalidSetting` for a bad step.
    public static func clean(_ raw: RawSeries, policy: CleaningPolicy = CleaningPolicy()) throws -> CleaningResult {
        let F = raw.featureCount, m = raw.count
        var values = raw.values  // [m, F]

        // 1. Sentinels.
        var sentinelCounts: [SentinelCount] = []
        for s in policy.sentinels {
            for f in 0..<F {
                var sample = LineSample()
                for i in 0..<m where values[i * F + f] == s || abs(values[i * F + f] - s) <= 1e-9 * max(1, abs(s)) {
                    values[i * F + f] = .nan
                    sample.add(line: raw.lines[i])
                }
                sentinelCounts.append(SentinelCount(value: s, column: raw.columns[f], cells: sample))
            }
        }
        // 1b. Extreme values, orders of magnitude outside their column (sentinels already out).
        if policy.extremeValues != .keep {
            for f in 0..<F {
                guard let center = ExtremeValueRule.center(of: (0..<m).map { values[$0 * F + f] }) else { continue }
                for i in 0..<m where ExtremeValueRule.isExtreme(values[i * F + f], median: center.median, spread: center.spread) {
                    if policy.extremeValues == .error {
                        throw DataError.extremeValue(file: raw.file, line: raw.lines[i], column: raw.columns[f], value: values[i * F + f],
                                                     median: center.median, spread: center.spread)
                    }
                    values[i * F + f] = .nan
                }
            }
        }
        var usableTarget = 0
        for i in 0..<m where !values[i * F].isNaN { usableTarget += 1 }
        if usableTarget == 0 {
            let sentinelText = policy.sentinels.isEmpty ? "" : " or equal to a sentinel (\(policy.sentinels.map { "\($0)" }.joined(separator: ", ")))"
            throw DataError.allValuesMissing(file: raw.file, column: raw.columns[0],
                                             reason: "all \(m) values are empty, non-numeric\(sentinelText)")
        }

        // 2. Time order.
        var outOfOrder = LineSample()
        for i in 1..<max(m, 1) where raw.timestamps[i] < raw.timestamps[i - 1] { outOfOrder.add(line: raw.lines[i]) }
        var order = Array(0..<m)
        if outOfOrder.count > 0 {
            order.sort { a, b in raw.timestamps[a] < raw.timestamps[b] || (raw.timestamps[a] == raw.timestamps[b] && a < b) }
        }

        // 3. Duplicates.
        var duplicates = DuplicateSummary(policy: policy.duplicates)
        var times: [Int64] = [], lines: [Int] = [], unique: [Double] = []
        times.reserveCapacity(m); lines.reserveCapacity(m); unique.reserveCapacity(m * F)
        var g = 0
        while g < m {
            let t = raw.timestamps[order[g]]
            var h = g + 1
            while h < m, raw.timestamps[order[h]] == t { h += 1 }
            times.append(t)
            lines.append(raw.lines[order[g]])
            if h - g == 1 {
                for f in 0..<F { unique.append(values[order[g] * F + f]) }
            } else {
                if policy.duplicates == .error {
                    throw DataError.duplicateTimestamp(file: raw.file, line: raw.lines[order[g + 1]], firstLine: raw.lines[order[g]],
                                                       timestamp: Timestamps.format(t))
                }
                duplicates.timestamps += 1
                duplicates.extraRows += h - g - 1
                for f in 0..<F {
                    let usable = (g..<h).map { values[order[$0] * F + f] }.filter { !$0.isNaN }
                    let resolved: Double
                    switch policy.duplicates {
                    case .first, .error: resolved = usable.first ?? .nan
                    case .last: resolved = usable.last ?? .nan
                    case .mean: resolved = usable.isEmpty ? .nan : usable.reduce(0, +) / Double(usable.count)
                    }
                    unique.append(resolved)
                    if f == 0 {
                        if Set(usable).count > 1 { duplicates.conflicting += 1 }
                        if values[order[g] * F].isNaN, !resolved.isNaN { duplicates.rescued += 1 }
                    }
                }
                if duplicates.examples.count < LineSample.limit {
                    duplicates.examples.append(.init(time: Timestamps.format(t), lines: (g..<h).map { raw.lines[order[$0]] },
                                                     values: (g..<h).map { raw.values[order[$0] * F] }))
                }
            }
            g = h
        }
        let u = times.count

        // 4. Step.
        var step: Int64
        let inferred = policy.frequencySeconds == nil
        if let s = policy.frequencySeconds {
            guard s > 0 else { throw DataError.invalidSetting(key: "frequency_seconds", value: "\(s)", expected: "a positive number of seconds") }
            step = s
        } else {
            guard u >= 2 else { throw DataError.tooFewRowsForFrequency(file: raw.file, have: u) }
            var counts: [Int64: Int] = [:]
            for i in 1..<u { counts[times[i] - times[i - 1], default: 0] += 1 }
            step = counts.max { a, b in a.value < b.value || (a.value == b.value && a.key > b.key) }!.key
        }

        var gridValues: [Double]
        var gridTimes: [Int64]
        var present: [Bool]
        var offGrid = LineSample()
        let isRegular = policy.gaps.method != .keepRows
        if isRegular {
            let start = times[0]
            let last = times[u - 1]
            let n64 = (last - start) / step + 1
            if n64 > GridLimit.unconditionalSteps, n64 / Int64(u) > Int64(GridLimit.stepsPerRow) {
                let firstLine = lines[0], lastLine = lines[u - 1]
                throw DataError.sparseGrid(file: raw.file, first: Timestamps.format(start), firstLine: firstLine,
                                           last: Timestamps.format(last), lastLine: lastLine, steps: Int(n64), rows: u,
                                           step: Timestamps.describeDuration(step))
            }
            guard n64 <= 100_000_000 else {
                throw DataError.invalidSetting(key: "frequency_seconds", value: "\(step)",
                                               expected: "a step giving at most 100,000,000 grid steps over the span (this one gives \(n64))")
            }
            let n = Int(n64)
            gridValues = [Double](repeating: .nan, count: n * F)
            present = [Bool](repeating: false, count: n)
            for k in 0..<u {
                let offset = times[k] - start
                guard offset % step == 0 else { offGrid.add(line: lines[k]); continue }
                let i = Int(offset / step)
                present[i] = true
                for f in 0..<F { gridValues[i * F + f] = unique[k * F + f] }
            }
            gridTimes = (0..<n).map { start + Int64($0) * step }
        } else {
            gridValues = unique
            gridTimes = times
            present = [Bool](repeating: true, count: u)
        }
        let n = gridTimes.count

        // 5. Gaps and filling.
        var missing = [Bool](repeating: false, count: n)
        for i in 0..<n { for f in 0..<F where gridValues[i * F + f].isNaN { missing[i] = true; break } }
        let gaps = GapSummary.runs(of: missing, start: gridTimes[0], step: step)
        let absent = present.reduce(0) { $0 + ($1 ? 0 : 1) }
        var filled = 0
        let sentinelFloats = policy.sentinels.map { Float($0) }
        if isRegular, policy.gaps.method == .interpolate || policy.gaps.method == .forwardFill {
            let maxGap = policy.gaps.maxGap ?? Int.max
            for f in 0..<F {
                var i = 0
                while i < n {
                    guard gridValues[i * F + f].isNaN else { i += 1; continue }
                    var j = i
                    while j < n, gridValues[j * F + f].isNaN { j += 1 }
                    let length = j - i
                    if i > 0, length <= maxGap {
                        let left = gridValues[(i - 1) * F + f]
                        if policy.gaps.method == .forwardFill {
                            for k in i..<j { gridValues[k * F + f] = left }
                            filled += length
                        } else if j < n {
                            let right = gridValues[j * F + f]
                            for k in i..<j {
                                let w = Double(k - i + 1) / Double(length + 1)
                                var v = left + (right - left) * w
                                if sentinelFloats.contains(Float(v)) { v = Double(Float(v).nextUp) }
                                gridValues[k * F + f] = v
                            }
                            filled += length
                        }
                    }
                    i = j
                }
            }
        }

        // Validity and trimming.
        var valid = [Bool](repeating: true, count: n)
        for i in 0..<n { for f in 0..<F where gridValues[i * F + f].isNaN { valid[i] = false; break } }
        guard let first = valid.firstIndex(of: true), let last = valid.lastIndex(of: true) else {
            throw DataError.allValuesMissing(file: raw.file, column: raw.columns[0], reason: "no step has a usable value in every feature")
        }
        let keptValid = Array(valid[first...last])
        let series = CleanSeries(columns: raw.columns, timestamps: Array(gridTimes[first...last]), stepSeconds: step,
                                 isRegular: isRegular, values: gridValues[(first * F)..<((last + 1) * F)].map { Float($0) },
                                 valid: keptValid)
        let validSteps = keptValid.reduce(0) { $0 + ($1 ? 1 : 0) }
        let report = CleaningReport(
            file: raw.file, rowsRead: raw.rowsRead, rowsFiltered: raw.rowsOtherStations + raw.rowsOutsideDates + raw.rowsOtherMinutes,
            rowsLoaded: m, invalidCells: raw.invalidCells, sentinels: sentinelCounts, outOfOrder: outOfOrder,
            duplicates: duplicates, stepSeconds: step, stepInferred: inferred, offGrid: offGrid, absentSteps: absent,
            gaps: gaps, gapPolicy: policy.gaps, filledCells: filled, invalidSteps: keptValid.count - validSteps,
            trimmedLeading: first, trimmedTrailing: n - 1 - last, steps: keptValid.count, validSteps: validSteps,
            start: Timestamps.format(series.timestamps.first!), end: Timestamps.format(series.timestamps.last!))
        return CleaningResult(series: series, report: report)
    }
}

extension SeriesCleaner {
    /// Reads, filters and cleans a source in one call.
    public static func load(_ source: TimeSeriesSource, policy: CleaningPolicy = CleaningPolicy()) throws -> CleaningResult {
        try clean(SeriesLoader.load(source, policy: policy), policy: policy)
    }
}

/// Bounds on the regular time grid, checked before it is allocated.
public enum GridLimit {
    /// Grids up to this many steps are always built.
    public static let unconditionalSteps: Int64 = 100_000
    /// Beyond `unconditionalSteps`, the most grid steps per distinct timestamp: more means
    /// the timestamps are mostly far apart (a mistyped year), not a series with gaps.
    public static let stepsPerRow = 1000
}
