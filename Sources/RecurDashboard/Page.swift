import Foundation
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
        var svg = text
        if svg.hasPrefix("<?xml"), let end = svg.range(of: "?>") { svg = String(svg[end.upperBound...]) }
        var ids: [String] = []
        var search = svg.startIndex..<svg.endIndex
        while let r = svg.range(of: " id=\"", range: search) {
            guard let close = svg[r.upperBound...].firstIndex(of: "\"") else { break }
            ids.append(String(svg[r.upperBound..<close]))
            search = close..<svg.endIndex
        }
        for id in Set(ids) {
            svg = svg.replacingOccurrences(of: " id=\"\(id)\"", with: " id=\"\(key)-\(id)\"")
                .replacingOccurrences(of: "url(#\(id))", with: "url(#\(key)-\(id))")
        }
        if let r = svg.range(of: "<svg ") {
            svg.replaceSubrange(r, with: "<svg class=\"chart\" data-chart=\"\(escape(key))\" role=\"img\" ")
        }
        return svg.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A figure: a heading, the chart, and a caption.
    static func figure(_ chart: any Chart, key: String, heading: String, caption: String? = nil) -> String {
        var out = "<figure id=\"fig-\(escape(key))\"><figcaption><h3>\(escape(heading))</h3>"
        if let caption { out += "<p>\(caption)</p>" }
        return out + "</figcaption>\n" + inline(chart, key: key) + "\n</figure>\n"
    }

    /// A number for a table cell: 4 significant digits, `–` for none.
    static func number(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "–" }
        return AxisTicks.formatValue(v) == "0" && v != 0 ? String(format: "%.3g", v) : String(format: "%.4g", v)
    }

    static func time(_ t: Double?) -> String {
        guard let t, t.isFinite else { return "–" }
        return JSON.isoTime(t).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
    }
}
