import Foundation
import RecurTunePostgres
import Logging

/// Limits on what one request may ask (documented in docs/serving.md).
public struct ServeLimits: Sendable {
    /// The largest request body in bytes; larger bodies get 413. Default 1 MiB.
    public var maxBodyBytes: Int = 1 << 20
    /// The most observations one JSON body may hold. Default 50 000.
    public var maxObservations: Int = 50_000
    /// The most steps one forecast may ask for. Default 1 000.
    public var maxSteps: Int = 1_000

    public init() {}
}

/// Everything `recur serve` is started with.
public struct ServeConfiguration: Sendable {
    /// The folder whose subfolders are model packages, each served under its folder name; nil
    /// for a server of studies only.
    public var modelsDirectory: String?
    /// Study storages the dashboard shows (`PATH.sqlite` or `sqlite:PATH`; docs/dashboard.md).
    public var studyStorages: [String] = []
    /// The studies shown from each `postgresql://…` storage (`--study NAME`, repeatable).
    public var studyNames: [String] = []
    /// The address to bind; 127.0.0.1 unless told otherwise.
    public var host: String = "127.0.0.1"
    /// The port; 0 picks a free one (`RecurServer.boundPort` tells which).
    public var port: Int = 8080
    /// The bearer token every route but `/healthz` requires; nil for none.
    public var token: String?
    /// A forecast store URL (`sqlite:PATH`) every forecast is written to; nil for none.
    public var storeURL: String?
    /// How often the models folder is scanned for new, changed and removed packages.
    public var reloadInterval: Duration = .seconds(1)
    public var limits = ServeLimits()
    /// Where the one line per request and the reload messages go.
    public var logger = Logger(label: "recur.serve")

    public init(modelsDirectory: String?) {
        self.modelsDirectory = modelsDirectory
    }

    /// Reads a token file: its content without surrounding whitespace, which must not be empty.
    public static func readToken(file path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServeError.tokenFile(path: path, reason: "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ServeError.tokenFile(path: path, reason: "is not UTF-8 text") }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw ServeError.tokenFile(path: path, reason: "is empty") }
        guard !token.contains(where: { $0.isWhitespace }) else { throw ServeError.tokenFile(path: path, reason: "holds whitespace inside the token") }
        return token
    }
}

/// Errors starting the server, each naming the option at fault.
public enum ServeError: Error, CustomStringConvertible, Sendable {
    case noModelsFolder(String)
    case nothingToServe
    case tokenFile(path: String, reason: String)
    case invalidPort(Int)
    /// A PostgreSQL `--storage` without `--study NAME`.
    case studyNameNeeded(String)

    public var description: String {
        switch self {
        case let .noModelsFolder(path):
            return "--models \(path) is not a folder; give the folder holding model packages (one subfolder per package, as recur train writes them)"
        case let .tokenFile(path, reason):
            return "--token-file \(path) \(reason); write the bearer token alone into that file"
        case .nothingToServe:
            return "nothing to serve: give --models DIR (model packages), --storage STUDY (the dashboard of a study), or both"
        case let .studyNameNeeded(url):
            return "--storage \(PostgresURL.redacted(url)) holds studies by name; add --study NAME (repeat for several)"
        case let .invalidPort(port):
            return "--port \(port) is invalid; expected 0 (any free port) to 65535"
        }
    }
}
