import Foundation
import Hummingbird
import Logging
import NIOCore
import RecurDashboard
import RecurStore
import RecurStorePostgres
import ServiceLifecycle
import UnixSignals

/// `recur serve`: an HTTP server (Hummingbird 2) answering forecasts from every model package
/// in a folder, reloading packages as they change (`ModelRegistry`), optionally writing each
/// forecast to a store. Binds 127.0.0.1 unless told otherwise; shuts down gracefully on
/// SIGTERM/SIGINT (`runUntilSignalled`) or when `run`'s task is cancelled.
public final class RecurServer: Sendable {
    public let configuration: ServeConfiguration
    public let registry: ModelRegistry
    public let metrics: ServerMetrics
    let store: (any ForecastStore)?
    /// The dashboard pages and their JSON (docs/dashboard.md), over the studies and models.
    let dashboard: Dashboard
    private let port = Box<Int>()
    private let group = Box<ServiceGroup>()

    /// Checks the options, opens the store and loads the packages there are now.
    public init(_ configuration: ServeConfiguration) throws {
        guard configuration.modelsDirectory != nil || !configuration.studyStorages.isEmpty else { throw ServeError.nothingToServe }
        var isDirectory: ObjCBool = false
        if let models = configuration.modelsDirectory {
            guard FileManager.default.fileExists(atPath: models, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ServeError.noModelsFolder(models)
            }
        }
        guard (0...65535).contains(configuration.port) else { throw ServeError.invalidPort(configuration.port) }
        self.configuration = configuration
        self.metrics = ServerMetrics()
        self.store = try configuration.storeURL.map { try ForecastStoreURL.open($0) }
        self.dashboard = try DashboardStudies.dashboard(configuration)
        self.registry = ModelRegistry(directory: configuration.modelsDirectory, logger: configuration.logger, metrics: metrics)
        registry.scan()
    }

    /// The port the server listens on, once it does (useful with port 0).
    public var boundPort: Int? { port.value }

    func application() -> some ApplicationProtocol {
        let responder = ForecastResponder(registry: registry, metrics: metrics, token: configuration.token.map(BearerToken.init),
                                          store: store, dashboard: dashboard, limits: configuration.limits, logger: configuration.logger)
        let watcher = PackageWatcher(registry: registry, interval: configuration.reloadInterval)
        let port = self.port
        let logger = configuration.logger
        return Application(responder: responder,
                           configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "recur"),
                           services: [watcher],
                           onServerRunning: { channel in
                               let p = channel.localAddress?.port ?? 0
                               port.set(p)
                               logger.info("serving", metadata: ["address": .string("\(channel.localAddress.map { "\($0)" } ?? "?")"), "port": .stringConvertible(p)])
                           },
                           logger: logger)
    }

    /// Serves until `shutdown()` (or the task is cancelled), then finishes the requests under
    /// way and returns.
    public func run() async throws {
        try await serve(signals: [])
    }

    /// Serves until SIGTERM or SIGINT (or `shutdown()`), then finishes the requests under way
    /// and returns.
    public func runUntilSignalled() async throws {
        try await serve(signals: [.sigterm, .sigint])
    }

    /// Starts a graceful shutdown of a running server.
    public func shutdown() async {
        await group.value?.triggerGracefulShutdown()
    }

    func serve(signals: [UnixSignal]) async throws {
        let g = ServiceGroup(configuration: .init(services: [application()], gracefulShutdownSignals: signals, logger: configuration.logger))
        group.set(g)
        try await g.run()
        configuration.logger.info("stopped")
    }
}

/// Polls the models folder (`ModelRegistry.scan`) every `interval` until shutdown.
struct PackageWatcher: Service {
    let registry: ModelRegistry
    let interval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                registry.scan()
            }
        }
    }
}

/// A value set once by one task and read by others (the bound port, the service group).
final class Box<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T?
    var value: T? { lock.lock(); defer { lock.unlock() }; return stored }
    func set(_ v: T) { lock.lock(); stored = v; lock.unlock() }
}
