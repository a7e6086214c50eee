import RecurTrain

/// A valid native config the overrides are applied to.
let baseConfig = """
{
  "data": {"path": "data.csv", "date_column": "date", "target": "temp"},
  "window": {"n_past_steps": 6, "horizon": 2},
  "model": {"layers": [{"type": "lstm", "units": 8, "return_sequences": true}, {"type": "gru", "units": 4}]},
  "training": {"epochs": 2, "batch_size": 16, "optimizer": {"name": "adam", "learning_rate": 0.001}},
  "search": {"max_evals": 4, "space": {"training.optimizer.learning_rate": {"log_uniform": [0.0001, 0.1]}}}
}
"""

/// libFuzzer entry point: each line of the input is one `--set KEY.PATH=VALUE` argument,
/// applied in order to `baseConfig` and checked. Every input must end in a config or an error.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSet(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let overrides = text.split(separator: "\n", omittingEmptySubsequences: true).prefix(16).map(String.init)
    guard let config = try? RecurConfig.parse(baseConfig, file: "base.json", overrides: overrides) else { return 0 }
    _ = try? config.architecture()
    return 0
}
