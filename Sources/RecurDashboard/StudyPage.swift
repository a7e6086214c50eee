import Foundation
import RecurTrain
import RecurTune

/// `/studies/{name}`: the study's summary, its charts (objective history with the running best,
/// intermediate values, parallel coordinates, parameter importance, one slice per parameter)
/// and the table of every trial. `charts()` alone is the `?fragment=charts` answer the page's
/// script swaps in when trials change.
struct StudyPage {
    let dashboard: Dashboard
    let study: Dashboard.Study
    let readout: StudyReadout
    let bestModel: String?
    let plots: StudyCharts

    init(dashboard: Dashboard, study: Dashboard.Study, readout: StudyReadout, bestModel: String?) {
        self.dashboard = dashboard
        self.study = study
        self.readout = readout
        self.bestModel = bestModel
        self.plots = StudyCharts(readout: readout, storage: study.reader.storage)
    }

    func render() -> String {
        let r = readout, s = r.study
        var html = "<h1>Study <span id=\"study-name\">\(Page.escape(study.name))</span></h1>\n<dl class=\"kv\">\n"
        func row(_ k: String, _ v: String) { html += "<dt>\(k)</dt><dd>\(v)</dd>\n" }
        row("storage", "<code>\(Page.escape(study.reader.storage))</code>")
        row("objective", "\(Page.escape(s.objective)) (lower is better)")
        row("sampler", "\(Page.escape(s.sampler)), seed \(s.seed), max_evals \(s.maxEvals)")
        let counts = TrialState.allCases.map { "<span class=\"state state-\($0.rawValue)\">\($0.rawValue)</span> <span data-count=\"\($0.rawValue)\">\(r.counts[$0] ?? 0)</span>" }
        row("trials", "<span class=\"counts\"><span data-count=\"total\">\(r.total)</span> in all: " + counts.joined(separator: " ") + "</span>")
        if let best = r.best, let t = r.trials.first(where: { $0.number == best.number }) {
            let params = t.params.sorted { $0.key < $1.key }.map { "\(Page.escape($0.key)) = \(Page.escape($0.value.description))" }.joined(separator: ", ")
            row("best", "<span id=\"best-value\">\(Page.number(best.value)) (trial \(best.number))</span><br><span class=\"muted\">\(params)</span>")
        } else {
            row("best", "<span id=\"best-value\">none yet (no trial completed)</span>")
        }
        if let bestModel {
            row("best package", "<a id=\"best-package\" href=\"/models/\(Page.segment(bestModel))\">\(Page.escape(bestModel))</a> (trial \(s.bestTrial.map(String.init) ?? "?"))")
        } else if s.bestTrial != nil, s.bestPackage == StudyRecord.packageInDatabase {
            let url = study.reader.storage.components(separatedBy: " (study ").first ?? study.reader.storage
            row("best package", "stored in the study's database <span class=\"muted\">(fetch it with <code>recur study best \(Page.escape(url)) --study \(Page.escape(study.name)) --export DIR</code>)</span>")
        } else if s.bestTrial != nil {
            row("best package", "<code>\(Page.escape(s.bestPackage))</code> <span class=\"muted\">(not in the models folder, so no page for it)</span>")
        }
        row("created", Page.time(s.created))
        row("last update", Page.time(r.lastUpdate))
        html += "</dl>\n<div id=\"charts\">\n" + charts() + "</div>\n" + table()
        let names = plots.report.parameterList.map(\.name)
        let data = ["page": "study", "study": study.name, "change": r.change.map(String.init) ?? "",
                    "poll": String(Int(dashboard.options.pollSeconds * 1000)),
                    "params": JSON.array(names.map(JSON.string))]
        return Page.document(title: "Study \(study.name)", data: data, body: html)
    }

    /// The charts section.
    func charts() -> String {
        var html = "<h2>Charts</h2>\n<div class=\"grid\">\n"
        html += Page.figure(plots.history(), key: "history", heading: "Objective per trial",
                            caption: "One dot per finished trial with a value (pruned: its last reported value), the step line is the best so far.")
        html += Page.figure(plots.intermediate(), key: "intermediate", heading: "Intermediate values",
                            caption: "The objective after each epoch, one line per trial; pruned trials dashed grey, with a red dot where they were stopped.")
        html += Page.figure(plots.report.parametersChart(), key: "parallel", heading: "Parallel coordinates",
                            caption: "Complete trials; darker is better.")
        let importance = plots.importance()
        var caption = "Method: ε² (epsilon-squared), the bias-corrected share of the variance of the objective's ranks explained by each parameter's binned means (quantile bins, or one per choice); each parameter alone, no interactions. See docs/dashboard.md."
        let missing = importance.estimates.filter { $0.importance == nil }.map(\.name)
        if !missing.isEmpty { caption += " No estimate (under \(ParameterImportance.minimumTrials) complete trials or one value): \(Page.escape(missing.joined(separator: ", ")))." }
        html += Page.figure(importance.chart, key: "importance", heading: "Parameter importance", caption: caption)
        for (k, slice) in plots.slices().enumerated() {
            html += Page.figure(slice.chart, key: "slice-\(k)", heading: "Slice: \(slice.name)",
                                caption: "Objective of each complete trial against this parameter.")
        }
        html += "</div>\n<table id=\"importance\"><thead><tr><th>parameter</th><th>ε²</th><th>trials</th><th>groups</th></tr></thead><tbody>\n"
        for e in importance.estimates {
            html += "<tr><td>\(Page.escape(e.name))</td><td class=\"n\">\(Page.number(e.importance))</td><td class=\"n\">\(e.trials)</td><td class=\"n\">\(e.groups)</td></tr>\n"
        }
        return html + "</tbody></table>\n"
    }

    /// The trials table: one row per trial in the database.
    func table() -> String {
        let list = plots.report.parameterList
        let short = StudyReport.shortNames(list.map(\.name))
        var html = """
        <h2>Trials</h2>
        <div id="trial-controls" class="controls" hidden><input id="filter-text" type="search" placeholder="filter: any text in the row">\
        <select id="filter-state"><option value="">every state</option><option>complete</option><option>pruned</option>\
        <option>failed</option><option>running</option></select><span id="filter-count" class="muted"></span></div>
        <div class="scroll"><table id="trials" class="sortable"><thead><tr><th>#</th><th>state</th><th>value</th>
        """
        for (name, full) in zip(short, list.map(\.name)) { html += "<th title=\"\(Page.escape(full))\">\(Page.escape(name))</th>" }
        html += "<th>epochs reported</th><th>last intermediate</th><th>seconds</th><th>started</th></tr></thead><tbody>\n"
        let best = readout.best?.number
        html.reserveCapacity(readout.trials.count * 300)
        for t in readout.trials {
            html += "<tr id=\"trial-\(t.number)\" data-state=\"\(t.state.rawValue)\"\(t.number == best ? " class=\"best\"" : "")>"
            html += "<td class=\"n\" data-v=\"\(t.number)\">\(t.number)</td>"
            html += "<td data-v=\"\(t.state.rawValue)\"><span class=\"state state-\(t.state.rawValue)\">\(t.state.rawValue)</span>"
            if let error = t.error { html += " <span class=\"muted\" title=\"\(Page.escape(error))\">(error)</span>" }
            html += "</td><td class=\"n\" data-v=\"\(t.value.map { "\($0)" } ?? "")\">\(Page.number(t.value))</td>"
            for p in list {
                switch t.params[p.name] {
                case let .number(x)?: html += "<td class=\"n\" data-v=\"\(x)\">\(Page.number(x))</td>"
                case let v?: html += "<td data-v=\"\(Page.escape(StudyReport.label(v)))\">\(Page.escape(StudyReport.label(v)))</td>"
                case nil: html += "<td data-v=\"\">–</td>"
                }
            }
            let last = t.record.lastIntermediate
            let n = t.record.intermediate.count
            html += "<td class=\"n\" data-v=\"\(n)\">\(n == 0 ? "–" : String(n))</td><td class=\"n\" data-v=\"\(last.map { "\($0)" } ?? "")\">\(Page.number(last))</td>"
            html += "<td class=\"n\" data-v=\"\(t.seconds.map { "\($0)" } ?? "")\">\(t.seconds.map { String(format: "%.1f", $0) } ?? "–")</td>"
            html += "<td data-v=\"\(t.started)\">\(Page.time(t.started))</td></tr>\n"
        }
        return html + "</tbody></table></div>\n"
    }
}
