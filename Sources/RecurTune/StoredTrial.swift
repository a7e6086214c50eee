import Foundation
import RecurTrain

/// One trial as the study database keeps it: the sampler's view (`record`) plus timing, seed,
/// error, final metrics and the worker running it.
public struct StoredTrial: Equatable, Sendable {
    /// Number, parameters, state, objective value and per-epoch values.
    public var record: TrialRecord
    /// When the trial (its latest attempt) started, seconds since 1970.
    public var started: Double
    /// When it finished; nil while running.
    public var finished: Double?
    /// Seconds it ran (training, evaluation and packaging).
    public var seconds: Double?
    /// The training seed.
    public var seed: UInt64
    /// Why it failed.
    public var error: String?
    /// Final metrics on the training and validation parts (never the test part).
    public var metrics: SplitMetrics?
    /// Epochs trained.
    public var epochs: Int?
    /// The process running it: pid, host and a token of the runner inside that process.
    public var workerPID: Int32?
    public var workerHost: String?
    public var workerToken: String?
    /// The worker's last sign of life, seconds since 1970.
    public var heartbeat: Double?
    /// How many times the trial was started: 1 (> 1 only in studies of an earlier Recur,
    /// which re-ran a lost trial in place).
    public var attempts: Int
    /// The chain's first trial when this one is a retry of a lost trial (`StudyStore`).
    public var retryOf: Int?
    /// Retries in the chain up to this trial (0 for a first run).
    public var retries: Int

    public init(record: TrialRecord, started: Double, finished: Double? = nil, seconds: Double? = nil, seed: UInt64,
                error: String? = nil, metrics: SplitMetrics? = nil, epochs: Int? = nil, workerPID: Int32? = nil,
                workerHost: String? = nil, workerToken: String? = nil, heartbeat: Double? = nil, attempts: Int,
                retryOf: Int? = nil, retries: Int = 0) {
        self.record = record
        self.started = started
        self.finished = finished
        self.seconds = seconds
        self.seed = seed
        self.error = error
        self.metrics = metrics
        self.epochs = epochs
        self.workerPID = workerPID
        self.workerHost = workerHost
        self.workerToken = workerToken
        self.heartbeat = heartbeat
        self.attempts = attempts
        self.retryOf = retryOf
        self.retries = retries
    }

    public var number: Int { record.number }
    public var state: TrialState { record.state }
    public var params: [String: SearchValue] { record.params }
    public var value: Double? { record.value }
}

/// Parameters as a flat JSON object of plain JSON scalars (`{"training.optimizer.learning_rate": 0.001}`).
public enum ParamsJSON {
    struct Scalar: Codable {
        var value: SearchValue
        init(_ value: SearchValue) { self.value = value }
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) {
                value = .bool(b)
            } else if let x = try? c.decode(Double.self) {
                value = .number(x)
            } else {
                value = .string(try c.decode(String.self))
            }
        }
        func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch value {
            case let .number(x): try c.encode(x)
            case let .string(s): try c.encode(s)
            case let .bool(b): try c.encode(b)
            }
        }
    }

    /// Compact JSON text, keys sorted.
    public static func encode(_ params: [String: SearchValue]) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? e.encode(params.mapValues(Scalar.init))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    public static func decode(_ text: String) throws -> [String: SearchValue] {
        try JSONDecoder().decode([String: Scalar].self, from: Data(text.utf8)).mapValues(\.value)
    }

    /// The value as a JSON-ready object (for `JSONSerialization`).
    public static func plain(_ v: SearchValue) -> Any {
        switch v {
        case let .number(x): return x
        case let .string(s): return s
        case let .bool(b): return b
        }
    }
}
