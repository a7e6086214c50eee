import Foundation

/// Window-relative scaling (`ScalerKind.window`) and the per-sample operations every scaling
/// goes through. For a sample whose input window ends at step t - 1, with a = x[t - 1] (the
/// window's last observed target, original units, its *anchor*) and s the scale fitted on the
/// training part:
///
///     inputs   x'[k, 0] = (x[k, 0] - a) / s        (the target column of every input step)
///     targets  y'[h]    = (y[h] - a) / s           (every horizon step)
///     outputs  ŷ[h]     = ŷ'[h] · s + a            (exact inverse)
///     extra features x'[k, f] = (x[k, f] - mean_f) / std_f   (global standard scaling, f ≥ 1)
///
/// with s = sqrt(mean(d²)), d the one-step changes x[i] - x[i-1] of the target over consecutive
/// valid steps of the training part (their root mean square). Why: the network only ever sees
/// changes relative to the latest observation, so a level never seen in training (a trend, a
/// shift) gives inputs and targets of the same size as in training, where a global MinMax would
/// push them outside [0, 1] and saturate the recurrent cells. An output of 0 is persistence, so
/// the network learns a correction to it. s is the typical size of one step's change, which is
/// what y' is at horizon 1; the RMS (not the std around the mean change) is zero only for a
/// constant training part, so a perfectly linear trend is still scaled. Extra measured features
/// keep a global standard scaling: they are not the quantity forecast, and their levels carry
/// information (a wind direction, a humidity). Calendar columns are never scaled.
///
/// The global kinds (minMax, standard, none) use the same operations with the anchor unused
/// (the target's offset is the fitted one), so training windows, `predict` and `evaluate` run
/// one code path whatever the kind.
extension Scaler {
    /// Whether the target is scaled relative to each sample's window.
    public var isWindowRelative: Bool { kind == .window }

    /// Fits window scaling on the valid steps of `rows` of `series`. Throws `invalidSetting`
    /// (key `scaling`) when the target never changes over the training part (s = 0) or has no two
    /// consecutive valid steps.
    static func fitWindow(on series: CleanSeries, rows: Range<Int>) throws -> Scaler {
        let F = series.featureCount
        var offset = [Double](repeating: 0, count: F), scale = [Double](repeating: 1, count: F)
        var sum = 0.0, pairs = 0
        for i in rows.dropFirst() where series.valid[i] && series.valid[i - 1] {
            let d = Double(series.value(step: i, feature: 0)) - Double(series.value(step: i - 1, feature: 0))
            sum += d * d
            pairs += 1
        }
        let s = pairs > 0 ? (sum / Double(pairs)).squareRoot() : 0
        guard s > 0, s.isFinite else {
            let what = pairs == 0 ? "the training part (rows [\(rows.lowerBound), \(rows.upperBound))) has no two consecutive valid steps"
                : "'\(series.columns[0])' never changes over the training part (\(pairs) one-step changes, all 0), so the window scale is 0"
            throw DataError.invalidSetting(
                key: "scaling", value: "\"window\"",
                expected: "a training part whose target changes from step to step (\(what)); use \"scaling\": \"none\" or \"minmax\", or a training part where the target varies")
        }
        scale[0] = s
        let steps = rows.filter { series.valid[$0] }
        for f in 1..<max(F, 1) where !steps.isEmpty {
            let v = steps.map { Double(series.value(step: $0, feature: f)) }
            let mean = v.reduce(0, +) / Double(v.count)
            let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count)
            offset[f] = mean
            scale[f] = variance > 0 ? variance.squareRoot() : 1
        }
        return Scaler(kind: .window, columns: series.columns, offset: offset, scale: scale)
    }

    /// This scaler with `columns` appended unscaled (offset 0, scale 1): the calendar columns.
    public func appendingIdentity(columns names: [String]) -> Scaler {
        Scaler(kind: kind, columns: columns + names, offset: offset + names.map { _ in 0 }, scale: scale + names.map { _ in 1 })
    }

    /// The anchor of a sample whose last input step's target is `last` (original units): `last`
    /// when window-relative, otherwise unused (0).
    @inline(__always)
    public func anchor(last: Float) -> Double { isWindowRelative ? Double(last) : 0 }

    /// What is subtracted from the target: the anchor (window) or the fitted offset.
    @inline(__always)
    func targetOffset(_ anchor: Double) -> Double { isWindowRelative ? anchor : offset[0] }

    /// One sample's inputs, row-major `[P, F]` in original units, scaled.
    public func scaleInputs(_ x: [Float], anchor: Double) -> [Float] {
        let F = offset.count, a = targetOffset(anchor)
        return x.enumerated().map { i, v in
            let f = i % F
            return Float((Double(v) - (f == 0 ? a : offset[f])) / scale[f])
        }
    }

    /// One sample's targets `[H]` in original units, scaled.
    public func scaleTargets(_ y: [Float], anchor: Double) -> [Float] {
        let a = targetOffset(anchor)
        return y.map { Float((Double($0) - a) / scale[0]) }
    }

    /// One sample's outputs `[H]` (scaled) back to the target's original units.
    public func unscaleTargets(_ y: [Float], anchor: Double) -> [Float] {
        let a = targetOffset(anchor)
        return y.map { Float(Double($0) * scale[0] + a) }
    }

    /// Windows cut from a series in original units, scaled sample by sample (inputs and
    /// targets; each relative to its own window when window-relative).
    public func scale(_ w: WindowSet) -> WindowSet {
        var out = w
        let P = w.nPastSteps, F = w.featureCount, H = w.horizon
        precondition(F == offset.count, "Scaler.scale: \(F) features, the scaler has \(offset.count)")
        // The same arithmetic as scaleInputs/scaleTargets, in place (no array per sample).
        out.x.withUnsafeMutableBufferPointer { x in
            out.y.withUnsafeMutableBufferPointer { y in
                for s in 0..<w.count {
                    let a = targetOffset(anchor(last: x[(s * P + P - 1) * F]))
                    for k in (s * P * F)..<((s + 1) * P * F) {
                        let f = k % F
                        x[k] = Float((Double(x[k]) - (f == 0 ? a : offset[f])) / scale[f])
                    }
                    for k in (s * H)..<((s + 1) * H) { y[k] = Float((Double(y[k]) - a) / scale[0]) }
                }
            }
        }
        return out
    }

    /// The anchors of windows cut from `target` (original units, the whole series) with first
    /// target steps `targetSteps`: target[t - 1] each, or 0 when not window-relative: [N].
    public func anchors(targetSteps: [Int], target: [Float]) -> [Double] {
        targetSteps.map { anchor(last: target[$0 - 1]) }
    }

    /// Model outputs `[N, H]` (scaled) back to original units, sample i with `anchors[i]`.
    public func unscaleOutputs(_ y: [Float], anchors: [Double]) -> [Float] {
        let N = anchors.count
        guard N > 0 else { return [] }
        let H = y.count / N
        precondition(H * N == y.count, "Scaler.unscaleOutputs: \(y.count) outputs for \(N) samples")
        var out = [Float](repeating: 0, count: y.count)
        for s in 0..<N {
            let a = targetOffset(anchors[s])
            for h in 0..<H { out[s * H + h] = Float(Double(y[s * H + h]) * scale[0] + a) }
        }
        return out
    }
}
