import Foundation
import XCTest
@testable import RecurData

/// Calendar features against hand-computed phases at known UTC timestamps, what a step can
/// carry, and window-relative scaling: its fitted scale, exact round trips, and the zero-scale error.
final class CalendarAndWindowScalingTests: XCTestCase {
    func t(_ text: String) -> Int64 { Timestamps.parse(text)!.seconds }

    func assertPair(_ f: CalendarFeature, _ time: String, phase: Double, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(f.phase(at: t(time)), phase, accuracy: 1e-12, "\(f.rawValue) at \(time)", file: file, line: line)
        let v = f.values(at: t(time))
        XCTAssertEqual(Double(v.sin), sin(2 * .pi * phase), accuracy: 1e-6, file: file, line: line)
        XCTAssertEqual(Double(v.cos), cos(2 * .pi * phase), accuracy: 1e-6, file: file, line: line)
    }

    func testDayOfYearUsesTheYearsOwnLength() {
        // 1981: not a leap year. 1 January is phase 0: sin 0, cos 1.
        assertPair(.dayOfYear, "1981-01-01", phase: 0)
        XCTAssertEqual(CalendarFeature.dayOfYear.values(at: t("1981-01-01")).sin, 0)
        XCTAssertEqual(CalendarFeature.dayOfYear.values(at: t("1981-01-01")).cos, 1)
        assertPair(.dayOfYear, "1981-12-31", phase: 364.0 / 365)
        // 2016: a leap year of 366 days. 29 February is day 60, 31 December day 366.
        assertPair(.dayOfYear, "2016-02-29", phase: 59.0 / 366)
        assertPair(.dayOfYear, "2016-12-31", phase: 365.0 / 366)
        assertPair(.dayOfYear, "2016-12-31 12:00", phase: 365.5 / 366)
        assertPair(.dayOfYear, "2017-01-01", phase: 0)
        assertPair(.dayOfYear, "2000-03-01", phase: 60.0 / 366)  // 2000 is a leap year (divisible by 400)
        assertPair(.dayOfYear, "1900-03-01", phase: 59.0 / 365)  // 1900 is not
    }

    func testHourMinuteAndWeekdayInUTC() {
        assertPair(.hourOfDay, "2016-02-29 06:00", phase: 0.25)
        assertPair(.hourOfDay, "2016-02-29 18:30", phase: 18.5 / 24)
        assertPair(.hourOfDay, "1981-01-01", phase: 0)
        assertPair(.minuteOfHour, "2016-02-29 18:15", phase: 0.25)
        assertPair(.minuteOfHour, "2016-02-29 18:59:30", phase: 3570.0 / 3600)
        // 2016-02-29 was a Monday (phase 0), 1981-01-01 a Thursday, 2016-12-31 a Saturday.
        assertPair(.dayOfWeek, "2016-02-29", phase: 0)
        assertPair(.dayOfWeek, "2016-02-29 12:00", phase: 0.5 / 7)
        assertPair(.dayOfWeek, "1981-01-01", phase: 3.0 / 7)
        assertPair(.dayOfWeek, "2016-12-31", phase: 5.0 / 7)
        // Before 1970 too.
        assertPair(.dayOfWeek, "1969-12-29", phase: 0)  // a Monday
        assertPair(.hourOfDay, "1969-12-31 23:00", phase: 23.0 / 24)
    }

    func testWhatAStepCanCarry() throws {
        XCTAssertFalse(CalendarFeature.hourOfDay.isCarried(byStep: 86_400))
        XCTAssertTrue(CalendarFeature.hourOfDay.isCarried(byStep: 3_600))
        XCTAssertFalse(CalendarFeature.minuteOfHour.isCarried(byStep: 3_600))
        XCTAssertTrue(CalendarFeature.minuteOfHour.isCarried(byStep: 600))
        XCTAssertTrue(CalendarFeature.dayOfYear.isCarried(byStep: 86_400))
        XCTAssertTrue(CalendarFeature.dayOfWeek.isCarried(byStep: 86_400))
        XCTAssertFalse(CalendarFeature.dayOfWeek.isCarried(byStep: 7 * 86_400))
        let daily = CalendarColumns(features: [.dayOfYear, .hourOfDay], leadSteps: 1, stepSeconds: 86_400)
        XCTAssertThrowsError(try daily.validate()) { error in
            guard case let DataError.invalidSetting(key, value, expected) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "data.calendar")
            XCTAssertEqual(value, "\"hour_of_day\"")
            XCTAssertTrue(expected.contains("remove it"), expected)
        }
        XCTAssertNoThrow(try CalendarColumns(features: [.dayOfYear, .dayOfWeek], leadSteps: 1, stepSeconds: 86_400).validate())
    }

    func testColumnsAreAppendedWithTheCalendarOfTheStepLeadStepsAhead() {
        let start = t("2016-12-30")
        let s = CleanSeries(columns: ["y"], timestamps: [start, start + 86_400], stepSeconds: 86_400, isRegular: true,
                            values: [1, .nan], valid: [true, false])
        let c = CalendarColumns(features: [.dayOfYear], leadSteps: 1, stepSeconds: 86_400)
        let a = c.appended(to: s)
        XCTAssertEqual(a.columns, ["y", "calendar.day_of_year.sin", "calendar.day_of_year.cos"])
        XCTAssertEqual(a.valid, s.valid)
        // Row 0 (30 December) carries 31 December's calendar; row 1 carries 1 January's.
        XCTAssertEqual(a.values[0], 1)
        XCTAssertEqual(Double(a.values[1]), sin(2 * .pi * 365 / 366), accuracy: 1e-6)
        XCTAssertEqual(Double(a.values[2]), cos(2 * .pi * 365 / 366), accuracy: 1e-6)
        XCTAssertTrue(a.values[3].isNaN)
        XCTAssertEqual(a.values[4], 0)
        XCTAssertEqual(a.values[5], 1)
    }

    /// A trending series with an extra feature: y_i = 0.5 i + sin(i), x_i = 100 + cos(i).
    func trending(_ n: Int) -> CleanSeries {
        var values: [Float] = []
        for i in 0..<n { values += [Float(0.5 * Double(i) + sin(Double(i))), Float(100 + cos(Double(i)))] }
        return CleanSeries(columns: ["y", "x"], timestamps: (0..<n).map { Int64($0) * 3600 }, stepSeconds: 3600, isRegular: true,
                           values: values, valid: [Bool](repeating: true, count: n))
    }

    func testWindowScaleIsTheRMSOfOneStepChangesOfTheTrainingPart() throws {
        let s = trending(40)
        let scaler = try Scaler.fit(.window, on: s, rows: 0..<20)
        let y = s.column(0).map(Double.init)
        let d = (1..<20).map { y[$0] - y[$0 - 1] }
        XCTAssertEqual(scaler.scale[0], (d.map { $0 * $0 }.reduce(0, +) / 19).squareRoot(), accuracy: 1e-9)
        let x = (0..<20).map { Double(s.value(step: $0, feature: 1)) }
        let mean = x.reduce(0, +) / 20
        XCTAssertEqual(scaler.offset[1], mean, accuracy: 1e-9)
        XCTAssertEqual(scaler.scale[1], (x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 20).squareRoot(), accuracy: 1e-9)
        XCTAssertEqual(try JSONDecoder().decode(Scaler.self, from: JSONEncoder().encode(scaler)), scaler)
    }

    func testWindowScalingIsRelativeToEachWindowAndRoundTripsExactly() throws {
        let s = trending(60)
        let scaler = try Scaler.fit(.window, on: s, rows: 0..<30)
        let raw = try s.windows(WindowSpec(nPastSteps: 5, horizon: 3))
        let scaled = scaler.scale(raw)
        let P = 5, F = 2, H = 3
        for i in 0..<raw.count {
            let a = Double(raw.x[(i * P + P - 1) * F])
            XCTAssertEqual(a, Double(s.value(step: raw.targetSteps[i] - 1)))
            XCTAssertEqual(scaled.x[(i * P + P - 1) * F], 0, "the last input target is the anchor")
            for k in 0..<P {
                XCTAssertEqual(Double(scaled.x[(i * P + k) * F]), (Double(raw.x[(i * P + k) * F]) - a) / scaler.scale[0], accuracy: 1e-5)
                XCTAssertEqual(Double(scaled.x[(i * P + k) * F + 1]), (Double(raw.x[(i * P + k) * F + 1]) - scaler.offset[1]) / scaler.scale[1], accuracy: 1e-4)
            }
        }
        // Inputs late in the series (levels far above the training part's) are as small as early ones.
        XCTAssertLessThan(scaled.x.map(abs).max()!, 10)
        // Targets back to original units: exact up to float rounding.
        let anchors = scaler.anchors(targetSteps: raw.targetSteps, target: s.column(0))
        let back = scaler.unscaleOutputs(scaled.y, anchors: anchors)
        XCTAssertEqual(back.count, raw.count * H)
        for (b, y) in zip(back, raw.y) { XCTAssertEqual(b, y, accuracy: 2 * y.ulp) }
        for i in 0..<raw.count {
            let one = scaler.unscaleTargets(Array(scaled.y[(i * H)..<((i + 1) * H)]), anchor: anchors[i])
            XCTAssertEqual(one, Array(back[(i * H)..<((i + 1) * H)]))
        }
    }

    func testGlobalScalingsThroughTheSamplePathAreBitIdenticalToScalingTheSeries() throws {
        let s = trending(30)
        for kind in [ScalerKind.minMax, .standard, .none] {
            let scaler = try Scaler.fit(kind, on: s, rows: 0..<20)
            let spec = WindowSpec(nPastSteps: 4, horizon: 2)
            let old = try scaler.transform(s).windows(spec)
            let new = scaler.scale(try s.windows(spec))
            XCTAssertEqual(new, old, "\(kind)")
            let anchors = scaler.anchors(targetSteps: new.targetSteps, target: s.column(0))
            XCTAssertEqual(scaler.unscaleOutputs(new.y, anchors: anchors), scaler.inverseTransformTarget(new.y), "\(kind)")
        }
    }

    func testAConstantTrainingTargetHasNoWindowScale() {
        var s = trending(20)
        for i in 0..<10 { s.values[i * 2] = 3 }
        XCTAssertThrowsError(try Scaler.fit(.window, on: s, rows: 0..<10)) { error in
            guard case let DataError.invalidSetting(key, _, expected) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "scaling")
            XCTAssertTrue(expected.contains("never changes"), expected)
            XCTAssertTrue(expected.contains("\"minmax\""), expected)
        }
        // A perfectly linear training part still has a scale (the RMS, not the std, of its changes).
        var line = trending(20)
        for i in 0..<20 { line.values[i * 2] = Float(i) }
        XCTAssertEqual(try Scaler.fit(.window, on: line, rows: 0..<10).scale[0], 1, accuracy: 1e-12)
    }
}
