/// Which scaling to fit.
public enum ScalerKind: String, Codable, CaseIterable, Sendable {
    /// (x - min) / (max - min), to [0, 1] on the fitted data (Keras/scikit-learn `MinMaxScaler`).
    case minMax
    /// (x - mean) / std with the population std (scikit-learn `StandardScaler`).
    case standard
    /// No scaling.
    case none
    /// Relative to each sample's own window (`WindowScaler.swift`): the target minus the
    /// window's last observed target, divided by the training part's one-step-difference std;
    /// extra features standard-scaled.
    case window
}

/// A per-feature affine scaling `scaled = (x - offset) / scale`, fitted on the training part
/// only and stored (Codable) in model packages. `offset` and `scale` are [F], in the features'
/// units; a feature with zero range or zero std gets scale 1, as scikit-learn does.
public struct Scaler: Codable, Equatable, Sendable {
    public var kind: ScalerKind
    /// Feature names, target first: [F].
    public var columns: [String]
    /// Subtracted from each feature: min (minMax), mean (standard) or 0: [F].
    public var offset: [Double]
    /// Divides each feature after the offset: max - min, std, or 1: [F].
    public var scale: [Double]

    public init(kind: ScalerKind, columns: [String], offset: [Double], scale: [Double]) {
        self.kind = kind
        self.columns = columns
        self.offset = offset
        self.scale = scale
    }

    /// Fits on the valid steps of `rows` (the training part) of `series`. Throws
    /// `allValuesMissing` when that part has no valid step.
    public static func fit(_ kind: ScalerKind, on series: CleanSeries, rows: Range<Int>? = nil) throws -> Scaler {
        let rows = rows ?? 0..<series.count
        let F = series.featureCount
        var offset = [Double](repeating: 0, count: F), scale = [Double](repeating: 1, count: F)
        if kind == .none { return Scaler(kind: kind, columns: series.columns, offset: offset, scale: scale) }
        if kind == .window { return try fitWindow(on: series, rows: rows) }
        let steps = rows.filter { series.valid[$0] }
        guard !steps.isEmpty else {
            throw DataError.allValuesMissing(file: "training part", column: series.columns[0], reason: "no valid step in rows [\(rows.lowerBound), \(rows.upperBound)) to fit the scaler on")
        }
        for f in 0..<F {
            let v = steps.map { Double(series.value(step: $0, feature: f)) }
            switch kind {
            case .minMax:
                let lo = v.min()!, hi = v.max()!
                offset[f] = lo
                scale[f] = hi - lo > 0 ? hi - lo : 1
            case .standard:
                let mean = v.reduce(0, +) / Double(v.count)
                let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count)
                offset[f] = mean
                scale[f] = variance > 0 ? variance.squareRoot() : 1
            case .none, .window: break
            }
        }
        return Scaler(kind: kind, columns: series.columns, offset: offset, scale: scale)
    }

    /// Scales row-major values [n, F] (NaN stays NaN).
    public func transform(_ values: [Float]) -> [Float] {
        let F = offset.count
        return values.enumerated().map { i, v in Float((Double(v) - offset[i % F]) / scale[i % F]) }
    }

    /// Undoes `transform` on row-major values [n, F].
    public func inverseTransform(_ values: [Float]) -> [Float] {
        let F = offset.count
        return values.enumerated().map { i, v in Float(Double(v) * scale[i % F] + offset[i % F]) }
    }

    /// Scales values of one feature: [n].
    public func transform(_ values: [Float], feature: Int) -> [Float] {
        values.map { Float((Double($0) - offset[feature]) / scale[feature]) }
    }

    /// Undoes the scaling of one feature: [n].
    public func inverseTransform(_ values: [Float], feature: Int) -> [Float] {
        values.map { Float(Double($0) * scale[feature] + offset[feature]) }
    }

    /// Undoes the target's scaling, e.g. for predictions or targets [N, H], back to the target's units.
    public func inverseTransformTarget(_ values: [Float]) -> [Float] { inverseTransform(values, feature: 0) }

    /// The series with every feature scaled (validity unchanged).
    public func transform(_ series: CleanSeries) -> CleanSeries {
        var scaled = series
        scaled.values = transform(series.values)
        return scaled
    }
}
