import Foundation
import XCTest

/// The small hourly model the predict, evaluate and serve tests train: a series with a daily
/// cycle and a two-epoch LSTM of 4 units (6 past steps, horizon 2), trained by `recur train`.
enum SmallModel {
    /// `date,hr,temp` (or `header`) with a daily cycle, `hours` hours from 2020-01-01.
    static func series(hours: Int = 240, header: String = "date,hr,temp") -> String {
        var lines = [header]
        for i in 0..<hours {
            let v = 20 + 5 * sin(Double(i) * 2 * .pi / 24) + Double(i % 7) * 0.1
            lines.append(String(format: "2020-01-%02d,%d,%.2f", 1 + i / 24, i % 24, v))
        }
        return lines.joined(separator: "\n").appending("\n")
    }

    /// Trains the model on the CSV at `data` with a config written to `dir/config.json`, into
    /// the package `output`, and returns `output`.
    @discardableResult
    static func train(data: String, in dir: URL, output: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let config = dir.appendingPathComponent("config.json")
        try """
        {
          "data": {"path": "\(data)", "date_column": "date", "hour_column": "hr", "target": "temp"},
          "window": {"n_past_steps": 6, "horizon": 2},
          "model": {"layers": [{"type": "lstm", "units": 4}]},
          "training": {"epochs": 2, "batch_size": 16, "checkpoint": false},
          "output": {"directory": "\(dir.path)"}
        }
        """.write(to: config, atomically: true, encoding: .utf8)
        let r = try CLIRunner.run(["train", config.path, "--output", output, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr, file: file, line: line)
        return output
    }
}
