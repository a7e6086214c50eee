import Foundation
import RecurTrain

/// The report of a study (`recur report STUDY.sqlite`): charts of how the search went and a
/// short text summary.
///
/// | file | chart |
/// |---|---|
/// | `objective.svg` | the objective per trial: complete trials as dots, pruned trials (their last reported value) as dots of another colour, and the running best of the complete trials as a step line; failed trials are counted in the legend and title. Log scale when the values span more than two decades. |
/// | `parameters.svg` | parallel coordinates of the parameters against the objective, complete trials only: a categorical axis per `choice`, a log axis per `log_uniform`, a linear one otherwise; a conditional parameter a trial did not use breaks its line at that axis. |
///
/// Trials are numbered as the study numbers them (from 0), as `recur study show` prints them.
public struct StudyReport {
    /// The study database.
    public let path: String
    public let study: StudyRecord
    public let trials: [StoredTrial]
    /// The search space recorded with the study, in the config's order; empty when it cannot
    /// be read back (the axes are then inferred from the trials' values).
    public let space: [SearchParameter]

    /// File names of the charts, in the order they are written.
    public static let fileNames = ["objective.svg", "parameters.svg"]

    public init(path: String, study: StudyRecord, trials: [StoredTrial], space: [SearchParameter]) {
        self.path = path
        self.study = study
        self.trials = trials.sorted { $0.number < $1.number }
        self.space = space
    }

    /// Reads the study at `path`.
    /// - Throws: `TuneError.noStudy`, `.notAStudy` (not a study database, or one holding no
    ///   study yet), `.newerSchema`, `.storage`.
    public static func load(_ path: String) throws -> StudyReport {
        let storage = try StudyStorage.open(path: path, create: false)
        guard let record = try storage.study() else { throw TuneError.notAStudy(path: path, reason: "it holds no study yet") }
        let space = (try? RecurConfig.parse(record.configJSON).search?.space) ?? []
        return StudyReport(path: path, study: record, trials: try storage.trials(), space: space)
    }

    /// `<study path without .sqlite>.report`: `runs/tiny.study.sqlite` → `runs/tiny.study.report`.
    public static func defaultOutput(for path: String) -> String {
        let base = path.hasSuffix(".sqlite") ? String(path.dropLast(".sqlite".count)) : path
        return base + ".report"
    }

    /// The summary of the study (counts by state, best trial).
    public var studySummary: StudySummary { StudySummary.of(study: study, trials: trials, path: path) }

    func count(_ state: TrialState) -> Int { trials.filter { $0.state == state }.count }

    /// The charts, by file name.
    public func charts() -> [(file: String, chart: any Chart)] {
        [("objective.svg", objectiveChart()), ("parameters.svg", parametersChart())]
    }

    /// Writes the charts into `directory` (created if needed), each atomically; returns their paths.
    public func write(to directory: URL) throws -> [URL] {
        var written: [URL] = []
        for (file, chart) in charts() {
            let url = directory.appendingPathComponent(file)
            try chart.write(to: url)
            written.append(url)
        }
        return written
    }

    /// The y label: the objective and which way is better.
    public var objectiveLabel: String { "\(study.objective) (lower is better)" }

    // MARK: Objective per trial

    /// Objective per trial with the running best of the complete trials.
    public func objectiveChart() -> LineChart {
        let complete = trials.filter { $0.state == .complete && ($0.value?.isFinite ?? false) }
        let pruned = trials.compactMap { t -> (Double, Double)? in
            guard t.state == .pruned, let v = t.value ?? t.record.lastIntermediate, v.isFinite else { return nil }
            return (Double(t.number), v)
        }
        let failed = count(.failed), running = count(.running)

        // The running best: a step at every complete trial that improves it, carried on to the
        // last finished trial so the line spans the whole search.
        var bestX: [Double] = [], bestY: [Double] = []
        var current: Double?
        for t in complete {
            let v = t.value!
            if current == nil || v < current! {
                current = v
                bestX.append(Double(t.number))
                bestY.append(v)
            }
        }
        let lastNumber = trials.filter { $0.state != .running }.map(\.number).max()
        if let current, let lastNumber, let lastX = bestX.last, Double(lastNumber) > lastX {
            bestX.append(Double(lastNumber))
            bestY.append(current)
        }

        let values = complete.map { $0.value! } + pruned.map { $0.1 }
        let positive = values.filter { $0 > 0 }
        // Losses shrink by orders of magnitude over a search: a log axis once they span more
        // than a decade and a half, so the good trials are not squashed against the floor.
        let log = positive.count == values.count && !values.isEmpty && positive.max()! / positive.min()! > 30

        var series = [LineChart.Series(name: "complete (\(complete.count))", x: complete.map { Double($0.number) },
                                       y: complete.map { $0.value! }, style: .markers, color: Palette.color(0))]
        if count(.pruned) > 0 {
            series.append(LineChart.Series(name: "pruned, last value (\(count(.pruned)))", x: pruned.map { $0.0 }, y: pruned.map { $0.1 },
                                           style: .markers, color: "#aaaaaa"))
        }
        series.append(LineChart.Series(name: "best so far", x: bestX, y: bestY, style: .step, color: Palette.color(3)))
        if failed > 0 {
            series.append(LineChart.Series(name: "failed, no value (\(failed))", x: [], y: [], style: .markers, color: "#000000"))
        }

        var notes: [String] = []
        if failed > 0 { notes.append("\(failed) failed") }
        if running > 0 { notes.append("\(running) running") }
        var title = "Objective per trial"
        if let best = StudyRunner.bestTrial(trials) { title += " (best: trial \(best.number))" }
        if !notes.isEmpty { title += " — " + notes.joined(separator: ", ") }
        return LineChart(title: title, xLabel: "trial", yLabel: objectiveLabel + (log ? ", log scale" : ""), series: series,
                         xAxis: .numeric(integer: true), yScale: log ? .log10 : .linear)
    }

    // MARK: Parallel coordinates

    /// The parameters to draw, in the space's order (or, without one, every name the trials
    /// used, sorted), each with its distribution when known.
    public var parameterList: [(name: String, distribution: SearchDistribution?, conditional: Bool)] {
        if !space.isEmpty { return space.map { ($0.name, $0.distribution, $0.condition != nil) } }
        let names = Array(Set(trials.flatMap { $0.params.keys })).sorted()
        return names.map { name in (name, nil, trials.contains { $0.params[name] == nil }) }
    }

    /// Parallel coordinates of the parameters against the objective, complete trials only.
    public func parametersChart() -> ParallelCoordinates {
        let shown = trials.filter { $0.state == .complete && ($0.value?.isFinite ?? false) }
        let list = parameterList
        let names = Self.shortNames(list.map { $0.name })
        let axes = list.enumerated().map { k, p -> ParallelCoordinates.Axis in
            let values = shown.map { $0.params[p.name] }
            var name = names[k]
            if p.conditional { name += " *" }
            let numeric = values.allSatisfy { v in
                if case .number? = v { return true }
                return v == nil
            }
            switch p.distribution {
            case let .choice(choices)?:
                return Self.categorical(name: name, values: values, categories: choices)
            case .logUniform?:
                return ParallelCoordinates.Axis(name: name, values: values.map(Self.number), logScale: true)
            case .some:
                if numeric { return ParallelCoordinates.Axis(name: name, values: values.map(Self.number)) }
                return Self.categorical(name: name, values: values, categories: [])
            case nil:
                if numeric {
                    let positive = values.compactMap(Self.numberOrNil).filter { $0 > 0 }
                    let log = positive.count == values.compactMap(Self.numberOrNil).count && positive.count > 1
                        && positive.max()! / positive.min()! > 100
                    return ParallelCoordinates.Axis(name: name, values: values.map(Self.number), logScale: log)
                }
                return Self.categorical(name: name, values: values, categories: [])
            }
        }
        var title = "Parameters vs objective, \(shown.count) complete trial\(shown.count == 1 ? "" : "s")"
        if list.contains(where: { $0.conditional }) { title += " (* = conditional)" }
        return ParallelCoordinates(title: title, axes: axes, objectiveName: study.objective,
                                   objective: shown.map { $0.value! }, lowerIsBetter: true)
    }

    public static func numberOrNil(_ v: SearchValue?) -> Double? {
        if case let .number(x)? = v { return x }
        return nil
    }

    public static func number(_ v: SearchValue?) -> Double { numberOrNil(v) ?? .nan }

    /// A categorical axis over `categories` (in their order), with any value the trials used
    /// that is not among them appended; an unused parameter (nil) is NaN.
    public static func categorical(name: String, values: [SearchValue?], categories: [SearchValue]) -> ParallelCoordinates.Axis {
        var cats = categories
        for case let v? in values where !cats.contains(v) { cats.append(v) }
        if categories.isEmpty {
            // Inferred: sort numbers numerically, the rest by text.
            cats.sort { a, b in
                if let x = numberOrNil(a), let y = numberOrNil(b) { return x < y }
                return label(a) < label(b)
            }
        }
        let index = values.map { v in v.flatMap { cats.firstIndex(of: $0) }.map(Double.init) ?? .nan }
        return ParallelCoordinates.Axis(name: name, values: index, categories: cats.map(label))
    }

    /// A choice as an axis label: strings without quotes.
    public static func label(_ v: SearchValue) -> String {
        if case let .string(s) = v { return s }
        return v.description
    }

    /// Key-path prefixes left out of axis names.
    static let knownPrefixes = ["training.optimizer.", "model.width_rule.", "model.", "training.", "window.", "data.", "split.", "scaling."]

    /// Axis names: each key path without its well-known prefix
    /// (`training.optimizer.learning_rate` → `learning_rate`, `model.width_rule.middle.count` →
    /// `middle.count`); a name that would then clash with another is kept whole.
    public static func shortNames(_ names: [String]) -> [String] {
        let short = names.map { name in
            knownPrefixes.first { name.hasPrefix($0) && name.count > $0.count }.map { String(name.dropFirst($0.count)) } ?? name
        }
        return short.indices.map { i in short.indices.contains { $0 != i && short[$0] == short[i] } ? names[i] : short[i] }
    }

    // MARK: Summary

    /// A short text summary: trials by state, the best trial (number, value, parameters,
    /// package) and the chart paths.
    public func summary(charts: [URL]) -> String {
        let s = studySummary
        var lines = ["study: \(path) (\(study.name)), objective \(study.objective) (lower is better), sampler \(study.sampler)"] + s.trialLines
        if let b = s.best { lines.append("package: \(b.package ?? "none kept for this trial")") }
        lines.append("")
        lines.append("charts:")
        for url in charts { lines.append("  \(url.path)") }
        return lines.joined(separator: "\n")
    }
}

extension StudySummary {
    /// Trials by state, then the best trial and its parameters (or "best: none"): the lines
    /// `recur tune`, `recur study show` and `recur report` print alike.
    public var trialLines: [String] {
        let c = trials
        var lines = ["trials: \(c[.complete] ?? 0) complete, \(c[.pruned] ?? 0) pruned, \(c[.failed] ?? 0) failed, \(c[.running] ?? 0) running (max_evals \(maxEvals))"]
        guard let b = best else { return lines + ["best: none (no trial completed)"] }
        lines.append(String(format: "best: trial %d, %@ %.6g", b.number, objective, b.value))
        for (k, v) in b.params.sorted(by: { $0.key < $1.key }) { lines.append("  \(k) = \(v)") }
        return lines
    }
}
