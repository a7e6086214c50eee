import Foundation
import PostgresNIO
import RecurTrain
import RecurTune

/// The sampler's view of a PostgreSQL study at each claim, read without the finished trials
/// this process has already seen.
extension PostgresStudyStore {
    /// The sampler's view of trials numbered above `after` (number, parameters, state, value,
    /// per-epoch values; no metrics, times or worker), in one query.
    static func samplerRecords(_ s: PostgresPool.Session, study: Int, after: Int, storage: String) throws -> [TrialRecord] {
        let rows = try s.query("""
            SELECT t.number, t.state, t.params_json, t.value, i.epochs, i.vals
            FROM recur_trial t LEFT JOIN LATERAL (
                SELECT array_agg(epoch::int8 ORDER BY epoch) AS epochs, array_agg(value ORDER BY epoch) AS vals
                FROM recur_intermediate WHERE study = t.study AND trial = t.number) i ON true
            WHERE t.study = \(study) AND t.number > \(after) ORDER BY t.number
            """)
        var records: [TrialRecord] = []
        for row in rows {
            let (number, state, params, value, valueEpochs, values) = try row.decode((Int, String, String, Double?, [Int]?, [Double]?).self)
            let row = "trial \(number)"
            records.append(TrialRecord(number: number, params: try StoredValue.params(params, storage: storage, row: row),
                                       state: try StoredValue.state(state, storage: storage, row: row),
                                       value: value, intermediate: Self.intermediate(valueEpochs, values)))
        }
        return records
    }

    static func intermediate(_ epochs: [Int]?, _ values: [Double]?) -> [Int: Double] {
        guard let epochs, let values, epochs.count == values.count else { return [:] }
        var out: [Int: Double] = [:]
        out.reserveCapacity(epochs.count)
        for (e, v) in zip(epochs, values) { out[e] = v }
        return out
    }
}

/// What a process knows of a study's finished trials, for the sampler: a finished trial
/// (complete, pruned or failed) never changes again (commits, heartbeats and re-runs change
/// running trials only), so each claim reads only the trials above `complete`, the highest
/// number below which every trial is finished and known here, instead of the whole study.
final class SamplerCache: @unchecked Sendable {
    private let lock = NSLock()
    private var finished: [TrialRecord] = []
    /// Every trial numbered 0...complete is finished and in `finished` (in order).
    private var complete = -1

    /// The sampler's view of every trial: the finished ones known here, plus the rest read now.
    func records(_ s: PostgresPool.Session, study: Int, storage: String) throws -> [TrialRecord] {
        let (known, after) = lock.withLock { (finished, complete) }
        let fresh = try PostgresStudyStore.samplerRecords(s, study: study, after: after, storage: storage)
        // The finished prefix of what was read joins the cache; the rest is read again next time.
        var prefix: [TrialRecord] = []
        var next = after + 1
        for r in fresh {
            guard r.number == next, r.state != .running else { break }
            prefix.append(r)
            next += 1
        }
        if !prefix.isEmpty {
            lock.withLock {
                if complete == after {
                    finished += prefix
                    complete = after + prefix.count
                }
            }
        }
        return known + fresh
    }
}
