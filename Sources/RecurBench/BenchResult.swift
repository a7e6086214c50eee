/// What one run of RecurBench prints with `--json` (scripts/bench.sh and
/// scripts/bench_peers.py read these keys; keep them stable).
struct BenchReport: Encodable {
    /// `CPU model (architecture, N cores)`.
    let machine: String
    let blas: String
    let blasLibrary: String
    let kernels: String
    let engineKernels: String
    /// GFLOP/s on one thread: the engine's packed recurrent product at W3's step shape, OpenBLAS
    /// on the same product, and a plain 1024³ sgemm.
    let packedGemmGflops1Thread: Double
    let stepSgemmGflops1Thread: Double
    let sgemm1024Gflops1Thread: Double
    let blasThreads: Int
    let engineThreads: Int
    let workloads: [WorkloadResult]

    enum CodingKeys: String, CodingKey {
        case machine, blas, kernels, workloads
        case blasLibrary = "blas_library", engineKernels = "engine_kernels"
        case packedGemmGflops1Thread = "packed_gemm_gflops_1thread", stepSgemmGflops1Thread = "step_sgemm_gflops_1thread"
        case sgemm1024Gflops1Thread = "sgemm_1024_gflops_1thread"
        case blasThreads = "blas_threads", engineThreads = "engine_threads"
    }
}

/// One entry of `workloads`.
enum WorkloadResult: Encodable {
    case training(TrainingResult)
    case predictPhases(PredictPhasesResult)
    case tuningSliceExport(TuningSliceExport)
    case latency(LatencyResult)

    func encode(to encoder: Encoder) throws {
        switch self {
        case .training(let r): try r.encode(to: encoder)
        case .predictPhases(let r): try r.encode(to: encoder)
        case .tuningSliceExport(let r): try r.encode(to: encoder)
        case .latency(let r): try r.encode(to: encoder)
        }
    }
}

/// A training-throughput workload's measurement (seconds of the timed fit, wall clock).
struct TrainingResult: Encodable {
    let workload: String
    let summary: String
    let seconds: Double
    /// Samples trained in the timed fit (epochs × samples per epoch).
    let samples: Int
    let samplesPerSecond: Double
    /// The last epoch's mean training loss (scaled units).
    let finalLoss: Double
    let achievedGflops: Double
    let parameters: Int
    let epochs: Int
    let batchesPerEpoch: Int
    /// Prepared training samples (the timed fit may use the first `timedBatches × batch`).
    let trainSamplesAvailable: Int
    /// `real` or `synthetic`.
    let data: String
    /// W1 only: test RMSE in original units (degrees).
    var testRMSE: Double?
    var peakRSSMegabytes: Double
    /// With `--profile`: one more epoch of the same samples, phase by phase.
    var profile: StepProfile?

    enum CodingKeys: String, CodingKey {
        case workload, summary, seconds, samples, parameters, epochs, data
        case samplesPerSecond = "samples_per_second", finalLoss = "final_loss", achievedGflops = "achieved_gflops"
        case batchesPerEpoch = "batches_per_epoch", trainSamplesAvailable = "train_samples_available"
        case testRMSE = "test_rmse", peakRSSMegabytes = "peak_rss_mb", profile
    }
}

/// W4's phases in this process, milliseconds (best of 7).
struct PredictPhasesResult: Encodable {
    let workload = "W4-phases"
    let packageLoad: Double
    let architectureBuild: Double
    let fullReadClean: Double
    let forecastFullRead: Double
    let forecastTailRead: Double
    let model24Steps: Double
    /// Whether reading only the file's tail gave the same forecast as reading all of it.
    let tailEqualsFull: Bool

    enum CodingKeys: String, CodingKey {
        case workload
        case packageLoad = "package_load_ms", architectureBuild = "architecture_build_ms"
        case fullReadClean = "full_read_clean_ms", forecastFullRead = "forecast_full_read_ms"
        case forecastTailRead = "forecast_tail_read_ms", model24Steps = "model_24_steps_ms"
        case tailEqualsFull = "tail_equals_full"
    }
}

/// W5's export: what was written for the hyperopt + Keras peer (also W5.json beside the arrays).
struct TuningSliceExport: Encodable {
    let workload = "W5"
    let batch: Int
    let epochs: Int
    let steps: Int
    let features: Int
    let loss = "mae"
    let samples: Int
    let validationSamples: Int
    let since: String
    let until: String
    let overrides: [String]

    enum CodingKeys: String, CodingKey {
        case workload, batch, epochs, steps, features, loss, samples, since, until, overrides
        case validationSamples = "validation_samples"
    }
}

/// The settings of one exported workload (`<name>.json` beside its .npy arrays), for
/// scripts/bench_peers.py.
struct ExportedWorkload: Encodable {
    let workload: String
    let batch: Int
    let epochs: Int
    let steps: Int
    let features: Int
    /// `mae` or `mse`.
    let loss: String
    let samples: Int
    var timedBatches: Int?
    var targetOffset: Double?
    var targetScale: Double?

    enum CodingKeys: String, CodingKey {
        case workload, batch, epochs, steps, features, loss, samples
        case timedBatches = "timed_batches", targetOffset = "target_offset", targetScale = "target_scale"
    }
}
