import ArgumentParser
import Foundation
import RecurTensor

/// `recur doctor`: what the engine runs on, and how fast its matrix products are.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the BLAS library, its kernels, threads and sgemm speed.")

    @Option(help: "Matrix size for the sgemm measurement.")
    var size = 1024

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        let cpu = CPUFeatures.current
        let info = BLAS.info
        let blasThreads = BLAS.threadCount  // as Recur.main set it (RECUR_THREADS, default 1)
        var threadReport: [(Int, Double)] = []
        for threads in Array(Set([1, cpu.logicalCores])).sorted() {
            BLAS.setThreadCount(threads)
            threadReport.append((threads, BLAS.measureGFLOPS(size: size)))
        }
        BLAS.setThreadCount(blasThreads)
        if json {
            var object: [String: Any] = [
                "version": RecurVersion.string, "cpu": cpu.modelName, "architecture": cpu.architecture,
                "cores": cpu.logicalCores, "blas_library": info.library, "blas_config": info.config,
                "kernels": info.kernels, "engine_kernels": KernelLevel.current.name, "requested_coretype": info.requestedCoreType ?? NSNull(),
                "reason": info.reason, "inherited_openblas_coretype": info.inheritedCoreType ?? NSNull(),
                "self_test_passed": info.selfTestPassed, "warnings": info.warnings,
                "blas_threads": blasThreads, "engine_threads": Parallel.threadCount,
            ]
            object["sgemm"] = threadReport.map { ["threads": $0.0, "size": size, "gflops": ($0.1 * 10).rounded() / 10] }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("recur \(RecurVersion.string)")
        print("CPU          \(cpu.modelName.isEmpty ? cpu.architecture : cpu.modelName) (\(cpu.architecture), \(cpu.logicalCores) cores)")
        print("BLAS         \(info.library)")
        print("config       \(info.config)")
        print("kernels      \(info.kernels) (requested \(info.requestedCoreType ?? "none"): \(info.reason))")
        if let inherited = info.inheritedCoreType { print("inherited    OPENBLAS_CORETYPE=\(inherited)") }
        print("engine       \(KernelLevel.current.name) kernels (recurrent products, gates, Adam; best here: \(KernelLevel.best.name))")
        print("self-test    \(info.selfTestPassed ? "passed" : "FAILED")")
        print("threads      engine \(Parallel.threadCount) (large layers split across cores), BLAS \(blasThreads) per product; RECUR_THREADS=N sets both")
        for (threads, gflops) in threadReport {
            print(String(format: "sgemm        %dx%d, %d thread%@: %.1f GFLOP/s", size, size, threads, threads == 1 ? "" : "s", gflops))
        }
        for w in info.warnings { print("warning      \(w)") }
    }
}
