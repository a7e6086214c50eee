import ArgumentParser
import Foundation
import Logging
import RecurServe

/// `recur serve --models DIR`: forecasts over HTTP from every model package in DIR (see
/// docs/serving.md). The server itself is `RecurServe.RecurServer`.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve forecasts over HTTP from the model packages in a folder.",
        discussion: """
        Every package folder under --models is served under its folder name: GET /v1/models, \
        GET /v1/models/NAME, POST /v1/models/NAME/forecast, GET /healthz, GET /metrics; the dashboard \
        (studies given with --storage, and the models) at / with its JSON under /api (docs/dashboard.md). Packages \
        moved into the folder, changed or removed are picked up within a second; a damaged one is \
        refused and logged while its previous version keeps serving. Logs one line per request on \
        stderr; SIGTERM or SIGINT finish the requests under way and stop. See docs/serving.md.
        """)

    @Option(help: ArgumentHelp("The folder holding model packages, one subfolder each.", valueName: "dir"))
    var models: String?

    @Option(help: ArgumentHelp("A study to show on the dashboard (PATH.sqlite, sqlite:PATH, or postgresql://USER@HOST:PORT/DB with --study); repeat for several.", valueName: "study"))
    var storage: [String] = []

    @Option(help: ArgumentHelp("The study to show from a postgresql:// --storage; repeat for several.", valueName: "name"))
    var study: [String] = []

    @Option(help: "The address to listen on (127.0.0.1: this machine only).")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0: any free port, printed at start).")
    var port = 8080

    @Option(help: ArgumentHelp("Require `Authorization: Bearer TOKEN` with the token in this file (all routes but /healthz).", valueName: "file"))
    var tokenFile: String?

    @Option(help: ArgumentHelp("Also upsert every forecast into this store (sqlite:PATH or postgresql://USER@HOST:PORT/DATABASE).", valueName: "url"))
    var store: String?

    func run() throws {
        SignalCleanup.uninstall()  // the server's own graceful shutdown takes the signals
        var config = ServeConfiguration(modelsDirectory: models)
        config.studyStorages = storage
        config.studyNames = study
        config.host = host
        config.port = port
        config.token = try tokenFile.map { try ServeConfiguration.readToken(file: $0) }
        config.storeURL = store
        config.logger = Logger(label: "recur.serve")
        let server = try RecurServer(config)
        try runBlocking { try await server.runUntilSignalled() }
    }
}

/// Runs an async operation to its end from synchronous code (the command's `run`).
func runBlocking(_ operation: @escaping @Sendable () async throws -> Void) throws {
    final class Outcome: @unchecked Sendable { var error: Error? }
    let outcome = Outcome()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { try await operation() } catch { outcome.error = error }
        done.signal()
    }
    done.wait()
    if let error = outcome.error { throw error }
}
