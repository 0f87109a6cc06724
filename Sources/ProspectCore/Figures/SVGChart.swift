import Foundation

/// A line chart as inline SVG: axes with round ticks and their labels, axis titles with units,
/// one polyline per series (with optional markers), reference lines and labelled points.
///
/// The SVG is accessible: `role="img"`, a `<title>` and a `<desc>` (the alt text) that
/// `aria-labelledby` names; every string is escaped (`Markup.escape`). The report puts a table
/// of the same data beside each chart.
public struct SVGChart: Sendable {
    /// One axis: its title (with the unit in parentheses), its range and how ticks are labelled.
    public struct Axis: Sendable {
        public var title: String
        public var low: Double
        public var high: Double
        /// Tick values; nil: round values from `NiceTicks`.
        public var ticks: [Double]?
        /// log10 scale (low > 0).
        public var log: Bool
        public init(title: String, low: Double, high: Double, ticks: [Double]? = nil, log: Bool = false) {
            self.title = title
            self.low = low
            self.high = high
            self.ticks = ticks
            self.log = log
        }
    }

    /// One line of the chart.
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        /// A CSS colour.
        public var color: String
        /// An SVG dash pattern ("6 3"), nil for a solid line.
        public var dash: String?
        /// Draw a small circle at every point.
        public var markers: Bool
        /// Draw no line, only the markers.
        public var markersOnly: Bool
        public init(
            name: String, points: [(x: Double, y: Double)], color: String, dash: String? = nil, markers: Bool = false,
            markersOnly: Bool = false
        ) {
            self.name = name
            self.points = points
            self.color = color
            self.dash = dash
            self.markers = markers
            self.markersOnly = markersOnly
        }
    }

    /// A labelled point (an intersection, a chosen threshold).
    public struct Note: Sendable {
        public var x: Double
        public var y: Double
        public var label: String
        public init(x: Double, y: Double, label: String) {
            self.x = x
            self.y = y
            self.label = label
        }
    }

    public var id: String
    public var title: String
    /// The alt text: what the chart shows and what to read from it.
    public var description: String
    public var x: Axis
    public var y: Axis
    public var series: [Series]
    public var notes: [Note] = []
    /// Reference segments drawn grey and dashed (a ROC chart's diagonal), in data coordinates.
    public var guides: [[(x: Double, y: Double)]] = []
    public var width = 600.0
    public var height = 380.0

    public init(id: String, title: String, description: String, x: Axis, y: Axis, series: [Series]) {
        self.id = id
        self.title = title
        self.description = description
        self.x = x
        self.y = y
        self.series = series
    }

    /// Margins of the plot area: left for the y tick labels and title, bottom for the x ones,
    /// top for the title and legend.
    var left: Double { 70 }
    var right: Double { 20 }
    var top: Double { 44 + 18 * Double(legendRows - 1) }
    var bottom: Double { 52 }
    var legendRows: Int { max(1, Int((Double(series.count) / Double(legendColumns)).rounded(.up))) }
    /// Legend entries a row: three short names, two of up to 40 characters, else one.
    var legendColumns: Int {
        let longest = series.map(\.name.count).max() ?? 0
        return longest <= 24 ? 3 : longest <= 40 ? 2 : 1
    }

    func px(_ v: Double) -> Double { left + (width - left - right) * Self.fraction(v, x) }
    func py(_ v: Double) -> Double { height - bottom - (height - top - bottom) * Self.fraction(v, y) }

    /// Where `v` lies along the axis, 0 at `low` and 1 at `high` (in log10 for a log axis).
    public static func fraction(_ v: Double, _ a: Axis) -> Double {
        if a.log {
            let (l, h) = (log10(a.low), log10(a.high))
            return h > l ? (log10(max(v, a.low * 1e-3)) - l) / (h - l) : 0.5
        }
        return a.high > a.low ? (v - a.low) / (a.high - a.low) : 0.5
    }

    static func ticks(_ a: Axis) -> [Double] {
        if let t = a.ticks { return t }
        return a.log ? NiceTicks.logTicks(low: a.low, high: a.high) : NiceTicks.ticks(low: a.low, high: a.high)
    }

    static func label(_ v: Double, _ a: Axis, _ ticks: [Double]) -> String {
        if a.log { return String(format: "%g", v) }
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : max(abs(v), 1)
        return NiceTicks.label(v, step: step)
    }

    static func number(_ v: Double) -> String { String(format: "%.1f", v) }

    /// The chart as an `<svg>` element.
    public var svg: String {
        let e = Markup.escape
        let n = Self.number
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" id="\(e(id))" role="img" aria-labelledby="\(e(id))-title \(e(id))-desc" viewBox="0 0 \(n(width)) \(n(height))" width="\(n(width))" height="\(n(height))">
            <title id="\(e(id))-title">\(e(title))</title>
            <desc id="\(e(id))-desc">\(e(description))</desc>
            <rect x="0" y="0" width="\(n(width))" height="\(n(height))" fill="#fff"/>
            <text x="\(n(left))" y="18" class="chart-title" font-size="14" font-weight="bold">\(e(title))</text>

            """
        let (x0, x1, y0, y1) = (px(x.low), px(x.high), py(y.low), py(y.high))
        // Grid and ticks.
        let xt = Self.ticks(x)
        let yt = Self.ticks(y)
        for t in xt {
            let xx = px(t)
            s += "<line x1=\"\(n(xx))\" y1=\"\(n(y1))\" x2=\"\(n(xx))\" y2=\"\(n(y0))\" stroke=\"#e3e3e3\"/>"
            s += "<line x1=\"\(n(xx))\" y1=\"\(n(y0))\" x2=\"\(n(xx))\" y2=\"\(n(y0 + 5))\" stroke=\"#333\"/>"
            s += "<text x=\"\(n(xx))\" y=\"\(n(y0 + 18))\" text-anchor=\"middle\" font-size=\"11\">\(e(Self.label(t, x, xt)))</text>\n"
        }
        for t in yt {
            let yy = py(t)
            s += "<line x1=\"\(n(x0))\" y1=\"\(n(yy))\" x2=\"\(n(x1))\" y2=\"\(n(yy))\" stroke=\"#e3e3e3\"/>"
            s += "<line x1=\"\(n(x0 - 5))\" y1=\"\(n(yy))\" x2=\"\(n(x0))\" y2=\"\(n(yy))\" stroke=\"#333\"/>"
            s += "<text x=\"\(n(x0 - 8))\" y=\"\(n(yy + 4))\" text-anchor=\"end\" font-size=\"11\">\(e(Self.label(t, y, yt)))</text>\n"
        }
        s += "<rect x=\"\(n(x0))\" y=\"\(n(y1))\" width=\"\(n(x1 - x0))\" height=\"\(n(y0 - y1))\" fill=\"none\" stroke=\"#333\"/>\n"
        // Axis titles.
        s += "<text x=\"\(n((x0 + x1) / 2))\" y=\"\(n(height - 10))\" text-anchor=\"middle\" font-size=\"12\">\(e(x.title))</text>\n"
        s +=
            "<text x=\"16\" y=\"\(n((y0 + y1) / 2))\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 16 \(n((y0 + y1) / 2)))\">\(e(y.title))</text>\n"
        // Clip the data to the plot area.
        s +=
            "<clipPath id=\"\(e(id))-clip\"><rect x=\"\(n(x0))\" y=\"\(n(y1))\" width=\"\(n(x1 - x0))\" height=\"\(n(y0 - y1))\"/></clipPath>\n"
        s += "<g clip-path=\"url(#\(e(id))-clip)\">\n"
        for g in guides where g.count >= 2 {
            s +=
                "<polyline fill=\"none\" stroke=\"#999\" stroke-dasharray=\"4 4\" points=\"\(g.map { "\(n(px($0.x))),\(n(py($0.y)))" }.joined(separator: " "))\"/>\n"
        }
        for series in self.series {
            let finite = series.points.filter { $0.x.isFinite && $0.y.isFinite }
            if !series.markersOnly, finite.count >= 2 {
                let dash = series.dash.map { " stroke-dasharray=\"\(e($0))\"" } ?? ""
                s +=
                    "<polyline class=\"series\" fill=\"none\" stroke=\"\(e(series.color))\" stroke-width=\"2\"\(dash) points=\"\(finite.map { "\(n(px($0.x))),\(n(py($0.y)))" }.joined(separator: " "))\"><title>\(e(series.name))</title></polyline>\n"
            }
            if series.markers || series.markersOnly {
                for p in finite {
                    s += "<circle cx=\"\(n(px(p.x)))\" cy=\"\(n(py(p.y)))\" r=\"3\" fill=\"\(e(series.color))\"/>"
                }
                s += "\n"
            }
        }
        s += "</g>\n"
        for note in notes where note.x.isFinite && note.y.isFinite {
            let (nx, ny) = (px(note.x), py(note.y))
            let anchor = nx > (x0 + x1) / 2 ? "end" : "start"
            let dx = anchor == "end" ? -8.0 : 8.0
            // Above the point, unless that would leave the plot: then below it.
            let ly = ny - 8 < y1 + 12 ? ny + 18 : ny - 8
            s += "<circle cx=\"\(n(nx))\" cy=\"\(n(ny))\" r=\"5\" fill=\"none\" stroke=\"#000\" stroke-width=\"2\"/>"
            s +=
                "<text x=\"\(n(nx + dx))\" y=\"\(n(ly))\" text-anchor=\"\(anchor)\" font-size=\"11\" paint-order=\"stroke\" stroke=\"#fff\" stroke-width=\"3\">\(e(note.label))</text>\n"
        }
        // Legend: up to three entries a row above the plot.
        for (k, series) in self.series.enumerated() {
            let row = Double(k / legendColumns)
            let col = Double(k % legendColumns)
            let lx = x0 + col * (x1 - x0) / Double(legendColumns)
            let ly = 34 + 18 * row
            if series.markersOnly {
                s += "<circle cx=\"\(n(lx + 9))\" cy=\"\(n(ly - 4))\" r=\"3\" fill=\"\(e(series.color))\"/>"
            } else {
                let dash = series.dash.map { " stroke-dasharray=\"\(e($0))\"" } ?? ""
                s +=
                    "<line x1=\"\(n(lx))\" y1=\"\(n(ly - 4))\" x2=\"\(n(lx + 18))\" y2=\"\(n(ly - 4))\" stroke=\"\(e(series.color))\" stroke-width=\"2\"\(dash)/>"
            }
            s += "<text x=\"\(n(lx + 24))\" y=\"\(n(ly))\" font-size=\"11\">\(e(series.name))</text>\n"
        }
        s += "</svg>"
        return s
    }
}

/// A horizontal bar chart as inline SVG: one bar per label, optional error bars (± one
/// standard error), a zero line, an axis with round ticks and its title. Accessible as
/// `SVGChart`.
public struct SVGBarChart: Sendable {
    public struct Bar: Sendable {
        public var label: String
        public var value: Double
        /// ± this around the value, drawn as a whisker; nil: none.
        public var error: Double?
        public init(label: String, value: Double, error: Double? = nil) {
            self.label = label
            self.value = value
            self.error = error
        }
    }

    public var id: String
    public var title: String
    public var description: String
    /// The value axis' title, with its unit.
    public var axisTitle: String
    public var bars: [Bar]
    public var width = 600.0
    public var color = "#3b528b"

    public init(id: String, title: String, description: String, axisTitle: String, bars: [Bar]) {
        self.id = id
        self.title = title
        self.description = description
        self.axisTitle = axisTitle
        self.bars = bars
    }

    public var svg: String {
        let e = Markup.escape
        let n = SVGChart.number
        let labelWidth = min(220, 20 + 6.5 * Double(bars.map(\.label.count).max() ?? 4))
        let (left, right, top, rowHeight) = (labelWidth, 24.0, 36.0, 22.0)
        let height = top + rowHeight * Double(max(1, bars.count)) + 48
        var low = min(0, bars.map { $0.value - ($0.error ?? 0) }.min() ?? 0)
        var high = max(0, bars.map { $0.value + ($0.error ?? 0) }.max() ?? 1)
        if low == high { (low, high) = (0, 1) }
        let ticks = NiceTicks.ticks(low: low, high: high)
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        low = min(low, ticks.first ?? low)
        high = max(high, ticks.last ?? high)
        let plotWidth = width - left - right
        func px(_ v: Double) -> Double { left + plotWidth * (v - low) / (high - low) }
        let bottom = top + rowHeight * Double(max(1, bars.count))
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" id="\(e(id))" role="img" aria-labelledby="\(e(id))-title \(e(id))-desc" viewBox="0 0 \(n(width)) \(n(height))" width="\(n(width))" height="\(n(height))">
            <title id="\(e(id))-title">\(e(title))</title>
            <desc id="\(e(id))-desc">\(e(description))</desc>
            <rect x="0" y="0" width="\(n(width))" height="\(n(height))" fill="#fff"/>
            <text x="8" y="18" font-size="14" font-weight="bold">\(e(title))</text>

            """
        for t in ticks {
            s += "<line x1=\"\(n(px(t)))\" y1=\"\(n(top))\" x2=\"\(n(px(t)))\" y2=\"\(n(bottom))\" stroke=\"#e3e3e3\"/>"
            s += "<line x1=\"\(n(px(t)))\" y1=\"\(n(bottom))\" x2=\"\(n(px(t)))\" y2=\"\(n(bottom + 5))\" stroke=\"#333\"/>"
            s +=
                "<text x=\"\(n(px(t)))\" y=\"\(n(bottom + 18))\" text-anchor=\"middle\" font-size=\"11\">\(e(NiceTicks.label(t, step: step)))</text>\n"
        }
        for (k, bar) in bars.enumerated() {
            let y = top + rowHeight * Double(k)
            let (a, b) = (px(min(0, bar.value)), px(max(0, bar.value)))
            s += "<text x=\"\(n(left - 8))\" y=\"\(n(y + rowHeight / 2 + 4))\" text-anchor=\"end\" font-size=\"11\">\(e(bar.label))</text>"
            s +=
                "<rect x=\"\(n(a))\" y=\"\(n(y + 4))\" width=\"\(n(max(0.5, b - a)))\" height=\"\(n(rowHeight - 8))\" fill=\"\(e(color))\"><title>\(e(bar.label)): \(e(String(format: "%.4g", bar.value)))</title></rect>"
            if let err = bar.error, err.isFinite, err > 0 {
                let (l, r, m) = (px(bar.value - err), px(bar.value + err), y + rowHeight / 2)
                s += "<line x1=\"\(n(l))\" y1=\"\(n(m))\" x2=\"\(n(r))\" y2=\"\(n(m))\" stroke=\"#000\"/>"
                s += "<line x1=\"\(n(l))\" y1=\"\(n(m - 4))\" x2=\"\(n(l))\" y2=\"\(n(m + 4))\" stroke=\"#000\"/>"
                s += "<line x1=\"\(n(r))\" y1=\"\(n(m - 4))\" x2=\"\(n(r))\" y2=\"\(n(m + 4))\" stroke=\"#000\"/>"
            }
            s += "\n"
        }
        s += "<line x1=\"\(n(px(0)))\" y1=\"\(n(top))\" x2=\"\(n(px(0)))\" y2=\"\(n(bottom))\" stroke=\"#333\"/>\n"
        s += "<line x1=\"\(n(left))\" y1=\"\(n(bottom))\" x2=\"\(n(width - right))\" y2=\"\(n(bottom))\" stroke=\"#333\"/>\n"
        s +=
            "<text x=\"\(n(left + plotWidth / 2))\" y=\"\(n(height - 10))\" text-anchor=\"middle\" font-size=\"12\">\(e(axisTitle))</text>\n"
        s += "</svg>"
        return s
    }
}
