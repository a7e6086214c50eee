import Foundation
import RecurTune

/// `/`: the studies (name, storage, trials by state, best value, last update) and the models.
struct IndexPage {
    let dashboard: Dashboard

    func render() -> String {
        var html = "<h1>Studies and models</h1>\n<h2 id=\"studies\">Studies</h2>\n"
        if dashboard.studies.isEmpty {
            html += "<p class=\"muted\">No study: start <code>recur serve</code> with <code>--storage STUDY.sqlite</code>.</p>\n"
        } else {
            html += """
            <div class="scroll"><table id="study-list" class="sortable"><thead><tr><th>study</th><th>storage</th><th>objective</th>\
            <th>running</th><th>complete</th><th>pruned</th><th>failed</th><th>best value</th><th>last update</th></tr></thead><tbody>

            """
            for study in dashboard.studies {
                let link = "<a href=\"/studies/\(Page.segment(study.name))\">\(Page.escape(study.name))</a>"
                let storage = "<code>\(Page.escape(study.reader.storage))</code>"
                do {
                    let r = try study.reader.read(changedAfter: Int.max)
                    html += "<tr data-study=\"\(Page.escape(study.name))\"><td>\(link)</td><td>\(storage)</td><td>\(Page.escape(r.study.objective))</td>"
                    for state in [TrialState.running, .complete, .pruned, .failed] {
                        html += "<td class=\"n\" data-col=\"\(state.rawValue)\">\(r.counts[state] ?? 0)</td>"
                    }
                    html += "<td class=\"n\" data-col=\"best\" data-v=\"\(r.best.map { "\($0.value)" } ?? "")\">\(Page.number(r.best?.value))</td>"
                    html += "<td data-col=\"updated\">\(Page.time(r.lastUpdate))</td></tr>\n"
                } catch {
                    html += "<tr data-study=\"\(Page.escape(study.name))\"><td>\(link)</td><td>\(storage)</td><td colspan=\"7\" class=\"error\">\(Page.escape("\(error)"))</td></tr>\n"
                }
            }
            html += "</tbody></table></div>\n"
        }
        html += "<h2 id=\"models\">Models</h2>\n"
        guard let models = dashboard.models else {
            return Page.document(title: "Dashboard", data: data, body: html + "<p class=\"muted\">No models folder: start <code>recur serve</code> with <code>--models DIR</code>.</p>")
        }
        let entries = models.all()
        if entries.isEmpty {
            html += "<p class=\"muted\">No model package in <code>\(Page.escape(models.directory))</code> yet.</p>\n"
        } else {
            html += """
            <div class="scroll"><table id="model-list" class="sortable"><thead><tr><th>model</th><th>target</th><th>architecture</th>\
            <th>parameters</th><th>test RMSE</th><th>persistence RMSE</th><th>test MAE</th><th>created</th></tr></thead><tbody>

            """
            for e in entries {
                let link = "<a href=\"/models/\(Page.segment(e.name))\">\(Page.escape(e.name))</a>"
                guard let report = e.report else {
                    html += "<tr><td>\(link)</td><td colspan=\"7\" class=\"error\">\(Page.escape(e.error ?? "unreadable"))</td></tr>\n"
                    continue
                }
                let m = report.manifest
                html += "<tr data-model=\"\(Page.escape(e.name))\"><td>\(link)</td><td>\(Page.escape(report.target))</td><td>\(Page.escape(ModelAPI.layers(m)))</td>"
                html += "<td class=\"n\">\(m.training.parameterCount)</td><td class=\"n\">\(Page.number(m.metrics.test?.rmse))</td>"
                html += "<td class=\"n\">\(Page.number(m.baselines["persistence"]?.test?.rmse))</td><td class=\"n\">\(Page.number(m.metrics.test?.mae))</td>"
                html += "<td>\(Page.escape(m.createdAt))</td></tr>\n"
            }
            html += "</tbody></table></div>\n"
        }
        return Page.document(title: "Dashboard", data: data, body: html)
    }

    var data: [String: String] {
        ["page": "index", "poll": String(Int(dashboard.options.pollSeconds * 1000))]
    }
}
