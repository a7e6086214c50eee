import Foundation
import RecurTrain

/// Where a study lives, as `StudyRunner` and `recur study` use it: the SQLite file
/// (`StudyStorage`, embedded, one host) or a PostgreSQL database shared by hosts
/// (`RecurTunePostgres.PostgresStudyStore`). Both keep the same semantics:
///
/// - a claim is one transaction. First, every running trial whose worker is lost (its
///   heartbeat older than `TrialLease.staleAfter`; SQLite also: its runner's lock is free or its
///   process is gone) is recorded `failed` with the reason (`TrialLease.lostReason`: "lost: no
///   heartbeat for N s …") and no longer held by anyone; unless its chain already has
///   `TrialLease.maxRetries` retries, a retry is queued: the same parameters and seed,
///   `retryOf` = the chain's first trial, `retries` = the lost trial's + 1. Then the queue is
///   read, retries first: a retry becomes a new trial (a new number, after the last) whatever
///   the budget, since its chain already holds a place in it; an enqueued trial
///   (`enqueue`) or a new proposal is made only while fewer than `maxEvals` chains exist
///   (`StudyBudget.spent`: trials that are not retries, running ones included);
/// - so a lost trial's failure does not spend the budget twice: a study ends with at most
///   `maxEvals` finished chains (`StudyBudget.finished`), and a fleet stops on time;
/// - a worker holds a trial by its token: intermediate values, heartbeats and the commit of a
///   worker whose trial was taken from it (failed as lost) change nothing (`commit` answers
///   `.refused`);
/// - the best trial's package is replaced only by a commit that is accepted and better.
public protocol StudyStore: AnyObject, Sendable {
    /// The storage as the user named it (a path, or a URL without its password).
    var location: String { get }
    /// Local files of the study (SQLite: the best package, the trials CSV and the lock beside
    /// the file); nil where the study lives in a server (PostgreSQL keeps its best package in
    /// the database).
    var localFiles: StudyPaths? { get }

    /// The study; nil before `attach`.
    func study() throws -> StudyRecord?
    /// Creates the study, or checks that the stored one has the same config hash and records the
    /// new `max_evals`. - Throws: `TuneError.differentConfig`.
    @discardableResult func attach(_ study: StudyRecord) throws -> StudyRecord
    /// Every trial, by number, with its per-epoch values.
    func trials() throws -> [StoredTrial]
    /// Hands `worker` a trial (see the type's doc); nil when the budget is spent.
    /// `propose(trials, number)` chooses a new trial's parameters and seed seeing every trial.
    func claimTrial(maxEvals: Int, worker: WorkerIdentity, lease: TrialLease,
                    propose: ([TrialRecord], Int) throws -> (params: [String: SearchValue], seed: UInt64)) throws -> StudyClaim?
    /// Records a held trial's value at `epoch` (and beats its heart); nothing when not held.
    func reportIntermediate(number: Int, epoch: Int, value: Double, token: String) throws
    /// Marks every running trial held by `token` alive now.
    func heartbeat(token: String) throws
    /// Finishes a trial held by `token`. With `best`, the trial is complete and its package is
    /// kept as the study's best when its value is lower than the best's: written (SQLite) or
    /// stored (PostgreSQL) in the same step as the commit. `.refused` when another worker took
    /// the trial (nothing changed).
    func commit(_ result: TrialResult, token: String, best: BestCandidate?) throws -> CommitOutcome
    /// Queues a trial (its parameters and training seed) that the next free worker runs before
    /// any new one; returns its queue id.
    @discardableResult func enqueue(params: [String: SearchValue], seed: UInt64) throws -> Int
    /// Trials queued and not yet claimed.
    func queuedCount() throws -> Int
    /// Whether a trial held by a worker other than `token` is running (an idle worker of a shared
    /// study waits for those: it re-runs them should their worker be lost).
    func runsElsewhere(token: String) throws -> Bool
}

/// How a worker's hold on a trial lapses.
public struct TrialLease: Sendable, Equatable {
    /// A running trial whose heartbeat is older than this many seconds is taken as lost.
    public var staleAfter: Double
    /// Retries a lost trial's chain gets (`search.max_retries`): a lost trial is failed and, while
    /// its chain has fewer retries than this, re-queued as a new trial linked to the first.
    public var maxRetries: Int
    /// SQLite only: the study's folder of running trials, where live runners hold lock files
    /// (`RunnerScratch`): a free lock means a dead runner whatever its heartbeat.
    public var scratch: String?

    public init(staleAfter: Double, maxRetries: Int = 2, scratch: String? = nil) {
        self.staleAfter = staleAfter
        self.maxRetries = maxRetries
        self.scratch = scratch
    }

    /// The error recorded on a lost trial: `silent` seconds since its last heartbeat; `retries`
    /// the retries its chain had before it (itself included when it is one); `processGone`:
    /// its worker was found dead on this host (SQLite) before the heartbeat lapsed.
    public static func lostReason(silent: Double, retries: Int, maxRetries: Int, processGone: Bool = false) -> String {
        let seconds = String(format: "%.0f", max(0, silent))
        let lost = processGone ? "lost: its worker is gone (last heartbeat \(seconds) s ago)" : "lost: no heartbeat for \(seconds) s"
        if retries < maxRetries {
            return lost + "; re-queued as retry \(retries + 1) of at most \(maxRetries) (search.max_retries)"
        }
        return lost + "; not re-queued: its chain already had \(retries) retr\(retries == 1 ? "y" : "ies") (search.max_retries \(maxRetries))"
    }

    /// The grace period for heartbeats every `heartbeatSeconds`: 3 intervals.
    public static func grace(heartbeatSeconds: Double) -> Double { 3 * heartbeatSeconds }
}

/// How a study's trials spend its `max_evals`: a lost trial and its retries are one chain and
/// take one place.
public enum StudyBudget {
    /// Places taken: trials that are not retries (running ones included).
    public static func spent(_ trials: [StoredTrial]) -> Int { trials.filter { $0.retryOf == nil }.count }

    /// Chains that are finished: the chain's latest trial is not running (a lost trial whose
    /// retry runs is not finished; the claim that fails a lost trial claims its retry too).
    public static func finished(_ trials: [StoredTrial]) -> Int {
        var latest: [Int: StoredTrial] = [:]
        for t in trials {
            let chain = t.retryOf ?? t.number
            if let seen = latest[chain], seen.number > t.number { continue }
            latest[chain] = t
        }
        return latest.values.filter { $0.state != .running }.count
    }
}

/// A trial handed to a worker.
public struct StudyClaim: Sendable, Equatable {
    public var number: Int
    public var params: [String: SearchValue]
    public var seed: UInt64
    /// The chain's first trial when this one is a retry of a lost trial.
    public var retryOf: Int?
    /// Retries in the chain up to this trial (0 for a first run).
    public var retries: Int
    /// Whether it came from the queue (`recur study enqueue`, or a lost trial's retry).
    public var wasQueued: Bool

    public init(number: Int, params: [String: SearchValue], seed: UInt64, retryOf: Int? = nil, retries: Int = 0, wasQueued: Bool = false) {
        self.number = number
        self.params = params
        self.seed = seed
        self.retryOf = retryOf
        self.retries = retries
        self.wasQueued = wasQueued
    }

    /// Whether it re-runs a lost trial.
    public var isRerun: Bool { retryOf != nil }
}

/// What a finished trial reports.
public struct TrialResult: Sendable {
    public var number: Int
    /// complete, pruned or failed.
    public var state: TrialState
    public var value: Double?
    /// Seconds it ran.
    public var seconds: Double
    public var error: String?
    public var metrics: SplitMetrics?
    public var epochs: Int?

    public init(number: Int, state: TrialState, value: Double?, seconds: Double, error: String? = nil,
                metrics: SplitMetrics? = nil, epochs: Int? = nil) {
        precondition(state != .running, "a result takes a final state")
        self.number = number
        self.state = state
        self.value = value.flatMap { $0.isFinite ? $0 : nil }
        self.seconds = seconds
        self.error = error
        self.metrics = metrics
        self.epochs = epochs
    }
}

/// A complete trial's model package, offered as the study's best.
public struct BestCandidate {
    /// Writes the package folder at the given path (atomically; `TrainedPackage.write`).
    public var write: (String) throws -> Void
    /// Its test metrics (reported, never used to choose).
    public var testMetrics: MetricSet?

    public init(write: @escaping (String) throws -> Void, testMetrics: MetricSet?) {
        self.write = write
        self.testMetrics = testMetrics
    }
}

/// How a commit went.
public enum CommitOutcome: Sendable, Equatable {
    /// Recorded; `newBest`: its package is now the study's best.
    case recorded(newBest: Bool)
    /// Not recorded: the trial was taken from this worker (its heartbeat lapsed) and is another
    /// worker's, or finished by it.
    case refused
    /// Recorded as failed because its package could not be kept (`reason`; the run stops).
    case packageFailed(reason: String)
}

extension StudyStore {
    public func runsElsewhere(token: String) throws -> Bool {
        try trials().contains { $0.state == .running && $0.workerToken != token }
    }

    /// Finishes a trial with no package to offer.
    @discardableResult
    public func finish(_ result: TrialResult, token: String) throws -> Bool {
        try commit(result, token: token, best: nil) != .refused
    }
}
