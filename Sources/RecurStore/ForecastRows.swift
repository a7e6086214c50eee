import Foundation
import RecurTrain

extension StoredForecast {
    /// The rows of one forecast of the package at `packagePath` (model = its folder name,
    /// version = `ModelVersion.of`), issued at `issuedAt`. `intervals[k]` are step k's bounds.
    public static func rows(of forecast: Forecast, manifest: PackageManifest, model: String, modelVersion: String,
                            issuedAt: Date, intervals: [[IntervalBounds]]? = nil) -> [StoredForecast] {
        let intervals = intervals ?? IntervalBounds.perStep(forecast)
        let issued = ISOTime.issued(issuedAt)
        let source = manifest.data.source
        return forecast.timestamps.indices.map { k in
            StoredForecast(station: source.station ?? "", target: source.target, model: model, modelVersion: modelVersion,
                           issuedAt: issued, validAt: ISOTime.format(forecast.timestamps[k]), horizonStep: k + 1,
                           value: Double(forecast.values[k]), intervals: k < intervals.count ? intervals[k] : [])
        }
    }
}

extension IntervalBounds {
    /// The bounds of `forecast`'s intervals at each step, `[steps][levels]`; a step without
    /// finite bounds for a level (past the model's horizon) has none for it.
    public static func perStep(_ forecast: Forecast) -> [[IntervalBounds]] {
        guard !forecast.intervals.isEmpty else { return [] }
        return forecast.values.indices.map { k in
            forecast.intervals.compactMap { band in
                guard k < band.lower.count, k < band.upper.count, band.lower[k].isFinite, band.upper[k].isFinite else { return nil }
                return IntervalBounds(level: band.level, lower: Double(band.lower[k]), upper: Double(band.upper[k]))
            }
        }
    }
}
