import Foundation
import RecurData
import RecurNN
import RecurTensor

/// Options of `recur backtest`.
public struct BacktestOptions: Sendable {
    /// Whether every fold trains its own model or one model trained at the first origin is
    /// scored on every block.
    public enum Refit: String, Codable, CaseIterable, Sendable {
        /// Train a model per fold on everything before its origin (default).
        case every
        /// Train once at the first origin; later folds only move the origin.
        case once
    }

    /// Folds (origins), ≥ 1; default 5.
    public var folds = 5
    /// Steps between origins, which is also each fold's test block; nil: the config's test part
    /// divided by `folds`.
    public var step: Int?
    public var refit = Refit.every
    /// Folds trained at once, ≥ 1; default 1.
    public var jobs = 1
    /// Overrides `training.seed` (the same seed for every fold).
    public var seed: UInt64?
    /// Where the folds' packages and the chart go.
    public var outputDirectory: String
    /// Informational lines.
    public var log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }

    public init(outputDirectory: String) { self.outputDirectory = outputDirectory }
}

/// One fold of a backtest: its origin, the parts it trained and was scored on, and the
/// model's and the baselines' metrics on its test block (original units).
public struct BacktestFold: Codable, Sendable, Equatable {
    /// 1-based.
    public var fold: Int
    /// The first test step's timestamp (`YYYY-MM-DD HH:MM:SS`, UTC).
    public var origin: String
    /// The first test step's index in the cleaned series.
    public var originStep: Int
    /// Step ranges `[start, end)` of the parts the model was trained, validated and scored on.
    public var train: [Int]
    public var validation: [Int]
    public var test: [Int]
    /// Epochs of the model scored (the first fold's with `--refit once`).
    public var epochsRun: Int
    public var metrics: MetricSet?
    /// `persistence` and `seasonal_naive` on the same windows.
    public var baselines: [String: MetricSet]
}

/// Mean, spread (sample standard deviation; 0 for one fold), least and greatest of one figure
/// over the folds.
public struct Spread: Codable, Sendable, Equatable {
    public var mean: Double
    public var std: Double
    public var min: Double
    public var max: Double

    init?(_ values: [Double]) {
        let v = values.filter(\.isFinite)
        guard !v.isEmpty else { return nil }
        mean = v.reduce(0, +) / Double(v.count)
        let m = mean
        std = v.count > 1 ? (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1)).squareRoot() : 0
        min = v.min()!
        max = v.max()!
    }
}

/// RMSE and MAE over the folds of one forecaster, and its intervals' coverage and width.
public struct BacktestSummary: Codable, Sendable, Equatable {
    public var rmse: Spread?
    public var mae: Spread?
    /// By level as percent: coverage and mean width over the folds.
    public var coverage: [String: Spread]?
    public var meanWidth: [String: Spread]?

    init(_ metrics: [MetricSet?]) {
        rmse = Spread(metrics.compactMap { $0?.rmse })
        mae = Spread(metrics.compactMap { $0?.mae })
        let levels = Set(metrics.flatMap { $0?.intervals?.keys.map { $0 } ?? [] })
        if !levels.isEmpty {
            coverage = Dictionary(uniqueKeysWithValues: levels.compactMap { l in Spread(metrics.compactMap { $0?.intervals?[l]?.coverage }).map { (l, $0) } })
            meanWidth = Dictionary(uniqueKeysWithValues: levels.compactMap { l in Spread(metrics.compactMap { $0?.intervals?[l]?.meanWidth }).map { (l, $0) } })
        }
    }
}

/// The overall result of a backtest.
public struct BacktestOverall: Codable, Sendable, Equatable {
    public var model: BacktestSummary
    public var baselines: [String: BacktestSummary]
    /// Folds where the model's RMSE is below persistence's.
    public var foldsAheadOfPersistence: Int
    /// Folds where the model's RMSE is below seasonal naive's.
    public var foldsAheadOfSeasonalNaive: Int
}

/// What `recur backtest` reports (`--json`).
public struct BacktestResult: Codable, Sendable, Equatable {
    public var config: String?
    public var refit: BacktestOptions.Refit
    /// Steps between origins (each test block's length).
    public var step: Int
    public var seed: UInt64
    public var folds: [BacktestFold]
    public var overall: BacktestOverall
    /// The chart of the folds (SVG).
    public var chart: String?
    /// Where the folds' packages are.
    public var output: String
}

/// Errors of a backtest's settings, each saying what to change (exit 2).
public enum BacktestError: Error, CustomStringConvertible, Equatable, Sendable {
    case invalid(String)

    public var description: String {
        switch self { case let .invalid(m): return m }
    }
}

/// Rolling-origin evaluation (`recur backtest`).
///
/// With `K` folds and step `s` over a cleaned series of `N` steps, fold `f` (0-based) has its
/// origin at `o_f = N - (K - f)·s`; it trains on `[0, o_f - V)` (an expanding window), validates
/// (early stopping, checkpoints, interval calibration) on `[o_f - V, o_f)`, `V` being the
/// config's validation length on the whole series, and is scored on the test block
/// `[o_f, o_f + s)` beside persistence and seasonal naive, test inputs drawn from before the
/// origin as at forecast time. The default `s` is the config's test length over `K`, so the
/// folds tile the config's test part. `--refit once` trains only fold 0's model and scores it
/// on every block (its scaler and calibration).
///
/// Reproducibility: every fold trains with the same seed, each on one thread (BLAS and the
/// engine's own split set to one thread), so a fold's model and metrics do not depend on
/// `jobs` or on which fold ran first.
public enum Backtest {
    /// The smallest training part a fold may have, in steps: twice a window's span, and at
    /// least the validation length.
    static func minimumTrainSteps(_ config: RecurConfig, validation: Int) -> Int {
        max(2 * (config.window.nPastSteps + config.windowSpec.horizon), validation)
    }

    /// The folds' parts on a series of `count` steps.
    /// - Throws: `BacktestError.invalid` for folds or a step that leave a part too small.
    public static func folds(_ config: RecurConfig, count: Int, base: SeriesSplit, options: BacktestOptions) throws -> [SeriesSplit] {
        let K = options.folds
        guard K >= 1 else { throw BacktestError.invalid("--folds \(K) is invalid; expected at least 1 fold") }
        let H = config.windowSpec.horizon
        let V = base.validation.count
        let step = options.step ?? base.test.count / K
        if let s = options.step, s < H {
            throw BacktestError.invalid("--step \(s) is shorter than the horizon (\(H)); expected at least \(H) steps so that every test block holds a whole forecast")
        }
        guard step >= H, step >= 1 else {
            throw BacktestError.invalid("--folds \(K) leaves test blocks of \(step) steps (the test part's \(base.test.count) steps over \(K) folds), shorter than the horizon (\(H)); use at most \(max(base.test.count / max(H, 1), 1)) folds, or give --step")
        }
        let minimum = minimumTrainSteps(config, validation: V)
        let firstTrain = count - K * step - V
        guard firstTrain >= minimum else {
            let most = max((count - V - minimum) / step, 0)
            throw BacktestError.invalid("--folds \(K) with a step of \(step) leaves the first fold \(max(firstTrain, 0)) training steps (the series has \(count) steps, the validation part \(V)), fewer than the \(minimum) needed (twice the window's \(config.window.nPastSteps + H) steps, and at least the validation length); use at most \(most) folds or a smaller --step")
        }
        return (0..<K).map { f in
            let o = count - (K - f) * step
            return SeriesSplit(train: 0..<(o - V), validation: (o - V)..<o, test: o..<(o + step))
        }
    }

    /// `<output.directory>/<config name>-backtest-<UTC time>`.
    public static func defaultOutput(_ config: RecurConfig) -> String {
        ConfigPaths.join(config.output.directory, TrainingRun.runName(config).replacingOccurrences(of: "-", with: "-backtest-", options: [], range: nil))
    }

    /// Runs the backtest of `config` (its data read and cleaned once).
    public static func run(_ config: RecurConfig, options: BacktestOptions) throws -> BacktestResult {
        guard options.jobs >= 1 else { throw BacktestError.invalid("--jobs \(options.jobs) is invalid; expected at least 1") }
        let whole = try DataPreparation.prepare(config)
        let series = whole.series
        let splits = try folds(config, count: series.count, base: whole.split, options: options)
        let seed = options.seed ?? config.training.seed
        let step = splits[0].test.count

        // One thread per fold: the same numbers whatever --jobs is (restored when it ends).
        return try ThreadScope.with(threads: 1) {
            try runFolds(config, options: options, whole: whole, splits: splits, seed: seed, step: step)
        }
    }

    private static func runFolds(_ config: RecurConfig, options: BacktestOptions, whole: PreparedData, splits: [SeriesSplit],
                                 seed: UInt64, step: Int) throws -> BacktestResult {
        let series = whole.series

        func prepared(_ split: SeriesSplit) throws -> PreparedData {
            try DataPreparation.prepare(config, series: series, cleaning: whole.cleaning, policy: whole.policy,
                                        detectedSentinels: whole.detectedSentinels, split: split)
        }
        func train(_ k: Int) throws -> TrainedPackage {
            let path = ConfigPaths.join(options.outputDirectory, "fold-\(k + 1)")
            var o = TrainingOptions.silent(packagePath: path)
            o.seed = seed
            o.writePackage = false
            let package = try TrainingRun.train(config, prepared: try prepared(splits[k]), options: o).package
            try package.write(to: path)
            return package
        }
        func score(_ package: TrainedPackage, _ k: Int) throws -> BacktestFold {
            let split = splits[k]
            let manifest = package.manifest
            let target = series.column(0)
            let training = Array(target[split.train])
            let evaluator = Evaluator(members: package.members, input: ModelInput(manifest: manifest), quantiles: config.training.loss.quantiles)
            let input = evaluator.input
            let windows = try input.windows(input.augmented(series), range: split.test, inputsMayPrecede: true, stride: config.windowSpec.stride,
                                            what: "fold \(k + 1)'s test block")
            let samples = try input.samples(windows, name: "fold \(k + 1) test samples")
            let scores = try evaluator.score(samples, windows: windows, target: target, training: training, seasonality: whole.seasonality,
                                             intervals: manifest.intervals)
            let used = options.refit == .once ? splits[0] : split
            return BacktestFold(fold: k + 1, origin: Timestamps.format(series.timestamps[split.test.lowerBound], dateOnly: false),
                                originStep: split.test.lowerBound,
                                train: [used.train.lowerBound, used.train.upperBound],
                                validation: [used.validation.lowerBound, used.validation.upperBound],
                                test: [split.test.lowerBound, split.test.upperBound],
                                epochsRun: manifest.training.epochsRun, metrics: scores.model,
                                baselines: scores.baselines.compactMapValues { $0 })
        }

        var results = [BacktestFold?](repeating: nil, count: splits.count)
        var failure: Error?
        if options.refit == .once {
            let package = try train(0)
            options.log("fold 1: trained \(package.manifest.training.epochsRun) epochs on steps 0..<\(splits[0].train.upperBound)")
            for k in splits.indices { results[k] = try score(package, k) }
        } else {
            // Folds are handed out in order to `jobs` threads; each result lands in its own slot.
            let queue = FoldQueue(count: splits.count) { k in try score(try train(k), k) }
            let jobs = min(options.jobs, splits.count)
            if jobs == 1 {
                queue.work(log: options.log)
            } else {
                let group = DispatchGroup()
                for j in 0..<jobs {
                    group.enter()
                    let thread = Thread {
                        queue.work(log: options.log)
                        group.leave()
                    }
                    thread.name = "recur-fold-\(j)"
                    thread.stackSize = 16 << 20
                    thread.start()
                }
                group.wait()
            }
            results = queue.results
            failure = queue.failure
            if let failure { throw failure }
        }
        let folds = results.map { $0! }
        func ahead(_ name: String) -> Int {
            folds.filter { f in
                guard let m = f.metrics?.rmse, let b = f.baselines[name]?.rmse else { return false }
                return m < b
            }.count
        }
        let overall = BacktestOverall(
            model: BacktestSummary(folds.map(\.metrics)),
            baselines: ["persistence": BacktestSummary(folds.map { $0.baselines["persistence"] }),
                        "seasonal_naive": BacktestSummary(folds.map { $0.baselines["seasonal_naive"] })],
            foldsAheadOfPersistence: ahead("persistence"), foldsAheadOfSeasonalNaive: ahead("seasonal_naive"))
        var result = BacktestResult(config: config.sourceFile, refit: options.refit, step: step, seed: seed, folds: folds,
                                    overall: overall, chart: nil, output: options.outputDirectory)
        let chartPath = ConfigPaths.join(options.outputDirectory, "backtest.svg")
        try BacktestChart.chart(result).write(to: URL(fileURLWithPath: chartPath))
        result.chart = chartPath
        return result
    }
}

/// The SVG chart of a backtest: each fold's test RMSE for the model, persistence and seasonal
/// naive, by fold origin.
public enum BacktestChart {
    public static func chart(_ r: BacktestResult) -> LineChart {
        let x = r.folds.map { Double(Timestamps.parse($0.origin)?.seconds ?? Int64($0.fold)) }
        func series(_ name: String, _ values: [Double?], _ color: Int, dashed: Bool = false) -> LineChart.Series {
            LineChart.Series(name: name, x: x, y: values.map { $0 ?? .nan }, style: .lineWithMarkers, color: Palette.color(color), dashed: dashed)
        }
        return LineChart(title: "Backtest: test RMSE of \(r.folds.count) folds of \(r.step) steps (refit \(r.refit.rawValue))",
                         xLabel: "fold origin (UTC)", yLabel: "RMSE (target units)",
                         series: [series("model", r.folds.map { $0.metrics?.rmse }, 1),
                                  series("persistence", r.folds.map { $0.baselines["persistence"]?.rmse }, 2, dashed: true),
                                  series("seasonal naive", r.folds.map { $0.baselines["seasonal_naive"]?.rmse }, 3, dashed: true)],
                         xAxis: .dateTime)
    }
}

/// Hands folds out in order to the threads of a backtest and keeps their results.
private final class FoldQueue: @unchecked Sendable {
    let lock = NSLock()
    let body: (Int) throws -> BacktestFold
    var next = 0
    var results: [BacktestFold?]
    var failure: Error?

    init(count: Int, body: @escaping (Int) throws -> BacktestFold) {
        results = [BacktestFold?](repeating: nil, count: count)
        self.body = body
    }

    /// Runs folds until none is left or one failed.
    func work(log: (String) -> Void) {
        while true {
            let k: Int? = lock.withLock {
                guard failure == nil, next < results.count else { return nil }
                defer { next += 1 }
                return next
            }
            guard let k else { return }
            do {
                let fold = try body(k)
                lock.withLock { results[k] = fold }
                log(String(format: "fold %d/%d (origin %@): RMSE %.4f, persistence %.4f", k + 1, results.count, fold.origin,
                           fold.metrics?.rmse ?? .nan, fold.baselines["persistence"]?.rmse ?? .nan))
            } catch {
                lock.withLock { if failure == nil { failure = error } }
            }
        }
    }
}
