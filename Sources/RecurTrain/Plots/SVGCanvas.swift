/// A minimal SVG builder: appends elements to a string, in pixels, with text escaped and every
/// number written finite (a non-finite coordinate is a bug upstream; it is written as 0 rather
/// than letting "NaN" into the file).
struct SVGCanvas {
    /// Canvas size in pixels.
    let width: Double, height: Double
    private(set) var body = ""

    /// The font stack for all text: DejaVu Sans is on most Linux machines, the others elsewhere.
    static let fontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
        body.reserveCapacity(16_384)
    }

    /// The complete document.
    func document(title: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="\(n(height))" \
        viewBox="0 0 \(n(width)) \(n(height))" font-family="\(Self.fontFamily)">
        <title>\(Self.escape(title))</title>
        <rect x="0" y="0" width="\(n(width))" height="\(n(height))" fill="#ffffff"/>
        \(body)</svg>

        """
    }

    mutating func raw(_ text: String) { body += text; body += "\n" }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double,
                       stroke: String, width: Double = 1, dash: String? = nil, opacity: Double? = nil) {
        var s = "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\""
        if let dash { s += " stroke-dasharray=\"\(dash)\"" }
        if let opacity { s += " stroke-opacity=\"\(n2(opacity))\"" }
        raw(s + "/>")
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String,
                       stroke: String? = nil, strokeWidth: Double = 1, opacity: Double? = nil) {
        var s = "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(max(0, w)))\" height=\"\(n(max(0, h)))\" fill=\"\(fill)\""
        if let stroke { s += " stroke=\"\(stroke)\" stroke-width=\"\(n(strokeWidth))\"" }
        if let opacity { s += " fill-opacity=\"\(n2(opacity))\"" }
        raw(s + "/>")
    }

    mutating func circle(_ cx: Double, _ cy: Double, r: Double, fill: String, stroke: String? = nil) {
        var s = "<circle cx=\"\(n(cx))\" cy=\"\(n(cy))\" r=\"\(n(r))\" fill=\"\(fill)\""
        if let stroke { s += " stroke=\"\(stroke)\" stroke-width=\"1\"" }
        raw(s + "/>")
    }

    /// A polyline through finite points; runs of points are split where a point is non-finite.
    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5,
                           dash: String? = nil, opacity: Double? = nil) {
        var head = "<polyline fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\" stroke-linejoin=\"round\" stroke-linecap=\"round\""
        if let dash { head += " stroke-dasharray=\"\(dash)\"" }
        if let opacity { head += " stroke-opacity=\"\(n2(opacity))\"" }
        head += " points=\""
        var current = "", count = 0
        for p in points + [(Double.nan, Double.nan)] {
            if p.0.isFinite && p.1.isFinite {
                current += (count == 0 ? "" : " ") + Self.number(p.0, decimals: 1) + "," + Self.number(p.1, decimals: 1)
                count += 1
            } else {
                if count >= 2 { raw(head + current + "\"/>") }
                current = ""
                count = 0
            }
        }
    }

    /// Text at (x, y) (y is the baseline). `anchor`: start, middle or end; `rotate` in degrees
    /// about (x, y); `halo` outlines it in white to stay legible over lines.
    mutating func text(_ x: Double, _ y: Double, _ string: String, size: Double = 12,
                       anchor: String = "start", fill: String = "#333333", weight: String? = nil,
                       rotate: Double? = nil, baseline: String? = nil, halo: Bool = false) {
        var s = "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" fill=\"\(fill)\""
        if halo { s += " stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"" }
        if anchor != "start" { s += " text-anchor=\"\(anchor)\"" }
        if let weight { s += " font-weight=\"\(weight)\"" }
        if let baseline { s += " dominant-baseline=\"\(baseline)\"" }
        if let rotate { s += " transform=\"rotate(\(n(rotate)) \(n(x)) \(n(y)))\"" }
        raw(s + ">" + Self.escape(string) + "</text>")
    }

    /// Escapes XML special characters and drops characters XML 1.0 forbids (most C0 controls).
    static func escape(_ string: String) -> String {
        var out = ""
        out.reserveCapacity(string.utf8.count)
        for scalar in string.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out += " "
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A coordinate with one decimal; non-finite values become 0, huge ones are clamped.
    func n(_ value: Double) -> String { Self.number(value, decimals: 1) }
    /// A fraction (opacity) with two decimals.
    func n2(_ value: Double) -> String { Self.number(value, decimals: 2) }

    static func number(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "0" }
        let scale = decimals == 1 ? 10.0 : 100.0
        let q = Int((min(max(value, -1e7), 1e7) * scale).rounded())
        let sign = q < 0 ? "-" : ""
        let a = abs(q), whole = a / Int(scale), fraction = a % Int(scale)
        guard fraction != 0 else { return "\(sign)\(whole)" }
        if decimals == 1 { return "\(sign)\(whole).\(fraction)" }
        let digits = fraction < 10 ? "0\(fraction)" : (fraction % 10 == 0 ? "\(fraction / 10)" : "\(fraction)")
        return "\(sign)\(whole).\(digits)"
    }

    /// Rough width of `string` in pixels at `size` (DejaVu Sans averages about 0.6 em).
    static func textWidth(_ string: String, size: Double) -> Double { Double(string.count) * size * 0.6 }
}
