import Foundation
import RecurTrain

/// Where a study lives, as `StudyRunner` and `recur study` use it: the SQLite file
/// (`StudyStorage`, embedded, one host) or a PostgreSQL database shared by hosts
/// (`RecurTunePostgres.PostgresStudyStore`). Both keep the same semantics:
///
/// - a claim is one transaction: a queued trial first (`enqueue`), then a trial whose worker is
///   lost (re-run with the same number, parameters and seed, `attempts` + 1, at most
///   `maxRetries` times, then recorded failed), then, while fewer than `maxEvals` trials exist
///   (running ones count), a new trial numbered after the last;
/// - a worker holds a trial by its token: intermediate values, heartbeats and the commit of a
///   worker whose trial was taken from it change nothing (`commit` answers `.refused`);
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
    /// Times a lost trial is run again before it is recorded failed.
    public var maxRetries: Int
    /// SQLite only: the study's folder of running trials, where live runners hold lock files
    /// (`RunnerScratch`): a free lock means a dead runner whatever its heartbeat.
    public var scratch: String?

    public init(staleAfter: Double, maxRetries: Int = 2, scratch: String? = nil) {
        self.staleAfter = staleAfter
        self.maxRetries = maxRetries
        self.scratch = scratch
    }

    /// The error recorded on a trial whose worker was lost once more than `maxRetries` allows.
    public static func lostMessage(attempts: Int, maxRetries: Int) -> String {
        "its worker was lost on each of its \(attempts) attempt\(attempts == 1 ? "" : "s") (search.max_retries \(maxRetries)): recorded failed, not run again"
    }

    /// The grace period for heartbeats every `heartbeatSeconds`: 3 intervals.
    public static func grace(heartbeatSeconds: Double) -> Double { 3 * heartbeatSeconds }
}

/// A trial handed to a worker.
public struct StudyClaim: Sendable, Equatable {
    public var number: Int
    public var params: [String: SearchValue]
    public var seed: UInt64
    /// Whether it was held by a lost worker and is run again.
    public var isRerun: Bool
    /// Whether it came from the queue (`recur study enqueue`).
    public var wasQueued: Bool

    public init(number: Int, params: [String: SearchValue], seed: UInt64, isRerun: Bool, wasQueued: Bool = false) {
        self.number = number
        self.params = params
        self.seed = seed
        self.isRerun = isRerun
        self.wasQueued = wasQueued
    }
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
