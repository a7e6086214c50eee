import Foundation
import RecurTrain
import RecurTestSupport
import XCTest

/// A temporary folder with a small synthetic hourly series and configs with a search section.
final class StudyFixture {
    let folder: TemporaryFolder
    var dir: URL { folder.url }

    init() throws {
        folder = try TemporaryFolder("recur-study")
    }

    /// `date,hr,temp`: a daily cycle with a weekly wobble, `days` days.
    func writeSeries(days: Int = 12) throws -> String {
        var lines = ["date,hr,temp"]
        let start = Date(timeIntervalSince1970: 1_577_836_800) // 2020-01-01
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        for d in 0..<days {
            let date = f.string(from: start.addingTimeInterval(Double(d) * 86_400))
            for h in 0..<24 {
                let i = d * 24 + h
                let v = 20 + 5 * sin(Double(i) * 2 * .pi / 24) + Double(i % 7) * 0.1
                lines.append("\(date),\(h),\(String(format: "%.2f", v))")
            }
        }
        let url = dir.appendingPathComponent("series.csv")
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// A native config: LSTM(4) on 4 steps, `epochs` epochs, with `search` as given.
    func config(search: String, epochs: Int = 2, window: Int = 4) throws -> RecurConfig {
        let csv = try writeSeries()
        let text = """
        {
          "data": {"path": "\(csv)", "date_column": "date", "hour_column": "hr", "target": "temp"},
          "window": {"n_past_steps": \(window)},
          "model": {"layers": [{"type": "lstm", "units": 4}]},
          "training": {"epochs": \(epochs), "batch_size": 32, "seed": 7, "optimizer": {"name": "adam", "learning_rate": 0.01}},
          "output": {"directory": "\(dir.path)/runs"},
          "search": \(search)
        }
        """
        return try RecurConfig.parse(text, file: dir.appendingPathComponent("tiny.json").path, baseDirectory: dir.path)
    }

    var storagePath: String { dir.appendingPathComponent("runs/tiny.study.sqlite").path }

    /// The pid of a process that has exited.
    static func deadPID() throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        return p.processIdentifier
    }
}
