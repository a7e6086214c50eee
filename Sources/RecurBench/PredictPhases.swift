import Foundation
import RecurTrain

/// W4's phases in this process (best of `repeats`, milliseconds): loading the package (which
/// builds the architecture without random initialization), building it with its random
/// initialization (as training does; for comparison), reading and cleaning the input
/// whole or from its tail, and the 24-step forecast itself.
func predictPhases(package path: String, input: String, repeats: Int = 7) throws -> PredictPhasesResult {
    func best(_ body: () throws -> Void) rethrows -> Double {
        var fastest = Double.infinity
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-6)
        }
        return fastest
    }
    var package = try ModelPackage.load(path)
    let load = try best { package = try ModelPackage.load(path) }
    let build = try best { _ = try package.manifest.architecture.build(seed: package.manifest.training.seed) }
    let full = Forecaster(package: package, tailReadThreshold: Int.max), tail = Forecaster(package: package)
    let fullRead = try best { _ = try full.load(csv: input) }
    var a: Forecast?, b: Forecast?
    let fullForecast = try best { a = try full.forecast(csv: input, steps: 24) }
    let tailForecast = try best { b = try tail.forecast(csv: input, steps: 24) }
    let series = try full.load(csv: input).series
    let model = try best { _ = try full.forecast(series: series, steps: 24) }
    return PredictPhasesResult(packageLoad: load, architectureBuild: build, fullReadClean: fullRead,
                               forecastFullRead: fullForecast, forecastTailRead: tailForecast, model24Steps: model,
                               tailEqualsFull: a == b)
}
