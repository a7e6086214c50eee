import Foundation
import RecurTrain
import RecurTune

/// The study page's charts. The objective history and the parallel coordinates are
/// `StudyReport`'s (the same as `recur report STUDY`); the intermediate values, importance and
/// slice charts are drawn here with RecurTrain's chart types.
struct StudyCharts {
    let report: StudyReport

    init(readout: StudyReadout, storage: String) {
        let space = (try? RecurConfig.parse(readout.study.configJSON).search?.space) ?? []
        report = StudyReport(path: storage, study: readout.study, trials: readout.trials, space: space)
    }

    /// The parameters, (key path, short axis name, values per complete trial), and the
    /// complete trials' objective.
    var completeParameters: (names: [(String, String)], values: [[SearchValue?]], objective: [Double], log: [Bool]) {
        let complete = report.trials.filter { $0.state == .complete && ($0.value?.isFinite ?? false) }
        let list = report.parameterList
        let short = StudyReport.shortNames(list.map(\.name))
        let values = list.map { p in complete.map { $0.params[p.name] } }
        let log = list.map { p -> Bool in if case .logUniform? = p.distribution { return true } else { return false } }
        return (Array(zip(list.map(\.name), short)), values, complete.map { $0.value! }, log)
    }

    /// Objective per trial with the running best; the complete and pruned trials' dots are in
    /// groups of class `trial-points` (one dot per finished trial with a value).
    func history() -> LineChart {
        var chart = report.objectiveChart()
        for i in chart.series.indices where chart.series[i].style == .markers && !chart.series[i].x.isEmpty {
            chart.series[i].groupClass = "trial-points"
        }
        return chart
    }

    /// Intermediate values per epoch, one line per trial: complete trials in blue, pruned ones
    /// grey ending in a cross-coloured dot where they were stopped, running ones green.
    func intermediate() -> LineChart {
        func lines(_ trials: [StoredTrial]) -> (x: [Double], y: [Double]) {
            var x: [Double] = [], y: [Double] = []
            for t in trials where !t.record.intermediate.isEmpty {
                for (epoch, value) in t.record.intermediate.sorted(by: { $0.key < $1.key }) {
                    x.append(Double(epoch))
                    y.append(value)
                }
                x.append(.nan)  // a break between trials
                y.append(.nan)
            }
            return (x, y)
        }
        let byState = Dictionary(grouping: report.trials, by: \.state)
        let complete = lines(byState[.complete] ?? []), pruned = lines(byState[.pruned] ?? []), running = lines(byState[.running] ?? [])
        let stops = (byState[.pruned] ?? []).compactMap { t -> (Double, Double)? in
            guard let step = t.record.lastStep, let v = t.record.intermediate[step] else { return nil }
            return (Double(step), v)
        }
        let all = (complete.y + pruned.y + running.y).filter(\.isFinite)
        let positive = all.filter { $0 > 0 }
        let log = !all.isEmpty && positive.count == all.count && positive.max()! / positive.min()! > 30
        var series: [LineChart.Series] = []
        let count = { (s: TrialState) in (byState[s] ?? []).filter { !$0.record.intermediate.isEmpty }.count }
        series.append(LineChart.Series(name: "complete (\(count(.complete)))", x: complete.x, y: complete.y, color: Palette.color(0)))
        if !pruned.x.isEmpty {
            series.append(LineChart.Series(name: "pruned (\(count(.pruned)))", x: pruned.x, y: pruned.y, color: "#aaaaaa", dashed: true))
            series.append(LineChart.Series(name: "pruned here", x: stops.map(\.0), y: stops.map(\.1), style: .markers,
                                           color: Palette.color(3), groupClass: "pruned-points"))
        }
        if !running.x.isEmpty {
            series.append(LineChart.Series(name: "running (\(count(.running)))", x: running.x, y: running.y, color: Palette.color(2)))
        }
        return LineChart(title: "Intermediate values per epoch", xLabel: "epoch",
                         yLabel: report.objectiveLabel + (log ? ", log scale" : ""), series: series,
                         xAxis: .numeric(integer: true), yScale: log ? .log10 : .linear)
    }

    /// One chart per parameter: the objective of each complete trial against the parameter's
    /// value (log10 of it for a log-uniform parameter; a choice's index, its values named in the x label).
    func slices() -> [(name: String, chart: LineChart)] {
        let p = completeParameters
        let positive = p.objective.filter { $0 > 0 }
        let logY = !p.objective.isEmpty && positive.count == p.objective.count && positive.max()! / positive.min()! > 30
        return p.names.indices.map { k in
            let (full, short) = p.names[k]
            let values = p.values[k]
            var x: [Double] = [], label = short
            let numeric = values.allSatisfy { v in if case .number? = v { return true }; return v == nil }
            if numeric {
                x = values.map { StudyReport.number($0) }
                if p.log[k] {
                    x = x.map { $0 > 0 ? Foundation.log10($0) : .nan }
                    label = "log10(\(short))"
                }
            } else {
                let axis = StudyReport.categorical(name: short, values: values, categories: [])
                x = axis.values
                label = short + ": " + (axis.categories ?? []).enumerated().map { "\($0.offset) = \($0.element)" }.joined(separator: ", ")
            }
            let chart = LineChart(title: "Slice: \(short)", xLabel: label, yLabel: report.objectiveLabel + (logY ? ", log scale" : ""),
                                  series: [LineChart.Series(name: "", x: x, y: p.objective, style: .markers, color: Palette.color(0))],
                                  xAxis: .numeric(integer: !numeric), yScale: logY ? .log10 : .linear)
            return (full, chart)
        }
    }

    /// The importance estimates (see `ParameterImportance`) and their bar chart.
    func importance() -> (estimates: [ParameterImportance.Estimate], chart: GroupedBarChart) {
        let p = completeParameters
        let estimates = ParameterImportance.estimate(p.names.indices.map { (p.names[$0].1, p.values[$0]) }, objective: p.objective)
        let chart = GroupedBarChart(title: "Parameter importance (ε² of binned means, on ranks)", xLabel: "",
                                    yLabel: "share of the objective's rank variance", categories: estimates.map(\.name),
                                    series: [("ε²", estimates.map { $0.importance ?? .nan })])
        return (estimates, chart)
    }
}
