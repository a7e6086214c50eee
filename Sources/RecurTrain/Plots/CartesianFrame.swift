import Foundation

/// One axis of a cartesian chart: its domain in data units, its ticks, and linear or log10 mapping.
struct AxisSpec {
    var lower: Double
    var upper: Double
    var ticks: [AxisTicks.Tick]
    var log = false

    /// Position of `value` along the axis, 0 at `lower`, 1 at `upper`; NaN for values a log axis
    /// cannot show.
    func fraction(_ value: Double) -> Double {
        if log {
            guard value > 0 else { return .nan }
            return (Foundation.log10(value) - Foundation.log10(lower)) / (Foundation.log10(upper) - Foundation.log10(lower))
        }
        return (value - lower) / (upper - lower)
    }

    /// A linear axis over the finite `values`, padded when they are all equal; `expand` widens it
    /// to the outer ticks, `padFraction` adds room on both sides (bars, markers), `include`
    /// forces a value inside (0 for bars).
    static func linear(_ values: [Double], expand: Bool, integer: Bool = false, padFraction: Double = 0,
                       include: Double? = nil, targetCount: Int = 6) -> AxisSpec {
        var finite = values.filter(\.isFinite)
        if let include { finite.append(include) }
        var lo = finite.min() ?? 0, hi = finite.max() ?? 1
        if hi - lo <= max(abs(hi), abs(lo)) * 1e-12 {
            let pad = integer ? 1 : (lo == 0 ? 1 : abs(lo) * 0.1)
            lo -= pad
            hi += pad
        }
        let span = hi - lo
        lo -= span * padFraction
        hi += span * padFraction
        // One step for both the widening and the ticks, so the axis ends on a labelled tick.
        let step = AxisTicks.niceStep(lower: lo, upper: hi, targetCount: targetCount, integer: integer)
        if expand { (lo, hi) = (Foundation.floor(lo / step + 1e-9) * step, Foundation.ceil(hi / step - 1e-9) * step) }
        return AxisSpec(lower: lo, upper: hi, ticks: AxisTicks.linear(lower: lo, upper: hi, step: step))
    }

    /// A log10 axis over the positive finite `values`, widened to whole decades when it spans
    /// several, else by 10% each side.
    static func logarithmic(_ values: [Double]) -> AxisSpec {
        let positive = values.filter { $0.isFinite && $0 > 0 }
        var lo = positive.min() ?? 1, hi = positive.max() ?? 10
        if hi / lo < 1.5 { lo /= 1.5; hi *= 1.5 }
        if hi / lo > 100 {
            lo = Foundation.pow(10, Foundation.floor(Foundation.log10(lo)))
            hi = Foundation.pow(10, Foundation.ceil(Foundation.log10(hi)))
        } else {
            lo /= 1.1
            hi *= 1.1
        }
        return AxisSpec(lower: lo, upper: hi, ticks: AxisTicks.logarithmic(lower: lo, upper: hi), log: true)
    }

    /// A time axis, seconds since 1970 UTC, over the data range exactly.
    static func dateTime(_ values: [Double]) -> AxisSpec {
        let finite = values.filter(\.isFinite)
        var lo = finite.min() ?? 0, hi = finite.max() ?? 86_400
        if hi - lo < 1 { lo -= 3_600; hi += 3_600 }
        return AxisSpec(lower: lo, upper: hi, ticks: AxisTicks.dateTime(lower: lo, upper: hi))
    }
}

/// A legend entry: how its swatch looks.
struct LegendEntry {
    enum Swatch { case line(dash: String?, marker: Bool), marker, box, band }
    var label: String
    var color: String
    var swatch: Swatch
}

/// The chrome shared by the cartesian charts: background, title, legend row, gridlines, ticks,
/// axis labels; and the data-to-pixel mapping of the plot area. Charts draw their data between
/// ``beginData()`` and ``endData()`` (clipped to the plot area) and then call ``finish()``.
struct CartesianFrame {
    var canvas = SVGCanvas(width: ChartSize.width, height: ChartSize.height)
    let title: String
    let x: AxisSpec, y: AxisSpec
    let left: Double, right: Double, top: Double, bottom: Double
    private let clipID: String

    init(title: String, xLabel: String, yLabel: String, x: AxisSpec, y: AxisSpec,
         legend: [LegendEntry], categoricalX: Bool = false) {
        self.title = title
        self.x = x
        self.y = y
        clipID = "plot-area"
        let tickSize = 12.0
        let yLabelWidth = y.ticks.map { SVGCanvas.textWidth($0.label, size: tickSize) }.max() ?? 20
        left = 16 + (yLabel.isEmpty ? 0 : 22) + yLabelWidth + 10
        right = ChartSize.width - 28
        let legendRows = CartesianFrame.layoutLegend(legend, width: right - left).rows
        top = 46 + Double(legendRows) * 20 + (legendRows > 0 ? 4 : 0)
        bottom = ChartSize.height - (xLabel.isEmpty ? 34 : 56)

        canvas.text(ChartSize.width / 2, 28, title, size: 18, anchor: "middle", fill: Palette.text, weight: "bold")
        drawLegend(legend)
        // Plot background and gridlines.
        canvas.rect(left, top, right - left, bottom - top, fill: "#fcfcfc")
        for tick in y.ticks {
            let py = self.py(tick.value)
            guard py.isFinite else { continue }
            canvas.line(left, py, right, py, stroke: Palette.grid)
            canvas.line(left - 5, py, left, py, stroke: Palette.axis)
            canvas.text(left - 8, py + 4, tick.label, size: tickSize, anchor: "end", fill: Palette.tickText)
        }
        // X tick labels, thinned when they would overlap.
        var xTicks = x.ticks
        let widest = xTicks.map { SVGCanvas.textWidth($0.label, size: tickSize) }.max() ?? 0
        var every = 1
        while xTicks.count / every > 1 && Double(xTicks.count / every) * (widest + 12) > right - left { every += 1 }
        if every > 1 { xTicks = xTicks.enumerated().filter { $0.offset % every == 0 }.map(\.element) }
        for tick in x.ticks {
            let px = self.px(tick.value)
            guard px.isFinite, !categoricalX else { continue }
            canvas.line(px, top, px, bottom, stroke: Palette.grid)
        }
        for tick in xTicks {
            let px = self.px(tick.value)
            guard px.isFinite else { continue }
            canvas.line(px, bottom, px, bottom + 5, stroke: Palette.axis)
            canvas.text(px, bottom + 19, tick.label, size: tickSize, anchor: "middle", fill: Palette.tickText)
        }
        if !xLabel.isEmpty {
            canvas.text((left + right) / 2, ChartSize.height - 14, xLabel, size: 14, anchor: "middle", fill: Palette.text)
        }
        if !yLabel.isEmpty {
            let cy = (top + bottom) / 2
            canvas.text(22, cy, yLabel, size: 14, anchor: "middle", fill: Palette.text, rotate: -90)
        }
    }

    /// Pixel x of a data value (may lie outside the plot area; clipped when drawn as data).
    func px(_ value: Double) -> Double { left + x.fraction(value) * (right - left) }
    /// Pixel y of a data value (up is larger).
    func py(_ value: Double) -> Double { bottom - y.fraction(value) * (bottom - top) }

    /// Starts the clipped data group.
    mutating func beginData() {
        // A few pixels of slack so markers on the edge of the domain show whole.
        canvas.raw("<clipPath id=\"\(clipID)\"><rect x=\"\(canvas.n(left - 5))\" y=\"\(canvas.n(top - 5))\" width=\"\(canvas.n(right - left + 10))\" height=\"\(canvas.n(bottom - top + 10))\"/></clipPath>")
        canvas.raw("<g clip-path=\"url(#\(clipID))\">")
    }

    mutating func endData() { canvas.raw("</g>") }

    /// Draws the axis lines over the data and returns the document.
    mutating func finish() -> String {
        canvas.line(left, bottom, right, bottom, stroke: Palette.axis)
        canvas.line(left, top, left, bottom, stroke: Palette.axis)
        return canvas.document(title: title)
    }

    /// Legend items laid out in rows under the title: (row, x offset) per item.
    static func layoutLegend(_ entries: [LegendEntry], width: Double) -> (rows: Int, positions: [(Int, Double)], rowWidths: [Double]) {
        guard !entries.isEmpty else { return (0, [], []) }
        var positions: [(Int, Double)] = [], rowWidths: [Double] = [0]
        for entry in entries {
            let itemWidth = 28 + SVGCanvas.textWidth(entry.label, size: 12) + 18
            if rowWidths[rowWidths.count - 1] > 0 && rowWidths[rowWidths.count - 1] + itemWidth > width { rowWidths.append(0) }
            positions.append((rowWidths.count - 1, rowWidths[rowWidths.count - 1]))
            rowWidths[rowWidths.count - 1] += itemWidth
        }
        return (rowWidths.count, positions, rowWidths)
    }

    private mutating func drawLegend(_ entries: [LegendEntry]) {
        let layout = Self.layoutLegend(entries, width: right - left)
        for (entry, (row, offset)) in zip(entries, layout.positions) {
            let rowStart = (left + right) / 2 - (layout.rowWidths[row] - 18) / 2
            let x0 = rowStart + offset, cy = 50 + Double(row) * 20
            switch entry.swatch {
            case let .line(dash, marker):
                canvas.line(x0, cy, x0 + 22, cy, stroke: entry.color, width: 2.5, dash: dash)
                if marker { canvas.circle(x0 + 11, cy, r: 3, fill: entry.color) }
            case .marker:
                canvas.circle(x0 + 11, cy, r: 4, fill: entry.color)
            case .box:
                canvas.rect(x0 + 3, cy - 6, 16, 12, fill: entry.color, stroke: Palette.axis)
            case .band:
                canvas.rect(x0, cy - 6, 22, 12, fill: entry.color, opacity: 0.25)
            }
            canvas.text(x0 + 28, cy + 4, entry.label, size: 12, fill: Palette.text)
        }
    }

    /// A chart that has no finite data: the title and "No data" in an empty frame.
    static func noData(title: String, message: String = "No data") -> String {
        var canvas = SVGCanvas(width: ChartSize.width, height: ChartSize.height)
        canvas.text(ChartSize.width / 2, 28, title, size: 18, anchor: "middle", fill: Palette.text, weight: "bold")
        canvas.rect(60, 50, ChartSize.width - 120, ChartSize.height - 100, fill: "#fcfcfc", stroke: Palette.grid)
        canvas.text(ChartSize.width / 2, ChartSize.height / 2 + 6, message, size: 16, anchor: "middle", fill: "#888888")
        return canvas.document(title: title)
    }
}
