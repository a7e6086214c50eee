/// A correlogram: autocorrelation (ACF) or partial autocorrelation (PACF) per lag as stems, with
/// the ±confidence band shaded (e.g. ±1.96/√n, the 95% band for white noise).
///
/// Non-finite coefficients are skipped. 800x450 px.
public struct Correlogram: Chart {
    public var title: String
    /// Coefficient per lag, dimensionless in [-1, 1]; `values[i]` is lag `firstLag + i`.
    public var values: [Double]
    /// The lag of `values[0]`: 0 for an ACF that includes lag 0, 1 for a PACF.
    public var firstLag: Int
    /// Half-width of the band around 0, e.g. `1.96 / sqrt(n)`; nil draws no band.
    public var confidence: Double?
    /// The x-axis label, e.g. "lag (hours)".
    public var xLabel: String
    /// The y-axis label, e.g. "autocorrelation".
    public var yLabel: String

    public init(title: String, values: [Double], firstLag: Int = 0, confidence: Double? = nil,
                xLabel: String = "lag (steps)", yLabel: String = "autocorrelation") {
        self.title = title
        self.values = values
        self.firstLag = firstLag
        self.confidence = confidence
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    public func svg() throws -> String {
        let lags = values.indices.map { Double(firstLag + $0) }
        let points = zip(lags, values).filter { $0.1.isFinite }
        guard !points.isEmpty else { return CartesianFrame.noData(title: title) }
        let band = confidence.flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
        let xSpec = AxisSpec.linear([lags.first! - 0.8, lags.last! + 0.8], expand: false, integer: true)
        var ys = points.map(\.1) + [0]
        if let band { ys += [band, -band] }
        let ySpec = AxisSpec.linear(ys, expand: true)
        var legend = [LegendEntry(label: title.contains("PACF") ? "partial autocorrelation" : "autocorrelation",
                                  color: Palette.color(0), swatch: .marker)]
        if let band { legend.append(LegendEntry(label: "±\(AxisTicks.formatValue(band)) confidence band", color: Palette.color(0), swatch: .band)) }
        var frame = CartesianFrame(title: title, xLabel: xLabel, yLabel: yLabel, x: xSpec, y: ySpec, legend: legend)
        frame.beginData()
        if let band {
            frame.canvas.rect(frame.left, frame.py(band), frame.right - frame.left, frame.py(-band) - frame.py(band),
                              fill: Palette.color(0), opacity: 0.15)
        }
        frame.canvas.line(frame.left, frame.py(0), frame.right, frame.py(0), stroke: Palette.axis)
        let stemWidth = min(2.5, max(1, (frame.right - frame.left) / Double(points.count) / 3))
        let radius = min(4, max(1.5, (frame.right - frame.left) / Double(points.count) / 3))
        for (lag, value) in points {
            let x = frame.px(lag)
            let outside = band.map { abs(value) > $0 } ?? true
            let color = outside ? Palette.color(0) : "#7aa6cc"
            frame.canvas.line(x, frame.py(0), x, frame.py(value), stroke: color, width: stemWidth)
            frame.canvas.circle(x, frame.py(value), r: radius, fill: color)
        }
        frame.endData()
        return frame.finish()
    }
}
