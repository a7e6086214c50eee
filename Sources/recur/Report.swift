import ArgumentParser
import Foundation
import RecurTrain
import RecurTune

/// `recur report PACKAGE`: SVG charts of a model package (loss per epoch, forecast against
/// actual on the test span, residuals, model vs baselines) and a short summary on stdout.
/// `recur report STUDY.sqlite`: SVG charts of a tuning study (objective per trial with the
/// running best, parallel coordinates of the parameters against the objective) and a summary.
///
/// What is reported is told apart by `ReportSubject.detect`.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write SVG charts of a trained model package or a tuning study and print a summary.",
        discussion: """
        Charts: loss.svg (training and validation loss per epoch), forecast.svg (1-step forecast \
        vs actual over the test span), forecast-detail.svg (the last test steps, with \
        persistence), residuals.svg (actual − forecast), metrics.svg (test RMSE and MAE beside \
        the persistence and seasonal-naive baselines). Each is written atomically.

        For a study database (written by `recur tune`): objective.svg (the objective per trial, \
        complete and pruned trials told apart, with the running best; failed trials counted) and \
        parameters.svg (parallel coordinates of the parameters against the objective).
        """)

    @Argument(help: ArgumentHelp("A model package folder (written by `recur train`) or a study database (written by `recur tune`).", valueName: "package-or-study"))
    var subject: String

    @Option(help: ArgumentHelp("Where to write the charts (default: <package>/report, or <study without .sqlite>.report).", valueName: "dir"))
    var output: String?

    @Option(help: ArgumentHelp("The target's unit for axis labels, e.g. °C (the package records the column name only).", valueName: "unit"))
    var unit: String?

    @Flag(help: "Print one JSON object (package, chart paths, test metrics) on stdout.")
    var json = false

    func run() throws {
        switch try ReportSubject.detect(subject) {
        case let .package(path):
            try reportPackage(path)
        case let .study(path):
            try reportStudy(path)
        }
    }

    func reportStudy(_ path: String) throws {
        let report = try StudyReport.load(path)
        let directory = URL(fileURLWithPath: output ?? StudyReport.defaultOutput(for: path))
        let written = try report.write(to: directory)
        if json {
            struct Output: Encodable {
                var study: String
                var charts: [String]
                var trials: [TrialState: Int]
                var best: StudySummary.Best?
            }
            let summary = report.studySummary
            try printJSON(Output(study: path, charts: written.map(\.path), trials: summary.trials, best: summary.best))
        } else {
            print(report.summary(charts: written))
        }
    }

    func reportPackage(_ path: String) throws {
        let report = try PackageReport.load(path)
        let directory = URL(fileURLWithPath: output ?? (path as NSString).appendingPathComponent("report"))
        let written = try report.write(to: directory, unit: unit)
        if json {
            struct Output: Encodable {
                var package: String
                var charts: [String]
                var target: String
                var test: [String: MetricSet]
            }
            var test: [String: MetricSet] = [:]
            if let m = report.manifest.metrics.test { test["model"] = m }
            for (name, metrics) in report.manifest.baselines { if let t = metrics.test { test[name] = t } }
            try printJSON(Output(package: path, charts: written.map(\.path), target: report.target, test: test))
        } else {
            print(report.summary(charts: written))
        }
    }
}

/// What `recur report` was pointed at.
enum ReportSubject {
    /// A model package folder.
    case package(String)
    /// A study database file (`recur tune`).
    case study(String)

    /// Tells what `path` is: a folder must be a model package; a file must be a study database
    /// (opened with `StudyStorage`). Anything else is a usage error (exit 2).
    static func detect(_ path: String) throws -> ReportSubject {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PackageError.notAPackage(path: path, reason: "no such file or folder")
        }
        if isDirectory.boolValue {
            guard FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(ModelPackage.manifestFile)) else {
                throw PackageError.notAPackage(path: path, reason: "the folder has no \(ModelPackage.manifestFile)")
            }
            return .package(path)
        }
        // A file: a study database, or neither.
        let size = (try? URL(fileURLWithPath: path).resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
        var reason = "it is empty"
        if size > 0 {
            do {
                let storage = try StudyStorage.open(path: path, create: false)
                if try storage.study() != nil { return .study(path) }
                reason = "it holds no study yet"
            } catch let error as TuneError {
                switch error {
                case let .notAStudy(_, why): reason = why
                default: throw error
                }
            }
        }
        throw UsageError("\(path) is neither a model package nor a study: it is a file, so not a Recur model package (the folder `recur train` writes), and not a Recur study database (\(reason); `recur tune` writes one)")
    }
}
