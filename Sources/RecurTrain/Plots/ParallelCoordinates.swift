import Foundation

/// Parallel coordinates of a hyper-parameter search: one vertical axis per parameter plus the
/// objective on the right, one polyline per trial coloured by its objective (viridis; the best
/// trials darkest and drawn on top, the best one thickest), with a colour bar.
///
/// A trial whose objective is not finite (failed, pruned) is left out; a parameter value that is
/// not finite (a conditional parameter the trial did not use) breaks that trial's line at the
/// axis. 800x450 px.
public struct ParallelCoordinates: Chart {
    /// One parameter axis.
    public struct Axis: Sendable {
        /// The axis name with units, e.g. "dropout" or "units (first layer)".
        public var name: String
        /// The value per trial, `[trials]`; for a categorical axis, an index into `categories`.
        public var values: [Double]
        /// Names of the choices of a categorical parameter (`values` are their indices).
        public var categories: [String]?
        /// A log10 axis (learning rates); non-positive values are treated as missing.
        public var logScale: Bool

        public init(name: String, values: [Double], categories: [String]? = nil, logScale: Bool = false) {
            self.name = name
            self.values = values
            self.categories = categories
            self.logScale = logScale
        }
    }

    public var title: String
    public var axes: [Axis]
    /// The objective's name with units, e.g. "val_loss (MSE)".
    public var objectiveName: String
    /// The objective per trial, `[trials]`.
    public var objective: [Double]
    /// Whether smaller objectives are better (losses): they get the darkest colours.
    public var lowerIsBetter: Bool

    public init(title: String, axes: [Axis], objectiveName: String, objective: [Double], lowerIsBetter: Bool = true) {
        self.title = title
        self.axes = axes
        self.objectiveName = objectiveName
        self.objective = objective
        self.lowerIsBetter = lowerIsBetter
    }

    public func svg() throws -> String {
        for axis in axes where axis.values.count != objective.count {
            throw ChartError.invalidInput("axis \"\(axis.name)\" has \(axis.values.count) values for \(objective.count) trials")
        }
        let trials = objective.indices.filter { objective[$0].isFinite }
        guard !trials.isEmpty else { return CartesianFrame.noData(title: title) }
        let objectiveAxis = Axis(name: objectiveName, values: objective)
        let all = axes + [objectiveAxis]
        let specs = all.map { Self.spec(for: $0, trials: trials) }

        var canvas = SVGCanvas(width: ChartSize.width, height: ChartSize.height)
        canvas.text(ChartSize.width / 2, 28, title, size: 18, anchor: "middle", fill: Palette.text, weight: "bold")
        let left = 70.0, right = ChartSize.width - 170, top = 86.0, bottom = ChartSize.height - 40
        let gap = all.count > 1 ? (right - left) / Double(all.count - 1) : 0
        func axisX(_ i: Int) -> Double { all.count > 1 ? left + Double(i) * gap : (left + right) / 2 }
        func axisY(_ spec: AxisSpec, _ value: Double) -> Double {
            let f = spec.fraction(value)
            return f.isFinite && value.isFinite ? bottom - f * (bottom - top) : .nan
        }

        // Colour: t = 0 for the best objective (dark), 1 for the worst (yellow, capped lighter).
        let objectives = trials.map { objective[$0] }
        let lo = objectives.min()!, hi = objectives.max()!
        func badness(_ value: Double) -> Double {
            guard hi > lo else { return 0 }
            return lowerIsBetter ? (value - lo) / (hi - lo) : (hi - value) / (hi - lo)
        }
        let maxT = 0.88
        // Axis lines under the data.
        for i in all.indices { canvas.line(axisX(i), top, axisX(i), bottom, stroke: "#bbbbbb", width: 1) }
        let order = trials.sorted { badness(objective[$0]) > badness(objective[$1]) }  // worst first
        let best = order.last!
        for trial in order {
            let points = all.indices.map { (axisX($0), axisY(specs[$0], all[$0].values[trial])) }
            let isBest = trial == best
            canvas.polyline(points, stroke: Palette.viridis(badness(objective[trial]) * maxT), width: isBest ? 3 : 1.4,
                            opacity: isBest ? 1 : 0.75)
        }
        // Axes, ticks and names over the data; one font size for all names, small enough to fit.
        let widestName = all.map { SVGCanvas.textWidth($0.name, size: 1) }.max() ?? 1
        let nameSize = all.count > 1 ? min(13, max(9, gap * 0.95 / max(widestName, 1))) : 13
        for (i, spec) in specs.enumerated() {
            let x = axisX(i)
            canvas.line(x, top, x, bottom, stroke: Palette.axis, width: 1.5)
            for tick in spec.ticks {
                let y = axisY(spec, tick.value)
                guard y.isFinite else { continue }
                canvas.line(x - 4, y, x, y, stroke: Palette.axis)
                canvas.text(x - 6, y + 4, tick.label, size: 11, anchor: "end", fill: Palette.tickText, halo: true)
            }
            let name = all[i].name
            canvas.text(x, top - 14, name, size: nameSize, anchor: "middle", fill: Palette.text,
                        weight: i == all.count - 1 ? "bold" : nil)
        }
        // Colour bar.
        let barX = ChartSize.width - 70, barTop = top, barBottom = bottom
        canvas.raw("<defs><linearGradient id=\"objective-gradient\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">")
        for k in 0...8 {
            let f = Double(k) / 8  // 0 at the bottom (lowest objective)
            let value = lo + f * (hi - lo)
            canvas.raw("<stop offset=\"\(SVGCanvas.number(f, decimals: 2))\" stop-color=\"\(Palette.viridis(badness(value) * maxT))\"/>")
        }
        canvas.raw("</linearGradient></defs>")
        canvas.raw("<rect x=\"\(canvas.n(barX))\" y=\"\(canvas.n(barTop))\" width=\"14\" height=\"\(canvas.n(barBottom - barTop))\" fill=\"url(#objective-gradient)\" stroke=\"\(Palette.axis)\"/>")
        canvas.text(barX + 18, barTop + 4, AxisTicks.formatValue(hi), size: 11, fill: Palette.tickText)
        canvas.text(barX + 18, barBottom + 4, AxisTicks.formatValue(lo), size: 11, fill: Palette.tickText)
        canvas.text(barX + 7, barTop - 14, lowerIsBetter ? "worse ↑" : "better ↑", size: 11, anchor: "middle", fill: Palette.tickText)
        canvas.text(barX + 7, barBottom + 22, "best: \(AxisTicks.formatValue(objective[best]))", size: 11, anchor: "middle", fill: Palette.text)
        canvas.text(ChartSize.width / 2, ChartSize.height - 10, "\(trials.count) trials; colour: \(objectiveName)", size: 12,
                    anchor: "middle", fill: Palette.tickText)
        return canvas.document(title: title)
    }

    /// The axis's domain and ticks over the given trials.
    static func spec(for axis: Axis, trials: [Int]) -> AxisSpec {
        let values = trials.map { axis.values[$0] }
        if let categories = axis.categories, !categories.isEmpty {
            let ticks = categories.enumerated().map { (value: Double($0.offset), label: $0.element) }
            let upper = Double(max(categories.count - 1, 1))
            return AxisSpec(lower: categories.count == 1 ? -1 : 0, upper: upper, ticks: ticks)
        }
        if axis.logScale { return .logarithmic(values) }
        let finite = values.filter(\.isFinite)
        var spec = AxisSpec.linear(finite, expand: false, targetCount: 5)
        if let lo = finite.min(), let hi = finite.max(), hi > lo {
            // Label the exact extremes when the nice ticks miss them by much.
            spec.lower = lo
            spec.upper = hi
            spec.ticks = AxisTicks.linear(lower: lo, upper: hi, targetCount: 5)
        }
        return spec
    }
}
