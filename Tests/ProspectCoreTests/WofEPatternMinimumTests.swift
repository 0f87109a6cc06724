import Foundation
import Testing

@testable import ProspectCore

/// The automatic cut of continuous and cumulative layers under a minimum pattern size, and a
/// threshold chosen for a plain continuous layer.
@Suite("Weights of evidence: smallest automatic pattern, thresholds on continuous layers")
struct WofEPatternMinimumTests {
    /// 1000 cells valued 0…999; 10 deposits: one at 998 (a two-cell sliver x >= 998), eight
    /// at 700, 710, …, 770 and one at 100. Without a minimum the sliver has the largest
    /// studentized contrast (3.23 against 2.91 for x >= 700, computed below).
    static let deposits: [Float] = [998] + (0..<8).map { Float(700 + 10 * $0) } + [100]

    static func continuous(extra: [Float] = []) -> ContinuousTally {
        var t = ContinuousTally(depositValues: deposits, extraThresholds: extra)
        for v in 0..<1000 { t.add(Float(v)) }
        return t
    }

    static func cumulative() -> CumulativeTally {
        var t = CumulativeTally()
        for v in 0..<1000 { t.add(Float(v)) }
        for d in deposits { t.addDeposit(d) }
        return t
    }

    /// W+, s(W+), W−, s(W−) and the studentized contrast of a pattern of `area` unit cells
    /// holding `db` of `d` deposits in `t` unit cells, straight from Bonham-Carter (1994):
    /// W+ = ln[(D_B/D) / ((A_B − D_B)/(A − D))], s²(W+) = 1/D_B + 1/(A_B − D_B), and the same
    /// for the complement.
    static func byHand(area: Double, db: Double, t: Double, d: Double) -> [Double] {
        let wPlus = log((db / d) / ((area - db) / (t - d)))
        let sPlus = (1 / db + 1 / (area - db)).squareRoot()
        let wMinus = log(((d - db) / d) / ((t - area - (d - db)) / (t - d)))
        let sMinus = (1 / (d - db) + 1 / (t - area - (d - db))).squareRoot()
        return [wPlus, sPlus, wMinus, sMinus, (wPlus - wMinus) / (sPlus * sPlus + sMinus * sMinus).squareRoot()]
    }

    static func figures(_ w: WofEWeights) -> [Double] {
        [w.wPlus, w.sWPlus, w.wMinus, w.sWMinus, w.studentizedContrast]
    }

    static func close(_ a: [Double], _ b: [Double]) -> Bool { zip(a, b).allSatisfy { abs($0 - $1) < 1e-12 * max(1, abs($1)) } }

    @Test("without a minimum the two-cell sliver wins; three deposits pick x >= 700, whose weights are Bonham-Carter's")
    func minimumDeposits() throws {
        let tally = Self.continuous()
        let free = tally.layerWeights(layer: "x", cellAreaInUnitCells: 1)
        let sliver = try #require(free.rows.first { $0.selected })
        #expect(sliver.label == ">= 998.0" && sliver.cells == 2 && sliver.deposits == 1)
        #expect(Self.close(Self.figures(sliver.weights), Self.byHand(area: 2, db: 1, t: 1000, d: 10)))
        #expect(free.rows.allSatisfy { $0.belowMinimum == nil })

        let w = tally.layerWeights(layer: "x", cellAreaInUnitCells: 1, minimum: WofEPatternMinimum(deposits: 3))
        let chosen = try #require(w.rows.first { $0.selected })
        #expect(chosen.label == ">= 700.0" && chosen.cells == 300 && chosen.deposits == 9)
        let expected = Self.byHand(area: 300, db: 9, t: 1000, d: 10)
        #expect(Self.close(Self.figures(chosen.weights), expected))
        #expect(sliver.weights.studentizedContrast > chosen.weights.studentizedContrast)
        // The term is the chosen pattern's: W+ at x >= 700, W− below.
        #expect(w.term == .step(threshold: 700, above: Float(expected[0]), below: Float(expected[2])))
        // Every class short of three deposits is marked, and only those.
        let marked = w.rows.filter { $0.belowMinimum != nil }
        #expect(marked.allSatisfy { $0.deposits < 3 } && w.rows.filter { $0.deposits < 3 }.count == marked.count)
        #expect(
            w.rows.first { $0.label == ">= 998.0" }?.belowMinimum == "below the minimum for the automatic cut: 1 deposit, minimum 3")
        #expect(w.rows.first { $0.label == ">= 998.0" }?.notes == ["below the minimum for the automatic cut: 1 deposit, minimum 3"])
    }

    @Test("a minimum area leaves out x >= 700 (30 %) and picks x <= 770 (77.1 %, 9 deposits)")
    func minimumArea() throws {
        let w = Self.continuous().layerWeights(
            layer: "x", cellAreaInUnitCells: 1, minimum: WofEPatternMinimum(deposits: 3, areaPercent: 35))
        let chosen = try #require(w.rows.first { $0.selected })
        #expect(chosen.label == "<= 770.0" && chosen.cells == 771 && chosen.deposits == 9)
        #expect(Self.close(Self.figures(chosen.weights), Self.byHand(area: 771, db: 9, t: 1000, d: 10)))
        #expect(
            w.rows.first { $0.label == ">= 700.0" }?.belowMinimum
                == "below the minimum for the automatic cut: 30 % of the area, minimum 35 %")
        #expect(
            w.rows.first { $0.label == ">= 998.0" }?.belowMinimum?.contains("1 deposit, minimum 3; 0.2 % of the area, minimum 35 %") == true
        )
    }

    @Test("no class large enough: nothing selected, both weights 0")
    func nothingEligible() {
        let w = Self.continuous().layerWeights(layer: "x", cellAreaInUnitCells: 1, minimum: WofEPatternMinimum(deposits: 11))
        #expect(w.rows.allSatisfy { !$0.selected })
        #expect(w.term == .step(threshold: 100, above: 0, below: 0) && w.variance == w.term)
    }

    @Test("cumulative layers take the same minimum; a threshold is taken as given, though marked")
    func cumulativeLayers() throws {
        let tally = Self.cumulative()
        let free = try tally.layerWeights(layer: "x", direction: .descending, cellAreaInUnitCells: 1)
        #expect(free.rows.first { $0.selected }?.label == ">= 998")
        let w = try tally.layerWeights(
            layer: "x", direction: .descending, cellAreaInUnitCells: 1, minimum: WofEPatternMinimum(deposits: 3))
        #expect(w.rows.first { $0.selected }?.label == ">= 700")
        #expect(w.rows.first { $0.label == ">= 998" }?.belowMinimum != nil)
        let given = try tally.layerWeights(
            layer: "x", direction: .descending, cellAreaInUnitCells: 1, generalization: .threshold(998),
            minimum: WofEPatternMinimum(deposits: 3))
        let chosen = try #require(given.rows.first { $0.selected })
        #expect(chosen.label == ">= 998" && chosen.belowMinimum != nil)
    }

    @Test("a threshold on a continuous layer: counted as one more class boundary, the side with more deposits is the pattern")
    func continuousThreshold() throws {
        // 650 holds no deposit: it is only a class boundary.
        let tally = Self.continuous(extra: [650])
        #expect(tally.thresholds.contains(650) && tally.depositCount == 10)
        let w = try tally.layerWeights(layer: "x", cellAreaInUnitCells: 1, minimum: WofEPatternMinimum(deposits: 3), threshold: 650)
        let chosen = try #require(w.rows.first { $0.selected })
        #expect(chosen.label == ">= 650.0" && chosen.cells == 350 && chosen.deposits == 9)
        #expect(Self.close(Self.figures(chosen.weights), Self.byHand(area: 350, db: 9, t: 1000, d: 10)))
        // x <= 650 is the complement but for the cells equal to 650, and has the smaller contrast.
        let other = try #require(w.rows.first { $0.label == "<= 650.0" })
        #expect(other.cells == 651 && other.weights.studentizedContrast < chosen.weights.studentizedContrast)
        // At 150 the pattern is still x >= 150 (9 of 10 deposits on 85 % of the area): the side
        // where deposits are denser, not the smaller one.
        let low = try Self.continuous(extra: [150]).layerWeights(layer: "x", cellAreaInUnitCells: 1, threshold: 150)
        #expect(low.rows.first { $0.selected }?.label == ">= 150.0")
        // Rows outside the data: no cell on one side.
        #expect(throws: WofEGeneralizationError.self) {
            try Self.continuous(extra: [5000]).layerWeights(layer: "x", cellAreaInUnitCells: 1, threshold: 5000)
        }
        #expect(throws: WofEGeneralizationError.self) {
            try Self.continuous(extra: [0]).layerWeights(layer: "x", cellAreaInUnitCells: 1, threshold: 0)
        }
    }

    @Test("deposits counted once per point: three points in one cell add three to its class")
    func pointsInOneCell() throws {
        // Class 1: 384 unit cells; class 2: 2688. Points: three in one class-1 cell and one in
        // another (4), four in class 2. Cells: 2 and 4.
        func tally(_ perCell: [(code: Int32, points: Int)]) -> CategoricalTally {
            var t = CategoricalTally()
            t.add(code: 1, cells: 384)
            t.add(code: 2, cells: 2688)
            for c in perCell { t.addDeposit(code: c.code, count: c.points) }
            return t
        }
        let cells: [(Int32, Int)] = [(1, 3), (1, 1), (2, 1), (2, 1), (2, 1), (2, 1)]
        let points = tally(cells.map { ($0.0, $0.1) }).layerWeights(layer: "g", cellAreaInUnitCells: 1)
        let once = tally(cells.map { ($0.0, 1) }).layerWeights(layer: "g", cellAreaInUnitCells: 1)
        let p = try #require(points.rows.first { $0.code == 1 })
        let c = try #require(once.rows.first { $0.code == 1 })
        #expect(p.deposits == 4 && c.deposits == 2)
        #expect(Self.close(Self.figures(p.weights), Self.byHand(area: 384, db: 4, t: 3072, d: 8)))
        #expect(Self.close(Self.figures(c.weights), Self.byHand(area: 384, db: 2, t: 3072, d: 6)))
    }
}
