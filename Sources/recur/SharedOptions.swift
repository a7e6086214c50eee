import ArgumentParser
import Foundation
import RecurData
import RecurTrain

/// Data options shared by `train`, `tune` and `inspect`: they override the config's `data`
/// keys (the old command's arguments).
struct DataOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Keep rows from this date on (YYYY-MM-DD, inclusive).", valueName: "date"))
    var since: String?

    @Option(help: ArgumentHelp("Keep rows up to this date (YYYY-MM-DD, inclusive).", valueName: "date"))
    var until: String?

    @Option(name: .customLong("which-minute"), help: ArgumentHelp("Keep only rows of this minute of each hour (0-59).", valueName: "minute"))
    var whichMinute: Int?

    /// The options as config overrides (`data.since=...`), in the native schema's key names.
    var overrides: [String] {
        var o: [String] = []
        if let since { o.append("data.since=\"\(since)\"") }
        if let until { o.append("data.until=\"\(until)\"") }
        if let whichMinute { o.append("data.which_minute=\(whichMinute)") }
        return o
    }
}

/// The config file and its overrides, shared by `train` and `tune`.
struct ConfigOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The config file (JSON, comments allowed; native schema or the old template).", valueName: "config"))
    var config: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a config key, e.g. --set training.epochs=5 or --set numeric_var=temp (repeatable).", valueName: "key.path=value"))
    var overrides: [String] = []

    @Option(parsing: .unconditional, help: "Random seed (overrides training.seed), 0 to 2^64-1: the same config and seed give the same model, bit for bit.",
            transform: parseSeed)
    var seed: UInt64?

    /// Loads the config with `--set` overrides, the data options and the seed applied.
    func load(data: DataOptions) throws -> RecurConfig {
        var all = overrides + data.overrides
        if let seed { all.append(RecurConfig.seedOverride(seed)) }
        return try RecurConfig.load(path: config, overrides: all)
    }
}

/// How a long-running command reports: `--json` (one JSON object on stdout) and `--quiet`,
/// shared by `train` and `tune`.
struct ReportingOptions: ParsableArguments {
    @Flag(help: "Print one JSON object with the results on stdout (progress stays on stderr).")
    var json = false

    @Flag(help: "No progress output.")
    var quiet = false
}

/// Writes `object` as one line of JSON on stdout.
func printJSON<T: Encodable>(_ object: T) throws {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    print(String(decoding: try encoder.encode(object), as: UTF8.self))
}

/// Progress and notes: stderr, and the log file when one is attached (`RecurLogging`).
func note(_ line: String) { RecurLog.logger.info("\(line)") }

/// Where a run's own files go (issue 9): when the command is told where its result goes
/// (`--output` for train, `--storage` for tune), the config's results table and log file follow
/// it, beside that path with their file names kept, instead of staying beside the config;
/// `--results` and `--log-file` name them outright.
struct RunFileOptions: ParsableArguments {
    @Option(name: .customLong("log-file"), help: ArgumentHelp("Also write the log into this file (overrides output.log_file).", valueName: "file"))
    var logFile: String?

    /// The config with its results table and log file moved beside `anchor` (when given) or to
    /// the paths named, and the log file attached.
    func apply(to config: inout RecurConfig, anchor: String?, results: String? = nil) throws {
        func beside(_ name: String) -> String? {
            anchor.map { ConfigPaths.join(URL(fileURLWithPath: $0).deletingLastPathComponent().path, (name as NSString).lastPathComponent) }
        }
        if let results {
            config.output.resultsCSV = results
        } else if let moved = beside(config.output.resultsCSV) {
            config.output.resultsCSV = moved
        }
        if let logFile {
            config.output.logFile = logFile
        } else if let log = config.output.logFile, let moved = beside(log) {
            config.output.logFile = moved
        }
        if let log = config.output.logFile {
            try RecurLogging.attachFile(log, key: logFile != nil ? "--log-file" : "output.log_file")
        }
    }
}

/// `--seed`'s value: a non-negative integer below 2^64. Options that take it parse
/// unconditionally, so that `--seed -1` reaches this check instead of being read as an option.
/// - Throws: `ValidationError` saying what a seed must be.
func parseSeed(_ text: String) throws -> UInt64 {
    guard let seed = UInt64(text) else {
        throw ValidationError("a seed must be a non-negative integer (0 to \(UInt64.max)), got '\(TextExcerpt.of(text))'")
    }
    return seed
}
