import Foundation

/// A histogram of values: residuals (forecast − actual), or the distribution of a series.
///
/// Bins share one round width (1, 2 or 5 × 10^k) chosen by the Freedman–Diaconis rule, between
/// 5 and 60 bins, unless ``binCount`` is given. The y axis counts values per bin. A caption in
/// the plot gives n, mean and standard deviation. Non-finite values are left out (and not
/// counted in n). 800x450 px.
public struct Histogram: Chart {
    public var title: String
    /// The x-axis label with units, e.g. "residual (°C)".
    public var xLabel: String
    /// The values to bin, in `xLabel`'s units.
    public var values: [Double]
    /// A fixed number of bins over the data range; nil chooses automatically.
    public var binCount: Int?
    /// Dashed vertical lines with legend labels, e.g. `("zero error", 0)`.
    public var referenceLines: [(label: String, value: Double)]

    public init(title: String, xLabel: String, values: [Double], binCount: Int? = nil,
                referenceLines: [(label: String, value: Double)] = []) {
        self.title = title
        self.xLabel = xLabel
        self.values = values
        self.binCount = binCount
        self.referenceLines = referenceLines
    }

    /// Bin edges `[bins + 1]` and counts `[bins]` for the finite values.
    public func bins() -> (edges: [Double], counts: [Int]) {
        let finite = values.filter(\.isFinite).sorted()
        guard let lo = finite.first, let hi = finite.last else { return ([], []) }
        var width: Double
        if let binCount, binCount > 0, hi > lo {
            width = (hi - lo) / Double(binCount)
        } else if hi > lo {
            let iqr = Quantiles.quantile(sorted: finite, 0.75) - Quantiles.quantile(sorted: finite, 0.25)
            let fd = 2 * iqr / Foundation.cbrt(Double(finite.count))
            let sturges = (hi - lo) / (Foundation.log2(Double(finite.count)) + 1)
            var raw = fd > 0 ? fd : sturges
            raw = min(max(raw, (hi - lo) / 60), (hi - lo) / 5)
            width = AxisTicks.niceNumber(raw, round: true)
        } else {
            width = lo == 0 ? 1 : AxisTicks.niceNumber(abs(lo) * 0.1, round: true)
        }
        let start: Double, count: Int
        if binCount != nil && hi > lo {
            start = lo
            count = binCount!
        } else {
            start = Foundation.floor(lo / width) * width
            count = max(1, Int(Foundation.floor((hi - start) / width)) + 1)
        }
        var counts = [Int](repeating: 0, count: count)
        for v in finite { counts[min(max(Int(Foundation.floor((v - start) / width)), 0), count - 1)] += 1 }
        return ((0...count).map { start + Double($0) * width }, counts)
    }

    public func svg() throws -> String {
        let (edges, counts) = bins()
        guard !counts.isEmpty else { return CartesianFrame.noData(title: title) }
        let finite = values.filter(\.isFinite)
        let xSpec = AxisSpec.linear(edges + referenceLines.map(\.value), expand: false)
        let ySpec = AxisSpec.linear(counts.map(Double.init), expand: true, integer: true, include: 0)
        let legend = referenceLines.enumerated().map { i, line in
            LegendEntry(label: line.label, color: Palette.color(3 + i), swatch: .line(dash: "6 4", marker: false))
        }
        var frame = CartesianFrame(title: title, xLabel: xLabel, yLabel: "count", x: xSpec, y: ySpec, legend: legend)
        frame.beginData()
        for (i, count) in counts.enumerated() where count > 0 {
            let x0 = frame.px(edges[i]), x1 = frame.px(edges[i + 1]), y = frame.py(Double(count))
            frame.canvas.rect(x0, y, x1 - x0, frame.py(0) - y, fill: Palette.color(0), stroke: "#ffffff", strokeWidth: 0.8, opacity: 0.85)
        }
        for (i, line) in referenceLines.enumerated() where line.value.isFinite {
            let x = frame.px(line.value)
            frame.canvas.line(x, frame.top, x, frame.bottom, stroke: Palette.color(3 + i), width: 2, dash: "6 4")
        }
        frame.endData()
        let n = Double(finite.count), mean = finite.reduce(0, +) / n
        let sd = n > 1 ? (finite.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot() : 0
        frame.canvas.text(frame.left + 10, frame.top + 18,
                          "n = \(finite.count),  mean = \(AxisTicks.formatValue(mean)),  sd = \(AxisTicks.formatValue(sd))",
                          size: 12, fill: Palette.text, halo: true)
        return frame.finish()
    }
}

/// Sample quantiles, linear interpolation between order statistics (R's type 7, NumPy's default).
public enum Quantiles {
    /// The `p`-quantile (0...1) of ascending `sorted` values; NaN when empty.
    public static func quantile(sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let h = Double(sorted.count - 1) * min(max(p, 0), 1)
        let i = Int(Foundation.floor(h))
        return i + 1 < sorted.count ? sorted[i] + (h - Double(i)) * (sorted[i + 1] - sorted[i]) : sorted[i]
    }
}
