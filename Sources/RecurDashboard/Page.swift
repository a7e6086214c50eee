import Foundation
import RecurData
import RecurTrain

/// The HTML around every page: head (the embedded style sheet), navigation, main, and the
/// embedded script; plus escaping and chart inlining. Nothing is fetched from elsewhere.
enum Page {
    /// Text for HTML element content and attribute values.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A URL path segment: everything but unreserved characters percent-encoded.
    static func segment(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")) ?? s
    }

    /// A complete page. `data` become `data-*` attributes of `<body>` (the script reads them).
    static func document(title: String, data: [String: String] = [:], body: String) -> String {
        let attributes = data.sorted { $0.key < $1.key }.map { " data-\($0.key)=\"\(escape($0.value))\"" }.joined()
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) · Recur</title>
        <link rel="icon" href="data:,">
        <style>\(Assets.css)</style>
        </head>
        <body\(attributes)>
        <header><a class="brand" href="/">Recur dashboard</a><nav><a href="/#studies">Studies</a> <a href="/#models">Models</a></nav><span id="live" class="live"></span></header>
        <main>
        \(body)
        </main>
        <script>\(Assets.script)</script>
        </body>
        </html>

        """
    }

    static func errorPage(status: Int, message: String) -> String {
        document(title: "Not found", body: "<h1>\(status == 404 ? "Not found" : "Error \(status)")</h1><p class=\"error\">\(escape(message))</p><p><a href=\"/\">All studies and models</a></p>")
    }

    /// A chart's SVG for inlining: without the XML declaration, its ids prefixed with `key` (two
    /// charts on one page would share `plot-area` otherwise, and clip each other), with
    /// `class="chart"` and `data-chart="key"`. A chart that cannot render leaves a message.
    static func inline(_ chart: any Chart, key: String) -> String {
        let svg: String
        do { svg = try chart.svg() } catch { return "<p class=\"error\">chart \(escape(key)) cannot be drawn: \(escape("\(error)"))</p>" }
        return inline(svg: svg, key: key)
    }

    static func inline(svg text: String, key: String) -> String {
        // One pass over the bytes (the intermediate-values chart of a large study is megabytes):
        // drop the XML declaration, prefix every `id="X"` and `url(#X)` with `key-`, and tag the
        // root element.
        var bytes = Array(text.utf8)
        if bytes.starts(with: Array("<?xml".utf8)), let end = Self.find(Array("?>".utf8), in: bytes, from: 0) {
            bytes.removeSubrange(0..<(end + 2))
        }
        let prefix = Array("\(key)-".utf8)
        let patterns = [Array(" id=\"".utf8), Array("url(#".utf8)]
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 256)
        var i = 0
        var tagged = false
        let root = Array("<svg ".utf8), rootTag = Array("<svg class=\"chart\" data-chart=\"\(escape(key))\" role=\"img\" ".utf8)
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: " ") || b == UInt8(ascii: "u") || b == UInt8(ascii: "<") {
                if !tagged, b == UInt8(ascii: "<"), Self.matches(root, bytes, at: i) {
                    out += rootTag
                    i += root.count
                    tagged = true
                    continue
                }
                if let p = patterns.first(where: { Self.matches($0, bytes, at: i) }) {
                    out += p
                    out += prefix
                    i += p.count
                    continue
                }
            }
            out.append(b)
            i += 1
        }
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func matches(_ pattern: [UInt8], _ bytes: [UInt8], at i: Int) -> Bool {
        guard i + pattern.count <= bytes.count else { return false }
        for k in 0..<pattern.count where bytes[i + k] != pattern[k] { return false }
        return true
    }

    static func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        var i = start
        while i + pattern.count <= bytes.count {
            if matches(pattern, bytes, at: i) { return i }
            i += 1
        }
        return nil
    }

    /// A figure: a heading, the chart, and a caption.
    static func figure(_ chart: any Chart, key: String, heading: String, caption: String? = nil) -> String {
        var out = "<figure id=\"fig-\(escape(key))\"><figcaption><h3>\(escape(heading))</h3>"
        if let caption { out += "<p>\(caption)</p>" }
        return out + "</figcaption>\n" + inline(chart, key: key) + "\n</figure>\n"
    }

    /// A number for a table cell: 4 significant digits, `–` for none.
    /// Between 1e-4 and 1e6 the value rounded to 4 significant digits in its shortest form
    /// (no `String(format:)`, slow on Linux and called for every cell of a 10,000-row table).
    static func number(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "–" }
        if v == 0 { return "0" }
        let magnitude = abs(v)
        guard magnitude >= 1e-4, magnitude < 1e6 else { return String(format: "%.3e", v) }
        let scale = Foundation.pow(10, 3 - Foundation.floor(Foundation.log10(magnitude)))
        let rounded = (v * scale).rounded() / scale
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
        return "\(rounded)"
    }

    static func time(_ t: Double?) -> String {
        guard let t, t.isFinite else { return "–" }
        return Timestamps.format(Int64(t.rounded(.down))) + " UTC"
    }
}
