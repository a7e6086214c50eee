import RecurDashboard
import RecurTune
import RecurTunePostgres

/// The dashboard `recur serve` mounts: SQLite storages as `Dashboard(storages:)` names them,
/// and each `postgresql://…` storage once per `--study NAME` (DESIGN: `--storage URL --study
/// NAME`), shown under the study's own name.
enum DashboardStudies {
    /// - Throws: `PostgresStoreError.badURL`, `ServeError.studyNameNeeded`, `DashboardError`.
    static func dashboard(_ configuration: ServeConfiguration) throws -> Dashboard {
        let postgres = configuration.studyStorages.filter(PostgresURL.isPostgres)
        let files = configuration.studyStorages.filter { !PostgresURL.isPostgres($0) }
        let base = try Dashboard(storages: files, modelsDirectory: configuration.modelsDirectory)
        guard !postgres.isEmpty else { return base }
        guard !configuration.studyNames.isEmpty else { throw ServeError.studyNameNeeded(postgres[0]) }
        var studies = base.studies
        for text in postgres {
            let url = try PostgresURL(text)
            for name in configuration.studyNames {
                var shown = name, k = 2
                while studies.contains(where: { $0.name == shown }) { shown = "\(name)-\(k)"; k += 1 }
                studies.append(Dashboard.Study(name: shown, reader: PostgresStudyReader(url: url, name: name)))
            }
        }
        return Dashboard(studies: studies, modelsDirectory: configuration.modelsDirectory)
    }
}
