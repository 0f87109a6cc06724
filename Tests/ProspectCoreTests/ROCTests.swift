import Foundation
import Testing

@testable import ProspectCore

@Suite struct ROCTests {
    private func accumulate(_ deposits: [Float], _ cells: [Float], isValid: (Float) -> Bool = { _ in true }) -> ROCAccumulator {
        var roc = ROCAccumulator(depositScores: deposits)
        cells.withUnsafeBufferPointer { roc.add($0, isValid: isValid) }
        return roc
    }

    /// P(d > c) + ½ P(d = c) over all pairs, O(n·m).
    private func bruteForceAUC(_ deposits: [Float], _ cells: [Float]) -> Double {
        var s = 0.0
        for d in deposits { for c in cells { s += d > c ? 1 : (d == c ? 0.5 : 0) } }
        return s / Double(deposits.count * cells.count)
    }

    @Test func knownAUCs() {
        #expect(accumulate([1, 1], [0, 0, 0, 0]).auc == 1)  // perfect separation
        #expect(accumulate([0, 0], [1, 1, 1]).auc == 0)  // reversed
        #expect(accumulate([0.5, 0.5], [0.5, 0.5, 0.5]).auc == 0.5)  // all tied
        // Deposit cells inside the background: cells 0.1, 0.2, 0.3, 0.9, 0.95, deposits 0.9, 0.95.
        // 0.9: 3 below + ½·1 equal = 3.5; 0.95: 4 + ½ = 4.5; AUC = 8 / (2·5) = 0.8.
        #expect(abs(accumulate([0.9, 0.95], [0.1, 0.2, 0.3, 0.9, 0.95]).auc - 0.8) < 1e-15)
    }

    @Test func emptyInputs() {
        #expect(accumulate([], [1, 2]).auc.isNaN)
        #expect(accumulate([1], []).auc.isNaN)
        #expect(accumulate([], [1]).successRateCurve.isEmpty)
        #expect(accumulate([], [1]).depositPercent(atAreaPercent: 50) == 0)
    }

    @Test func nodataIsSkipped() {
        let roc = accumulate([1, .nan], [0, -9999, .nan, 0, 1], isValid: { $0 != -9999 })
        #expect(roc.cellCount == 3)
        #expect(roc.depositCount == 1)
        #expect(abs(roc.auc - 2.5 / 3) < 1e-15)
    }

    @Test(arguments: [0, 1, 7, 8, 9, 1023])
    func mergeEqualsSinglePass(split: Int) {
        var rng = SplitMix64(seed: 3)
        // Nodata (NaN) in every lane position modulo 9.
        let cells: [Float] = (0..<1023).map { i in i % 9 == split % 9 ? .nan : Float(rng.next() % 100) / 100 }
        let deposits: [Float] = (0..<40).map { _ in Float(rng.next() % 100) / 100 }
        let whole = accumulate(deposits, cells)
        #expect(whole.cellCount == cells.filter { !$0.isNaN }.count)
        #expect(abs(whole.auc - bruteForceAUC(deposits, cells.filter { !$0.isNaN })) < 1e-12)
        var left = accumulate(deposits, Array(cells[..<split]))
        left.merge(accumulate(deposits, Array(cells[split...])))
        #expect(left.bins == whole.bins)
        #expect(left.auc == whole.auc)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func matchesBruteForce(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        // Coarse scores so that ties between deposits and cells occur often.
        let cells: [Float] = (0..<3000).map { _ in Float(rng.next() % 200) / 8 }
        let deposits: [Float] = (0..<150).map { _ in Float(rng.next() % 120 + 80) / 8 }
        let roc = accumulate(deposits, cells)
        #expect(abs(roc.auc - bruteForceAUC(deposits, cells)) < 1e-12)
        // Curve: one point per deposit, by score descending.
        let curve = roc.successRateCurve
        #expect(curve.count == deposits.count)
        for (point, d) in zip(curve, deposits.sorted(by: >)) {
            let area = 100 * Double(cells.filter { $0 >= d }.count) / Double(cells.count)
            let captured = 100 * Double(deposits.filter { $0 >= d }.count) / Double(deposits.count)
            #expect(abs(point.areaPercent - area) < 1e-9)
            #expect(abs(point.depositPercent - captured) < 1e-9)
        }
    }

    /// Cells 0…9, deposits at 9, 7 and 2. Curve: (10 %, 33.3 %), (30 %, 66.7 %), (80 %, 100 %).
    @Test func successRateCurveByHand() {
        let roc = accumulate([2, 9, 7], (0..<10).map(Float.init))
        let curve = roc.successRateCurve
        #expect(curve.map(\.areaPercent) == [10, 30, 80])
        #expect(curve.map { ($0.depositPercent * 3).rounded() } == [100, 200, 300])
        #expect(roc.depositPercent(atAreaPercent: 5) == 0)
        #expect(roc.depositPercent(atAreaPercent: 10) == 100.0 / 3)
        #expect(roc.depositPercent(atAreaPercent: 29) == 100.0 / 3)
        #expect(roc.depositPercent(atAreaPercent: 30) == 200.0 / 3)
        #expect(roc.depositPercent(atAreaPercent: 79.9) == 200.0 / 3)
        #expect(roc.depositPercent(atAreaPercent: 100) == 100)
        // AUC: 9 → 9 below + ½, 7 → 7 + ½, 2 → 2 + ½: (18.5 + 1) / 30... = (9.5 + 7.5 + 2.5) / 30.
        #expect(abs(roc.auc - 19.5 / 30) < 1e-15)
    }

    @Test func tiedDepositsShareAPoint() {
        let roc = accumulate([5, 5, 1], (0..<10).map(Float.init))
        let curve = roc.successRateCurve
        #expect(curve.count == 3)
        #expect(curve[0].areaPercent == 50 && curve[1].areaPercent == 50)
        #expect(abs(curve[0].depositPercent - 200.0 / 3) < 1e-12)
        #expect(curve[2].areaPercent == 90 && curve[2].depositPercent == 100)
    }
}
