/// A line chart of one or more series against a shared x axis: training curves (loss and
/// val_loss per epoch), forecast vs actual over time, objective per trial with its running best.
///
/// ```swift
/// let chart = LineChart.trainingCurves(loss: history.loss, validationLoss: history.valLoss,
///                                      lossName: "MSE (scaled units²)")
/// try chart.write(to: runDir.appendingPathComponent("loss.svg"))
/// ```
/// Points whose x or y is not finite (or not positive, on a log y axis) are skipped; a line
/// breaks there. 800x450 px.
public struct LineChart: Chart {
    /// How a series is drawn.
    public enum Style: Sendable, Equatable {
        /// Straight segments between points.
        case line
        /// Straight segments with a dot at each point.
        case lineWithMarkers
        /// Dots only.
        case markers
        /// A step function: horizontal to the next x, then vertical (a running best).
        case step
    }

    /// One series: `x[i]` pairs with `y[i]`.
    public struct Series: Sendable {
        /// The legend label.
        public var name: String
        /// X values: data units, or seconds since 1970 UTC on a ``XAxis/dateTime`` axis.
        public var x: [Double]
        /// Y values, in the units of the y-axis label.
        public var y: [Double]
        public var style: Style
        /// `#rrggbb`; nil takes the next palette colour.
        public var color: String?
        /// Draws the line dashed.
        public var dashed: Bool
        /// A class for the SVG group holding the series' marks (pages that inline the chart
        /// style or count them, e.g. `trial-points`); nil for no group.
        public var groupClass: String?

        public init(name: String, x: [Double], y: [Double], style: Style = .line, color: String? = nil, dashed: Bool = false,
                    groupClass: String? = nil) {
            self.name = name
            self.x = x
            self.y = y
            self.style = style
            self.color = color
            self.dashed = dashed
            self.groupClass = groupClass
        }
    }

    /// A shaded band between `lower[i]` and `upper[i]` at `x[i]` (a prediction interval),
    /// drawn under the series; it breaks where a bound is not finite.
    public struct Band: Sendable {
        public var name: String
        public var x: [Double]
        public var lower: [Double]
        public var upper: [Double]
        /// `#rrggbb`.
        public var color: String
        /// Fill opacity in (0, 1].
        public var opacity: Double

        public init(name: String, x: [Double], lower: [Double], upper: [Double], color: String, opacity: Double = 0.25) {
            self.name = name
            self.x = x
            self.lower = lower
            self.upper = upper
            self.color = color
            self.opacity = opacity
        }
    }

    /// The kind of x axis.
    public enum XAxis: Sendable, Equatable {
        /// Numbers; `integer` keeps tick steps whole (epochs, trials).
        case numeric(integer: Bool)
        /// Instants, x in seconds since 1970 UTC, labelled as dates/times in UTC.
        case dateTime
    }

    /// The y-axis scale.
    public enum YScale: Sendable, Equatable { case linear, log10 }

    public var title: String
    /// The x-axis label, with units, e.g. "epoch" or "time (UTC)".
    public var xLabel: String
    /// The y-axis label, with units, e.g. "temperature (°C)".
    public var yLabel: String
    public var series: [Series]
    public var xAxis: XAxis
    public var yScale: YScale
    /// Shaded bands under the series (intervals), widest first.
    public var bands: [Band]

    public init(title: String, xLabel: String, yLabel: String, series: [Series],
                xAxis: XAxis = .numeric(integer: false), yScale: YScale = .linear, bands: [Band] = []) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.xAxis = xAxis
        self.yScale = yScale
        self.bands = bands
    }

    public func svg() throws -> String {
        for s in series where s.x.count != s.y.count {
            throw ChartError.invalidInput("series \"\(s.name)\" has \(s.x.count) x values and \(s.y.count) y values")
        }
        for b in bands where b.x.count != b.lower.count || b.x.count != b.upper.count {
            throw ChartError.invalidInput("band \"\(b.name)\" has \(b.x.count) x values, \(b.lower.count) lower and \(b.upper.count) upper bounds")
        }
        let usable: (Double, Double) -> Bool = { x, y in
            x.isFinite && y.isFinite && (yScale == .linear || y > 0)
        }
        for b in bands where b.x.count != b.lower.count || b.x.count != b.upper.count {
            throw ChartError.invalidInput("band \"\(b.name)\" has \(b.x.count) x values and \(b.lower.count)/\(b.upper.count) bounds")
        }
        let points = series.map { s in zip(s.x, s.y).filter { usable($0.0, $0.1) } }
        let bandPoints = bands.map { b in b.x.indices.filter { usable(b.x[$0], b.lower[$0]) && usable(b.x[$0], b.upper[$0]) } }
        let xs = points.flatMap { $0.map(\.0) }
        let ys = points.flatMap { $0.map(\.1) } + zip(bands, bandPoints).flatMap { b, idx in idx.flatMap { [b.lower[$0], b.upper[$0]] } }
        guard !xs.isEmpty else { return CartesianFrame.noData(title: title) }

        let xSpec: AxisSpec
        switch xAxis {
        case let .numeric(integer): xSpec = .linear(xs, expand: false, integer: integer, padFraction: xs.count == 1 ? 0 : 0.02)
        case .dateTime: xSpec = .dateTime(xs)
        }
        let ySpec: AxisSpec = yScale == .log10 ? .logarithmic(ys) : .linear(ys, expand: true)
        let colors = series.indices.map { series[$0].color ?? Palette.color($0) }
        let legend = series.count > 1 || !(series.first?.name.isEmpty ?? true)
            ? series.indices.map { i -> LegendEntry in
                let s = series[i]
                let swatch: LegendEntry.Swatch = s.style == .markers ? .marker
                    : .line(dash: s.dashed ? "6 4" : nil, marker: s.style == .lineWithMarkers)
                return LegendEntry(label: s.name, color: colors[i], swatch: swatch)
            } : []
        let bandLegend = bands.map { LegendEntry(label: $0.name, color: $0.color, swatch: .band) }
        var frame = CartesianFrame(title: title, xLabel: xLabel, yLabel: yLabel, x: xSpec, y: ySpec,
                                   legend: legend + bandLegend)
        frame.beginData()
        for (b, idx) in zip(bands, bandPoints) {
            // One closed path per run of consecutive usable points: along the upper bound, back along the lower.
            var runs: [[Int]] = []
            for i in idx {
                if let last = runs.last?.last, last == i - 1 { runs[runs.count - 1].append(i) } else { runs.append([i]) }
            }
            for run in runs where run.count > 1 {
                let upper = run.map { "\(frame.canvas.n(frame.px(b.x[$0]))),\(frame.canvas.n(frame.py(b.upper[$0])))" }
                let lower = run.reversed().map { "\(frame.canvas.n(frame.px(b.x[$0]))),\(frame.canvas.n(frame.py(b.lower[$0])))" }
                frame.canvas.raw("<path d=\"M\((upper + lower).joined(separator: " L"))Z\" fill=\"\(b.color)\" fill-opacity=\"\(SVGCanvas.number(b.opacity, decimals: 2))\" stroke=\"none\"/>")
            }
        }
        for (i, s) in series.enumerated() {
            if let group = s.groupClass { frame.canvas.raw("<g class=\"\(SVGCanvas.escape(group))\">") }
            defer { if s.groupClass != nil { frame.canvas.raw("</g>") } }
            let pixels = points[i].map { (frame.px($0.0), frame.py($0.1)) }
            let dash = s.dashed ? "6 4" : nil
            switch s.style {
            case .line, .lineWithMarkers:
                // Keep breaks where the input had non-finite values.
                let withBreaks = zip(s.x, s.y).map { usable($0.0, $0.1) ? (frame.px($0.0), frame.py($0.1)) : (Double.nan, Double.nan) }
                frame.canvas.polyline(withBreaks, stroke: colors[i], width: 2, dash: dash)
                if s.style == .lineWithMarkers || pixels.count == 1 {
                    for p in pixels { frame.canvas.circle(p.0, p.1, r: 3, fill: colors[i]) }
                }
            case .markers:
                for p in pixels { frame.canvas.circle(p.0, p.1, r: 3.5, fill: colors[i], stroke: "#ffffff") }
            case .step:
                var stepped: [(Double, Double)] = []
                for (j, p) in pixels.enumerated() {
                    if j > 0 { stepped.append((p.0, pixels[j - 1].1)) }
                    stepped.append(p)
                }
                frame.canvas.polyline(stepped, stroke: colors[i], width: 2, dash: dash)
                if pixels.count == 1 { frame.canvas.circle(pixels[0].0, pixels[0].1, r: 3, fill: colors[i]) }
            }
        }
        frame.endData()
        return frame.finish()
    }
}

extension LineChart {
    /// Training curves: `loss` (and `validationLoss` when given) against epochs 1, 2, ...
    /// - Parameters:
    ///   - lossName: the y label, e.g. "MSE (scaled units²)".
    ///   - logScale: a log10 y axis, which shows late-epoch progress better.
    public static func trainingCurves(loss: [Double], validationLoss: [Double]? = nil, lossName: String = "loss",
                                      title: String = "Training and validation loss", logScale: Bool = false) -> LineChart {
        var series = [Series(name: "loss", x: loss.indices.map { Double($0 + 1) }, y: loss,
                             style: loss.count <= 40 ? .lineWithMarkers : .line)]
        if let validationLoss {
            series.append(Series(name: "val_loss", x: validationLoss.indices.map { Double($0 + 1) }, y: validationLoss,
                                 style: validationLoss.count <= 40 ? .lineWithMarkers : .line))
        }
        return LineChart(title: title, xLabel: "epoch", yLabel: lossName, series: series,
                         xAxis: .numeric(integer: true), yScale: logScale ? .log10 : .linear)
    }

    /// Forecast against actual values over time.
    /// - Parameters:
    ///   - times: seconds since 1970 UTC, one per value.
    ///   - actual: observed values, `unit`s.
    ///   - predicted: forecast values for the same instants, `unit`s.
    ///   - valueLabel: the y label with units, e.g. "temperature (°C)".
    public static func forecast(times: [Double], actual: [Double], predicted: [Double], valueLabel: String,
                                title: String = "Forecast vs actual", predictedName: String = "forecast") -> LineChart {
        LineChart(title: title, xLabel: "time (UTC)", yLabel: valueLabel, series: [
            Series(name: "actual", x: times, y: actual, color: "#444444"),
            Series(name: predictedName, x: times, y: predicted, color: Palette.color(1)),
        ], xAxis: .dateTime)
    }

    /// Objective per trial (dots) with the running best so far (a step line).
    /// - Parameters:
    ///   - objectives: one value per trial in order; non-finite (failed or pruned) trials are skipped.
    ///   - objectiveName: the y label with units, e.g. "val_loss (MSE, scaled units²)".
    ///   - lowerIsBetter: whether the running best is the minimum (true) or maximum.
    public static func trials(objectives: [Double], objectiveName: String, lowerIsBetter: Bool = true,
                              title: String = "Objective per trial") -> LineChart {
        let trials = objectives.indices.map { Double($0 + 1) }
        var best: [Double] = [], current: Double?
        for value in objectives {
            if value.isFinite {
                current = current.map { lowerIsBetter ? min($0, value) : max($0, value) } ?? value
            }
            best.append(current ?? .nan)
        }
        return LineChart(title: title, xLabel: "trial", yLabel: objectiveName, series: [
            Series(name: "trial", x: trials, y: objectives, style: .markers, color: Palette.color(0)),
            Series(name: "best so far", x: trials, y: best, style: .step, color: Palette.color(3)),
        ], xAxis: .numeric(integer: true))
    }
}
