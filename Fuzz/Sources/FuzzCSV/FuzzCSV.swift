import RecurData

/// libFuzzer entry point: CSV bytes through the reader, and when a time and a value column can be
/// inferred, through loading, cleaning and inspection (what `recur inspect` does to a file).
/// Every input must end in a value or a thrown error, never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let table = try? CSVReader.parse(bytes: bytes, fileName: "fuzz.csv") else { return 0 }
    for row in 0..<min(table.rowCount, 64) {
        for column in 0..<table.columnCount { _ = table.number(row: row, column: column) }
    }
    guard let source = TimeSeriesSource.infer(from: table, path: "fuzz.csv"),
          let raw = try? SeriesLoader.load(source, table: table) else { return 0 }
    _ = try? SeriesCleaner.clean(raw)
    _ = try? DataInspector.inspect(raw: raw, source: source)
    return 0
}
