import ArgumentParser

/// The `recur` command: train, tune and serve recurrent forecasting models.
@main
struct Recur: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recur",
        abstract: "Train, tune and serve recurrent neural networks for time-series forecasting.",
        version: RecurVersion.string,
        subcommands: [Doctor.self, Demo.self])
}

/// The tool's version.
enum RecurVersion {
    static let string = "0.1.0"
}
