import ArgumentParser
import Foundation
import RecurData
import RecurStore
import RecurStorePostgres
import RecurTrain

/// `recur predict PACKAGE --input DATA.csv --steps N`: forecasts N steps after the input's last
/// observation, cleaning the input with the package's own policies.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Forecast the steps after the end of a CSV file with a model package.",
        discussion: """
        Reads the input with the package's columns and station, cleans it with the package's own \
        policies (sentinels, duplicates, gaps) at the package's frequency, takes the latest \
        n_past_steps steps and forecasts --steps steps ahead, feeding forecasts back where the \
        model's horizon is shorter. Prints `timestamp,value` CSV (original units) unless --output \
        is given, with `lower_<percent>,upper_<percent>` columns per prediction-interval level the \
        package was calibrated for (all of them, or --levels; empty beyond the model's horizon); \
        an existing --output file keeps its other rows and gets the rows of the same timestamps \
        replaced.
        """)

    @Argument(help: ArgumentHelp("The model package (the folder `recur train` writes).", valueName: "package"))
    var package: String

    @Option(help: ArgumentHelp("The observations to forecast from (CSV with the training data's columns).", valueName: "csv"))
    var input: String

    @Option(parsing: .unconditional, help: ArgumentHelp("How many steps to forecast (1 to --max-steps).", valueName: "n"))
    var steps: Int

    @Option(name: .customLong("max-steps"), help: ArgumentHelp("The most steps --steps may ask for (default \(Forecaster.defaultMaxSteps), at most \(Forecaster.hardMaxSteps)).", valueName: "n"))
    var maxSteps: Int = Forecaster.defaultMaxSteps

    @Option(help: ArgumentHelp("Write into this CSV file (rows of the same timestamps are updated) instead of stdout.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Prediction-interval levels to write, comma-separated (e.g. 0.8,0.95), or `none`; default: every level the package was calibrated for.", valueName: "levels"))
    var levels: String?

    @Flag(help: "Print one JSON object with the forecasts on stdout.")
    var json = false

    @Option(help: ArgumentHelp("Also upsert the forecasts into this store (sqlite:PATH or postgresql://…; see docs/serving.md).", valueName: "url"))
    var store: String?

    struct Bound: Encodable { var lower: Float?; var upper: Float? }
    struct Row: Encodable { var timestamp: String; var value: Float; var intervals: [String: Bound]? }
    struct Result: Encodable {
        var package: String
        var input: String
        var lastObservation: String
        var steps: Int
        var output: String?
        var forecasts: [Row]
    }

    func run() throws {
        do {
            guard steps >= 1 else { throw ForecastError.invalidSteps(steps) }
            guard maxSteps >= 1, maxSteps <= Forecaster.hardMaxSteps else {
                throw UsageError("--max-steps \(maxSteps) is invalid; expected 1 to \(Forecaster.hardMaxSteps)")
            }
            let asked = try Self.parseLevels(levels)
            var forecaster = Forecaster(package: try ModelPackage.load(package))
            forecaster.maxSteps = maxSteps
            try forecaster.checkSteps(steps)
            let forecastStore = try store.map { try ForecastStoreURL.open($0) }
            let forecast = try forecaster.forecast(csv: input, steps: steps, levels: asked)
            if let forecastStore {
                let model = URL(fileURLWithPath: package).standardizedFileURL.lastPathComponent
                try forecastStore.write(StoredForecast.rows(of: forecast, manifest: forecaster.package.manifest, model: model,
                                                            modelVersion: ModelVersion.of(package: package), issuedAt: Date()))
            }
            if let output {
                let rows = try ForecastWriter.merge(forecast, into: output)
                if !json { note("wrote \(forecast.values.count) forecasts to \(output) (\(rows) rows)") }
            }
            if json {
                try printJSON(Result(package: package, input: input, lastObservation: forecast.format(forecast.lastObservation),
                                     steps: steps, output: output,
                                     forecasts: forecast.timestamps.indices.map { i in
                                         Row(timestamp: forecast.format(forecast.timestamps[i]), value: forecast.values[i],
                                             intervals: forecast.intervals.isEmpty ? nil : Dictionary(uniqueKeysWithValues: forecast.intervals.map { b in
                                                 (IntervalConfig.percent(b.level),
                                                  Bound(lower: b.lower[i].isFinite ? b.lower[i] : nil, upper: b.upper[i].isFinite ? b.upper[i] : nil))
                                             }))
                                     }))
            } else if output == nil {
                print(forecast.csv, terminator: "")
            }
        } catch let error as ForecastError {
            throw error.forCommandLine
        } catch let error as IntervalError {
            throw UsageError(error.description)
        }
    }

    /// `--levels`: nil (every calibrated level), `none` (no intervals) or a list in (0, 1).
    static func parseLevels(_ text: String?) throws -> [Double]? {
        guard let text else { return nil }
        if text.trimmingCharacters(in: .whitespaces).lowercased() == "none" { return [] }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var levels: [Double] = []
        for p in parts {
            guard let x = Double(p), x > 0, x < 1 else { throw IntervalError.invalidLevel(text) }
            if !levels.contains(x) { levels.append(x) }
        }
        return levels.sorted()
    }
}

/// A failure of the tool (not of the user's input) reported as one message; exits 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension ForecastError {
    /// As an error `Recur.exit(reporting:)` reports with this message: exit 2 for the user's
    /// input, 1 for a failure of the tool.
    var forCommandLine: Error { isUsage ? UsageError(description) : CommandFailure(description) }
}
