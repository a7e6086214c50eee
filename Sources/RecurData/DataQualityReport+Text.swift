import Foundation

extension DataQualityReport {
    /// The report for people: one finding a line, numbers first, then the advice.
    public var text: String {
        func f(_ v: Double) -> String { String(format: "%.4g", v) }
        func lines(_ s: LineSample) -> String {
            s.lines.isEmpty ? "" : " (lines \(s.lines.map(String.init).joined(separator: ", "))\(s.count > s.lines.count ? ", ..." : ""))"
        }
        var out: [String] = []
        out.append("\(file): \(rows) rows, columns \(fileColumns.joined(separator: ", "))")
        var using = "time '\(source.timeColumn)'"
        if let h = source.hourColumn { using += " + hour '\(h)'" }
        if let m = source.minuteColumn { using += " + minute '\(m)'" }
        if let s = source.stationColumn { using += ", station '\(s)' = \(source.station ?? "(all)")" }
        using += ", target '\(source.target)'"
        if !source.features.isEmpty { using += ", features \(source.features.joined(separator: ", "))" }
        out.append("  using \(using)\(sourceInferred ? " (guessed; name them in a config to change)" : "")")
        if stations.count > 1 { out.append("  stations: \(stations.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", "))") }
        out.append("  rows used: \(rowsUsed), from \(start) to \(end) (\(f(Double(spanSeconds) / 86_400)) days)")
        out.append("  frequency: \(frequency) (\(frequencySeconds) s)")
        out.append("  out of time order: \(outOfOrder.count)\(lines(outOfOrder))")
        out.append("  duplicated timestamps: \(duplicates.timestamps) (\(duplicates.extraRows) extra rows, \(duplicates.conflicting) with differing values, \(duplicates.rescued) where a duplicate supplies a missing value)")
        for e in duplicates.examples.prefix(3) {
            out.append("    \(e.time): lines \(e.lines.map(String.init).joined(separator: ", ")), values \(e.values.map { $0.isNaN ? "missing" : f($0) }.joined(separator: ", "))")
        }
        out.append("  empty or non-numeric cells: \(invalidCells.count)\(lines(invalidCells))")
        for s in configuredSentinels { out.append("  sentinel \(f(s.value)) (configured): \(s.cells.count) cells\(lines(s.cells))") }
        if suspectedSentinels.isEmpty { out.append("  suspected sentinels: none") }
        for s in suspectedSentinels {
            out.append("  suspected sentinel \(f(s.value)): \(s.count) rows (\(f(100 * s.share))%), most frequent neighbour \(s.largestNeighbourCount) rows")
        }
        out.append("  timestamp gaps: \(timestampGaps.count) (longest \(timestampGaps.longest) steps, \(timestampGaps.totalMissingSteps) steps without a row)")
        out.append("  missing-value gaps: \(missingValueGaps.count) (longest \(missingValueGaps.longest) steps, \(missingValueGaps.totalMissingSteps) steps in all, sentinels counted as missing)")
        for e in missingValueGaps.examples.prefix(3) { out.append("    from \(e.start): \(e.steps) steps") }
        if let s = summary {
            out.append("  \(source.target): count \(s.count), mean \(f(s.mean)), std \(f(s.std)), min \(f(s.min)), 25% \(f(s.q25)), 50% \(f(s.median)), 75% \(f(s.q75)), max \(f(s.max))")
        }
        if let o = outliers {
            out.append("  outliers outside [\(f(o.lowerFence)), \(f(o.upperFence))] (1.5 IQR): \(o.below) below, \(o.above) above")
            out.append("  spikes (|robust z| of differences > \(f(o.spikeBound))): \(o.spikes)\(o.spikeExamples.isEmpty ? "" : ", e.g. " + o.spikeExamples.prefix(3).map { "\($0.time) (\(f($0.value)))" }.joined(separator: ", "))")
        }
        let a = autocorrelation
        let shown = min(a.maxLag, 24)
        out.append("  ACF  lags 1-\(shown): " + a.acf[1...shown].map { String(format: "%.2f", $0) }.joined(separator: " "))
        out.append("  PACF lags 1-\(shown): " + a.pacf[1...shown].map { String(format: "%.2f", $0) }.joined(separator: " "))
        out.append("  95% band ±\(String(format: "%.4f", a.confidenceBand)) (n = \(a.n)); significant PACF lags: \(a.significantLags.map(String.init).joined(separator: ", "))")
        out.append("  suggested n_past_steps: \(a.suggestedPastSteps)")
        if let l = levelShift {
            out.append("  level, last 20% against first 60%: mean \(f(l.lateMean)) against \(f(l.earlyMean)) (\(String(format: "%+.2f", l.shift)) std), \(String(format: "%.0f", 100 * l.outsideShare))% outside [\(f(l.earlyMin)), \(f(l.earlyMax))]: \(l.detected ? "a trend or level shift" : "no trend or level shift")")
        }
        if !advice.isEmpty {
            out.append("advice:")
            for line in advice { out.append("  - \(line)") }
        }
        return out.joined(separator: "\n")
    }
}
