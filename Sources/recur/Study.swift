import ArgumentParser
import Foundation
import RecurTrain
import RecurTune

/// `recur study show|best|export STUDY`: read a study database.
struct Study: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read a study made by `recur tune`.",
        subcommands: [Show.self, Best.self, Export.self])

    struct Location: ParsableArguments {
        @Argument(help: ArgumentHelp("The study database (<study>.study.sqlite).", valueName: "study"))
        var study: String

        func open() throws -> (StudyStorage, StudyRecord, [StoredTrial]) {
            let storage = try StudyStorage.open(path: study, create: false)
            guard let record = try storage.study() else {
                throw TuneError.notAStudy(path: study, reason: "it holds no study")
            }
            return (storage, record, try storage.trials())
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
            if json {
                print(try StudyExport.json(study: record, trials: trials, path: storage.path))
                return
            }
            let summary = StudySummary.of(study: record, trials: trials, path: storage.path)
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

        func run() throws {
            let (storage, record, trials) = try location.open()
            let summary = StudySummary.of(study: record, trials: trials, path: storage.path)
            guard let best = summary.best else {
                throw TuneError.notTunable("the study at \(storage.path) has no complete trial yet")
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
                print(try StudyExport.json(study: record, trials: trials, path: storage.path))
            }
        }

        /// The search space recorded with the study (for the CSV's column order).
        static func space(of record: StudyRecord) -> [SearchParameter] {
            (try? RecurConfig.parse(record.configJSON).search?.space) ?? []
        }
    }
}
