import Foundation
import RecurData
import RecurTrain

/// `/models/{name}`: a package's metrics beside the naive baselines, its loss curves (with the
/// learning-rate changes marked), forecast against actual (with the interval bands when
/// `predictions_test.csv` has `lower_<p>,upper_<p>` columns), residuals, architecture and
/// config. The charts are `PackageReport`'s (those of `recur report PACKAGE`).
struct ModelPage {
    let dashboard: Dashboard
    let entry: ModelCatalog.Entry

    func render() -> String {
        var html = "<h1>Model <span id=\"model-name\">\(Page.escape(entry.name))</span></h1>\n"
        guard let report = entry.report else {
            html += "<p class=\"error\">The package at <code>\(Page.escape(entry.path))</code> cannot be read: \(Page.escape(entry.error ?? "unknown error"))</p>"
            return Page.document(title: "Model \(entry.name)", data: ["page": "model"], body: html)
        }
        let m = report.manifest
        html += "<dl class=\"kv\">\n"
        func row(_ k: String, _ v: String) { html += "<dt>\(k)</dt><dd>\(v)</dd>\n" }
        row("package", "<code>\(Page.escape(entry.path))</code>")
        row("created", Page.escape(m.createdAt) + " by Recur " + Page.escape(m.recurVersion))
        row("target", Page.escape(report.target))
        row("architecture", Page.escape(ModelAPI.layers(m)) + ", \(m.training.parameterCount) parameters")
        row("window", "\(m.data.window.nPastSteps) past steps of \(Page.escape(Timestamps.describeDuration(m.data.frequencySeconds))), horizon \(m.data.window.horizon)")
        row("training", "\(m.training.epochsRun) epochs (\(Page.escape(m.training.stopReason))\(m.training.bestEpoch.map { ", best epoch \($0)" } ?? "")), "
            + String(format: "%.1f s", m.training.seconds) + ", seed \(m.training.seed)")
        row("samples", "\(m.training.trainSamples) train, \(m.training.validationSamples) validation, \(m.training.testSamples) test")
        html += "</dl>\n" + metricsTable(m)

        let charts = Dictionary(report.charts().map { ($0.file, $0.chart) }, uniquingKeysWith: { a, _ in a })
        html += "<h2>Charts</h2>\n<div class=\"grid\">\n"
        if let metrics = charts["metrics.svg"] {
            html += Page.figure(metrics, key: "metrics", heading: "Test error beside the baselines")
        }
        if var loss = charts["loss.svg"] as? LineChart {
            let changes = Self.learningRateChanges(m.history)
            var caption = "Training and validation loss per epoch."
            if !changes.isEmpty {
                // A dashed vertical line across the curves at each change (NaN breaks between them).
                let values = loss.series.flatMap(\.y).filter { $0.isFinite && (loss.yScale == .linear || $0 > 0) }
                if let lo = values.min(), let hi = values.max() {
                    let x = changes.flatMap { [Double($0.epoch), Double($0.epoch), .nan] }
                    let y = changes.flatMap { _ in [lo, hi, .nan] }
                    loss.series.append(LineChart.Series(name: "learning rate changed", x: x, y: y, color: Palette.color(3),
                                                        dashed: true, groupClass: "lr-changes"))
                }
                caption += " Learning rate changed at: " + changes.map { "epoch \($0.epoch) (\(Page.number($0.from)) → \(Page.number($0.to)))" }.joined(separator: ", ") + "."
            } else if let lr = m.history.first?.learningRate {
                caption += " Learning rate \(Page.number(lr)) throughout."
            }
            html += Page.figure(loss, key: "loss", heading: "Loss curves", caption: caption)
        }
        if let forecast = charts["forecast.svg"] {
            html += Page.figure(forecast, key: "forecast", heading: "Forecast against actual, test span",
                                caption: "One step ahead; long spans drawn as means of equal buckets of steps.")
        }
        if var detail = charts["forecast-detail.svg"] as? LineChart, let predictions = report.predictions {
            let one = predictions.step(1)
            let k = detail.series.first?.x.count ?? 0
            var caption: String
            if one.intervals.isEmpty {
                caption = "No interval bands: this package's \(ModelPackage.testPredictionsFile) has no <code>lower_&lt;p&gt;,upper_&lt;p&gt;</code> columns."
            } else {
                let r = (one.count - k)..<one.count
                detail.bands = one.intervals.reversed().map { level in
                    LineChart.Band(name: "\(level.percent)% interval", x: Array(one.times[r]), lower: Array(level.lower[r]),
                                   upper: Array(level.upper[r]), color: Palette.color(1))
                }
                caption = "Shaded: the " + one.intervals.map { "\($0.percent)%" }.joined(separator: " and ") + " prediction intervals."
            }
            html += Page.figure(detail, key: "forecast-detail", heading: "Last test steps", caption: caption)
        } else if report.predictions == nil {
            html += "<p class=\"muted\">No \(ModelPackage.testPredictionsFile) in the package: no forecast or residual charts.</p>"
        }
        if let residuals = charts["residuals.svg"] {
            html += Page.figure(residuals, key: "residuals", heading: "Residuals", caption: "Actual − forecast, one step ahead, test span.")
        }
        html += "</div>\n" + architecture(m)
        if let hyper = m.hyperparameters, !hyper.isEmpty {
            html += "<h2>Hyperparameters chosen by the search</h2>\n<table><tbody>\n"
            for (k, v) in hyper.sorted(by: { $0.key < $1.key }) { html += "<tr><td>\(Page.escape(k))</td><td>\(Page.escape(v.description))</td></tr>\n" }
            html += "</tbody></table>\n"
        }
        html += "<h2>Config</h2>\n<pre id=\"config\">\(Page.escape(m.config.nativeJSON()))</pre>\n"
        return Page.document(title: "Model \(entry.name)", data: ["page": "model", "model": entry.name], body: html)
    }

    /// Epochs whose learning rate differs from the epoch before: (epoch, training loss, before, after).
    static func learningRateChanges(_ history: [EpochRecord]) -> [(epoch: Int, loss: Double, from: Double, to: Double)] {
        zip(history, history.dropFirst()).compactMap { a, b in
            a.learningRate == b.learningRate ? nil : (b.epoch, b.loss, a.learningRate, b.learningRate)
        }
    }

    func metricsTable(_ m: PackageManifest) -> String {
        var html = "<h2>Metrics</h2>\n<div class=\"scroll\"><table id=\"metrics\"><thead><tr><th>forecaster</th>"
        let parts: [(String, KeyPath<SplitMetrics, MetricSet?>)] = [("train", \.train), ("validation", \.validation), ("test", \.test)]
        for (name, _) in parts { html += "<th>\(name) RMSE</th><th>\(name) MAE</th>" }
        html += "<th>test R²</th><th>test MASE</th></tr></thead><tbody>\n"
        var rows: [(String, SplitMetrics?)] = [("model", m.metrics)]
        rows += m.baselines.sorted { $0.key < $1.key }.map { ($0.key.replacingOccurrences(of: "_", with: " "), $0.value) }
        for (name, split) in rows {
            html += "<tr\(name == "model" ? " class=\"best\"" : "")><td>\(Page.escape(name))</td>"
            for (_, path) in parts {
                let set = split?[keyPath: path]
                html += "<td class=\"n\">\(Page.number(set?.rmse))</td><td class=\"n\">\(Page.number(set?.mae))</td>"
            }
            html += "<td class=\"n\">\(Page.number(split?.test?.r2))</td><td class=\"n\">\(Page.number(split?.test?.mase))</td></tr>\n"
        }
        return html + "</tbody></table></div>\n"
    }

    func architecture(_ m: PackageManifest) -> String {
        var html = "<h2>Architecture</h2>\n<table id=\"layers\"><thead><tr><th>layer</th><th>type</th><th>input size</th><th>units</th><th>returns sequences</th><th>activation</th><th>rate</th></tr></thead><tbody>\n"
        for l in m.architecture.layers {
            html += "<tr><td>\(Page.escape(l.name))</td><td>\(Page.escape(l.type))</td><td class=\"n\">\(l.inputSize)</td><td class=\"n\">\(l.units)</td>"
            html += "<td>\(l.returnSequences.map { $0 ? "yes" : "no" } ?? "–")</td><td>\(Page.escape(l.activation ?? "–"))</td><td class=\"n\">\(Page.number(l.rate))</td></tr>\n"
        }
        return html + "</tbody></table>\n"
    }
}
