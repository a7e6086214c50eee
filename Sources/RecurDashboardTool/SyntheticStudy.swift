import Foundation
import GRDB
import PostgresNIO
import RecurTrain
import RecurTune
import RecurTunePostgres

/// The benchmark's synthetic study (`RecurDashboardTool bench`), the same rows in SQLite or
/// PostgreSQL: trials with a learning rate, a unit count, a dropout and an optimizer; 80%
/// complete, 15% pruned halfway, 5% failed; the objective depends on the learning rate and
/// units. The schema and its change-counting triggers are the stores' own; the rows go in as
/// plain inserts in one transaction (the triggers number every change as a worker's would).
enum SyntheticStudy {
    /// The study's name (and the dashboard's).
    static let name = "bench"

    /// One trial's row and its intermediate values (epoch → value).
    struct Row {
        var number: Int
        var state: TrialState
        var paramsJSON: String
        var value: Double?
        var started: Double
        var finished: Double
        var error: String?
        var epochs: Int
        var intermediate: [(epoch: Int, value: Double)]
    }

    /// The rows of a study of `trials` trials of up to `epochs` epochs (seeded: always the same).
    static func rows(trials: Int, epochs: Int) -> [Row] {
        var rng = RandomNumberGeneratorWithSeed(seed: 42)
        return (0..<trials).map { n in
            let lr: Double = pow(10, -4 + 3 * rng.unit()), units = [8, 16, 32, 64][Int(rng.unit() * 4) % 4]
            let dropout: Double = 0.5 * rng.unit(), optimizer = ["adam", "rmsprop", "sgd"][n % 3]
            let base: Double = 0.05 + 0.2 * abs(log10(lr) + 2.5) + 0.002 * Double(64 / units) + 0.02 * rng.unit()
            let roll = rng.unit()
            let state: TrialState = roll < 0.8 ? .complete : (roll < 0.95 ? .pruned : .failed)
            let last = state == .pruned ? epochs / 2 : epochs
            let params: [String: SearchValue] = ["training.optimizer.learning_rate": .number(lr), "model.units": .number(Double(units)),
                                                 "model.dropout": .number(dropout), "training.optimizer.name": .string(optimizer)]
            let value: Double? = state == .failed ? nil : base * (1 + 2 / Double(last))
            let intermediate: [(epoch: Int, value: Double)] = state == .failed ? [] : (1...last).map { (epoch: $0, value: base * (1 + 2 / Double($0))) }
            return Row(number: n, state: state, paramsJSON: ParamsJSON.encode(params), value: value,
                       started: 1_700_000_000 + Double(n) * 10, finished: 1_700_000_009 + Double(n) * 10,
                       error: state == .failed ? "diverged" : nil, epochs: last, intermediate: intermediate)
        }
    }

    static func record(trials: Int, bestPackage: String) -> StudyRecord {
        StudyRecord(name: name, configHash: "fnv1a64:0", configJSON: "{}", objective: "val_loss", sampler: "tpe", seed: 1, maxEvals: trials,
                    bestPackage: bestPackage)
    }

    // MARK: SQLite

    /// Writes the study file at `path` (through `StudyStorage`'s schema and triggers).
    static func build(path: String, trials: Int, epochs: Int) throws {
        let storage = try StudyStorage.open(path: path, create: true)
        try storage.attach(record(trials: trials, bestPackage: (path as NSString).deletingLastPathComponent + "/best"))
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            for r in rows(trials: trials, epochs: epochs) {
                try db.execute(sql: """
                    INSERT INTO trial (number, state, params_json, value, started_at, finished_at, seconds, seed, error, epochs, attempts)
                    VALUES (?, ?, ?, ?, ?, ?, 9, ?, ?, ?, 1)
                    """, arguments: [r.number, r.state.rawValue, r.paramsJSON, r.value, r.started, r.finished, r.number, r.error, r.epochs])
                for (e, v) in r.intermediate {
                    try db.execute(sql: "INSERT INTO intermediate (trial, epoch, value) VALUES (?, ?, ?)", arguments: [r.number, e, v])
                }
            }
        }
        try queue.close()
    }

    /// Changes `numbers` (their `seconds`, one transaction each, as workers' commits would).
    static func touch(path: String, trials numbers: [Int]) throws {
        let queue = try DatabaseQueue(path: path)
        for n in numbers {
            try queue.write { db in try db.execute(sql: "UPDATE trial SET seconds = seconds + 1 WHERE number = ?", arguments: [n]) }
        }
        try queue.close()
    }

    // MARK: PostgreSQL

    /// Writes the study `bench` into the database at `url` (through `PostgresStudyStore`'s
    /// schema and triggers), in batches of multi-row inserts. Returns false when the study
    /// already has trials (nothing written).
    static func build(postgres url: PostgresURL, trials: Int, epochs: Int) throws -> Bool {
        let store = try PostgresStudyStore(url: url, name: name, create: true)
        try store.attach(record(trials: trials, bestPackage: "in the database"))
        let pool = PostgresPool.shared(for: url)
        let id = try pool.run { s in try s.query("SELECT id FROM recur_study WHERE name = \(name)").first!.decode(Int.self) }
        let existing = try pool.run { s in try s.query("SELECT count(*)::int8 FROM recur_trial WHERE study = \(id)").first!.decode(Int.self) }
        guard existing == 0 else { return false }
        func literal(_ text: String?) -> String { text.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" } ?? "NULL" }
        func number(_ value: Double?) -> String { value.map { "\($0)" } ?? "NULL" }
        let all = rows(trials: trials, epochs: epochs)
        try pool.run { s in
            try s.transaction {
                for batch in stride(from: 0, to: all.count, by: 500).map({ all[$0..<min($0 + 500, all.count)] }) {
                    let values = batch.map { r in
                        "(\(id), \(r.number), '\(r.state.rawValue)', \(literal(r.paramsJSON)), \(number(r.value)), \(r.started), \(r.finished), 9, "
                            + "\(r.number), \(literal(r.error)), \(r.epochs), 1)"
                    }
                    try s.query(PostgresQuery(unsafeSQL: """
                        INSERT INTO recur_trial (study, number, state, params_json, value, started_at, finished_at, seconds, seed, error, epochs, attempts)
                        VALUES \(values.joined(separator: ", "))
                        """))
                    let intermediate = batch.flatMap { r in r.intermediate.map { "(\(id), \(r.number), \($0.epoch), \($0.value))" } }
                    guard !intermediate.isEmpty else { continue }
                    try s.query(PostgresQuery(unsafeSQL: """
                        INSERT INTO recur_intermediate (study, trial, epoch, value) VALUES \(intermediate.joined(separator: ", "))
                        """))
                }
            }
        }
        return true
    }

    /// Changes `numbers` (their `seconds`, one transaction each, as workers' commits would).
    static func touch(postgres url: PostgresURL, trials numbers: [Int]) throws {
        let pool = PostgresPool.shared(for: url)
        for n in numbers {
            try pool.run { s in
                try s.query("""
                    UPDATE recur_trial SET seconds = seconds + 1
                    WHERE study = (SELECT id FROM recur_study WHERE name = \(name)) AND number = \(n)
                    """)
            }
        }
    }
}
