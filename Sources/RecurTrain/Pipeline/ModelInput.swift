import RecurData
import RecurTensor

/// How a series in original units becomes the model's samples, and how the model's outputs go
/// back to original units: the calendar columns appended to the measured ones, the scaling
/// (global, or relative to each sample's window) and the layout. Training's windowing, `predict`,
/// `evaluate` and anything else that reads a package go through this one type, built at training
/// time from the config and the fitted scaler, and afterwards from the package alone
/// (`init(manifest:)`), so every reader applies exactly the transform the model was trained with.
public struct ModelInput: Sendable {
    /// Fitted on the training part, over the measured columns then the calendar columns
    /// (which it leaves unscaled).
    public var scaler: Scaler
    /// The calendar columns, nil without `data.calendar`.
    public var calendar: CalendarColumns?
    /// Input steps per sample.
    public var nPastSteps: Int
    /// Outputs per model call: `horizon` (direct) or 1 (recursive).
    public var outputsPerCall: Int
    /// How samples are shaped for the network.
    public var layout: WindowConfig.Layout

    public init(scaler: Scaler, calendar: CalendarColumns?, window: WindowConfig) {
        self.scaler = scaler
        self.calendar = calendar
        self.nPastSteps = window.nPastSteps
        self.outputsPerCall = window.outputCount
        self.layout = window.layout
    }

    /// The transform a package was trained with.
    public init(manifest: PackageManifest) {
        self.init(scaler: manifest.scaler, calendar: manifest.data.calendar, window: manifest.data.window)
    }

    /// The calendar columns of `features` for a series with steps of `stepSeconds` read by a model
    /// with `window`; nil for no features. Throws `invalidSetting` (key `data.calendar`) for a
    /// feature the step cannot carry.
    public static func calendar(_ features: [CalendarFeature]?, stepSeconds: Int64, window: WindowConfig) throws -> CalendarColumns? {
        guard let features, !features.isEmpty else { return nil }
        let c = CalendarColumns(features: features, leadSteps: window.outputCount, stepSeconds: stepSeconds)
        try c.validate()
        return c
    }

    /// Columns the model reads per input step: the measured ones and the calendar's.
    public var featureCount: Int { scaler.columns.count }

    /// A series of the measured columns (original units) with the calendar columns appended.
    public func augmented(_ series: CleanSeries) -> CleanSeries {
        calendar?.appended(to: series) ?? series
    }

    /// The calendar values of the step at timestamp `t` (empty without a calendar).
    public func calendarRow(at t: Int64) -> [Float] { calendar?.row(at: t) ?? [] }

    /// Scaled windows of an augmented series (see `CleanSeries.windows` for `range`,
    /// `inputsMayPrecede` and the errors).
    public func windows(_ augmented: CleanSeries, range: Range<Int>? = nil, inputsMayPrecede: Bool = false, stride: Int = 1,
                        what: String) throws -> WindowSet {
        let spec = WindowSpec(nPastSteps: nPastSteps, horizon: outputsPerCall, stride: stride)
        return scaler.scale(try augmented.windows(spec, range: range, inputsMayPrecede: inputsMayPrecede, what: what))
    }

    /// Scaled windows as engine samples, laid out as the model sees them: `[N, nPast, F]`
    /// (`steps`) or `[N, 1, nPast·F]` (`features`; the same memory).
    public func samples(_ w: WindowSet, name: String) throws -> SampleSet {
        let steps = layout == .steps ? w.nPastSteps : 1
        let features = w.nPastSteps * w.featureCount / steps
        return try SampleSet(x: Tensor(shape: [w.count, steps, features], values: w.x),
                             y: Tensor(shape: [w.count, w.horizon], values: w.y), name: name)
    }

    /// Model outputs `[N, H]` for windows with first target steps `targetSteps` of `target`
    /// (original units, the whole series) back to original units.
    public func outputs(_ scaled: [Float], targetSteps: [Int], target: [Float]) -> [Float] {
        scaler.unscaleOutputs(scaled, anchors: scaler.anchors(targetSteps: targetSteps, target: target))
    }

    /// One window `[P, F]` in original units (augmented columns) as the model's input, with its anchor.
    public func encode(window values: [Float]) -> (input: [Float], anchor: Double) {
        let F = featureCount
        let a = scaler.anchor(last: values[(nPastSteps - 1) * F])
        return (scaler.scaleInputs(values, anchor: a), a)
    }

    /// One model call's outputs back to original units.
    public func decode(_ output: [Float], anchor: Double) -> [Float] {
        scaler.unscaleTargets(output, anchor: anchor)
    }

    /// The input tensor shape of one window: `[1, P, F]` or `[1, 1, P·F]`.
    public var singleShape: [Int] { layout == .steps ? [1, nPastSteps, featureCount] : [1, 1, nPastSteps * featureCount] }
}
