import Foundation
import Testing

@testable import ProspectCore

/// The P-A intersection, capture and calibration in the large against simple, separate
/// definitions: cells sorted by score, one vertex per distinct cell score, no bins.
@Suite("Validation measures against brute force")
struct ValidationMeasuresTests {
    /// The area–deposit curve with a vertex at every distinct cell score (descending): area and
    /// deposit percent of the cells and deposits scoring at or above it; straight lines between.
    static func bruteCurve(deposits: [Float], cells: [Float]) -> [(area: Double, deposit: Double)] {
        let levels = Array(Set(cells)).sorted(by: >)
        var curve: [(area: Double, deposit: Double)] = [(0, 0)]
        for t in levels {
            let a = 100 * Double(cells.filter { $0 >= t }.count) / Double(cells.count)
            let d = 100 * Double(deposits.filter { $0 >= t }.count) / Double(deposits.count)
            curve.append((a, d))
        }
        return curve
    }

    static func bruteCapture(_ curve: [(area: Double, deposit: Double)], at a: Double) -> Double {
        for (p, q) in zip(curve, curve.dropFirst()) where q.area >= a && q.area > p.area {
            return p.deposit + (a - p.area) / (q.area - p.area) * (q.deposit - p.deposit)
        }
        return 100
    }

    static func bruteIntersection(_ curve: [(area: Double, deposit: Double)]) -> (area: Double, deposit: Double) {
        for (p, q) in zip(curve, curve.dropFirst()) {
            // deposit − (100 − area) changes sign on this segment.
            let g0 = p.deposit + p.area - 100
            let g1 = q.deposit + q.area - 100
            if g0 <= 0 && g1 >= 0 && g1 > g0 {
                let t = -g0 / (g1 - g0)
                return (p.area + t * (q.area - p.area), p.deposit + t * (q.deposit - p.deposit))
            }
        }
        return (.nan, .nan)
    }

    /// Scores on a coarse grid of values (many ties), deposits drawn among the cells.
    static func sample(seed: UInt64, cells n: Int, deposits m: Int, levels: Int) -> (deposits: [Float], cells: [Float]) {
        var rng = SplitMix64(seed: seed)
        let cells = (0..<n).map { _ in Float(Int(rng.nextUnit() * Double(levels))) / Float(levels) }
        // Deposits favour high scores: each a cell picked as the best of two draws.
        let deposits = (0..<m).map { _ in
            max(cells[Int(rng.next() % UInt64(n))], cells[Int(rng.next() % UInt64(n))])
        }
        return (deposits, cells)
    }

    @Test("polyline, capture and P-A intersection equal the brute-force curve's", arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func matchesBruteForce(seed: UInt64) throws {
        let levels = [3, 10, 1000][Int(seed % 3)]
        let (deposits, cells) = Self.sample(seed: seed, cells: 37 + Int(seed) * 11, deposits: 3 + Int(seed), levels: levels)
        var roc = ROCAccumulator(depositScores: deposits)
        cells.withUnsafeBufferPointer { roc.add($0, isValid: { _ in true }) }
        let curve = Self.bruteCurve(deposits: deposits, cells: cells)
        for a in [0.5, 1, 5, 10, 20, 33.3, 50, 99, 100] {
            #expect(abs(roc.capturedPercent(atAreaPercent: a) - Self.bruteCapture(curve, at: a)) < 1e-9, "seed \(seed), area \(a)")
        }
        let pa = try #require(roc.predictionAreaIntersection)
        let expected = Self.bruteIntersection(curve)
        #expect(abs(pa.areaPercent - expected.area) < 1e-9 && abs(pa.depositPercent - expected.deposit) < 1e-9, "seed \(seed)")
        #expect(abs(pa.depositPercent + pa.areaPercent - 100) < 1e-9)
        #expect(abs(pa.normalizedDensity - expected.deposit / expected.area) < 1e-9)
    }

    @Test("a hand-computed case: 10 cells, 2 deposits")
    func byHand() throws {
        // Cells 0.9 (deposit), 0.8, 0.7 (deposit), then seven at 0.1. Vertices (area %, deposit %):
        // (0,0) → (10,50) → (20,50) → (30,100) → (100,100). A + D runs 70 → 130 on the third
        // segment, so it reaches 100 half-way: area 25 %, deposits 75 %, density 3.
        let cells: [Float] = [0.9, 0.8, 0.7] + [Float](repeating: 0.1, count: 7)
        var roc = ROCAccumulator(depositScores: [0.9, 0.7])
        cells.withUnsafeBufferPointer { roc.add($0, isValid: { _ in true }) }
        let pa = try #require(roc.predictionAreaIntersection)
        #expect(abs(pa.areaPercent - 25) < 1e-12 && abs(pa.depositPercent - 75) < 1e-12 && abs(pa.normalizedDensity - 3) < 1e-12)
        #expect(roc.capturedPercent(atAreaPercent: 5) == 25)  // half of the 0.9 cell's diagonal
        #expect(roc.capturedPercent(atAreaPercent: 15) == 50)
        #expect(roc.capturedPercent(atAreaPercent: 100) == 100)
    }

    @Test("calibration in the large: the offset found makes the exact sum hit the target")
    func logitHistogram() throws {
        var rng = SplitMix64(seed: 9)
        // Logits from a skewed mix, as a map of rare deposits has: most far below 0.
        let logits = (0..<20_000).map { i in i % 50 == 0 ? rng.nextUnit() * 6 - 2 : rng.nextUnit() * 10 - 14 }
        var h = LogitHistogram()
        for m in logits { h.add(probability: 1 / (1 + exp(-m))) }
        #expect(h.cellCount == logits.count)
        let exact = { (d: Double) in logits.reduce(0) { $0 + 1 / (1 + exp(-($1 + d))) } }
        #expect(abs(h.expected() - exact(0)) <= 2e-4 * exact(0))
        for target in [1.0, 61, 400, 5000] {
            let d = try #require(h.offset(target: target))
            #expect(abs(exact(d) - target) <= 2e-4 * target, "target \(target): \(exact(d))")
        }
        #expect(h.offset(target: 0) == nil && h.offset(target: Double(logits.count)) == nil)
        #expect(LogitHistogram().offset(target: 1) == nil)
    }
}

@Suite("A forest's logit offset in model files")
struct LogitOffsetFileTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/model-files")

    @Test("absent in older files (the mean as before), round-trips, shifts the mean's logit; refused on a boosted ensemble")
    func offset() throws {
        let rf = try ModelFile.decode(Data(contentsOf: Self.fixtures.appendingPathComponent("rf.json")))
        var forest = try #require(rf.trees)
        #expect(forest.logitOffset == nil)
        let values = [Float](repeating: 0.5, count: forest.featureCount)
        let mean = forest.probability(values)
        #expect(mean == forest.margin(values))
        forest.logitOffset = 0.7
        let shifted = forest.probability(values)
        #expect(abs(log(shifted / (1 - shifted)) - log(mean / (1 - mean)) - 0.7) < 1e-12)
        var file = rf
        file.payload = .trees(forest, origin: .randomForest)
        #expect(try ModelFile.decode(file.encoded()).trees?.logitOffset == 0.7)

        let gbt = try ModelFile.decode(Data(contentsOf: Self.fixtures.appendingPathComponent("gbt.json")))
        var boosted = try #require(gbt.trees)
        boosted.logitOffset = 0.7
        var bad = gbt
        bad.payload = .trees(boosted, origin: .gradientBoosting)
        #expect(throws: (any Error).self) { try ModelFile.decode(bad.encoded()) }
    }
}
