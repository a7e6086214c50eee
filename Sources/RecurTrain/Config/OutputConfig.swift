/// `output`: where runs are written.
public struct OutputConfig: Codable, Equatable, Sendable {
    /// Folder for model packages and run files (`directory`), default "runs/".
    public var directory: String
    /// CSV file gaining one row per run (`results_csv`), default `<directory>/results.csv`.
    public var resultsCSV: String
    /// Log file (`log_file`); nil (default): logs go to stderr only.
    public var logFile: String?

    // Spelled so that `.convertToSnakeCase` / `.convertFromSnakeCase` round-trip (results_csv).
    enum CodingKeys: String, CodingKey {
        case directory, logFile
        case resultsCSV = "resultsCsv"
    }

    public init(directory: String = "runs/", resultsCSV: String? = nil, logFile: String? = nil) {
        self.directory = directory
        self.resultsCSV = resultsCSV ?? ConfigPaths.join(directory, "results.csv")
        self.logFile = logFile
    }

    static func decode(_ v: ConfigValue?, file: String?, baseDirectory: String?) throws -> OutputConfig {
        guard let v else { return OutputConfig(directory: ConfigPaths.resolve("runs/", against: baseDirectory)) }
        let r = try ObjectReader(v, allowed: ["directory", "results_csv", "log_file"], file: file)
        let directory = ConfigPaths.resolve(try r.string("directory") ?? "runs/", against: baseDirectory)
        return OutputConfig(directory: directory,
                            resultsCSV: try r.string("results_csv").map { ConfigPaths.resolve($0, against: baseDirectory) },
                            logFile: try r.string("log_file").map { ConfigPaths.resolve($0, against: baseDirectory) })
    }
}

extension ConfigPaths {
    /// `folder/name`, with one slash between.
    public static func join(_ folder: String, _ name: String) -> String {
        folder.isEmpty ? name : (folder.hasSuffix("/") ? folder + name : folder + "/" + name)
    }
}
