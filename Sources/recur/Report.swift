import ArgumentParser
import Foundation
import RecurTrain

/// `recur report PACKAGE`: SVG charts of a model package (loss per epoch, forecast against
/// actual on the test span, residuals, model vs baselines) and a short summary on stdout.
///
/// What is reported is told apart by `ReportSubject.detect`; a tuning study (`STUDY.sqlite`)
/// will be one more case there.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write SVG charts of a trained model package and print a summary.",
        discussion: """
        Charts: loss.svg (training and validation loss per epoch), forecast.svg (1-step forecast \
        vs actual over the test span), forecast-detail.svg (the last test steps, with \
        persistence), residuals.svg (actual − forecast), metrics.svg (test RMSE and MAE beside \
        the persistence and seasonal-naive baselines). Each is written atomically.
        """)

    @Argument(help: ArgumentHelp("A model package folder (written by `recur train`).", valueName: "package"))
    var subject: String

    @Option(help: ArgumentHelp("Where to write the charts (default: <package>/report).", valueName: "dir"))
    var output: String?

    @Option(help: ArgumentHelp("The target's unit for axis labels, e.g. °C (the package records the column name only).", valueName: "unit"))
    var unit: String?

    @Flag(help: "Print one JSON object (package, chart paths, test metrics) on stdout.")
    var json = false

    func run() throws {
        switch try ReportSubject.detect(subject) {
        case let .package(path):
            try reportPackage(path)
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

    /// Tells what `path` is; anything that is not a model package is a usage error (exit 2).
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
        throw PackageError.notAPackage(path: path, reason: "it is a file; recur report reads a model package folder")
    }
}
