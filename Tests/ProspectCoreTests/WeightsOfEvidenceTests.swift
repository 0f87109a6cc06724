import Foundation
import Testing

@testable import ProspectCore

@Suite struct WeightsOfEvidenceTests {
    /// N(T) = 100 unit cells, N(D) = 10, B: area 20 with 6 deposits.
    /// N(B∩D) = 6, N(B∩D̄) = 20 − 6 = 14, N(D̄) = 100 − 10 = 90,
    /// N(B̄∩D) = 10 − 6 = 4, N(B̄∩D̄) = (100 − 20) − 4 = 76.
    /// W+ = ln[(6/10) / (14/90)] = ln(54/14) = ln(27/7) ≈ 1.3499267
    /// s²(W+) = 1/6 + 1/14 = 10/42
    /// W− = ln[(4/10) / (76/90)] = ln(36/76) = ln(9/19) ≈ −0.7472144
    /// s²(W−) = 1/4 + 1/76 = 20/76 = 5/19
    /// C = ln(27/7) − ln(9/19) = ln(57/7) ≈ 2.0971411, s(C) = sqrt(10/42 + 5/19).
    @Test func handWorkedTable() {
        let w = WeightsOfEvidence.weights(patternArea: 20, patternDeposits: 6, totalArea: 100, totalDeposits: 10)
        #expect(w.defined)
        #expect(abs(w.wPlus - log(27.0 / 7.0)) < 1e-9)
        #expect(abs(w.wPlus - 1.349926716949) < 1e-9)
        #expect(abs(w.sWPlus - (10.0 / 42.0).squareRoot()) < 1e-9)
        #expect(abs(w.wMinus - log(9.0 / 19.0)) < 1e-9)
        #expect(abs(w.sWMinus - (5.0 / 19.0).squareRoot()) < 1e-9)
        #expect(abs(w.contrast - log(57.0 / 7.0)) < 1e-9)
        let sC = (10.0 / 42.0 + 5.0 / 19.0).squareRoot()
        #expect(abs(w.sContrast - sC) < 1e-9)
        #expect(abs(w.studentizedContrast - log(57.0 / 7.0) / sC) < 1e-9)
    }

    @Test func unitCellsScaleAreas() {
        // Same table with cells of a quarter unit cell: 400 cells, pattern 80 cells.
        let a = WeightsOfEvidence.weights(patternArea: 80 * 0.25, patternDeposits: 6, totalArea: 400 * 0.25, totalDeposits: 10)
        #expect(abs(a.wPlus - log(27.0 / 7.0)) < 1e-9)
    }

    private func allFinite(_ w: WofEWeights) -> Bool {
        [w.wPlus, w.sWPlus, w.wMinus, w.sWMinus, w.contrast, w.sContrast, w.studentizedContrast].allSatisfy { $0.isFinite }
    }

    @Test func classWithNoDeposit() {
        // ArcSDM and eis_toolkit: a class without deposits gets zeros (it adds nothing).
        let w = WeightsOfEvidence.weights(patternArea: 20, patternDeposits: 0, totalArea: 100, totalDeposits: 10)
        #expect(allFinite(w))
        #expect(!w.defined)
        #expect(w == .undefined("no deposit in the class"))
    }

    /// B holds every deposit: a = 10 − 0.99 = 9.01 inside, b = 0.99 outside; c = 20 − 10 = 10,
    /// d = 90 − 10 = 80, N(D̄) = 90. W+ = ln[(9.01/10)/(10/90)], s² = 1/9.01 + 1/10;
    /// W− = ln[(0.99/10)/(80/90)], s² = 1/0.99 + 1/80.
    @Test func classWithAllDeposits() {
        let w = WeightsOfEvidence.weights(patternArea: 20, patternDeposits: 10, totalArea: 100, totalDeposits: 10)
        #expect(allFinite(w))
        #expect(w.defined)
        #expect(w.note?.contains("0.99 of a deposit") == true)
        #expect(abs(w.wPlus - log((9.01 / 10) / (10.0 / 90))) < 1e-12)
        #expect(abs(w.sWPlus - (1 / 9.01 + 1.0 / 10).squareRoot()) < 1e-12)
        #expect(abs(w.wMinus - log((0.99 / 10) / (80.0 / 90))) < 1e-12)
        #expect(abs(w.sWMinus - (1 / 0.99 + 1.0 / 80).squareRoot()) < 1e-12)
        #expect(abs(w.studentizedContrast - w.contrast / w.sContrast) < 1e-12)
    }

    /// B covers every deposit-free cell (d = 0): c = 80 − 0.99, d = 0.99.
    @Test func classLeavingNoDepositFreeArea() {
        let w = WeightsOfEvidence.weights(patternArea: 96, patternDeposits: 6, totalArea: 100, totalDeposits: 10)
        #expect(w.defined && allFinite(w))
        #expect(abs(w.wPlus - log((6.0 / 10) / ((90 - 0.99) / 90))) < 1e-12)
        #expect(abs(w.wMinus - log((4.0 / 10) / (0.99 / 90))) < 1e-12)
        #expect(abs(w.sWMinus - (1.0 / 4 + 1 / 0.99).squareRoot()) < 1e-12)
    }

    @Test func degenerateInputsNeverNaN() {
        let cases: [(Double, Int, Double, Int, Bool)] = [
            (100, 10, 100, 10, true),  // all the area: both 0.99 rules (eis_toolkit's last cumulative class)
            (0, 0, 100, 10, false),  // empty pattern
            (20, 0, 100, 0, false),  // no deposits at all
            (5, 5, 100, 10, false),  // pattern entirely deposits
            (10, 10, 10, 10, false),  // deposits fill the area
            (0, 0, 0, 0, false),
            (3, 5, 100, 10, false),  // more deposits than unit cells
            (50, 11, 100, 10, false),  // more deposits than there are
            (98, 7, 100, 10, false),  // the rest holds more deposits than unit cells
        ]
        for (a, d, t, n, defined) in cases {
            let w = WeightsOfEvidence.weights(patternArea: a, patternDeposits: d, totalArea: t, totalDeposits: n)
            #expect(allFinite(w), "\(a) \(d) \(t) \(n)")
            #expect(w.defined == defined, "\(a) \(d) \(t) \(n): \(w)")
            if !w.defined { #expect(w.wPlus == 0 && w.wMinus == 0 && w.studentizedContrast == 0 && w.note != nil) }
        }
    }

    @Test func priorLogit() {
        #expect(abs(WeightsOfEvidence.priorLogit(totalArea: 100, totalDeposits: 10) - log(10.0 / 90.0)) < 1e-12)
        #expect(
            ContinuousTally.priorLogit(totalArea: 100, totalDeposits: 10) == WeightsOfEvidence.priorLogit(totalArea: 100, totalDeposits: 10)
        )
    }

    // MARK: Continuous tally

    /// 20 cells valued 1…20, one unit cell each; deposits at 12, 16, 19. N(T) = 20, N(D) = 3.
    /// Descending classes: x >= 12 (9 cells, 3 deposits: the 0.99 rule), x >= 16 (5 cells, 2),
    /// x >= 19 (2 cells, 1). Ascending: x <= 12 (12 cells, 1), x <= 16 (16, 2), x <= 19 (19, 3:
    /// the 0.99 rule). x >= 12: studentized contrast ≈ 0.99. x >= 16: W+ = ln[(2/3)/(3/17)] = ln(34/9), W− = ln[(1/3)/(14/17)] = ln(17/42),
    /// s(C) = sqrt(1/2 + 1/3 + 1 + 1/14), studentized ≈ 1.618 — the largest (x >= 19 gives
    /// ln(17/3) − ln(34/48) over sqrt(2.5625) ≈ 1.299; the ascending contrasts are negative).
    @Test func continuousTallyPicksBestThreshold() throws {
        let values = (1...20).map(Float.init)
        var tally = ContinuousTally(depositValues: [19, 12, 16])
        for v in values { tally.add(v) }
        #expect(tally.cellCount == 20)
        #expect(tally.depositCount == 3)
        let (rows, term) = tally.weights(layer: "mag", cellAreaInUnitCells: 1)
        #expect(rows.count == 6)
        #expect(rows.map(\.label) == [">= 12.0", ">= 16.0", ">= 19.0", "<= 12.0", "<= 16.0", "<= 19.0"])
        #expect(rows.map(\.cells) == [9, 5, 2, 12, 16, 19])
        #expect(rows.map(\.deposits) == [3, 2, 1, 1, 2, 3])
        #expect(rows.map(\.weights.defined) == [true, true, true, true, true, true])
        #expect(rows[0].weights.note != nil && rows[5].weights.note != nil)
        #expect(rows.filter { $0.selected }.count == 1)
        let best = try #require(rows.first { $0.selected })
        #expect(best.threshold == 16 && best.direction == "descending")
        #expect(abs(best.weights.wPlus - log(34.0 / 9.0)) < 1e-9)
        #expect(abs(best.weights.wMinus - log(17.0 / 42.0)) < 1e-9)
        let sC = (1.0 / 2 + 1.0 / 3 + 1 + 1.0 / 14).squareRoot()
        #expect(abs(best.weights.studentizedContrast - (log(34.0 / 9.0) - log(17.0 / 42.0)) / sC) < 1e-9)
        #expect(term == .step(threshold: 16, above: Float(log(34.0 / 9.0)), below: Float(log(17.0 / 42.0))))
    }

    @Test func continuousTallyAscendingTerm() throws {
        // Mirror image: values −1…−20, deposits at −12, −16, −19: the best class is x <= −16.
        var tally = ContinuousTally(depositValues: [-19, -12, -16])
        for v in 1...20 { tally.add(Float(-v)) }
        let (rows, term) = tally.weights(layer: "dist", cellAreaInUnitCells: 1)
        let best = try #require(rows.first { $0.selected })
        #expect(best.threshold == -16 && best.direction == "ascending")
        #expect(abs(best.weights.wPlus - log(34.0 / 9.0)) < 1e-9)
        #expect(term.contribution(-16) == Float(best.weights.wPlus))
        #expect(term.contribution(-17) == Float(best.weights.wPlus))
        #expect(term.contribution(Float(-16).nextUp) == Float(best.weights.wMinus))
        #expect(term.contribution(-15) == Float(best.weights.wMinus))
    }

    @Test func continuousTallyBufferAndMergeMatchScalar() {
        var rng = SplitMix64(seed: 7)
        let values: [Float] = (0..<1023).map { i in i % 9 == 4 ? -9999 : Float(Int(rng.next() % 50)) / 2 }
        let deposits: [Float] = [3, 7.5, 7.5, 12, 20, .nan]
        var scalar = ContinuousTally(depositValues: deposits)
        for v in values where v != -9999 { scalar.add(v) }
        for length in [0, 1, 7, 8, 9, 1023] {
            var buffered = ContinuousTally(depositValues: deposits)
            var rest = ContinuousTally(depositValues: deposits)
            values.withUnsafeBufferPointer { b in
                buffered.add(UnsafeBufferPointer(rebasing: b[0..<length]), isValid: { $0 != -9999 })
                rest.add(UnsafeBufferPointer(rebasing: b[length...]), isValid: { $0 != -9999 })
            }
            buffered.merge(rest)
            #expect(buffered.bins == scalar.bins)
        }
        #expect(scalar.depositCount == 5)  // the NaN deposit is ignored
        let (rows, _) = scalar.weights(layer: "x", cellAreaInUnitCells: 0.5)
        #expect(rows.count == 8)
        for r in rows {
            let expected = values.filter { $0 != -9999 && (r.direction == "descending" ? $0 >= r.threshold! : $0 <= r.threshold!) }.count
            #expect(r.cells == expected)
            #expect(r.area == Double(expected) * 0.5)
        }
    }

    @Test func continuousTallyWithNoDefinedClass() {
        var tally = ContinuousTally(depositValues: [])
        tally.add(1)
        let (rows, term) = tally.weights(layer: "x", cellAreaInUnitCells: 1)
        #expect(rows.isEmpty)
        #expect(term == .step(threshold: 0, above: 0, below: 0))
    }

    // MARK: Categorical tally

    /// Codes 1 (40 cells, 5 deposits), 2 (50 cells, 0 deposits), 3 (10 cells, 5 deposits).
    /// N(T) = 100, N(D) = 10. Code 1: W+ = ln[(5/10)/(35/90)] = ln(9/7). Code 2: no deposit →
    /// W+ undefined = 0. Code 3: W+ = ln[(5/10)/(5/90)] = ln 9.
    @Test func categoricalTally() {
        var a = CategoricalTally()
        var b = CategoricalTally()
        a.add(code: 3, cells: 10)
        a.add(code: 1, cells: 15)
        b.add(code: 1, cells: 25)
        for _ in 0..<50 { b.add(code: 2) }
        for _ in 0..<5 {
            a.addDeposit(code: 1)
            b.addDeposit(code: 3)
        }
        a.merge(b)
        let (rows, term) = a.weights(layer: "geology", cellAreaInUnitCells: 1)
        #expect(rows.map(\.code) == [1, 2, 3])
        #expect(rows.map(\.label) == ["code 1", "code 2", "code 3"])
        #expect(rows.map(\.cells) == [40, 50, 10])
        #expect(rows.map(\.deposits) == [5, 0, 5])
        #expect(rows.allSatisfy { $0.selected })
        #expect(abs(rows[0].weights.wPlus - log(9.0 / 7.0)) < 1e-9)
        #expect(rows[1].weights.wPlus == 0 && !rows[1].weights.defined && rows[1].weights.wMinus == 0)
        #expect(abs(rows[2].weights.wPlus - log(9.0)) < 1e-9)
        for r in rows { #expect(r.weights.wPlus.isFinite && r.weights.studentizedContrast.isFinite) }
        #expect(term == .lookup(codes: [1, 2, 3], values: [Float(log(9.0 / 7.0)), 0, Float(log(9.0))], otherwise: 0))
    }

    @Test func rowsAreCodable() throws {
        var t = CategoricalTally()
        t.add(code: 1, cells: 3)
        t.add(code: 2, cells: 3)
        t.addDeposit(code: 1)
        let rows = t.weights(layer: "g", cellAreaInUnitCells: 1).rows
        let data = try JSONEncoder().encode(rows)
        #expect(try JSONDecoder().decode([WofEClassRow].self, from: data) == rows)
    }
}
