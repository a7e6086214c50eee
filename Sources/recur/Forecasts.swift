import ArgumentParser
import Foundation
import RecurData
import RecurStore
import RecurStorePostgres

/// `recur forecasts URL`: prints the forecasts kept in a store.
struct Forecasts: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the forecasts kept in a forecast store.",
        discussion: "Reads the table forecasts (see docs/serving.md) and prints CSV, or JSON with --json, ordered by station, target, model and valid time.")

    @Argument(help: ArgumentHelp("The store (sqlite:PATH or postgresql://USER@HOST:PORT/DATABASE).", valueName: "url"))
    var url: String

    @Option(help: "Only this station's forecasts.")
    var station: String?

    @Option(help: ArgumentHelp("Only forecasts valid at or after this time (YYYY-MM-DD or an ISO datetime, UTC).", valueName: "time"))
    var since: String?

    @Flag(help: "Print one JSON object.")
    var json = false

    struct Result: Encodable { var store: String; var forecasts: [StoredForecast] }

    func run() throws {
        let bound = try since.map { text -> String in
            guard let (t, _) = Timestamps.parse(text) else { throw StoreError.invalidSince(text) }
            return ISOTime.format(t)
        }
        let rows = try ForecastStoreURL.open(url, create: false).read(station: station, since: bound)
        if json {
            try printJSON(Result(store: url, forecasts: rows))
            return
        }
        let levels = Array(Set(rows.flatMap { $0.intervals.map(\.level) })).sorted()
        var header = ["station", "target", "model", "model_version", "issued_at", "valid_at", "horizon_step", "value"]
        for l in levels { let c = IntervalBounds.columns(l); header += [c.lower, c.upper] }
        var out = header.joined(separator: ",") + "\n"
        for r in rows {
            var fields = [r.station, r.target, r.model, r.modelVersion, r.issuedAt, r.validAt, "\(r.horizonStep)", "\(r.value)"].map(csvField)
            for l in levels {
                let b = r.intervals.first { $0.level == l }
                fields += [b.map { "\($0.lower)" } ?? "", b.map { "\($0.upper)" } ?? ""]
            }
            out += fields.joined(separator: ",") + "\n"
        }
        print(out, terminator: "")
    }

    func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
