import RecurTensor

/// The process-wide thread settings a run may narrow (BLAS threads, `Parallel.threadCount`),
/// changed for one scope and put back as they were when it ends, however it ends: a study or a
/// backtest that trains models side by side runs each on one thread, and what ran before and
/// after it (another command in the same process, a test) keeps its own settings.
public enum ThreadScope {
    /// Runs `body` with BLAS and the engine on `threads` threads (nothing changes when
    /// `threads` is nil), then restores both.
    public static func with<T>(threads: Int?, _ body: () throws -> T) rethrows -> T {
        guard let threads else { return try body() }
        let blas = BLAS.threadCount, parts = Parallel.threadCount
        BLAS.setThreadCount(threads)
        Parallel.threadCount = threads
        defer {
            BLAS.setThreadCount(blas)
            Parallel.threadCount = parts
        }
        return try body()
    }
}
