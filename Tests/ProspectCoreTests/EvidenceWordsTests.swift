import Foundation
import Testing

@testable import ProspectCore

@Suite("A target's evidence in words")
struct EvidenceWordsTests {
    @Test("categorical: the dominant class by its legend name, a code only without one")
    func classes() {
        let legend = ["70": "Graphite paraschist", "12": "Quartzite"]
        #expect(EvidenceWords.classes("lithology", codes: [70, 70, 70], legend: legend) == "lithology = Graphite paraschist")
        #expect(EvidenceWords.classes("lithology", codes: [70, 70, 70], legend: nil) == "lithology = code 70")
        #expect(
            EvidenceWords.classes("lithology", codes: [70, 70, 70, 12], legend: legend)
                == "lithology = Graphite paraschist (75 % of the target)")
        // Below three quarters, the next classes follow until they cover it (at most three).
        #expect(
            EvidenceWords.classes("lithology", codes: [70, 70, 70, 12, 12, 5], legend: legend)
                == "lithology = Graphite paraschist (50 %), Quartzite (33 %)")
        #expect(
            EvidenceWords.classes("rock", codes: [1, 2, 3, 4, 5, 6, 7, 8], legend: nil)
                == "rock = code 1 (13 %), code 2 (13 %), code 3 (13 %)")
    }

    @Test("continuous: the interquartile range in the layer's unit")
    func range() {
        let values: [Float] = [100, 120, 200, 300, 480, 500, 1000]
        // numpy.percentile(values, [25, 75]) = [160, 490].
        #expect(EvidenceWords.range("fault_distance", values: values, unit: "m") == "fault_distance 160–490 m")
        #expect(EvidenceWords.range("fault_distance", values: values, unit: nil) == "fault_distance 160–490")
        #expect(EvidenceWords.range("magnetics", values: [-50, -40, -30, 10, 20], unit: "nT") == "magnetics −40 to 10 nT")
        #expect(EvidenceWords.range("k", values: [2.5, 2.5, 2.5], unit: "%") == "k 2.5 %")
    }

    @Test("quantiles interpolate as numpy's default")
    func quantiles() {
        let sorted: [Double] = [1, 2, 3, 4]
        #expect(EvidenceWords.quantile(sorted, 0.25) == 1.75)
        #expect(EvidenceWords.quantile(sorted, 0.75) == 3.25)
        #expect(EvidenceWords.quantile([7], 0.25) == 7)
    }

    @Test("numbers: three significant digits, no exponent, a minus sign")
    func numbers() {
        #expect(EvidenceWords.number(480) == "480")
        #expect(EvidenceWords.number(460.97723) == "461")
        #expect(EvidenceWords.number(12_345) == "12300")
        #expect(EvidenceWords.number(0.012345) == "0.0123")
        #expect(EvidenceWords.number(-35.24) == "−35.2")
        #expect(EvidenceWords.number(2.5) == "2.5")
        #expect(EvidenceWords.number(0) == "0")
        #expect(EvidenceWords.number(1e-7) == "0.0000001")
        #expect(EvidenceWords.percent(0.004) == "<1 %")
        #expect(EvidenceWords.percent(0.996) == ">99 %")
        #expect(EvidenceWords.percent(1) == "100 %")
    }

    static func row(_ layer: String, threshold: Float, direction: String) -> WofEClassRow {
        WofEClassRow(
            layer: layer, label: "", threshold: threshold, direction: direction, cells: 0, area: 0, deposits: 0,
            weights: WofEWeights(
                wPlus: 1, sWPlus: 0, wMinus: -1, sWMinus: 0, contrast: 2, sContrast: 0, studentizedContrast: 0, defined: true),
            selected: true)
    }

    @Test("weights of evidence: the side of the cut that raises the score, as training named it")
    func patterns() {
        // An ascending pattern x ≤ 480: the step is at 480's next float.
        let t: Float = 480
        let ascending = LayerTerm.step(threshold: t.nextUp, above: -1, below: 1)
        let row = Self.row("fault_distance", threshold: t, direction: "ascending")
        func words(_ cells: [Float], row: WofEClassRow? = nil, term: LayerTerm = ascending, transforms: [LayerTransform] = []) -> String? {
            EvidenceWords.pattern(
                "fault_distance", term: term, pattern: row, transforms: transforms, transformed: cells, raw: cells, unit: "m")
        }
        #expect(words([100, 200, 480], row: row) == "fault_distance ≤ 480 m")
        #expect(words([100, 200, 300, 900], row: row) == "fault_distance ≤ 480 m (75 % of the target)")
        // The side that raises the score, even when most cells lie on the other.
        #expect(words([100, 900, 700, 900], row: row) == "fault_distance ≤ 480 m (25 % of the target)")
        // No cell on the raising side: the side they are on (both weights then raise the score).
        #expect(words([900, 700], row: row, term: .step(threshold: t.nextUp, above: 0.2, below: 1)) == "fault_distance > 480 m")
        // Descending pattern x ≥ 2.5.
        let descending = LayerTerm.step(threshold: 2.5, above: 1, below: -1)
        let up = Self.row("k", threshold: 2.5, direction: "descending")
        #expect(
            EvidenceWords.pattern("k", term: descending, pattern: up, transforms: [], transformed: [3, 4], raw: [3, 4], unit: "%")
                == "k ≥ 2.5 %")
        // Without the table's row (older files), the term's own cut.
        #expect(words([100, 200], term: .step(threshold: 480, above: -1, below: 1)) == "fault_distance < 480 m")
        #expect(words([100], term: .linear(coefficient: 1, center: 0)) == nil)
    }

    @Test("a cut on transformed values is taken back to raw units, turned round by a falling transform")
    func patternThroughTransforms() throws {
        let raw: [Float] = [100, 150, 200]
        // log(x + 1) then z-score: the cut on the z-scale is 480 m on the raw scale.
        let chain = try ["log:offset=1", "zscore:mean=5,std=2"].map { try LayerTransform(parsing: $0) }
        let z = chain.reduce(480.0) { $1.transform($0) }
        let transformed = raw.map { v in Float(chain.reduce(Double(v)) { $1.transform($0) }) }
        let step = LayerTerm.step(threshold: Float(z).nextUp, above: -1, below: 1)
        let row = Self.row("d", threshold: Float(z), direction: "ascending")
        #expect(
            EvidenceWords.pattern("d", term: step, pattern: row, transforms: chain, transformed: transformed, raw: raw, unit: "m")
                == "d ≤ 480 m")
        // A fuzzy-small membership falls with distance: membership ≥ μ is distance ≤ its inverse.
        let small = try LayerTransform(parsing: "fuzzy-small:midpoint=500,spread=5")
        let mu = small.transform(300)
        let near = LayerTerm.step(threshold: Float(mu), above: 1, below: -1)
        let close = Self.row("d", threshold: Float(mu), direction: "descending")
        let memberships = raw.map { Float(small.transform(Double($0))) }
        #expect(
            EvidenceWords.pattern("d", term: near, pattern: close, transforms: [small], transformed: memberships, raw: raw, unit: "m")
                == "d ≤ 300 m")
        // A reclassification has no single raw cut: the raw range instead.
        let reclass = try LayerTransform(parsing: "reclass:breaks=120/180")
        let classes = raw.map { Float(reclass.transform(Double($0))) }
        #expect(
            EvidenceWords.pattern(
                "d", term: .step(threshold: 2, above: 1, below: -1), pattern: nil, transforms: [reclass], transformed: classes,
                raw: raw, unit: "m") == "d 125–175 m")
    }

    @Test("inverse transforms: transform(inverse(y)) = y, and the direction is the transform's")
    func inverses() throws {
        let within = [1.0, 12.5, 17, 24]
        let specs: [(String, [Double])] = [
            ("minmax:min=10,max=30", within), ("zscore:mean=5,std=2", within), ("log:offset=1", within),
            ("clip:lower=0,upper=100", within), ("fuzzy-linear:min=30,max=10", [12.5, 17, 24]),
            ("fuzzy-power:min=0,max=50,exponent=3", within), ("fuzzy-small:midpoint=20,spread=4", within),
            ("fuzzy-large:midpoint=20,spread=4", within), ("fuzzy-small:midpoint=-20,spread=3", [-1, -12.5, -24]),
        ]
        for (spec, xs) in specs {
            let t = try LayerTransform(parsing: spec)
            for x in xs {
                let y = t.transform(x)
                guard let back = t.inverse(y) else {
                    Issue.record("\(spec): no inverse at \(y)")
                    continue
                }
                #expect(abs(back.value - x) <= 1e-9 * max(1, abs(x)), "\(spec): \(back.value) against \(x)")
                #expect((t.transform(x + 0.5) > y) == back.increasing, "\(spec) at \(x)")
            }
        }
        for spec in ["reclass:breaks=1/2", "fuzzy-gaussian:midpoint=3,spread=0.1", "fuzzy-near:midpoint=3,spread=0.1"] {
            #expect(try LayerTransform(parsing: spec).inverse(0.5) == nil, "\(spec)")
        }
        // At a clip or a membership's bound many raw values give y: no single inverse.
        #expect(try LayerTransform(parsing: "clip:lower=0,upper=100").inverse(100) == nil)
        #expect(try LayerTransform(parsing: "fuzzy-linear:min=0,max=10").inverse(1) == nil)
    }
}
