import Foundation
@testable import RecurTrain
import XCTest

/// docs/config.md's tables against the schema declarations (`ConfigKey`s): every table lists
/// exactly its object's keys, in order, with the declared default, so the documentation cannot
/// drift from the code.
final class ConfigDocsTests: XCTestCase {
    /// The tables of docs/config.md, in order: header cells, then rows of cells (backticks kept).
    func tables() throws -> [(header: [String], rows: [[String]])] {
        let url = ConfigTestPaths.repoRoot.appendingPathComponent("docs/config.md")
        let lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        var out: [(header: [String], rows: [[String]])] = []
        var inTable = false
        for line in lines {
            guard line.hasPrefix("|") else { inTable = false; continue }
            // Cells split at unescaped bars (`"a"` \| `"b"` is one cell).
            let cells = line.replacingOccurrences(of: "\\|", with: "\u{1}").split(separator: "|", omittingEmptySubsequences: false)
                .dropFirst().dropLast().map { $0.replacingOccurrences(of: "\u{1}", with: "|").trimmingCharacters(in: .whitespaces) }
            if cells.allSatisfy({ $0.allSatisfy { $0 == "-" } }) { continue }
            if inTable { out[out.count - 1].rows.append(cells) } else { out.append((cells, [])); inTable = true }
        }
        return out
    }

    /// The names in backticks of a key cell: "`beta1`, `beta2`" → ["beta1", "beta2"].
    func names(_ cell: String) -> [String] {
        cell.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
    }

    /// The keyed tables, in document order, with the schema each documents.
    func keyTables() throws -> [(rows: [[String]], header: [String], keys: [String], defaults: [String]?, what: String)] {
        func entry<S: ConfigSchema>(_ type: S.Type) -> (keys: [String], defaults: [String], what: String) {
            (S.documentation.map(\.key), S.documentation.map(\.defaultText), "\(S.self)")
        }
        let schemas = [entry(DataConfig.self), entry(CleaningConfig.self), entry(WindowConfig.self), entry(LayerConfig.self),
                       entry(WidthRule.self), entry(TrainingConfig.self), entry(OptimizerConfig.self), entry(OutputConfig.self),
                       entry(IntervalConfig.self), entry(SearchConfig.self)]
        let keyed = try tables().filter { $0.header.first == "key" }
        XCTAssertEqual(keyed.count, schemas.count, "docs/config.md has one key table per schema object")
        return zip(keyed, schemas).map { table, schema in
            (table.rows, table.header, schema.keys, table.header.firstIndex(of: "default").map { _ in schema.defaults }, schema.what)
        }
    }

    func testEveryTableListsItsObjectsKeysInOrder() throws {
        for t in try keyTables() {
            XCTAssertEqual(t.rows.flatMap { names($0[0]) }, t.keys, "docs/config.md's table of \(t.what)")
        }
    }

    func testEveryTableStatesTheDeclaredDefaults() throws {
        for t in try keyTables() where t.what != "LayerConfig" {  // layer defaults depend on the layer type
            guard let defaults = t.defaults, let column = t.header.firstIndex(of: "default") else { continue }
            for (row, declared) in zip(t.rows, defaults) {
                let documented = row[column].replacingOccurrences(of: "`", with: "")
                XCTAssertTrue(documented == declared || documented.hasPrefix(declared + " "),
                              "\(t.what).\(row[0]): docs/config.md says \(documented), the schema \(declared)")
            }
        }
    }

    func testLayerTableNamesTheLayersThatTakeEachKey() throws {
        let table = try XCTUnwrap(try tables().first { $0.header.first == "key" && $0.header.dropFirst().first == "applies to" })
        let recurrent = ["lstm", "gru", "simple_rnn"]
        for row in table.rows {
            for key in names(row[0]) {
                let declared = LayerConfig.schema.first { $0.name == key }?.appliesTo
                // The table's words for groups of layer kinds.
                let words = row[1].components(separatedBy: ", ").flatMap { word -> [String] in
                    switch word {
                    case "all": return LayerConfig.LayerType.allCases.map(\.rawValue)
                    case "recurrent": return recurrent
                    default: return [word]
                    }
                }
                XCTAssertEqual(Set(words), Set(declared ?? LayerConfig.LayerType.allCases.map(\.rawValue)), key)
            }
        }
    }

    func testOptimizerTableNamesTheOptimizersThatTakeEachKey() throws {
        let table = try XCTUnwrap(try tables().first { $0.header == ["key", "optimizers", "type", "meaning"] })
        for row in table.rows {
            for key in names(row[0]) {
                let declared = OptimizerConfig.schema.first { $0.name == key }?.appliesTo
                XCTAssertEqual(row[1], declared?.joined(separator: ", ") ?? "all", key)
            }
        }
    }

    func testTopLevelAndTemplateKeysAreDocumented() throws {
        let text = try String(contentsOf: ConfigTestPaths.repoRoot.appendingPathComponent("docs/config.md"), encoding: .utf8)
        let topLevel = try XCTUnwrap(text.components(separatedBy: "Top level: ").dropFirst().first?.components(separatedBy: ".").first)
        XCTAssertEqual(names(topLevel), RecurConfig.keyNames)
        let template = try XCTUnwrap(try tables().first { $0.header.first == "template key" })
        let documented = template.rows.flatMap { names($0[0]) }.map { String($0.split(separator: ".")[0]) }.filter { $0 != "dropout_range" }
        XCTAssertEqual(Set(documented), Set(TemplateConfig.keyNames))
    }
}
