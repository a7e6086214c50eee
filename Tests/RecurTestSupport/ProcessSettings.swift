import RecurTensor
import XCTest

/// The process-wide engine settings a test may change (engine parts, the split thresholds, the
/// worker pool, BLAS threads, the kernel level), captured so that the test can put them back as it found them.
/// Take one in `setUp` and call `restore()` in `tearDown`, or call `restoreProcessSettingsAfterTest()` in `setUp`.
public struct ProcessSettings {
    public let threadCount: Int
    public let minimumWork: Double
    public let minimumLoopWork: Double
    public let usePool: Bool
    public let blasThreads: Int
    public let kernelLevel: KernelLevel

    public init() {
        threadCount = Parallel.threadCount
        minimumWork = Parallel.minimumWork
        minimumLoopWork = Parallel.minimumLoopWork
        usePool = Parallel.usePool
        blasThreads = BLAS.threadCount
        kernelLevel = KernelLevel.current
    }

    public func restore() {
        Parallel.threadCount = threadCount
        Parallel.minimumWork = minimumWork
        Parallel.minimumLoopWork = minimumLoopWork
        Parallel.usePool = usePool
        BLAS.setThreadCount(blasThreads)
        _ = KernelLevel.select(kernelLevel)
    }
}

extension XCTestCase {
    /// Captures the process-wide engine settings now and restores them when the current test
    /// ends (call it in `setUp`).
    public func restoreProcessSettingsAfterTest() {
        let settings = ProcessSettings()
        addTeardownBlock { settings.restore() }
    }
}
