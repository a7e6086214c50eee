/// Box plots of several groups side by side (errors per horizon step, values per month, ...).
///
/// Each box spans the quartiles (type-7 quantiles) with a line at the median and a dot at the
/// mean; whiskers reach the most extreme values within 1.5 × IQR of the box (Tukey), and values
/// beyond are drawn as open circles. Non-finite values are left out; an empty group keeps its
/// slot with no box. 800x450 px.
public struct BoxPlot: Chart {
    /// One box: its x-axis label and values in `yLabel`'s units.
    public struct Group: Sendable {
        public var label: String
        public var values: [Double]
        public init(label: String, values: [Double]) {
            self.label = label
            self.values = values
        }
    }

    /// Five-number summary of a group (plus mean), in the group's units.
    public struct Summary: Equatable, Sendable {
        public var lowerWhisker, q1, median, q3, upperWhisker, mean: Double
        public var outliers: [Double]
    }

    public var title: String
    /// The x-axis label, e.g. "horizon step".
    public var xLabel: String
    /// The y-axis label with units, e.g. "absolute error (°C)".
    public var yLabel: String
    public var groups: [Group]

    public init(title: String, xLabel: String, yLabel: String, groups: [Group]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.groups = groups
    }

    /// The summary of `values`' finite elements; nil when there are none.
    public static func summary(_ values: [Double]) -> Summary? {
        let sorted = values.filter(\.isFinite).sorted()
        guard !sorted.isEmpty else { return nil }
        let q1 = Quantiles.quantile(sorted: sorted, 0.25), q3 = Quantiles.quantile(sorted: sorted, 0.75)
        let fence = 1.5 * (q3 - q1)
        let inside = sorted.filter { $0 >= q1 - fence && $0 <= q3 + fence }
        return Summary(lowerWhisker: inside.first ?? q1, q1: q1, median: Quantiles.quantile(sorted: sorted, 0.5), q3: q3,
                       upperWhisker: inside.last ?? q3, mean: sorted.reduce(0, +) / Double(sorted.count),
                       outliers: sorted.filter { $0 < q1 - fence || $0 > q3 + fence })
    }

    public func svg() throws -> String {
        let summaries = groups.map { Self.summary($0.values) }
        let all = summaries.compactMap { $0 }.flatMap { [$0.lowerWhisker, $0.upperWhisker] + $0.outliers }
        guard !all.isEmpty else { return CartesianFrame.noData(title: title) }
        let ticks = groups.enumerated().map { (value: Double($0.offset), label: $0.element.label) }
        let xSpec = AxisSpec(lower: -0.5, upper: Double(groups.count) - 0.5, ticks: ticks)
        let ySpec = AxisSpec.linear(all, expand: true)
        var frame = CartesianFrame(title: title, xLabel: xLabel, yLabel: yLabel, x: xSpec, y: ySpec, legend: [],
                                   categoricalX: true)
        let slot = (frame.right - frame.left) / Double(max(groups.count, 1))
        let half = min(slot * 0.3, 45)
        frame.beginData()
        for (i, summary) in summaries.enumerated() {
            guard let s = summary else { continue }
            let cx = frame.px(Double(i)), color = Palette.color(0)
            frame.canvas.line(cx, frame.py(s.lowerWhisker), cx, frame.py(s.q1), stroke: Palette.axis, width: 1.5)
            frame.canvas.line(cx, frame.py(s.q3), cx, frame.py(s.upperWhisker), stroke: Palette.axis, width: 1.5)
            for w in [s.lowerWhisker, s.upperWhisker] {
                frame.canvas.line(cx - half / 2, frame.py(w), cx + half / 2, frame.py(w), stroke: Palette.axis, width: 1.5)
            }
            let top = frame.py(s.q3)
            frame.canvas.rect(cx - half, top, 2 * half, max(frame.py(s.q1) - top, 1), fill: color, stroke: Palette.axis,
                              strokeWidth: 1.2, opacity: 0.35)
            frame.canvas.line(cx - half, frame.py(s.median), cx + half, frame.py(s.median), stroke: Palette.color(3), width: 2.5)
            frame.canvas.circle(cx, frame.py(s.mean), r: 3.5, fill: "#ffffff", stroke: Palette.text)
            for o in s.outliers { frame.canvas.circle(cx, frame.py(o), r: 2.5, fill: "none", stroke: Palette.axis) }
        }
        frame.endData()
        return frame.finish()
    }
}
