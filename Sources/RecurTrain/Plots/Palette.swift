/// Colours for charts: a categorical palette for series and a sequential one for values.
public enum Palette {
    /// Ten distinguishable series colours (Tableau 10), as `#rrggbb`.
    public static let series = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    ]

    /// The `index`-th series colour, cycling.
    public static func color(_ index: Int) -> String { series[((index % series.count) + series.count) % series.count] }

    /// Viridis anchors (t = 0, 0.125, ..., 1): dark purple to yellow, perceptually uniform and
    /// readable in greyscale and by most colour-blind readers.
    static let viridis: [(Double, Double, Double)] = [
        (68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141),
        (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37),
    ]

    /// The viridis colour at `t` in [0, 1] (clamped), as `#rrggbb`.
    public static func viridis(_ t: Double) -> String {
        let x = t.isFinite ? min(max(t, 0), 1) * Double(viridis.count - 1) : 0
        let i = min(Int(x), viridis.count - 2), f = x - Double(i)
        let a = viridis[i], b = viridis[i + 1]
        func channel(_ u: Double, _ v: Double) -> String {
            let c = Int((u + (v - u) * f).rounded())
            let hex = String(c, radix: 16)
            return c < 16 ? "0" + hex : hex
        }
        return "#" + channel(a.0, b.0) + channel(a.1, b.1) + channel(a.2, b.2)
    }

    /// Text and line colours of the chart chrome.
    static let text = "#222222", tickText = "#444444", axis = "#555555", grid = "#e6e6e6"
}
