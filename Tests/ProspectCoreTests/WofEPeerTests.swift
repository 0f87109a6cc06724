import Foundation
import Testing

@testable import ProspectCore

/// Weights of evidence against a peer's published figures: eis_toolkit's weights for its
/// `wofe_evidence_raster.tif` test raster (781 valid 1 km cells, 16 deposits, unit cell = one
/// cell), as stored in its weights_of_evidence notebook (docs/field-tests/eis-wofe.md). Only
/// the class counts are taken from the raster; every figure below is computed here.
@Suite("Weights of evidence match eis_toolkit's figures")
struct WofEPeerTests {
    // (cells, deposits) → (W+, s(W+), W−, s(W−), C, s(C), studentized C), to 4 decimals.
    static let cases: [(Int, Int, [Double])] = [
        (275, 9, [0.4810, 0.3389, -0.3994, 0.3806, 0.8804, 0.5096, 1.7275]),
        (396, 5, [-0.4920, 0.4501, 0.3409, 0.3059, -0.8329, 0.5442, -1.5306]),
        (43, 1, [0.1296, 1.0118, -0.0081, 0.2609, 0.1377, 1.0449, 0.1318]),
        (2, 1, [3.8673, 1.4142, -0.0632, 0.2607, 3.9305, 1.4380, 2.7332]),
        // Cumulative ascending classes ≤ 2, ≤ 3, ≤ 5, and ≤ 10, which holds every deposit (the 0.99 rule).
        (286, 9, [0.4405, 0.3387, -0.3771, 0.3807, 0.8176, 0.5095, 1.6046]),
        (682, 14, [0.0021, 0.2700, -0.0143, 0.7144, 0.0163, 0.7637, 0.0214]),
        (725, 15, [0.0101, 0.2609, -0.1400, 1.0090, 0.1501, 1.0422, 0.1440]),
        (771, 16, [-0.0507, 0.2607, 1.5547, 1.0536, -1.6054, 1.0854, -1.4791]),
    ]

    /// The raster's classes: value → (cells, deposits).
    static let classes: [(Float, Int, Int)] = [
        (1, 275, 9), (2, 11, 0), (3, 396, 5), (5, 43, 1), (6, 1, 0), (8, 43, 0), (10, 2, 1), (13, 10, 0),
    ]

    static func close(_ got: [Double], _ expected: [Double]) -> Bool {
        zip(got, expected).allSatisfy { abs($0 - $1) < 6e-5 }
    }

    static func figures(_ w: WofEWeights) -> [Double] {
        [w.wPlus, w.sWPlus, w.wMinus, w.sWMinus, w.contrast, w.sContrast, w.studentizedContrast]
    }

    @Test("class weights", arguments: 0..<cases.count)
    func classWeights(_ i: Int) {
        let (cells, deposits, expected) = Self.cases[i]
        let w = WeightsOfEvidence.weights(patternArea: Double(cells), patternDeposits: deposits, totalArea: 781, totalDeposits: 16)
        #expect(Self.close(Self.figures(w), expected), "got \(Self.figures(w)), expected \(expected)")
    }

    static func tally() -> (CumulativeTally, CategoricalTally) {
        var cumulative = CumulativeTally()
        var categorical = CategoricalTally()
        for (v, n, d) in classes {
            cumulative.add(v, cells: n)
            categorical.add(code: Int32(v), cells: n)
            for _ in 0..<d {
                cumulative.addDeposit(v)
                categorical.addDeposit(code: Int32(v))
            }
        }
        return (cumulative, categorical)
    }

    @Test("unique and cumulative ascending tables")
    func tables() throws {
        let (cumulative, categorical) = Self.tally()
        let unique = categorical.layerWeights(layer: "ev", cellAreaInUnitCells: 1)
        for (code, i) in [(1, 0), (3, 1), (5, 2), (10, 3)] {
            let row = try #require(unique.rows.first { $0.code == Int32(code) })
            #expect(Self.close(Self.figures(row.weights), Self.cases[i].2))
        }
        // eis_toolkit reports zeros for the classes without deposits.
        for code: Int32 in [2, 6, 8, 13] {
            #expect(unique.rows.first { $0.code == code }!.weights == .undefined("no deposit in the class"))
        }
        let ascending = try cumulative.layerWeights(layer: "ev", direction: .ascending, cellAreaInUnitCells: 1)
        #expect(ascending.rows.map(\.label) == ["<= 1", "<= 2", "<= 3", "<= 5", "<= 6", "<= 8", "<= 10", "<= 13"])
        #expect(ascending.rows.map(\.cells) == [275, 286, 682, 725, 726, 769, 771, 781])
        for (label, i) in [("<= 1", 0), ("<= 2", 4), ("<= 3", 5), ("<= 5", 6), ("<= 10", 7)] {
            let row = try #require(ascending.rows.first { $0.label == label })
            #expect(Self.close(Self.figures(row.weights), Self.cases[i].2), "\(label): \(Self.figures(row.weights))")
        }
        // Generalized at ≤ 1 (largest studentized contrast, also eis_toolkit's largest contrast).
        #expect(ascending.rows[0].selected)
        #expect(Self.close([ascending.rows[3].generalizedWeight!, ascending.rows[3].generalizedStd!], [-0.3994, 0.3806]))
    }

    /// The posterior from the ascending and descending generalizations of the same raster:
    /// eis_toolkit reports n = 16, T = 15.7679, s(T) = 2.9062. Its T sums posteriors computed
    /// from weights rounded to 4 decimals (unrounded: 15.7687), and its s(T) is the square root
    /// of the sum of the cells' standard deviations, not of variances; the Agterberg & Cheng
    /// figure, with each unique condition's error counted once for its area, is 5.3690 with
    /// s(P) = P (1 − P) s(L) (5.5052 with ArcSDM's and eis_toolkit's P · s(L); both recomputed
    /// from the counts in a separate script).
    @Test("Agterberg–Cheng test on the ascending and descending generalizations")
    func agterbergCheng() throws {
        let (cumulative, _) = Self.tally()
        let asc = try cumulative.layerWeights(layer: "asc", direction: .ascending, cellAreaInUnitCells: 1)
        let desc = try cumulative.layerWeights(layer: "desc", direction: .descending, cellAreaInUnitCells: 1)
        #expect(desc.rows.first { $0.selected }?.label == ">= 10")
        let prior = Float(WeightsOfEvidence.priorLogit(totalArea: 781, totalDeposits: 16))
        let model = AdditiveModel(intercept: prior, terms: [asc.term, desc.term])
        let variance = WofEVariance(priorVariance: 1.0 / 16, terms: [asc.variance, desc.variance])
        var conditions = UniqueConditionTally(terms: model.terms)
        for (v, n, _) in Self.classes { for _ in 0..<n { conditions.add { _ in v } } }
        let list = conditions.conditions(model: model, variance: variance, cellAreaInUnitCells: 1)
        #expect(list.count == 3)
        let ci = WofEConditionalIndependence.test(conditions: list, deposits: 16)
        #expect(ci.observed == 16)
        #expect(abs(ci.expected - 15.7687) < 2e-4)
        #expect(abs(ci.standardDeviation - 5.3690) < 2e-4)
        #expect(ci.independentAt95 && ci.independentAt99)
        // eis_toolkit's own arithmetic: 4-decimal weights, and sqrt(Σ std) over the cells.
        func r4(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }
        let a = asc.rows.first { $0.selected }!.weights
        let d = desc.rows.first { $0.selected }!.weights
        var t = 0.0
        var sumStd = 0.0
        for (v, n, _) in Self.classes {
            let (wa, sa) = v <= 1 ? (r4(a.wPlus), r4(a.sWPlus)) : (r4(a.wMinus), r4(a.sWMinus))
            let (wd, sd) = v >= 10 ? (r4(d.wPlus), r4(d.sWPlus)) : (r4(d.wMinus), r4(d.sWMinus))
            let p = 1 / (1 + exp(-(Double(prior) + wa + wd)))
            t += Double(n) * p
            sumStd += Double(n) * p * (1.0 / 16 + sa * sa + sd * sd).squareRoot()
        }
        #expect(abs(t - 15.7679) < 6e-5)
        #expect(abs(sumStd.squareRoot() - 2.9062) < 6e-5)
    }
}
