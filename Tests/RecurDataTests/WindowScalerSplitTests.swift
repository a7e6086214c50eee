import Foundation
import XCTest
@testable import RecurData

final class WindowScalerSplitTests: XCTestCase {
    /// n steps of 2 features: target i, feature 100 + i; `invalid` steps are NaN.
    func series(_ n: Int, invalid: Set<Int> = []) -> CleanSeries {
        var values: [Float] = []
        for i in 0..<n { values += invalid.contains(i) ? [.nan, .nan] : [Float(i), Float(100 + i)] }
        return CleanSeries(columns: ["y", "x"], timestamps: (0..<n).map { Int64($0) * 3600 }, stepSeconds: 3600, isRegular: true,
                           values: values, valid: (0..<n).map { !invalid.contains($0) })
    }

    func testWindowsShapesAndContents() throws {
        let s = series(10)
        let w = try s.windows(WindowSpec(nPastSteps: 3, horizon: 2))
        XCTAssertEqual(w.count, 6)
        XCTAssertEqual(w.xShape, [6, 3, 2])
        XCTAssertEqual(w.yShape, [6, 2])
        XCTAssertEqual(Array(w.x[0..<6]), [0, 100, 1, 101, 2, 102])
        XCTAssertEqual(Array(w.y[0..<2]), [3, 4])
        XCTAssertEqual(Array(w.y[10..<12]), [8, 9])
        XCTAssertEqual(w.targetSteps, [3, 4, 5, 6, 7, 8])
        let strided = try s.windows(WindowSpec(nPastSteps: 3, horizon: 1, stride: 3))
        XCTAssertEqual(strided.targetSteps, [3, 6, 9])
    }

    func testWindowsSkipInvalidSteps() throws {
        let w = try series(10, invalid: [4]).windows(WindowSpec(nPastSteps: 2))
        // Targets t need steps t-2...t valid: t = 2, 3 and 7, 8, 9.
        XCTAssertEqual(w.targetSteps, [2, 3, 7, 8, 9])
        XCTAssertFalse(w.x.contains { $0.isNaN })
    }

    func testWindowsInRangesAndContext() throws {
        let s = series(20)
        let inside = try s.windows(WindowSpec(nPastSteps: 3), range: 10..<15)
        XCTAssertEqual(inside.targetSteps, [13, 14])
        let context = try s.windows(WindowSpec(nPastSteps: 3), range: 10..<15, inputsMayPrecede: true)
        XCTAssertEqual(context.targetSteps, [10, 11, 12, 13, 14])
    }

    func testWindowErrors() throws {
        let s = series(5)
        XCTAssertEqual(dataError { try s.windows(WindowSpec(nPastSteps: 4, horizon: 2), what: "train") },
                       .tooFewRows(what: "train", have: 5, need: 6, nPastSteps: 4, horizon: 2))
        XCTAssertEqual(dataError { try series(6, invalid: [2]).windows(WindowSpec(nPastSteps: 3)) },
                       .noValidWindows(what: "the series", steps: 6, nPastSteps: 3, horizon: 1))
        XCTAssertEqual(dataError { try s.windows(WindowSpec(nPastSteps: 0)) },
                       .invalidSetting(key: "n_past_steps", value: "0", expected: "an integer ≥ 1"))
        XCTAssertEqual(dataError { try s.windows(WindowSpec(nPastSteps: 1, horizon: 0)) },
                       .invalidSetting(key: "horizon", value: "0", expected: "an integer ≥ 1"))
    }

    func testSplits() throws {
        let s = series(100)
        XCTAssertEqual(try s.split(.standard), SeriesSplit(train: 0..<60, validation: 60..<80, test: 80..<100))
        XCTAssertEqual(try s.split(.fractions(train: 0.7, validation: 0.15, test: 0.15)), SeriesSplit(train: 0..<70, validation: 70..<85, test: 85..<100))
        XCTAssertEqual(dataError { try s.split(.fractions(train: 0.6, validation: 0.2, test: 0.3)) },
                       .splitFractions(train: 0.6, validation: 0.2, test: 0.3))
        XCTAssertEqual(dataError { try s.split(.fractions(train: 1.2, validation: -0.2, test: 0)) },
                       .splitFractions(train: 1.2, validation: -0.2, test: 0))
        let overlapping = try s.split(.rows(train: 0..<50, validation: 40..<50, test: 50..<100))
        XCTAssertEqual(overlapping.validation, 40..<50)
        XCTAssertNotNil(dataError { try s.split(.rows(train: 0..<50, validation: 40..<50, test: 50..<101)) })
        // 1970-01-01 + 30 h and + 90 h.
        let byDate = try s.split(.dates(validationStart: "1970-01-02T06:00", testStart: "1970-01-04 18:00"))
        XCTAssertEqual(byDate, SeriesSplit(train: 0..<30, validation: 30..<90, test: 90..<100))
        XCTAssertNotNil(dataError { try s.split(.dates(validationStart: "soon", testStart: "1970-01-04")) })
        XCTAssertNotNil(dataError { try s.split(.dates(validationStart: "1970-01-04", testStart: "1970-01-02")) })
        let json = try JSONEncoder().encode(SplitSpec.rows(train: 0..<2000, validation: 1500..<2000, test: 2000..<3650))
        XCTAssertEqual(try JSONDecoder().decode(SplitSpec.self, from: json), .rows(train: 0..<2000, validation: 1500..<2000, test: 2000..<3650))
    }

    func testScalersFitOnTrainingOnlyAndRoundTrip() throws {
        let s = series(10, invalid: [1])
        let minMax = try Scaler.fit(.minMax, on: s, rows: 0..<5)
        XCTAssertEqual(minMax.offset, [0, 100])
        XCTAssertEqual(minMax.scale, [4, 4])
        let scaled = minMax.transform(s)
        XCTAssertEqual(scaled.value(step: 4), 1)
        XCTAssertEqual(scaled.value(step: 9), 2.25, "later data may leave [0, 1]")
        XCTAssertTrue(scaled.value(step: 1).isNaN)
        assertRoundTrip(minMax, s)

        let standard = try Scaler.fit(.standard, on: s, rows: 0..<5)
        // Valid training values 0, 2, 3, 4: mean 2.25, population std sqrt(2.1875).
        XCTAssertEqual(standard.offset[0], 2.25, accuracy: 1e-12)
        XCTAssertEqual(standard.scale[0], 2.1875.squareRoot(), accuracy: 1e-12)
        assertRoundTrip(standard, s)

        let constant = CleanSeries(columns: ["y"], timestamps: [0, 1, 2], stepSeconds: 1, isRegular: true, values: [5, 5, 5], valid: [true, true, true])
        XCTAssertEqual(try Scaler.fit(.minMax, on: constant).transform(constant.values), [0, 0, 0])
        XCTAssertEqual(try Scaler.fit(.standard, on: constant).scale, [1])
        XCTAssertEqual(try Scaler.fit(.none, on: s).transform(s.values).filter { !$0.isNaN }, s.values.filter { !$0.isNaN })

        let json = try JSONEncoder().encode(minMax)
        XCTAssertEqual(try JSONDecoder().decode(Scaler.self, from: json), minMax)
        XCTAssertNotNil(dataError { try Scaler.fit(.minMax, on: s, rows: 1..<2) })
    }

    func assertRoundTrip(_ scaler: Scaler, _ s: CleanSeries, file: StaticString = #filePath, line: UInt = #line) {
        let back = scaler.inverseTransform(scaler.transform(s.values))
        for (a, b) in zip(back, s.values) where !b.isNaN { XCTAssertEqual(a, b, accuracy: 1e-4, file: file, line: line) }
        let target = s.column(0).filter { !$0.isNaN }
        let restored = scaler.inverseTransformTarget(scaler.transform(target, feature: 0))
        for (a, b) in zip(restored, target) { XCTAssertEqual(a, b, accuracy: 1e-4, file: file, line: line) }
    }
}

/// A validation part inside the training part is counted and warned about; parts apart are not.
final class SplitOverlapTests: XCTestCase {
    func testOverlappingValidationRowsAreCountedAndWarnedAbout() {
        let seed = SeriesSplit(train: 0..<2000, validation: 1500..<2000, test: 2000..<3650)
        XCTAssertEqual(seed.validationStepsInTraining, 500)
        let warning = seed.overlapWarning ?? ""
        XCTAssertTrue(warning.contains("500 of the 500 validation steps"), warning)
        XCTAssertTrue(warning.contains("split.train_rows ending at 1500"), warning)
        let partly = SeriesSplit(train: 0..<1600, validation: 1500..<2000, test: 2000..<3650)
        XCTAssertEqual(partly.validationStepsInTraining, 100)
        XCTAssertTrue(partly.overlapWarning?.contains("100 of the 500") == true)
        let apart = SeriesSplit(train: 0..<1500, validation: 1500..<2000, test: 2000..<3650)
        XCTAssertEqual(apart.validationStepsInTraining, 0)
        XCTAssertNil(apart.overlapWarning)
        XCTAssertNil(SeriesSplit(train: 0..<10, validation: 10..<10, test: 10..<12).overlapWarning)
    }
}
