import Foundation
import RecurTrain

extension StoredForecast {
    /// The rows of one forecast of the package at `packagePath` (model = its folder name,
    /// version = `ModelVersion.of`), issued at `issuedAt`. `intervals[k]` are step k's bounds.
    public static func rows(of forecast: Forecast, manifest: PackageManifest, model: String, modelVersion: String,
                            issuedAt: Date, intervals: [[IntervalBounds]] = []) -> [StoredForecast] {
        let issued = ISOTime.issued(issuedAt)
        let source = manifest.data.source
        return forecast.timestamps.indices.map { k in
            StoredForecast(station: source.station ?? "", target: source.target, model: model, modelVersion: modelVersion,
                           issuedAt: issued, validAt: ISOTime.format(forecast.timestamps[k]), horizonStep: k + 1,
                           value: Double(forecast.values[k]), intervals: k < intervals.count ? intervals[k] : [])
        }
    }
}
