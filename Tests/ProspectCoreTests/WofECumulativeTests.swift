import Foundation
import Testing

@testable import ProspectCore

@Suite("Cumulative and categorical weights of evidence")
struct WofECumulativeTests {
    /// A random class raster: values 0…9 in steps of 0.5 (some never drawn), deposits on a
    /// random subset of cells.
    static func sample(seed: UInt64) -> (values: [Float], deposits: [Bool]) {
        var rng = SplitMix64(seed: seed)
        let values = (0..<2000).map { _ in Float(Int(rng.next() % 19)) / 2 }
        let deposits = values.map { v in rng.nextUnit() < (v > 6 ? 0.02 : 0.005) }
        return (values, deposits)
    }

    static func tally(_ s: (values: [Float], deposits: [Bool])) -> CumulativeTally {
        var a = CumulativeTally()
        var b = CumulativeTally()
        for (i, v) in s.values.enumerated() {
            if i % 2 == 0 { a.add(v) } else { b.add(v) }
            if s.deposits[i] { if i % 3 == 0 { a.addDeposit(v) } else { b.addDeposit(v) } }
        }
        a.merge(b)
        return a
    }

    @Test("every cumulative class matches a brute-force recount", arguments: CumulativeTally.Direction.allCases)
    func bruteForce(direction: CumulativeTally.Direction) throws {
        let s = Self.sample(seed: 11)
        let unit = 0.25
        let w = try Self.tally(s).layerWeights(layer: "x", direction: direction, cellAreaInUnitCells: unit)
        let distinct = Set(s.values).sorted(by: direction == .ascending ? (<) : (>))
        #expect(w.rows.map(\.threshold) == distinct)
        let n = s.deposits.filter { $0 }.count
        for r in w.rows {
            let t = r.threshold!
            let inside = s.values.indices.filter { direction == .ascending ? s.values[$0] <= t : s.values[$0] >= t }
            let d = inside.filter { s.deposits[$0] }.count
            #expect(r.cells == inside.count && r.deposits == d && r.area == Double(inside.count) * unit)
            let expected = WeightsOfEvidence.weights(
                patternArea: Double(inside.count) * unit, patternDeposits: d,
                totalArea: Double(s.values.count) * unit, totalDeposits: n)
            #expect(r.weights == expected)
            #expect(r.label == (direction == .ascending ? "<= " : ">= ") + CumulativeTally.format(t))
        }
        // The selected class has the largest studentized contrast among classes that split the area.
        let selected = try #require(w.rows.first { $0.selected })
        let candidates = w.rows.filter { $0.weights.defined && $0.cells < s.values.count }
        #expect(selected.weights.studentizedContrast == candidates.map(\.weights.studentizedContrast).max())
        #expect(w.rows.filter(\.selected).count == 1)
        // Generalized columns: 2 with W+ up to the selected class, 1 with W− after it.
        let k = w.rows.firstIndex { $0.selected }!
        for (i, r) in w.rows.enumerated() {
            #expect(r.generalizedClass == (i <= k ? 2 : 1))
            #expect(r.generalizedWeight == (i <= k ? selected.weights.wPlus : selected.weights.wMinus))
            #expect(r.generalizedStd == (i <= k ? selected.weights.sWPlus : selected.weights.sWMinus))
        }
        // The term and variance term give each cell its class's generalized weight and variance.
        for v in Set(s.values) {
            let r = w.rows.first { $0.threshold == v }!
            #expect(w.term.contribution(v) == Float(r.generalizedWeight!))
            #expect(w.variance.contribution(v) == Float(r.generalizedStd! * r.generalizedStd!))
            #expect(w.generalizedClass(of: v) == r.generalizedClass)
        }
    }

    @Test("a user threshold sets the pattern; thresholds that leave a side empty are refused")
    func userThreshold() throws {
        let s = Self.sample(seed: 5)
        let tally = Self.tally(s)
        let w = try tally.layerWeights(layer: "x", direction: .descending, cellAreaInUnitCells: 1, generalization: .threshold(6.2))
        // x >= 6.2 holds the classes 6.5 … 9.
        let selected = try #require(w.rows.first { $0.selected })
        #expect(selected.threshold == 6.5)
        #expect(w.term == .step(threshold: 6.2, above: Float(selected.weights.wPlus), below: Float(selected.weights.wMinus)))
        #expect(w.term.contribution(6.3) == Float(selected.weights.wPlus))
        let asc = try tally.layerWeights(layer: "x", direction: .ascending, cellAreaInUnitCells: 1, generalization: .threshold(3))
        #expect(asc.term.contribution(3) == Float(asc.rows.first { $0.selected }!.weights.wPlus))
        #expect(asc.term.contribution(3.5) == Float(asc.rows.first { $0.selected }!.weights.wMinus))
        #expect(throws: WofEGeneralizationError.self) {
            try tally.layerWeights(layer: "x", direction: .ascending, cellAreaInUnitCells: 1, generalization: .threshold(-1))
        }
        #expect(throws: WofEGeneralizationError.self) {
            try tally.layerWeights(layer: "x", direction: .descending, cellAreaInUnitCells: 1, generalization: .threshold(-1))
        }
    }

    @Test("edge cases: one class, no deposits, every deposit in one value, too many values")
    func edgeCases() throws {
        // One class: the only cumulative class is the whole area; nothing can be selected.
        var one = CumulativeTally()
        for _ in 0..<10 { one.add(3) }
        one.addDeposit(3)
        let w1 = try one.layerWeights(layer: "x", direction: .ascending, cellAreaInUnitCells: 1)
        #expect(w1.rows.count == 1 && !w1.rows[0].selected && w1.term.contribution(3) == 0 && w1.variance.contribution(3) == 0)
        // No deposits: every class undefined, the layer adds nothing.
        var none = CumulativeTally()
        for v in 0..<10 { none.add(Float(v)) }
        let w2 = try none.layerWeights(layer: "x", direction: .descending, cellAreaInUnitCells: 1)
        #expect(w2.rows.allSatisfy { !$0.weights.defined && $0.generalizedWeight == 0 })
        #expect(w2.term.contribution(5) == 0)
        // Every deposit on the highest value: descending x >= 9 holds them all (the 0.99 rule).
        var top = CumulativeTally()
        for v in 0..<10 { for _ in 0..<10 { top.add(Float(v)) } }
        for _ in 0..<3 { top.addDeposit(9) }
        let w3 = try top.layerWeights(layer: "x", direction: .descending, cellAreaInUnitCells: 1)
        #expect(w3.rows[0].selected && w3.rows[0].weights.defined && w3.rows[0].weights.note != nil)
        for r in w3.rows {
            for f in [r.weights.wPlus, r.weights.sWPlus, r.weights.wMinus, r.weights.sWMinus, r.weights.studentizedContrast] {
                #expect(f.isFinite)
            }
        }
        // Too many distinct values.
        var many = CumulativeTally()
        for i in 0...CumulativeTally.maximumClasses { many.add(Float(i)) }
        #expect(many.overflow)
        #expect(many.cells.count == CumulativeTally.maximumClasses)
    }

    /// Codes 1 (40 cells, 5 deposits), 2 (50, 0), 3 (10, 5); groups {1, 2}: 90 cells, 5 deposits.
    @Test("categorical groups merge classes into one weight")
    func categoricalGroups() {
        var t = CategoricalTally()
        t.add(code: 1, cells: 40)
        t.add(code: 2, cells: 50)
        t.add(code: 3, cells: 10)
        for _ in 0..<5 {
            t.addDeposit(code: 1)
            t.addDeposit(code: 3)
        }
        let plain = t.layerWeights(layer: "g", cellAreaInUnitCells: 1)
        #expect(plain.rows.map(\.generalizedClass) == [1, 2, 3])
        #expect(plain.rows.map(\.generalizedWeight) == plain.rows.map(\.weights.wPlus))
        let merged = t.layerWeights(layer: "g", cellAreaInUnitCells: 1, groups: [[2, 1], [7]])
        let group = WeightsOfEvidence.weights(patternArea: 90, patternDeposits: 5, totalArea: 100, totalDeposits: 10)
        #expect(merged.rows.map(\.generalizedClass) == [1, 1, 3])
        #expect(merged.rows[0].generalizedWeight == group.wPlus && merged.rows[1].generalizedStd == group.sWPlus)
        #expect(merged.rows[2].generalizedWeight == plain.rows[2].weights.wPlus)
        #expect(merged.term.contribution(2) == Float(group.wPlus))
        #expect(merged.variance.contribution(1) == Float(group.sWPlus * group.sWPlus))
        #expect(merged.term.contribution(9) == 0 && merged.variance.contribution(9) == 0)
        #expect(merged.generalizedClass(of: 2) == 1 && merged.generalizedClass(of: 9) == 0)
    }
}

@Suite("Conditional independence tests")
struct ConditionalIndependenceTests {
    /// Two unique conditions: 100 unit cells at P = 0.05, s = 0.01 and 10 at P = 0.3, s = 0.1.
    /// T = 5 + 3 = 8, s²(T) = (100·0.01)² + (10·0.1)² = 2, n = 6: z = 2/√2 = √2.
    @Test func agterbergCheng() {
        let ci = WofEConditionalIndependence.test(conditions: [(100, 0.05, 0.01), (10, 0.3, 0.1)], deposits: 6)
        #expect(abs(ci.expected - 8) < 1e-12)
        #expect(abs(ci.standardDeviation - 2.0.squareRoot()) < 1e-12)
        #expect(abs(ci.z - 2.0.squareRoot()) < 1e-12)
        #expect(abs(ci.ratio - 0.75) < 1e-12)
        #expect(abs(ci.probability - 0.921350) < 1e-6)  // Φ(√2)
        #expect(ci.independentAt95 && ci.independentAt99)  // 2 < 1.645·1.414 = 2.33
        let rejected = WofEConditionalIndependence.test(conditions: [(100, 0.05, 0.01), (10, 0.3, 0.1)], deposits: 5)
        #expect(!rejected.independentAt95 && rejected.independentAt99)  // 3 > 2.33, 3 < 3.29
        let both = WofEConditionalIndependence.test(conditions: [(100, 0.05, 0.01), (10, 0.3, 0.1)], deposits: 4)
        #expect(!both.independentAt95 && !both.independentAt99)  // 4 > 3.29
        let empty = WofEConditionalIndependence.test(conditions: [], deposits: 3)
        #expect(empty.z == 0 && empty.ratio == 0 && empty.expected == 0)
    }

    /// Deposits by class: A×B = (2,2): 6, (2,1): 2, (1,2): 1, (1,1): 7. N = 16, rows 8/8, cols 7/9.
    /// E(2,2) = 8·7/16 = 3.5 … χ² = Σ (O−E)²/E = 6.3492 (by hand: 2.5²·(1/3.5 + 1/4.5)·2).
    @Test func pairwiseChiSquare() {
        let a = [Int](repeating: 2, count: 8) + [Int](repeating: 1, count: 8)
        let b = [Int](repeating: 2, count: 6) + [1, 1] + [2] + [Int](repeating: 1, count: 7)
        let t = WofEPairwiseTest.test(layerA: "a", a, layerB: "b", b)
        #expect(t.classesA == [1, 2] && t.classesB == [1, 2])
        #expect(t.observed == [[7, 1], [2, 6]])
        let chi = 2.5 * 2.5 * (1 / 3.5 + 1 / 4.5) * 2
        #expect(abs(t.chiSquare - chi) < 1e-12)
        #expect(t.degreesOfFreedom == 1)
        #expect(abs(t.pValue - erfc((chi / 2).squareRoot())) < 1e-10)
        #expect(t.dependentAt95 && !t.dependentAt99 && t.smallExpected)
        let same = WofEPairwiseTest.test(layerA: "a", [1, 1, 2], layerB: "b", [1, 1, 1])
        #expect(same.degreesOfFreedom == 0 && same.pValue == 1 && !same.dependentAt95)
    }

    @Test(
        "chi-square survival function",
        arguments: [
            (3.841459, 1, 0.05), (6.634897, 1, 0.01), (5.991465, 2, 0.05),
            (0.5, 3, 0.918891), (30, 10, 0.000856641), (0.0, 4, 1.0),
        ])
    func chiSquareSurvival(x: Double, k: Int, p: Double) {
        #expect(abs(Statistics.chiSquareSurvival(x, degreesOfFreedom: k) - p) < 2e-6)
    }
}
