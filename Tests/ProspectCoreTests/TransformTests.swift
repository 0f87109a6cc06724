import Foundation
import Testing

@testable import ProspectCore

@Suite("Layer transforms: text form, formulas, resolution")
struct LayerTransformTests {
    static let roundTrips: [LayerTransform] = [
        .minMax(min: nil, max: nil), .minMax(min: 0.1, max: 1e-300), .minMax(min: -0.0, max: nil),
        .zScore(mean: 1e6 + 0.3, std: 0.1), .zScore(mean: nil, std: 2),
        .log(offset: 0), .log(offset: -0.0), .log(offset: 0.1 + 0.2),
        .clip(lower: nil, upper: nil), .clip(lower: -1e-300, upper: 1.7976931348623157e308), .clip(lower: nil, upper: 0.1),
        .reclassify(breaks: [1], values: nil), .reclassify(breaks: [-0.5, 1e-300, 0.1, 3], values: [0, -0.0, 0.1, 2e20, -7]),
        .fuzzyLinear(min: nil, max: nil), .fuzzyLinear(min: 10, max: 0.1),
        .fuzzySmall(midpoint: nil, spread: 5), .fuzzySmall(midpoint: 0.1, spread: 1e-300),
        .fuzzyLarge(midpoint: 10, spread: 5), .fuzzyGaussian(midpoint: -0.0, spread: 0.1),
        .fuzzyNear(midpoint: 1.0 / 3, spread: 0.001), .fuzzyPower(min: nil, max: .leastNonzeroMagnitude, exponent: 2),
        .fuzzyPower(min: 0.1, max: 0.7, exponent: 0.5),
    ]

    @Test("description parses back to the same transform and the same text", arguments: roundTrips)
    func roundTrip(t: LayerTransform) throws {
        let parsed = try LayerTransform(parsing: t.description)
        #expect(parsed == t)
        #expect(parsed.description == t.description)  // also tells −0.0 from 0.0
    }

    @Test("every kind has a text form and the canonical form is as documented")
    func canonicalText() throws {
        #expect(Set(Self.roundTrips.map(\.kind)) == Set(LayerTransform.kinds))
        let cases: [(String, LayerTransform, String)] = [
            ("minmax", .minMax(min: nil, max: nil), "minmax"),
            ("zscore:mean=1.5, std = 2", .zScore(mean: 1.5, std: 2), "zscore:mean=1.5,std=2.0"),
            ("log", .log(offset: 0), "log:offset=0.0"),
            ("clip:min=0,max=1", .clip(lower: 0, upper: 1), "clip:lower=0.0,upper=1.0"),
            ("clip:upper=3", .clip(lower: nil, upper: 3), "clip:upper=3.0"),
            ("reclass:breaks=1/5/10", .reclassify(breaks: [1, 5, 10], values: nil), "reclass:breaks=1.0/5.0/10.0"),
            (
                "reclass:values=0/1/2/3,breaks=1/5/10", .reclassify(breaks: [1, 5, 10], values: [0, 1, 2, 3]),
                "reclass:breaks=1.0/5.0/10.0,values=0.0/1.0/2.0/3.0"
            ),
            ("Fuzzy-Large:MIDPOINT=10", .fuzzyLarge(midpoint: 10, spread: 5), "fuzzy-large:midpoint=10.0,spread=5.0"),
            ("fuzzy-small", .fuzzySmall(midpoint: nil, spread: 5), "fuzzy-small:spread=5.0"),
            ("fuzzy-gaussian", .fuzzyGaussian(midpoint: nil, spread: 0.1), "fuzzy-gaussian:spread=0.1"),
            ("fuzzy-near:midpoint=2e3", .fuzzyNear(midpoint: 2000, spread: 0.1), "fuzzy-near:midpoint=2000.0,spread=0.1"),
            ("fuzzy-linear:max=4", .fuzzyLinear(min: nil, max: 4), "fuzzy-linear:max=4.0"),
            ("fuzzy-power:min=1,max=2", .fuzzyPower(min: 1, max: 2, exponent: 2), "fuzzy-power:min=1.0,max=2.0,exponent=2.0"),
        ]
        for (text, expected, canonical) in cases {
            let t = try LayerTransform(parsing: text)
            #expect(t == expected, "\(text)")
            #expect(t.description == canonical)
        }
    }

    static let badTexts: [(String, String)] = [
        ("", "no kind"),
        ("foo:min=1", "unknown kind \"foo\""),
        ("minmax:mid=3", "unknown key \"mid\" for minmax"),
        ("zscore:mean=abc", "mean=abc is not a finite number"),
        ("zscore:mean=inf", "not a finite number"),
        ("zscore:std=-1", "std must be ≥ 0"),
        ("minmax:min", "expected key=value"),
        ("minmax:", "expected key=value after \":\""),
        ("minmax:min=1,,max=2", "expected key=value"),
        ("clip:lower=2,upper=1", "lower bound 2.0 is above upper bound 1.0"),
        ("clip:lower=1,min=2", "lower given twice"),
        ("reclass", "reclass needs breaks"),
        ("reclass:breaks=", "breaks is empty"),
        ("reclass:breaks=1//3", "breaks: \"\" is not a finite number"),
        ("reclass:breaks=1/5/5", "strictly ascending (5.0 then 5.0)"),
        ("reclass:breaks=3/2", "strictly ascending"),
        ("reclass:breaks=1/5/10,values=1/2", "3 breaks need 4 values, got 2"),
        ("fuzzy-small:spread=0", "spread must be > 0"),
        ("fuzzy-near:spread=-0.1", "spread must be > 0"),
        ("fuzzy-power:exponent=0", "exponent must be > 0"),
        ("fuzzy-gaussian:midpoint=1,exponent=2", "unknown key \"exponent\""),
    ]

    @Test("bad texts throw a one-line message naming the text and the problem", arguments: badTexts)
    func parseErrors(text: String, problem: String) {
        do {
            _ = try LayerTransform(parsing: text)
            Issue.record("\"\(text)\" parsed")
        } catch let error as LayerTransform.ParseError {
            #expect(error.text == text)
            #expect(error.description.hasPrefix("bad transform \"\(text)\": "))
            #expect(error.description.contains(problem), "\(error)")
            #expect(!error.description.contains("\n"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    /// (transform, x, expected), worked by hand.
    static let points: [(LayerTransform, Double, Double)] = [
        (.minMax(min: 0, max: 10), 5, 0.5), (.minMax(min: 0, max: 10), 12, 1.2), (.minMax(min: 0, max: 10), -2, -0.2),
        (.minMax(min: 3, max: 3), 7, 0),
        (.zScore(mean: 10, std: 2), 13, 1.5), (.zScore(mean: 10, std: 2), 6, -2), (.zScore(mean: 10, std: 0), 4, 0),
        (.log(offset: 1), M_E - 1, 1), (.log(offset: 1), 0, 0), (.log(offset: 0), 100, Foundation.log(100.0)),
        (.clip(lower: 0, upper: 1), -3, 0), (.clip(lower: 0, upper: 1), 0.5, 0.5), (.clip(lower: 0, upper: 1), 7, 1),
        (.clip(lower: nil, upper: 2), -100, -100), (.clip(lower: nil, upper: 2), 3, 2),
        (.reclassify(breaks: [1, 5, 10], values: nil), 0.5, 1), (.reclassify(breaks: [1, 5, 10], values: nil), 1, 2),
        (.reclassify(breaks: [1, 5, 10], values: nil), 4.99, 2), (.reclassify(breaks: [1, 5, 10], values: nil), 5, 3),
        (.reclassify(breaks: [1, 5, 10], values: nil), 10, 4), (.reclassify(breaks: [1, 5, 10], values: nil), 1e6, 4),
        (.reclassify(breaks: [1, 5, 10], values: [0, 10, 20, 30]), 7, 20),
        (.reclassify(breaks: [1, 5, 10], values: [0, 10, 20, 30]), -7, 0),
        (.fuzzyLinear(min: 0, max: 10), -1, 0), (.fuzzyLinear(min: 0, max: 10), 2.5, 0.25), (.fuzzyLinear(min: 0, max: 10), 11, 1),
        (.fuzzyLinear(min: 10, max: 0), 2.5, 0.75), (.fuzzyLinear(min: 10, max: 0), -1, 1), (.fuzzyLinear(min: 10, max: 0), 12, 0),
        (.fuzzyLinear(min: 3, max: 3), 2.9, 0), (.fuzzyLinear(min: 3, max: 3), 3, 1),
        (.fuzzySmall(midpoint: 10, spread: 5), 10, 0.5), (.fuzzySmall(midpoint: 10, spread: 5), 20, 1.0 / 33),
        (.fuzzySmall(midpoint: 10, spread: 5), 5, 32.0 / 33), (.fuzzySmall(midpoint: 10, spread: 5), 0, 1),
        (.fuzzySmall(midpoint: 10, spread: 5), -4, 1),
        (.fuzzyLarge(midpoint: 10, spread: 5), 10, 0.5), (.fuzzyLarge(midpoint: 10, spread: 5), 20, 1 / (1 + 1.0 / 32)),
        (.fuzzyLarge(midpoint: 10, spread: 5), 5, 1.0 / 33), (.fuzzyLarge(midpoint: 10, spread: 5), 0, 0),
        (.fuzzyLarge(midpoint: 10, spread: 5), -3, 0), (.fuzzyLarge(midpoint: 4, spread: 2), 8, 0.8),
        (.fuzzyGaussian(midpoint: 10, spread: 0.1), 10, 1), (.fuzzyGaussian(midpoint: 10, spread: 0.1), 13, Foundation.exp(-0.9)),
        (.fuzzyNear(midpoint: 10, spread: 0.1), 10, 1), (.fuzzyNear(midpoint: 10, spread: 0.1), 7, 1 / 1.9),
        (.fuzzyPower(min: 0, max: 10, exponent: 2), 5, 0.25), (.fuzzyPower(min: 0, max: 10, exponent: 2), -1, 0),
        (.fuzzyPower(min: 0, max: 10, exponent: 2), 12, 1), (.fuzzyPower(min: 10, max: 0, exponent: 3), 5, 0.125),
        (.fuzzyPower(min: 0, max: 4, exponent: 0.5), 1, 0.5),
    ]

    @Test("formulas at hand-computed points, in the definition and both kernels")
    func formulas() {
        for (t, x, expected) in Self.points {
            #expect(abs(t.transform(x) - expected) <= 1e-12, "\(t) at \(x): \(t.transform(x)), expected \(expected)")
            for kernel in [TransformKernel.reference, TransformKernel.apply] {
                var cell = [Float(x)]
                cell.withUnsafeMutableBufferPointer { kernel([t], $0, .nan) }
                #expect(abs(Double(cell[0]) - expected) <= 1e-6, "\(t) at \(x): \(cell[0]), expected \(expected)")
            }
        }
    }

    @Test("missing values: nodata, NaN and infinities in; undefined results out")
    func missingValues() {
        for kernel in [TransformKernel.reference, TransformKernel.apply] {
            var cells: [Float] = [-9999, .nan, .infinity, -.infinity, 12, 0, -1, 3]
            cells.withUnsafeMutableBufferPointer { kernel([.log(offset: 0)], $0, -9999) }
            let firstMissing = cells[0..<4].allSatisfy { $0.isNaN }
            #expect(firstMissing)
            #expect(abs(cells[4] - Float(Foundation.log(12.0))) < 1e-6)
            #expect(cells[5].isNaN && cells[6].isNaN, "log of 0 and of −1 are missing")
            #expect(abs(cells[7] - Float(Foundation.log(3.0))) < 1e-6)

            // The empty chain still turns nodata into NaN; steps keep NaN as NaN.
            var raw: [Float] = [0, 5, .nan]
            raw.withUnsafeMutableBufferPointer { kernel([], $0, 0) }
            #expect(raw[0].isNaN && raw[1] == 5 && raw[2].isNaN)
            for t in LayerTransformTests.points.map(\.0) {
                var cell: [Float] = [7, .nan]
                cell.withUnsafeMutableBufferPointer { kernel([t], $0, 7) }
                #expect(cell[0].isNaN && cell[1].isNaN, "\(t)")
            }
            // An overflow is missing, not infinite.
            var huge: [Float] = [3e38]
            huge.withUnsafeMutableBufferPointer { kernel([.zScore(mean: 0, std: 1e-3)], $0, .nan) }
            #expect(huge[0].isNaN)
        }
        #expect(LayerTransform.log(offset: 1).transform(-1).isNaN)
        #expect(LayerTransform.minMax(min: 0, max: 1).transform(.nan).isNaN)
    }

    @Test("resolution fills only the parameters taken from the data")
    func resolution() throws {
        let stats = LayerStatistics(count: 4, min: 2, max: 10, mean: 5, std: 3)
        let cases: [(LayerTransform, LayerTransform)] = [
            (.minMax(min: nil, max: nil), .minMax(min: 2, max: 10)),
            (.minMax(min: 0, max: nil), .minMax(min: 0, max: 10)),
            (.zScore(mean: nil, std: nil), .zScore(mean: 5, std: 3)),
            (.zScore(mean: 1, std: nil), .zScore(mean: 1, std: 3)),
            (.fuzzyLinear(min: nil, max: 1), .fuzzyLinear(min: 2, max: 1)),
            (.fuzzyPower(min: nil, max: 8, exponent: 3), .fuzzyPower(min: 2, max: 8, exponent: 3)),
            (.fuzzySmall(midpoint: nil, spread: 5), .fuzzySmall(midpoint: 6, spread: 5)),
            (.fuzzyLarge(midpoint: nil, spread: 4), .fuzzyLarge(midpoint: 6, spread: 4)),
            (.fuzzyGaussian(midpoint: nil, spread: 0.1), .fuzzyGaussian(midpoint: 6, spread: 0.1)),
            (.fuzzyNear(midpoint: 1, spread: 0.1), .fuzzyNear(midpoint: 1, spread: 0.1)),
            (.log(offset: 1), .log(offset: 1)),
            (.clip(lower: nil, upper: nil), .clip(lower: nil, upper: nil)),
            (.reclassify(breaks: [1], values: nil), .reclassify(breaks: [1], values: nil)),
        ]
        for (given, expected) in cases {
            let resolved = given.resolved(with: stats)
            #expect(resolved == expected, "\(given)")
            #expect(!resolved.needsStatistics)
            #expect(given.needsStatistics == (given != expected))
        }
        #expect(try LayerTransform(parsing: "fuzzy-near").resolved(with: stats) == .fuzzyNear(midpoint: 6, spread: 0.1))
    }

    @Test("fit resolves each step on the previous step's output")
    func fit() throws {
        var cells: [Float] = [-1, 0, 3, 7, -1, 15]
        let chain = cells.withUnsafeMutableBufferPointer {
            TransformKernel.fit([.log(offset: 1), .minMax(min: nil, max: nil)], $0, nodata: -1)
        }
        let resolved = try #require(chain)
        #expect(resolved.count == 2 && resolved[0] == .log(offset: 1))
        guard case .minMax(let lo?, let hi?) = resolved[1] else {
            Issue.record("\(resolved[1])")
            return
        }
        #expect(lo == 0 && abs(hi - Foundation.log(16.0)) < 1e-6)
        #expect(cells[0].isNaN && cells[4].isNaN)
        #expect(cells[1] == 0 && abs(cells[5] - 1) < 1e-6 && abs(cells[3] - 0.75) < 1e-6)
        var empty: [Float] = [-1, -1]
        #expect(empty.withUnsafeMutableBufferPointer { TransformKernel.fit([.zScore(mean: nil, std: nil)], $0, nodata: -1) } == nil)
    }

    @Test("Codable: one string per transform, and parse errors become decoding errors")
    func codable() throws {
        let chain: [LayerTransform] = [
            .zScore(mean: 1.5, std: 2), .reclassify(breaks: [1e-300, 0.1], values: nil),
            .fuzzyLarge(midpoint: 10, spread: 5),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = try encoder.encode(chain)
        #expect(
            String(decoding: data, as: UTF8.self)
                == #"["zscore:mean=1.5,std=2.0","reclass:breaks=1e-300/0.1","fuzzy-large:midpoint=10.0,spread=5.0"]"#)
        #expect(try JSONDecoder().decode([LayerTransform].self, from: data) == chain)
        for t in Self.roundTrips {
            #expect(try JSONDecoder().decode([LayerTransform].self, from: JSONEncoder().encode([t])) == [t])
        }
        do {
            _ = try JSONDecoder().decode([LayerTransform].self, from: Data(#"["fuzzy-small:spread=0"]"#.utf8))
            Issue.record("decoded a bad transform")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription == #"bad transform "fuzzy-small:spread=0": spread must be > 0"#)
        }
    }
}

@Suite("Transform kernel against its scalar reference")
struct TransformKernelTests {
    static let lengths = [0, 1, 7, 8, 9, 1023, TransformKernel.chunk * 2 + 13]
    static let nodata: Float = -9999

    /// One resolved transform of every kind (two for some), plus two three-step chains.
    static let chains: [[LayerTransform]] = [
        [.minMax(min: -3, max: 21.5)], [.minMax(min: 4, max: 4)],
        [.zScore(mean: 8.25, std: 6.1)], [.zScore(mean: 1, std: 0)],
        [.log(offset: 2.5)], [.log(offset: 0)],
        [.clip(lower: 0.1, upper: 12)], [.clip(lower: nil, upper: 3)],
        [.reclassify(breaks: [0, 0.1, 5, 12.5], values: nil)], [.reclassify(breaks: [-1, 3, 3.3], values: [7, -2, 0.5, 9])],
        [.fuzzyLinear(min: 2, max: 14)], [.fuzzyLinear(min: 14, max: 2)], [.fuzzyLinear(min: 5, max: 5)],
        [.fuzzySmall(midpoint: 6, spread: 5)], [.fuzzySmall(midpoint: -4, spread: 2.5)],
        [.fuzzyLarge(midpoint: 6, spread: 5)], [.fuzzyLarge(midpoint: 0.3, spread: 9)],
        [.fuzzyGaussian(midpoint: 10, spread: 0.1)], [.fuzzyGaussian(midpoint: 3, spread: 0.9)],
        [.fuzzyNear(midpoint: 10, spread: 0.1)],
        [.fuzzyPower(min: 0, max: 20, exponent: 2)], [.fuzzyPower(min: 18, max: 1, exponent: 0.4)],
        [.clip(lower: 0, upper: 20), .zScore(mean: 10, std: 4), .fuzzyGaussian(midpoint: 0.5, spread: 0.3)],
        [.log(offset: 6), .minMax(min: 0.5, max: 3.5), .fuzzyPower(min: 0.1, max: 0.9, exponent: 2.5)],
    ]

    /// Values in [−5, 25) with nodata, NaN, infinities and a few exact breaks mixed in.
    static func makeCells(count n: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { _ in
            let u = rng.nextUnit()
            switch u {
            case ..<0.05: return nodata
            case ..<0.08: return .nan
            case ..<0.09: return u < 0.085 ? .infinity : -.infinity
            case ..<0.12: return [0, 0.1, 5, 12.5, 3, 3.3, -1, 5, 6, 10][Int(rng.nextUnit() * 10)]
            default: return Float(rng.nextUnit() * 30 - 5)
            }
        }
    }

    /// Worst difference, absolute up to 1 and relative beyond; NaN must match NaN.
    static func compare(_ cells: [Float], _ chain: [LayerTransform], nodata: Float) -> (worst: Double, nanMismatch: Int) {
        var fast = cells
        var ref = cells
        fast.withUnsafeMutableBufferPointer { TransformKernel.apply(chain, $0, nodata: nodata) }
        ref.withUnsafeMutableBufferPointer { TransformKernel.reference(chain, $0, nodata: nodata) }
        var worst = 0.0
        var mismatch = 0
        for i in cells.indices {
            if fast[i].isNaN || ref[i].isNaN {
                if fast[i].isNaN != ref[i].isNaN { mismatch += 1 }
                continue
            }
            worst = max(worst, abs(Double(fast[i]) - Double(ref[i])) / max(1, abs(Double(ref[i]))))
        }
        return (worst, mismatch)
    }

    @Test(
        "apply matches reference within 1e-6 for every kind, chain and length",
        arguments: chains, lengths)
    func matchesReference(chain: [LayerTransform], length: Int) {
        let cells = Self.makeCells(count: length, seed: UInt64(length) &* 31 &+ 7)
        let (worst, mismatch) = Self.compare(cells, chain, nodata: Self.nodata)
        #expect(mismatch == 0, "\(chain): \(mismatch) cells missing in one kernel only")
        #expect(worst <= 1e-6, "\(chain): worst difference \(worst)")
    }

    @Test("nodata and NaN in every lane position", arguments: chains)
    func missingEveryLane(chain: [LayerTransform]) {
        let base = Self.makeCells(count: 17, seed: 3).map { $0.isFinite && $0 != Self.nodata ? $0 : 1 }
        for lane in 0..<17 {
            for missing in [Self.nodata, Float.nan] {
                var cells = base
                cells[lane] = missing
                cells.withUnsafeMutableBufferPointer { TransformKernel.apply(chain, $0, nodata: Self.nodata) }
                #expect(cells[lane].isNaN, "\(chain) lane \(lane)")
            }
        }
    }

    @Test("centers far from zero keep their precision")
    func farFromZero() {
        var rng = SplitMix64(seed: 9)
        let cells = (0..<1001).map { _ in Float(1e6 + rng.nextUnit() * 0.5) }
        for chain: [LayerTransform] in [
            [.zScore(mean: 1e6 + 0.2513, std: 0.013)], [.minMax(min: 1e6 + 0.01, max: 1e6 + 0.49)],
            [.fuzzyGaussian(midpoint: 1e6 + 0.3, spread: 40)], [.fuzzyNear(midpoint: 1e6 + 0.3, spread: 40)],
            [.log(offset: -1e6 + 0.1)],
        ] {
            let (worst, mismatch) = Self.compare(cells, chain, nodata: .nan)
            #expect(mismatch == 0)
            #expect(worst <= 1e-6, "\(chain): worst difference \(worst)")
        }
    }

    @Test("vector log: within 3 ulp of Foundation's over the float range, IEEE special cases")
    func fastLog() {
        var worst = 0.0
        var x = Float(bitPattern: 8)  // subnormal
        while x < .greatestFiniteMagnitude / 1.01 {
            let v = SIMD8<Float>((0..<8).map { x * (1 + Float($0) * 0.00113) })
            let r = FastMath.log(v)
            for j in 0..<8 {
                let exact = Foundation.log(Double(v[j]))
                worst = max(worst, abs(Double(r[j]) - exact) / max(abs(exact), 1))
            }
            x = max(x * 1.0093, x.nextUp)
        }
        #expect(worst < 1.5e-7, "worst error \(worst)")
        // Densely around 1, where ln is small: in units in the last place of the result.
        var worstUlp = 0.0
        var y: Float = 0.5
        while y < 2 {
            let v = SIMD8<Float>((0..<8).map { y + Float($0) * 1e-7 })
            let r = FastMath.log(v)
            for j in 0..<8 {
                let exact = Foundation.log(Double(v[j]))
                if exact != 0 { worstUlp = max(worstUlp, abs(Double(r[j]) - exact) / Double(Float(exact).ulp)) }
            }
            y += 1.3e-5
        }
        #expect(worstUlp <= 3, "worst \(worstUlp) ulp")
        let special = FastMath.log(SIMD8<Float>(0, -0.0, .infinity, -1, .nan, 1, -.infinity, .leastNonzeroMagnitude))
        #expect(special[0] == -.infinity && special[1] == -.infinity && special[2] == .infinity)
        #expect(special[3].isNaN && special[4].isNaN && special[6].isNaN)
        #expect(special[5] == 0)
        #expect(abs(Double(special[7]) - Foundation.log(Double(Float.leastNonzeroMagnitude))) < 1e-4)
    }
}

@Suite("Layer statistics")
struct LayerStatisticsTests {
    @Test("values near 1e6 keep their variance; NaN, infinities and nodata are skipped")
    func accuracy() throws {
        // 1e6 + k/16 for k = 0…15, repeated: a float sum would lose the sixteenths entirely.
        var values: [Float] = (0..<(4096 * 3 + 5)).map { (k: Int) -> Float in Float(1e6 + Double(k % 16) / 16) }
        let valid = values.count
        values += [.nan, -9999, .infinity, -.infinity]
        var rng = SplitMix64(seed: 42)
        values.shuffle(using: &rng)
        let n = Double(valid)
        var sum = 0.0
        var ss = 0.0
        for v in values where v.isFinite && v != -9999 { sum += Double(v) }  // exact: multiples of 1/16 below 2^49
        let expectedMean = sum / n
        for v in values where v.isFinite && v != -9999 { ss += (Double(v) - sum / n) * (Double(v) - sum / n) }
        let expectedStd = (ss / n).squareRoot()

        var buffered = StatisticsAccumulator()
        values.withUnsafeBufferPointer { buffered.add($0, nodata: -9999) }
        var single = StatisticsAccumulator()
        for v in values where v != -9999 { single.add(v) }
        for acc in [buffered, single] {
            let s = try #require(acc.statistics)
            #expect(s.count == valid)
            #expect(s.min == 1e6 && s.max == 1e6 + 15.0 / 16)
            #expect(abs(s.mean - expectedMean) < 1e-8)  // 1e-14 relative
            #expect(abs(s.std - expectedStd) / expectedStd < 1e-9, "std \(s.std) vs \(expectedStd)")
        }
    }

    @Test("merged parts equal one pass; strides; empty is nil")
    func merge() throws {
        var rng = SplitMix64(seed: 5)
        let values = (0..<10_007).map { _ in Float(rng.nextGaussian() * 3 + 1e6) }
        var whole = StatisticsAccumulator()
        values.withUnsafeBufferPointer { whole.add($0) }
        var merged = StatisticsAccumulator()
        for cut in stride(from: 0, to: values.count, by: 777) {
            var part = StatisticsAccumulator()
            values[cut..<min(values.count, cut + 777)].withUnsafeBufferPointer { part.add($0) }
            merged.merge(part)
        }
        merged.merge(StatisticsAccumulator())
        let a = try #require(whole.statistics)
        let b = try #require(merged.statistics)
        #expect(a.count == b.count && a.min == b.min && a.max == b.max)
        #expect(abs(a.mean - b.mean) < 1e-9)
        #expect(abs(a.std - b.std) / a.std < 1e-9)

        // Every other value, read with a stride, equals the even-indexed values added one by one.
        var strided = StatisticsAccumulator()
        var oneByOne = StatisticsAccumulator()
        values.withUnsafeBufferPointer { strided.add($0.baseAddress!, count: values.count / 2, stride: 2) }
        for i in stride(from: 0, to: values.count - 1, by: 2) { oneByOne.add(values[i]) }
        let c = try #require(strided.statistics)
        let d = try #require(oneByOne.statistics)
        #expect(c.count == d.count && c.min == d.min && c.max == d.max)
        #expect(abs(c.mean - d.mean) < 1e-9 && abs(c.std - d.std) / d.std < 1e-9)

        var empty = StatisticsAccumulator()
        [Float.nan, 3].withUnsafeBufferPointer { empty.add($0, nodata: 3) }
        #expect(empty.statistics == nil)
    }
}

@Suite("Model file with transforms")
struct ModelFileTransformTests {
    static func file(transforms: [LayerTransform]) -> ModelFile {
        ModelFile(
            tool: "test", created: "",
            layers: [ModelLayer(name: "a", path: "a.tif", kind: .continuous, transforms: transforms)],
            payload: .logistic(AdditiveModel(intercept: 0, terms: [.linear(coefficient: 1, center: 0)], nodata: [.nan])),
            parameters: [:],
            training: TrainingSummary(
                validCells: 0, cellAreaKm2: 0, depositsGiven: 0, depositsUsed: 0, depositsOutsideGrid: 0,
                depositsOnNodata: 0, depositsSharingCell: 0, layerRanking: []))
    }

    @Test("transforms survive the model file; version 1 files still read")
    func roundTrip() throws {
        let chain: [LayerTransform] = [.log(offset: 1), .zScore(mean: 0.25, std: 1.5)]
        let data = try Self.file(transforms: chain).encoded()
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"formatVersion\" : \(ModelFile.currentVersion)"))
        #expect(text.contains("\"zscore:mean=0.25,std=1.5\""))
        #expect(try ModelFile.decode(data).layers[0].transforms == chain)

        for version in [1, 2] {
            let old = try String(decoding: Self.file(transforms: []).encoded(), as: UTF8.self)
                .replacingOccurrences(of: "\"formatVersion\" : \(ModelFile.currentVersion)", with: "\"formatVersion\" : \(version)")
            let decoded = try ModelFile.decode(Data(old.utf8))
            #expect(decoded.formatVersion == version && decoded.layers[0].transforms.isEmpty && decoded.wofeVariance == nil)
        }
        let v2 = text.replacingOccurrences(of: "\"formatVersion\" : \(ModelFile.currentVersion)", with: "\"formatVersion\" : 2")
        #expect(try ModelFile.decode(Data(v2.utf8)).layers[0].transforms == chain)

        let bad = text.replacingOccurrences(of: "zscore:mean=0.25", with: "zscore:mean=x")
        #expect(throws: ModelFile.FormatError.self) { try ModelFile.decode(Data(bad.utf8)) }
    }
}
