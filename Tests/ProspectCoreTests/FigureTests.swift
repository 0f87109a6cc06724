import Foundation
import ProspectCore
import Testing

@Suite struct FigureTests {
    @Test(arguments: [
        (0.0, 1.0, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (0.0, 100.0, [0, 20, 40, 60, 80, 100]),
        (-3.1, 2.2, [-3, -2, -1, 0, 1, 2]),
        (4.49e-6, 0.9545, [0.2, 0.4, 0.6, 0.8]),
    ])
    func ticksAreRoundAndInside(low: Double, high: Double, expected: [Double]) {
        let ticks = NiceTicks.ticks(low: low, high: high)
        #expect(ticks.count == expected.count)
        for (a, b) in zip(ticks, expected) { #expect(abs(a - b) < 1e-12) }
        #expect(ticks.allSatisfy { $0 >= low - 1e-12 && $0 <= high + 1e-12 })
    }

    @Test func tickLabelsCarryTheStepsDecimals() {
        #expect(NiceTicks.label(0.4, step: 0.2) == "0.4")
        #expect(NiceTicks.label(0.25, step: 0.05) == "0.25")
        #expect(NiceTicks.label(2000, step: 500) == "2000")
        #expect(NiceTicks.label(-0.0, step: 1) == "0")
    }

    @Test func logTicksArePowersOfTen() {
        #expect(NiceTicks.logTicks(low: 4.49e-6, high: 0.9545) == [1e-5, 1e-4, 1e-3, 1e-2, 1e-1])
        #expect(NiceTicks.logTicks(low: 0.01, high: 100) == [0.01, 0.1, 1, 10, 100])
    }

    @Test func escapingCoversMarkup() {
        #expect(
            Markup.escape("<script>alert('x') & \"y\"</script>") == "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;")
        #expect(Markup.escape("plain ≥ text") == "plain ≥ text")
    }

    @Test func chartIsAccessibleAndEscaped() {
        let chart = SVGChart(
            id: "c1", title: "ROC <b>curve</b>", description: "alt & text",
            x: .init(title: "false-positive rate", low: 0, high: 1), y: .init(title: "true-positive rate", low: 0, high: 1),
            series: [.init(name: "fit <i>", points: [(0, 0), (0.5, 0.8), (1, 1)], color: "#d95f02")])
        let svg = chart.svg
        #expect(svg.contains("role=\"img\""))
        #expect(svg.contains("aria-labelledby=\"c1-title c1-desc\""))
        #expect(svg.contains("<title id=\"c1-title\">ROC &lt;b&gt;curve&lt;/b&gt;</title>"))
        #expect(svg.contains("<desc id=\"c1-desc\">alt &amp; text</desc>"))
        #expect(!svg.contains("<b>") && !svg.contains("<i>"))
        // Six ticks a side, each labelled, and both axis titles.
        for label in ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"] { #expect(svg.components(separatedBy: ">\(label)</text>").count - 1 == 2) }
        #expect(svg.contains(">false-positive rate</text>") && svg.contains(">true-positive rate</text>"))
        // The point (0.5, 0.8) lands at the plot's proportional position.
        let plotLeft = 70.0
        let plotWidth = 600.0 - 70 - 20
        #expect(svg.contains(String(format: "%.1f,", plotLeft + 0.5 * plotWidth)))
    }

    @Test func barChartDrawsEveryBarWithItsError() {
        let chart = SVGBarChart(
            id: "b", title: "Importance", description: "d", axisTitle: "share (%)",
            bars: [.init(label: "a", value: 60, error: 5), .init(label: "b<", value: -20)])
        let svg = chart.svg
        #expect(svg.components(separatedBy: "<rect x=").count - 1 == 3)  // background and two bars
        #expect(svg.contains(">b&lt;</text>"))
        #expect(svg.contains(">share (%)</text>"))
    }

    @Test func rampEndsAndMiddleAreViridis() {
        let ramp = ColorRamp.viridis
        #expect(ramp.color(at: 0) == RGBA(0x44, 0x01, 0x54))
        #expect(ramp.color(at: 0.5) == RGBA(0x21, 0x91, 0x8C))
        #expect(ramp.color(at: 1) == RGBA(0xFD, 0xE7, 0x25))
        #expect(ramp.color(at: 2) == ramp.color(at: 1))
        #expect(
            ramp.stopValues(low: 0.001, high: 1, stretch: .log).enumerated().allSatisfy { k, v in
                abs(log10(v) - (-3 + 3 * Double(k) / 8)) < 1e-9
            })
    }

    @Test func fontAndDrawing() {
        // "I": a bar of three pixels at the top, the stem in the middle column.
        #expect(BitmapFont.pixel("I", x: 1, y: 0) && BitmapFont.pixel("I", x: 2, y: 3) && !BitmapFont.pixel("I", x: 0, y: 3))
        #expect(BitmapFont.ascii("≥ 5 km²") == ">= 5 km2")
        var image = RGBAImage(width: 20, height: 10)
        image.fill(x: -5, y: 2, width: 8, height: 3, .white)
        #expect(image[2, 3] == .white && image[3, 3].a == 0 && image[0, 0].a == 0)
        image.fill(x: 30, y: 30, width: 5, height: 5, .black)  // outside: nothing, no trap
        image.blend(x: 0, y: 3, RGBA(0, 0, 0, 128))
        #expect(image[0, 3].r == 127 && image[0, 3].a == 255)
        image.text("Hi", x: 0, y: 0, scale: 1, .black)
        #expect(image[0, 0] == .black)
    }
}
