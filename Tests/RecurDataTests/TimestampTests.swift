import XCTest
@testable import RecurData

final class TimestampTests: XCTestCase {
    func testISOForms() {
        XCTAssertEqual(Timestamps.parse("1970-01-01")?.seconds, 0)
        XCTAssertEqual(Timestamps.parse("1970-01-02")?.hasTime, false)
        XCTAssertEqual(Timestamps.parse("2006-09-25")?.seconds, 1_159_142_400)
        let day: Int64 = 1_159_142_400
        let t1345: Int64 = day + 49_500
        XCTAssertEqual(Timestamps.parse("2006-09-25 13:45")?.seconds, t1345)
        XCTAssertEqual(Timestamps.parse("2006-09-25T13:45:30Z")?.seconds, t1345 + 30)
        XCTAssertEqual(Timestamps.parse("2006-09-25T13:45:30.250")?.seconds, t1345 + 30)
        XCTAssertEqual(Timestamps.parse("2006-09-25T13:45:30-03:00")?.seconds, t1345 + 30 + 10_800)
        XCTAssertEqual(Timestamps.parse("1984-02-29")?.seconds, Timestamps.days(year: 1984, month: 2, day: 29) * 86_400)
        XCTAssertNil(Timestamps.parse("1985-02-29"))
        XCTAssertNil(Timestamps.parse("2006-13-01"))
        XCTAssertNil(Timestamps.parse("25/09/2006"))
        XCTAssertNil(Timestamps.parse("2006-09-25 24:00"))
        XCTAssertNil(Timestamps.parse("2006-09-25x"))
    }

    func testCivilRoundTripAndFormat() {
        for days in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            let (y, m, d) = Timestamps.civil(days: days)
            XCTAssertEqual(Timestamps.days(year: y, month: m, day: d), days)
        }
        XCTAssertEqual(Timestamps.format(1_159_142_400 + 3661), "2006-09-25 01:01:01")
        XCTAssertEqual(Timestamps.format(-1, dateOnly: true), "1969-12-31")
        XCTAssertEqual(Timestamps.describeDuration(3600), "1 hour")
        XCTAssertEqual(Timestamps.describeDuration(86_400 * 2), "2 days")
        XCTAssertEqual(Timestamps.describeDuration(900), "15 minutes")
    }
}
