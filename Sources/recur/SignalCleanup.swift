import Dispatch
import Foundation
import RecurTrain
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT and SIGTERM stop `recur` cleanly: the signals are taken off their default action and
/// delivered to a dispatch source on a queue of its own, whose handler removes what this process
/// was writing (`TemporaryPaths`: checkpoints, staging folders, a claimed package name, a study
/// runner's scratch and lock of life), says so, and exits 130 (SIGINT) or 143 (SIGTERM), the
/// shells' codes for those signals. A study's trials the process held stay `running` with
/// their lock free, so the next `recur tune` re-runs them.
enum SignalCleanup {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func install() {
        let queue = DispatchQueue(label: "recur.signals")
        for (number, name, code) in [(SIGINT, "SIGINT", Int32(130)), (SIGTERM, "SIGTERM", Int32(143))] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                TemporaryPaths.removeAllAndStop()
                RecurLog.logger.error("error: stopped by \(name); this run's temporary files are removed")
                fflush(nil)
                _exit(code)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Stops handling SIGINT and SIGTERM here (`recur serve`, whose server stops gracefully on
    /// them itself through its own signal sources and has no temporary files of a run to
    /// remove). The signals stay ignored by default, so that only those sources see them.
    static func uninstall() {
        for source in sources { source.cancel() }
        sources = []
    }
}
