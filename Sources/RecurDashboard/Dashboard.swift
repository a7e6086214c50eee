import Foundation
import RecurTrain
import RecurTune

/// The web dashboard of studies and models, independent of any HTTP server: `handle` turns a
/// request (method, path, query) into a `DashboardResponse`, so `recur serve` mounts it by
/// passing its requests through (routes in docs/dashboard.md):
///
/// | route | answer |
/// |---|---|
/// | `GET /` | HTML: the studies (name, storage, trials by state, best value, last update) and the models |
/// | `GET /studies/{name}` | HTML: one study's charts and trials table (`?fragment=charts`: the charts alone, for the page's live refresh) |
/// | `GET /models/{name}` | HTML: one package's metrics, loss curves, forecast, residuals, architecture and config |
/// | `GET /api/studies` | JSON: the studies |
/// | `GET /api/studies/{name}[?after=N]` | JSON: the study and its trials (after N: only those changed since change N) |
/// | `GET /api/models`, `GET /api/models/{name}` | JSON: the packages, one package |
///
/// Read-only: studies are read through `StudyReading` (one short read transaction per
/// request, read-only connections), packages through `PackageReport`; nothing is written.
/// Names are looked up in the loaded set, never joined into a path.
public final class Dashboard: Sendable {
    /// One study shown: its name in URLs and its reader.
    public struct Study: Sendable {
        public var name: String
        public var reader: any StudyReading

        public init(name: String, reader: any StudyReading) {
            self.name = name
            self.reader = reader
        }
    }

    /// How the pages behave.
    public struct Options: Sendable {
        /// How often the pages poll the JSON API for changes, seconds.
        public var pollSeconds: Double = 2
        public init() {}
    }

    public let studies: [Study]
    /// The models folder, if any.
    public let modelsDirectory: String?
    public let options: Options
    let models: ModelCatalog?

    /// A dashboard of the given studies and of the packages in `modelsDirectory` (either may be empty).
    public init(studies: [Study], modelsDirectory: String?, options: Options = Options()) {
        self.studies = studies
        self.modelsDirectory = modelsDirectory
        self.options = options
        self.models = modelsDirectory.map(ModelCatalog.init)
    }

    /// The dashboard of `recur serve --storage URL… --models DIR`: one SQLite study reader per
    /// storage (`PATH` or `sqlite:PATH`), named after its file (`runs/tiny.study.sqlite` →
    /// `tiny`; a repeated name gets `-2`, `-3`, …). The files need not exist yet.
    /// - Throws: `DashboardError` for a storage kind not supported yet (PostgreSQL) or a
    ///   models path that is not a folder.
    public convenience init(storages: [String], modelsDirectory: String?, options: Options = Options()) throws {
        var studies: [Study] = []
        for storage in storages {
            let lower = storage.lowercased()
            if lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://") {
                throw DashboardError.unsupportedStorage(storage)
            }
            let reader = StudyReader(storage: storage)
            var name = Self.studyName(forPath: reader.path), k = 2
            while studies.contains(where: { $0.name == name }) {
                name = Self.studyName(forPath: reader.path) + "-\(k)"
                k += 1
            }
            studies.append(Study(name: name, reader: reader))
        }
        if let modelsDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: modelsDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw DashboardError.noModelsFolder(modelsDirectory)
            }
        }
        self.init(studies: studies, modelsDirectory: modelsDirectory, options: options)
    }

    /// `runs/tiny.study.sqlite` → `tiny` (the name `recur tune` gives the study).
    public static func studyName(forPath path: String) -> String {
        var name = (path as NSString).lastPathComponent
        for suffix in [".sqlite", ".db", ".study"] where name.hasSuffix(suffix) && name.count > suffix.count {
            name = String(name.dropLast(suffix.count))
        }
        return name
    }

    /// Whether `path` is one of the dashboard's routes (for a server that has routes of its own).
    public static func handles(path: String) -> Bool {
        path == "/" || path == "/api/studies" || path == "/api/models"
            || ["/studies/", "/models/", "/api/studies/", "/api/models/"].contains { path.hasPrefix($0) }
    }

    /// Answers one request. `path` is the URL path as sent (percent-encoded), `query` the text
    /// after `?` (nil for none). Never throws: every failure is a 4xx answer (JSON
    /// `{"error": {"field", "message"}}` on the API, an HTML page with the same message otherwise).
    public func handle(method: String, path: String, query: String?) -> DashboardResponse {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
            .map { String($0).removingPercentEncoding ?? String($0) }
        let isAPI = parts.first == "api"
        guard method == "GET" || method == "HEAD" else {
            return .error(405, field: "method", "\(method) is not allowed on \(path); the dashboard answers GET only")
        }
        let parameters = Self.parse(query: query)
        switch (parts.count, parts.first) {
        case (1, ""):
            return .html(IndexPage(dashboard: self).render())
        case (2, "studies"), (3, "api") where parts.count == 3 && parts[1] == "studies":
            let name = parts.last!
            guard let study = studies.first(where: { $0.name == name }) else {
                return notFound(isAPI, field: "study", "no study named '\(name)'; the studies are: \(list(studies.map(\.name)))")
            }
            if isAPI {
                var after: Int?
                if let text = parameters["after"] {
                    guard let n = Int(text), n >= 0 else {
                        return .error(400, field: "after", "after must be a whole number ≥ 0 (the `change` of an earlier answer); got '\(text)'")
                    }
                    after = n
                }
                return studyAPI(study, after: after)
            }
            return studyPage(study, fragment: parameters["fragment"])
        case (2, "models"), (3, "api") where parts.count == 3 && parts[1] == "models":
            let name = parts.last!
            guard let models, let entry = models.entry(name) else {
                let names = models?.all().map(\.name) ?? []
                return notFound(isAPI, field: "model", "no model named '\(name)'; the models are: \(list(names))")
            }
            return isAPI ? .json(ModelAPI.detail(entry)) : .html(ModelPage(dashboard: self, entry: entry).render())
        case (2, "api") where parts[1] == "studies":
            return .json(StudyAPI.list(self))
        case (2, "api") where parts[1] == "models":
            return .json(ModelAPI.list(models?.all() ?? []))
        default:
            return notFound(isAPI, field: nil, "no page at \(path); the dashboard has /, /studies/{name}, /models/{name} and /api/…")
        }
    }

    private func list(_ names: [String]) -> String { names.isEmpty ? "none" : names.joined(separator: ", ") }

    private func notFound(_ isAPI: Bool, field: String?, _ message: String) -> DashboardResponse {
        isAPI ? .error(404, field: field, message) : .html(Page.errorPage(status: 404, message: message), status: 404)
    }

    private func studyAPI(_ study: Study, after: Int?) -> DashboardResponse {
        do {
            let readout = try study.reader.read(changedAfter: after)
            return .json(StudyAPI.detail(study: study, readout: readout, bestModel: bestModel(readout.study)))
        } catch {
            return .error(404, field: "study", "study '\(study.name)' cannot be read now: \(error)")
        }
    }

    private func studyPage(_ study: Study, fragment: String?) -> DashboardResponse {
        do {
            let readout = try study.reader.read(changedAfter: nil)
            let page = StudyPage(dashboard: self, study: study, readout: readout, bestModel: bestModel(readout.study))
            return .html(fragment == "charts" ? page.charts() : page.render())
        } catch {
            return .html(Page.errorPage(status: 404, message: "study '\(study.name)' cannot be read now: \(error)"), status: 404)
        }
    }

    /// The models-folder name of the study's best package, when the folder holds it.
    func bestModel(_ study: StudyRecord) -> String? {
        guard study.bestTrial != nil else { return nil }
        return models?.entry(atPath: study.bestPackage)?.name
    }

    /// `a=1&b=x%20y` → ["a": "1", "b": "x y"] (the last value of a repeated key).
    static func parse(query: String?) -> [String: String] {
        var out: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ") }
            guard let key = kv.first?.removingPercentEncoding else { continue }
            out[key] = kv.count > 1 ? (kv[1].removingPercentEncoding ?? kv[1]) : ""
        }
        return out
    }
}

/// Errors constructing a dashboard, each naming the option at fault.
public enum DashboardError: Error, CustomStringConvertible, Sendable, Equatable {
    case unsupportedStorage(String)
    case noModelsFolder(String)

    public var description: String {
        switch self {
        case let .unsupportedStorage(url):
            return "--storage \(url): the dashboard reads SQLite study files (PATH.sqlite) only so far; PostgreSQL studies come with the PostgreSQL storage"
        case let .noModelsFolder(path):
            return "--models \(path) is not a folder; give the folder holding model packages (one subfolder per package)"
        }
    }
}
