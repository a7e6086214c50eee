import RecurTrain

/// libFuzzer entry point: config text (native or template) through the parser and every check
/// (`RecurConfig.parse`, what `recur train CONFIG` does before reading data), then the
/// architecture it describes. Every input must end in a config or a `ConfigError`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let config = try? RecurConfig.parse(text, file: "fuzz.json", baseDirectory: "/nonexistent") else { return 0 }
    _ = try? config.architecture()
    return 0
}
