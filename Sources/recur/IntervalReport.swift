import Foundation
import RecurTrain

/// Text rendering of prediction-interval scores: per level, the model's coverage, mean width
/// and pinball loss on each part beside persistence's own intervals.
enum IntervalReport {
    /// Rows `name level coverage width pinball`; empty when nothing was scored.
    static func lines(_ entries: [(name: String, metrics: MetricSet?)]) -> [String] {
        let levels = Set(entries.flatMap { $0.metrics?.intervals?.keys.map { $0 } ?? [] }).sorted { Double($0)! < Double($1)! }
        guard !levels.isEmpty else { return [] }
        var lines = ["", "intervals                level  coverage  mean width   pinball"]
        for level in levels {
            for (name, m) in entries {
                guard let i = m?.intervals?[level] else { continue }
                lines.append(name.padding(toLength: 24, withPad: " ", startingAt: 0) + String(format: "%4@%%  %7.1f%%  %10.4f  %8.4f", level, i.coverage * 100, i.meanWidth, i.pinball))
            }
        }
        return lines
    }
}
