import Foundation

/// Tick selection and labels for chart axes: round numbers ("nice numbers", Heckbert 1990),
/// powers of ten for log axes, and calendar-aligned instants for time axes.
public enum AxisTicks {
    /// A tick: its position in data units and its label.
    public typealias Tick = (value: Double, label: String)

    /// The nice number nearest `x` (> 0) among 1, 2, 5 and 10 times a power of ten;
    /// `round: false` returns the smallest such number at least `x`.
    public static func niceNumber(_ x: Double, round: Bool) -> Double {
        let exponent = Foundation.floor(Foundation.log10(x))
        let power = Foundation.pow(10, exponent)
        let fraction = x / power
        let nice: Double
        if round {
            nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return nice * power
    }

    /// The tick step for about `targetCount` ticks over `lower...upper`: 1, 2 or 5 times a power
    /// of ten. `integer` keeps it at least 1 (for epochs, trials, lags).
    public static func niceStep(lower: Double, upper: Double, targetCount: Int = 6, integer: Bool = false) -> Double {
        let span = upper - lower
        guard span > 0, span.isFinite else { return 1 }
        let step = niceNumber(span / Double(max(targetCount - 1, 1)), round: true)
        return integer ? max(step, 1) : step
    }

    /// Nice linear ticks: every multiple of ``niceStep(lower:upper:targetCount:integer:)`` within
    /// `lower...upper` (bounds included up to rounding), labelled with just enough decimals.
    public static func linear(lower: Double, upper: Double, targetCount: Int = 6, integer: Bool = false) -> [Tick] {
        guard lower.isFinite, upper.isFinite, upper >= lower else { return [] }
        return linear(lower: lower, upper: upper, step: niceStep(lower: lower, upper: upper, targetCount: targetCount, integer: integer))
    }

    /// Every multiple of `step` within `lower...upper`, labelled for that step.
    public static func linear(lower: Double, upper: Double, step: Double) -> [Tick] {
        guard lower.isFinite, upper.isFinite, upper >= lower, step > 0, step.isFinite else { return [] }
        let first = Foundation.ceil(lower / step - 1e-9), last = Foundation.floor(upper / step + 1e-9)
        guard last >= first, last - first < 1_000 else { return [] }
        return stride(from: first, through: last, by: 1).map { i in
            let value = i * step
            return (value, format(value, step: step))
        }
    }

    /// `lower...upper` widened outward to multiples of the nice step, for axes that should begin
    /// and end on a tick.
    public static func expandedRange(lower: Double, upper: Double, targetCount: Int = 6,
                                     integer: Bool = false) -> (lower: Double, upper: Double) {
        let step = niceStep(lower: lower, upper: upper, targetCount: targetCount, integer: integer)
        return (Foundation.floor(lower / step + 1e-9) * step, Foundation.ceil(upper / step - 1e-9) * step)
    }

    /// The label of a tick at `value` on an axis with tick spacing `step`: fixed-point with the
    /// decimals the step needs, the same on every tick (step 0.2: "0.0", "0.2", ..., "1.0"), and
    /// scientific notation ("1e-05", "2.5e+07") for very small steps or very large values.
    public static func format(_ value: Double, step: Double) -> String {
        guard value.isFinite else { return "" }
        let v = abs(value) < abs(step) * 1e-6 ? 0 : value  // no "-0" or "1.2e-17"
        let decimals = max(0, -Int(Foundation.floor(Foundation.log10(abs(step)) + 1e-9)))
        if decimals <= 5 && abs(v) < 1e7 { return String(format: "%.\(decimals)f", v) }
        let significant = max(1, Int(Foundation.floor(Foundation.log10(abs(v)))) + decimals + 1)
        return String(format: "%.\(min(significant, 6))g", v)
    }

    /// A compact label for a single value of any size (legends, colour bars): 4 significant digits.
    public static func formatValue(_ value: Double) -> String {
        guard value.isFinite else { return "" }
        if value == 0 { return "0" }
        if abs(value) >= 1e-3 && abs(value) < 1e6 {
            let decimals = max(0, 3 - Int(Foundation.floor(Foundation.log10(abs(value)))))
            var s = String(format: "%.\(decimals)f", value)
            if s.contains(".") {
                while s.hasSuffix("0") { s.removeLast() }
                if s.hasSuffix(".") { s.removeLast() }
            }
            return s
        }
        return String(format: "%.3g", value)
    }

    /// Ticks for a base-10 log axis over positive `lower...upper`: the powers of ten inside,
    /// with 2x and 5x added when the range spans fewer than three decades.
    public static func logarithmic(lower: Double, upper: Double) -> [Tick] {
        guard lower > 0, upper >= lower, upper.isFinite else { return [] }
        let lo = Int(Foundation.floor(Foundation.log10(lower))), hi = Int(Foundation.ceil(Foundation.log10(upper)))
        let multipliers: [Double] = upper / lower < 1_000 ? [1, 2, 5] : [1]
        var ticks: [Tick] = []
        for e in lo...hi {
            for m in multipliers {
                let value = m * Foundation.pow(10, Double(e))
                if value >= lower * (1 - 1e-9) && value <= upper * (1 + 1e-9) {
                    ticks.append((value, formatValue(value)))
                }
            }
        }
        return ticks
    }

    /// Ticks for a time axis over `lower...upper`, seconds since 1970 UTC: about `targetCount`
    /// instants at a round interval (seconds to decades; months and years follow the calendar),
    /// labelled `yyyy`, `yyyy-MM`, `yyyy-MM-dd`, `MM-dd HH:mm` or `HH:mm[:ss]` as the interval needs.
    public static func dateTime(lower: Double, upper: Double, targetCount: Int = 6) -> [Tick] {
        guard lower.isFinite, upper.isFinite, upper >= lower else { return [] }
        let span = max(upper - lower, 1)
        let minute = 60.0, hour = 3_600.0, day = 86_400.0
        let fixed: [Double] = [1, 2, 5, 10, 15, 30, minute, 2 * minute, 5 * minute, 10 * minute, 15 * minute,
                               30 * minute, hour, 2 * hour, 3 * hour, 6 * hour, 12 * hour, day, 2 * day, 7 * day, 14 * day]
        let limit = Double(targetCount) + 1
        if let step = fixed.first(where: { span / $0 <= limit }) {
            let first = Foundation.ceil(lower / step - 1e-9), last = Foundation.floor(upper / step + 1e-9)
            guard last >= first else { return [] }
            let multiDay = span > day
            return stride(from: first, through: last, by: 1).map { i in
                let t = i * step
                let c = utc(t)
                let label: String
                if step >= day { label = String(format: "%04d-%02d-%02d", c.year, c.month, c.day) }
                else if step < minute { label = String(format: "%02d:%02d:%02d", c.hour, c.minute, c.second) }
                else if multiDay { label = String(format: "%02d-%02d %02d:%02d", c.month, c.day, c.hour, c.minute) }
                else { label = String(format: "%02d:%02d", c.hour, c.minute) }
                return (t, label)
            }
        }
        // Calendar months and years.
        let months = [1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200]
        let approxMonth = 30.44 * day
        let stepMonths = months.first(where: { span / (Double($0) * approxMonth) <= limit }) ?? 1200
        let start = utc(lower)
        var index = start.year * 12 + (start.month - 1)           // months since year 0
        index = (index + stepMonths - 1) / stepMonths * stepMonths  // first aligned month at or after lower
        var ticks: [Tick] = []
        while ticks.count < 1_000 {
            let year = index / 12, month = index % 12 + 1
            let t = seconds(year: year, month: month)
            if t > upper + 1e-6 { break }
            if t >= lower - 1e-6 {
                ticks.append((t, stepMonths >= 12 ? String(format: "%04d", year) : String(format: "%04d-%02d", year, month)))
            }
            index += stepMonths
        }
        return ticks
    }

    struct CalendarFields { var year, month, day, hour, minute, second: Int }

    /// Civil UTC fields of `t` seconds since 1970 (proleptic Gregorian; Howard Hinnant's algorithm).
    static func utc(_ t: Double) -> CalendarFields {
        let total = Int64(Foundation.floor(t))
        let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let secondsOfDay = Int(total - days * 86_400)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return CalendarFields(year: Int(y), month: Int(m), day: Int(d), hour: secondsOfDay / 3_600,
                              minute: secondsOfDay % 3_600 / 60, second: secondsOfDay % 60)
    }

    /// Seconds since 1970 UTC of the first instant of `year`-`month`-01.
    static func seconds(year: Int, month: Int) -> Double {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64(month > 2 ? month - 3 : month + 9)
        let doy = (153 * mp + 2) / 5
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Double((era * 146_097 + doe - 719_468) * 86_400)
    }
}
