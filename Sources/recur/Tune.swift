import ArgumentParser
import Foundation
import RecurData
import RecurTrain
import RecurTune
import RecurTunePostgres

/// `recur tune CONFIG`: the hyperparameter search of the config's `search` section (or the
/// template's `hyperopt_pars`), as a persistent, resumable study.
struct Tune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Search hyperparameters: a persistent, resumable study of trials.",
        discussion: """
        Runs trials of the config's search space (sampler and pruner from its `search` section) \
        until max_evals are finished, recording every trial in an SQLite study database as it \
        happens. Running the same command again resumes the study: only `search.max_evals` \
        (--trials) and `search.jobs` (--jobs) may change; a trial left running by a killed \
        process is run again with the same number and parameters. The best trial's model \
        package is kept beside the database (<study>.best), with a CSV of all trials \
        (<study>.trials.csv). Progress: one line per finished trial on stderr.
        """)

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var dataOptions: DataOptions

    @Option(help: ArgumentHelp("Trials to finish (overrides search.max_evals; raise it to extend a study).", valueName: "n"))
    var trials: Int?

    @Option(help: ArgumentHelp("Trials run at once, one thread each (overrides search.jobs).", valueName: "n"))
    var jobs: Int?

    @Option(help: ArgumentHelp("The study: an SQLite file (default: <output.directory>/<config name>.study.sqlite) or postgresql://USER@HOST:PORT/DB, shared by workers on any host.", valueName: "path|url"))
    var storage: String?

    @Option(help: ArgumentHelp("The study's name in a PostgreSQL database (default: the config file's name without extension).", valueName: "name"))
    var study: String?

    @OptionGroup var runFiles: RunFileOptions

    @OptionGroup var reporting: ReportingOptions
    var json: Bool { reporting.json }
    var quiet: Bool { reporting.quiet }

    func run() throws {
        var config = try configOptions.load(data: dataOptions)
        let shared = storage.map(StudyLocator.isPostgres) ?? false
        try runFiles.apply(to: &config, anchor: shared ? nil : storage)
        var path = storage.map(StudyLocator.sqlitePath) ?? StudyPaths.defaultStorage(for: config)
        var options = StudyOptions(storagePath: path, maxEvals: trials, jobs: jobs)
        if shared, let storage {
            // The server is reached (or the run ends, exit 2) before any training starts.
            let url = try PostgresURL(storage)
            let name = study ?? StudyPaths.defaultName(for: config)
            options.store = try PostgresStudyStore(url: url, name: name, create: true)
            options.studyName = name
            path = url.display
            options.storagePath = path
        }
        if !quiet { options.progress = { line in note(line) } }
        let runner = try StudyRunner(config: config, options: options)
        if !quiet {
            let stored: [StoredTrial] = try runner.store.trials()
            let done = stored.filter { $0.state != TrialState.running }.count
            note("study \(runner.paths.name) at \(path): \(runner.search.sampler.rawValue) sampler, \(runner.search.pruner.rawValue) pruner, objective \(runner.search.objective); \(done) of \(runner.search.maxEvals) trials finished, \(runner.search.jobs) at a time")
        }
        // Explicit row ranges are the only split whose validation can lie inside training.
        if !quiet, case let .rows(train, validation, test) = config.splitSpec,
           let warning = SeriesSplit(train: train, validation: validation, test: test).overlapWarning {
            note(warning)
        }
        let summary = try runner.run()
        if json {
            try printJSON(summary)
        } else {
            print(StudyText.summary(summary))
        }
    }
}

/// Text renderings of a study.
enum StudyText {
    static func summary(_ s: StudySummary) -> String {
        var lines = ["study: \(s.study) (\(s.name))"] + s.trialLines
        if let b = s.best {
            if let p = b.package { lines.append("package: \(p)") }
            if b.worseThanPersistence == true {
                lines.append("WARNING: the best trial's model is worse than persistence on the validation part; its package records \"worse_than_persistence\": true (train it with `recur train` to see the likely causes)")
            }
            if let t = b.testMetrics {
                lines.append(String(format: "test (reported, not used to choose): RMSE %.4f, MAE %.4f", t.rmse, t.mae))
            }
        }
        if let e = s.ensemble {
            var line = "ensemble: \(e.members) networks of trial \(e.trial)'s settings (seeds \(e.seeds.map(String.init).joined(separator: ", "))\(e.reused ? "; already trained" : String(format: "; %.1f s", e.seconds)))"
            if let v = e.validation { line += String(format: ": validation RMSE %.4f", v.rmse) }
            lines.append(line)
            if let t = e.testMetrics { lines.append(String(format: "ensemble test (reported, not used to choose): RMSE %.4f, MAE %.4f", t.rmse, t.mae)) }
            lines.append("ensemble package: \(e.package)")
        }
        if let csv = s.trialsCsv { lines.append("trials csv: \(csv)") }
        return lines.joined(separator: "\n")
    }
}
