import ArgumentParser
import Foundation
import RecurData
import RecurNN
import RecurServe
import RecurStore
import RecurTensor
import RecurTrain
import RecurTune
import RecurTunePostgres

/// The `recur` command: train, tune and serve recurrent forecasting models.
///
/// Exit codes (DESIGN.md section 2): 0 success; 2 bad usage, config or data (the message names
/// the key, file, line and column); 1 any other failure. Errors are one message on stderr,
/// never a stack trace.
@main
struct Recur: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recur",
        abstract: "Train, tune and serve recurrent neural networks for time-series forecasting.",
        version: RecurVersion.string,
        subcommands: [Train.self, Synth.self, Doctor.self, Demo.self, Inspect.self, Report.self, Predict.self, Evaluate.self, BacktestCommand.self, Tune.self, Study.self, Serve.self, Forecasts.self])

    static func main() {
        BLAS.applyThreadSetting()
        RecurLogging.bootstrap()
        SignalCleanup.install()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(reporting: error)
        }
    }

    /// Prints `error` the way users should see it and exits with its code.
    static func exit(reporting error: Error) -> Never {
        let code = CLIExit.code(for: error)
        if code == 0 {
            // --help, --version
            print(fullMessage(for: error))
            Foundation.exit(0)
        }
        let message = CLIExit.message(for: error)
        let prefixed = message.hasPrefix("error:") || message.hasPrefix("Error:") || error is ConfigError
        RecurLog.logger.error("\(prefixed ? message : "error: \(message)")")
        Foundation.exit(code)
    }
}

/// The tool's version.
enum RecurVersion {
    static let string = "0.1.0"
}

/// Maps errors to exit codes and messages.
enum CLIExit {
    static func code(for error: Error) -> Int32 {
        switch error {
        case is ConfigError, is DataError, is UsageError: return 2
        case let e as NNError:
            if case .tensor = e { return 1 }
            return 2
        case let e as TrainingError:
            switch e {
            case .invalidData, .badOutput: return 2
            default: return 1
            }
        case let e as PackageError:
            return e.isUsage ? 2 : 1
        case let e as TuneError:
            return e.isUsage ? 2 : 1
        case let e as StoreError:
            return e.isUsage ? 2 : 1
        case let e as PostgresStoreError:
            return e.isUsage ? 2 : 1
        case is ArtifactError: return 1
        case is ServeError: return 2
        case is TensorError: return 2
        default:
            let code = Recur.exitCode(for: error).rawValue
            if code == 0 { return 0 }
            if code == ExitCode.validationFailure.rawValue { return 2 }
            return code == 1 ? 1 : code
        }
    }

    static func message(for error: Error) -> String {
        switch error {
        case let e as CustomStringConvertible where !(error is ValidationError) && !(error is CleanExit):
            // A config error is already in the compiler's form, `FILE:LINE:COLUMN: error: …`.
            if let e = error as? ConfigError { return e.description.hasPrefix("error:") || e.description.contains(": error: ") ? e.description : "error: \(e.description)" }
            if error is ConfigError || error is DataError || error is NNError || error is TrainingError
                || error is PackageError || error is TensorError || error is UsageError || error is TuneError || error is CommandFailure
                || error is StoreError || error is ServeError || error is PostgresStoreError || error is ArtifactError {
                return "error: \(e.description)"
            }
            return Recur.fullMessage(for: error)
        default:
            return Recur.fullMessage(for: error)
        }
    }
}

/// A command-line mistake that is not a parse error (e.g. two options that exclude each other).
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
