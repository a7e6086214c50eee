import Foundation
@testable import RecurTrain
import XCTest

final class ConfigErrorTests: XCTestCase {
    /// The error `text` (with `overrides`) raises; fails the test when there is none.
    func error(_ text: String, overrides: [String] = [], file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        configError(text, overrides: overrides, file: file, line: line)
    }

    /// `minimalNative` with `old` replaced by `new`.
    func variant(_ old: String, _ new: String) -> String {
        precondition(minimalNative.contains(old))
        return minimalNative.replacingOccurrences(of: old, with: new)
    }

    func testSyntaxErrorsNameFileLineAndColumnAfterComments() {
        let text = """
        {
          /* a block comment
             over two lines with é */ "data": {"path": "x.csv", // trailing comment
            "target": "v" "datetime_column": "t"},
        }
        """
        let e = error(text)
        XCTAssertEqual(e?.kind, .syntax)
        XCTAssertEqual(e?.location, SourceLocation(line: 4, column: 19))
        XCTAssertTrue(e?.description.hasPrefix("bad.json:4:19: error: expected ',' or '}'") ?? false, e?.description ?? "")
        XCTAssertEqual(e?.hint, "a comma is missing between two keys")

        XCTAssertEqual(error("{\n  \"a\": tru\n}")?.location, SourceLocation(line: 2, column: 8))
        XCTAssertEqual(error("{\"a\": 1 /* never closed")?.message, "a /* comment is never closed")
        XCTAssertEqual(error("{\"a\": 1, \"a\": 2}")?.message, "duplicate key `a` (first at line 1)")
        XCTAssertEqual(error("{\"a\": 'x'}")?.hint, "strings take double quotes")
        XCTAssertEqual(error("{\"a\": \"x}")?.location, SourceLocation(line: 1, column: 7))
    }

    func testUnknownKeysNameTheirPathAndSuggest() {
        let e = error(variant("\"epochs\": 5", "\"epocs\": 5"))
        XCTAssertEqual(e?.kind, .unknownKey)
        XCTAssertEqual(e?.keyPath, "training.epocs")
        XCTAssertEqual(e?.message, "unknown key `training.epocs`; did you mean `training.epochs`?")
        XCTAssertEqual(e?.location?.line, 4)
        XCTAssertTrue(e?.hint?.contains("batch_size") ?? false)
        XCTAssertEqual(error(variant("\"target\"", "\"targte\""))?.message, "unknown key `data.targte`; did you mean `data.target`?")
        XCTAssertEqual(error(variant("\"window\"", "\"windw\""))?.message, "unknown key `windw`; did you mean `window`?")
        XCTAssertEqual(error(minimalNative, overrides: ["training.zzz=1"])?.message, "unknown key `training.zzz`")
        // Keys of other layer types or optimizers are unknown here.
        XCTAssertEqual(error(minimalNative, overrides: ["model={\"layers\": [{\"type\": \"lstm\", \"units\": 4, \"reset_after\": true}]}"])?.keyPath,
                       "model.layers[0].reset_after")
        XCTAssertEqual(error(minimalNative, overrides: ["training.optimizer={\"name\": \"sgd\", \"beta1\": 0.9}"])?.keyPath,
                       "training.optimizer.beta1")
    }

    func testWrongTypesNameTheKeyAndTheExpectedType() {
        XCTAssertEqual(error(variant("\"epochs\": 5", "\"epochs\": -5"))?.message, "`training.epochs` must be an integer ≥ 1, got -5")
        XCTAssertEqual(error(variant("\"epochs\": 5", "\"epochs\": \"5\""))?.message, "`training.epochs` must be an integer ≥ 1, got \"5\"")
        XCTAssertEqual(error(variant("\"epochs\": 5", "\"epochs\": 2.5"))?.kind, .wrongType)
        XCTAssertEqual(error(minimalNative, overrides: ["training.shuffle=yes"])?.message, "`training.shuffle` must be true or false, got \"yes\"")
        XCTAssertEqual(error(minimalNative, overrides: ["data.features=\"a\""])?.message, "`data.features` must be an array of strings, got \"a\"")
        XCTAssertEqual(error(minimalNative, overrides: ["window=3"])?.message, "`window` must be an object, got 3")
        let e = error(minimalNative, overrides: ["training.optimizer=adamm"])
        XCTAssertEqual(e?.message, "`training.optimizer` must be one of \"sgd\", \"adam\", \"adamw\", \"rmsprop\", \"adagrad\" or \"adadelta\", got \"adamm\"")
        XCTAssertTrue(e?.hint?.contains("did you mean \"adam\"?") ?? false, e?.hint ?? "")
        XCTAssertTrue(e?.hint?.contains("--set training.optimizer=adamm") ?? false)
        XCTAssertEqual(error(minimalNative, overrides: ["training.loss=rmse"])?.keyPath, "training.loss")
        XCTAssertEqual(error(minimalNative, overrides: ["model={\"layers\": [{\"type\": \"lstm\", \"units\": \"many\"}]}"])?.message,
                       "`model.layers[0].units` must be a positive integer or \"auto\", got \"many\"")
    }

    func testOutOfRangeValues() {
        XCTAssertEqual(error(minimalNative, overrides: ["model={\"layers\": [{\"type\": \"lstm\", \"units\": 4, \"dropout\": 1.5}]}"])?.message,
                       "`model.layers[0].dropout` must be a number in [0, 1), got 1.5")
        XCTAssertEqual(error(minimalNative, overrides: ["model={\"width_rule\": {\"first\": {\"dropout\": 1.5}}}"])?.keyPath,
                       "model.width_rule.first.dropout")
        let split = error(minimalNative, overrides: ["split={\"train\": 0.7, \"validation\": 0.2, \"test\": 0.2}"])
        XCTAssertEqual(split?.keyPath, "split")
        XCTAssertEqual(split?.message, "the split fractions `split.train`, `split.validation` and `split.test` must sum to 1, got 0.7 + 0.2 + 0.2 = 1.1")
        XCTAssertEqual(error(minimalNative, overrides: ["split.train_rows=[10, 5]", "split.validation_rows=[0,1]", "split.test_rows=[1,2]"])?.keyPath,
                       "split.train_rows")
        XCTAssertEqual(error(minimalNative, overrides: ["split.train=0.6", "split.train_until=2010-01-01"])?.kind, .conflict)
        XCTAssertEqual(error(minimalNative, overrides: ["data.which_minute=60"])?.message, "`data.which_minute` must be an integer in [0, 59], got 60")
        XCTAssertEqual(error(minimalNative, overrides: ["data.since=2010-02-30"])?.message, "`data.since` must be a date written YYYY-MM-DD, got \"2010-02-30\"")
        XCTAssertEqual(error(minimalNative, overrides: ["data.frequency=5m"])?.hint?.hasPrefix("write minutes as \"min\""), true)
        XCTAssertEqual(error(minimalNative, overrides: ["training.batch_size=0"])?.message, "`training.batch_size` must be an integer ≥ 1, got 0")
        XCTAssertEqual(error(minimalNative, overrides: ["training.early_stopping.monitor=val_los"])?.hint?.hasPrefix("did you mean \"val_loss\"?"), true)
        XCTAssertEqual(error(minimalNative, overrides: ["training.reduce_lr_on_plateau.factor=1"])?.message,
                       "`training.reduce_lr_on_plateau.factor` must be a number in (0, 1), got 1")
    }

    func testMissingAndConflictingKeys() {
        XCTAssertEqual(error(variant("\"epochs\": 5", "\"seed\": 5"))?.message, "`training.epochs` is required: an integer ≥ 1")
        XCTAssertEqual(error(variant("\"datetime_column\": \"time\", ", ""))?.keyPath, "data.datetime_column")
        XCTAssertEqual(error(minimalNative, overrides: ["data.date_column=d"])?.kind, .conflict)
        XCTAssertEqual(error(minimalNative, overrides: ["data.minute_column=m"])?.keyPath, "data.minute_column")
        XCTAssertEqual(error(minimalNative, overrides: ["data.station=A620"])?.keyPath, "data.station_column")
        XCTAssertEqual(error(minimalNative, overrides: ["model.layers=[{\"type\": \"lstm\", \"units\": 4}]", "model.width_rule={}"])?.kind, .conflict)
        XCTAssertEqual(error(minimalNative, overrides: ["model.layers=[{\"type\": \"lstm\", \"units\": 4}, {\"type\": \"dense\", \"units\": 2}]"])?.keyPath,
                       "model.layers[1].units")
        XCTAssertEqual(error(minimalNative, overrides: ["model.layers=[{\"type\": \"lstm\", \"units\": 4, \"return_sequences\": false}, {\"type\": \"gru\", \"units\": 4}]"])?.keyPath,
                       "model.layers[0].return_sequences")
        XCTAssertEqual(error(minimalNative, overrides: ["window.horizon=3", "window.strategy=recursive", "data.features=[\"x\"]"])?.keyPath,
                       "window.strategy")
    }

    func testSearchSpaceErrors() {
        func search(_ space: String, _ extra: String = "") -> ConfigError? {
            error(minimalNative, overrides: ["search={\(extra)\"space\": \(space)}"])
        }
        XCTAssertEqual(search("{\"training.batch_size\": {\"int\": [64, 8]}}")?.message,
                       "`search.space.training.batch_size.int` must be a range with low ≤ high, got [64, 8]")
        XCTAssertEqual(search("{\"training.batch_size\": {\"choice\": []}}")?.message,
                       "`search.space.training.batch_size.choice` must be a non-empty array of values, got []")
        XCTAssertEqual(search("{\"training.batch_size\": {\"choice\": [8]}}", "\"max_evals\": 0, ")?.message,
                       "`search.max_evals` must be an integer ≥ 1, got 0")
        let condition = search("{\"training.batch_size\": {\"choice\": [8]}, \"training.seed\": {\"int\": [1, 9], \"condition\": {\"parameter\": \"training.batch_sise\", \"in\": [8]}}}")
        XCTAssertEqual(condition?.keyPath, "search.space.training.seed.condition.parameter")
        XCTAssertTrue(condition?.message.contains("refers to `training.batch_sise`, which is not a parameter") ?? false, condition?.message ?? "")
        XCTAssertEqual(condition?.hint, "did you mean `training.batch_size`?")
        XCTAssertEqual(search("{\"training.seed\": {\"uniform\": [0, 1], \"log_uniform\": [1, 2]}}")?.kind, .conflict)
        XCTAssertEqual(search("{\"training.lr\": {\"log_uniform\": [0.0, 1]}}")?.keyPath, "search.space.training.lr.log_uniform")
        XCTAssertEqual(search("{\"training.epochs\": {\"uniform\": [1, 2]}}", "\"sampler\": \"grid\", ")?.keyPath, "search.space.training.epochs")
        let badName = search("{\"training.epocs\": {\"int\": [1, 5]}}")
        XCTAssertEqual(badName?.keyPath, "search.space.training.epocs")
        XCTAssertTrue(badName?.message.contains("did you mean `training.epochs`?") ?? false, badName?.message ?? "")
        XCTAssertEqual(search("{\"training.epochs\": {\"int\": [0, 5]}}")?.message.contains("must be an integer ≥ 1, got 0"), true)
    }

    func testOverrideErrors() {
        XCTAssertEqual(error(minimalNative, overrides: ["training.epochs"])?.kind, .override)
        let e = error(minimalNative, overrides: ["training.epochs.max=3"])
        XCTAssertEqual(e?.kind, .override)
        XCTAssertEqual(e?.keyPath, "training.epochs")
        XCTAssertEqual(e?.message, "--set training.epochs.max=3: `training.epochs` is a number, not an object, so it has no key `max`")
        XCTAssertEqual(e?.file, "bad.json")
        XCTAssertEqual(error(minimalNative, overrides: ["data..path=x"])?.kind, .override)
        XCTAssertEqual(error(minimalNative, overrides: ["model={\"layers\": [{\"type\": \"lstm\", \"units\": 4}]}", "model.layers[3].units=2"])?.kind, .override)
    }

    func testMissingFile() throws {
        XCTAssertThrowsError(try RecurConfig.load(path: "/nonexistent/run.json")) { error in
            let e = error as! ConfigError
            XCTAssertEqual(e.kind, .io)
            XCTAssertEqual(e.description.components(separatedBy: "\n").first, "/nonexistent/run.json: error: no config file at /nonexistent/run.json")
        }
    }

    func testErrorsFromAFileCarryItsPath() throws {
        let path = try writeTemporaryConfig("{\n  \"data\": {},\n}")
        XCTAssertThrowsError(try RecurConfig.load(path: path)) { error in
            XCTAssertTrue("\(error)".hasPrefix(path + ":2:11: error: `data.path` is required"), "\(error)")
        }
    }
}
