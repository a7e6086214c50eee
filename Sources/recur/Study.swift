import ArgumentParser
import Foundation
import RecurTrain
import RecurTune
import RecurTunePostgres

/// `recur study show|best|export|list|enqueue STUDY`: read a study (an SQLite file or a
/// PostgreSQL database with `--study NAME`), or queue a trial in it.
struct Study: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read a study made by `recur tune`, or queue a trial in it.",
        subcommands: [Show.self, Best.self, Export.self, List.self, Enqueue.self])

    struct Location: ParsableArguments {
        @Argument(help: ArgumentHelp("The study: its SQLite file (<study>.study.sqlite), or postgresql://USER@HOST:PORT/DB.", valueName: "study"))
        var study: String

        @Option(name: .customLong("study"), help: ArgumentHelp("The study's name in a PostgreSQL database (needed when it holds several).", valueName: "name"))
        var name: String?

        func openStore() throws -> any StudyStore {
            try StudyLocator.open(study, name: name, create: false)
        }

        func open() throws -> (any StudyStore, StudyRecord, [StoredTrial]) {
            let store = try openStore()
            guard let record = try store.study() else {
                throw TuneError.notAStudy(path: store.location, reason: "it holds no study")
            }
            return (store, record, try store.trials())
        }
    }

    /// `show`: the study, counts by state, the best trial and one line per trial.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The study, its trials and the best one.")
        @OptionGroup var location: Location
        @Flag(help: "The whole study as one JSON object (as `export --format json`).")
        var json = false

        func run() throws {
            let (storage, record, trials) = try location.open()
            let local = storage.localFiles != nil
            if json {
                print(try StudyExport.json(study: record, trials: trials, path: storage.location, local: local))
                return
            }
            let summary = StudySummary.of(study: record, trials: trials, path: storage.location, local: local)
            print("objective: \(record.objective) (lower is better), sampler \(record.sampler), seed \(record.seed)")
            print(StudyText.summary(summary))
            print("")
            print(" trial  state     value         seconds  epochs  parameters")
            for t in trials {
                let value = t.value.map { String(format: "%-12.6g", $0) } ?? "-           "
                let secs = t.seconds.map { String(format: "%8.1f", $0) } ?? "       -"
                let params = t.params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                var line = String(format: "%6d  ", t.number) + t.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
                    + "  " + value + "  " + secs + "  " + String(repeating: " ", count: max(0, 6 - (t.epochs.map(String.init) ?? "-").count)) + (t.epochs.map(String.init) ?? "-") + "  " + params
                if let first = t.retryOf { line += "  (retry of #\(first))" }
                if let e = t.error { line += "\n        error: " + e.replacingOccurrences(of: "\n", with: " ") }
                print(line)
            }
        }
    }

    /// `best`: the best complete trial and its package.
    struct Best: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The best trial: parameters, value and model package.")
        @OptionGroup var location: Location
        @Flag(help: "One JSON object: number, params, value, package.")
        var json = false
        @Option(help: ArgumentHelp("Write the best trial's model package into this new folder (from the database, on any host).", valueName: "dir"))
        var export: String?

        func run() throws {
            let (storage, record, trials) = try location.open()
            let summary = StudySummary.of(study: record, trials: trials, path: storage.location, local: storage.localFiles != nil)
            guard let best = summary.best else {
                throw TuneError.notTunable("the study at \(storage.location) has no complete trial yet")
            }
            if let export {
                try StudyLocator.exportBest(storage, record: record, to: export)
                note("the package of trial \(record.bestTrial.map(String.init) ?? "?") is in \(export)")
            }
            if json {
                try printJSON(best)
                return
            }
            print(String(format: "trial %d: %@ %.6g", best.number, record.objective, best.value))
            for (k, v) in best.params.sorted(by: { $0.key < $1.key }) { print("  \(k) = \(v)") }
            print("package: \(best.package ?? "none kept for this trial")")
        }
    }

    /// `export`: every trial as CSV or JSON on stdout.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every trial as CSV or JSON on stdout.")
        enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json }
        @OptionGroup var location: Location
        @Option(help: "csv (one row per trial, the manner of the old results file) or json.")
        var format: Format = .csv

        func run() throws {
            let (storage, record, trials) = try location.open()
            switch format {
            case .csv:
                let space = try? SearchSpace(parameters: Self.space(of: record))
                print(StudyExport.csv(study: record, trials: trials, space: space), terminator: "")
            case .json:
                print(try StudyExport.json(study: record, trials: trials, path: storage.location, local: storage.localFiles != nil))
            }
        }

        /// The search space recorded with the study (for the CSV's column order).
        static func space(of record: StudyRecord) -> [SearchParameter] {
            (try? RecurConfig.parse(record.configJSON).search?.space) ?? []
        }
    }

    /// `list`: the studies in a storage (a PostgreSQL database holds several).
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The studies in a storage, with their trial counts.")
        @Argument(help: ArgumentHelp("An SQLite study file, or postgresql://USER@HOST:PORT/DB.", valueName: "storage"))
        var storage: String
        @Flag(help: "A JSON array of {name, trials}.")
        var json = false

        func run() throws {
            let studies = try StudyLocator.list(storage)
            if json {
                struct Entry: Encodable { var name: String; var trials: Int }
                try printJSON(studies.map { Entry(name: $0.name, trials: $0.trials) })
            } else {
                for s in studies { print("\(s.name)\t\(s.trials) trials") }
            }
        }
    }

    /// `enqueue`: a trial with given parameters, run by the next free worker before any new one.
    struct Enqueue: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue a trial with given parameters (a known-good architecture, a previous study's best).",
            discussion: "The parameters are checked against the study's search space; parameters left out take the config's values.")
        @OptionGroup var location: Location
        @Option(help: ArgumentHelp("The trial's parameters as one JSON object, e.g. '{\"training.optimizer.learning_rate\": 0.01}'.", valueName: "json"))
        var params: String

        func run() throws {
            let store = try location.openStore()
            guard let record = try store.study() else { throw TuneError.notAStudy(path: store.location, reason: "it holds no study") }
            let values = try StudyLocator.parseParams(params, record: record)
            let config = try RecurConfig.parse(record.configJSON)
            let seed = try config.applying(values.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }).training.seed
            let id = try store.enqueue(params: values, seed: seed)
            print("queued trial \(id) in \(record.name): \(ParamsJSON.encode(values))")
        }
    }
}
