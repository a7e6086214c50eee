import ArgumentParser
import Foundation
import RecurData
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
        is given; an existing --output file keeps its other rows and gets the rows of the same \
        timestamps replaced.
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

    @Flag(help: "Print one JSON object with the forecasts on stdout.")
    var json = false

    struct Row: Encodable { var timestamp: String; var value: Float }
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
            guard maxSteps >= 1, maxSteps <= Forecaster.hardMaxSteps else {
                throw UsageError("--max-steps \(maxSteps) is invalid; expected 1 to \(Forecaster.hardMaxSteps)")
            }
            var forecaster = Forecaster(package: try ModelPackage.load(package))
            forecaster.maxSteps = maxSteps
            try forecaster.checkSteps(steps)
            let forecast = try forecaster.forecast(csv: input, steps: steps)
            if let output {
                let rows = try ForecastWriter.merge(forecast, into: output)
                if !json { note("wrote \(forecast.values.count) forecasts to \(output) (\(rows) rows)") }
            }
            if json {
                try printJSON(Result(package: package, input: input, lastObservation: forecast.format(forecast.lastObservation),
                                     steps: steps, output: output,
                                     forecasts: zip(forecast.timestamps, forecast.values).map { Row(timestamp: forecast.format($0), value: $1) }))
            } else if output == nil {
                print(forecast.csv, terminator: "")
            }
        } catch let error as ForecastError {
            throw error.forCommandLine
        }
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
