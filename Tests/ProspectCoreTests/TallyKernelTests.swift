import Foundation
import Testing

@testable import ProspectCore

/// The tallies' tile-at-a-time adds against one value (or cell) at a time, and the bucketed
/// threshold search against the plain bisection.
@Suite struct TallyKernelTests {
    static let lengths = [0, 1, 7, 8, 9, 1023]

    /// Threshold sets: none, one, two, random, crowded into one bucket, spanning all floats.
    static func thresholdSets() -> [[Float]] {
        var rng = SplitMix64(seed: 5)
        func distinct(_ values: [Float]) -> [Float] { Array(Set(values)).sorted() }
        var sets: [[Float]] = [[], [5], [1, 2], [-3, 0, 0.5]]
        for m in [7, 8, 9, 1023] { sets.append(distinct((0..<m).map { _ in Float(rng.nextGaussian() * 40 + 100) })) }
        // 200 thresholds within 1e-3 and two far away: one bucket holds nearly all.
        sets.append(distinct((0..<200).map { _ in 50 + Float(rng.nextUnit()) * 1e-3 } + [-1e6, 1e6]))
        sets.append([-.greatestFiniteMagnitude, 0, .greatestFiniteMagnitude])
        return sets
    }

    @Test("the bucketed search bins every value as the bisection does")
    func thresholdIndex() {
        var rng = SplitMix64(seed: 9)
        let sets = Self.thresholdSets()
        for (n, t) in sets.enumerated() {
            let index = ThresholdIndex(t)
            var values: [Float] = [-.greatestFiniteMagnitude, .greatestFiniteMagnitude, 0, -0.0, 1e-30]
            for x in t { values += [x, x.nextUp, x.nextDown] }
            let (lo, hi) = (Double(t.first ?? -1), Double(t.last ?? 1))
            for _ in 0..<2000 { values.append(Float(lo - 1 + rng.nextUnit() * (hi - lo + 2))) }
            // Both paths: padded buckets of four, and the bisection of crowded buckets.
            #expect(index.padded.isEmpty == (t.isEmpty || n == sets.count - 2), "\(t.count) thresholds")
            t.withUnsafeBufferPointer { tp in
                index.start.withUnsafeBufferPointer { start in
                    index.padded.withUnsafeBufferPointer { padded in
                        for x in values where x.isFinite {
                            #expect(
                                index.bin(of: x, in: tp, start: start, padded: padded) == ThresholdBins.bin(of: x, in: tp),
                                "x = \(x), \(t.count) thresholds")
                        }
                    }
                }
            }
        }
    }

    /// Values with nodata (−9999), NaN and ±Inf spread over the lanes, and repeated runs.
    static func values(_ n: Int, seed: UInt64, classes: Int? = nil) -> [Float] {
        var rng = SplitMix64(seed: seed)
        var out: [Float] = []
        while out.count < n {
            let x: Float =
                classes.map { Float(rng.next() % UInt64($0)) } ?? Float(rng.nextGaussian() * 40 + 100).rounded(.down)
            for _ in 0..<(1 + Int(rng.next() % 4)) where out.count < n { out.append(x) }
        }
        for i in out.indices where i % 5 == 3 || i % 11 == 0 { out[i] = [Float(-9999), .nan, .infinity, -.infinity][i % 4] }
        return out
    }

    /// Every offset but those ≡ 2 mod 7 (cells outside the area).
    static func offsets(_ n: Int) -> [Int32] { (0..<Int32(n)).filter { $0 % 7 != 2 } }

    static func valid(_ x: Float) -> Bool { x.isFinite && x != -9999 }

    @Test("tile adds count what adds of single values count", arguments: lengths)
    func tallies(n: Int) {
        let x = Self.values(n, seed: UInt64(n))
        let codes = Self.values(n, seed: UInt64(n) + 1, classes: 6)
        let offsets = Self.offsets(n)
        let deposits: [Float] = [60, 100, 100, 120, 141, 75.5]
        var continuous = ContinuousTally(depositValues: deposits, extraThresholds: [90])
        var continuousReference = continuous
        var categorical = CategoricalTally()
        var categoricalReference = categorical
        var cumulative = CumulativeTally()
        var cumulativeReference = cumulative
        x.withUnsafeBufferPointer { x in
            codes.withUnsafeBufferPointer { codes in
                offsets.withUnsafeBufferPointer { o in
                    continuous.add(x, at: o, nodata: -9999)
                    cumulative.add(x, at: o, nodata: -9999)
                    categorical.add(codes, at: o, nodata: -9999)
                }
            }
        }
        for o in offsets.map(Int.init) {
            if Self.valid(x[o]) {
                continuousReference.add(x[o])
                cumulativeReference.add(x[o])
            }
            if Self.valid(codes[o]) { categoricalReference.add(code: LayerTerm.code(of: codes[o])) }
        }
        #expect(continuous.bins == continuousReference.bins)
        #expect(cumulative.cells == cumulativeReference.cells)
        #expect(categorical.cells == categoricalReference.cells)
        #expect(continuous.cellCount == offsets.filter { Self.valid(x[Int($0)]) }.count)
    }

    /// Models of each storage: steps and a small lookup (counted in an array), three lookups of
    /// 50 classes (a dictionary by condition number), a linear term (hashed).
    static let models: [[LayerTerm]] = [
        [
            .step(threshold: 100, above: 0.5, below: -0.2), .lookup(codes: [0, 2, 4], values: [1, 2, 3], otherwise: 0),
            .step(threshold: 90, above: 1, below: 0),
        ],
        (0..<3).map { _ in .lookup(codes: Array(0..<50), values: (0..<50).map(Float.init), otherwise: 0) },
        [.step(threshold: 100, above: 0.5, below: -0.2), .linear(coefficient: 1, center: 0)],
    ]

    static func same(_ a: [UInt64: UniqueConditionTally.Condition], _ b: [UInt64: UniqueConditionTally.Condition]) -> Bool {
        a.count == b.count
            && a.allSatisfy { key, c in
                guard let d = b[key] else { return false }
                return c.cells == d.cells && c.first == d.first && c.values.map(\.bitPattern) == d.values.map(\.bitPattern)
            }
    }

    @Test("unique conditions of a tile, and merged parts, equal the conditions counted cell by cell", arguments: [0, 1, 2])
    func uniqueConditions(model: Int) {
        let terms = Self.models[model]
        let n = 1023
        let layers: [[Float]] = terms.indices.map { k in
            if case .lookup = terms[k] { return Self.values(n, seed: UInt64(10 + k), classes: model == 1 ? 52 : 6) }
            return Self.values(n, seed: UInt64(10 + k))
        }
        let nodata = [Float](repeating: -9999, count: terms.count)
        let offsets = Self.offsets(n)
        // The buffers are 31 rows of 33 cells of a grid 100 cells wide, from cell 2 of row 5.
        func cell(_ o: Int) -> Int { 502 + (o / 33) * 100 + o % 33 }
        var reference = UniqueConditionTally(terms: terms)
        for o in offsets.map(Int.init) {
            reference.add(cell: cell(o)) { k in Self.valid(layers[k][o]) ? layers[k][o] : .nan }
        }
        let buffers = layers.map { values in
            let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: values.count)
            _ = b.initialize(from: values)
            return b
        }
        defer { buffers.forEach { $0.deallocate() } }
        var whole = UniqueConditionTally(terms: terms)
        offsets.withUnsafeBufferPointer {
            whole.add(layers: buffers, offsets: $0, nodata: nodata, rowStride: 33, origin: 502, gridColumns: 100)
        }
        #expect(Self.same(whole.conditions, reference.conditions))
        // Three parts, merged in two orders.
        let parts = [0..<300, 300..<301, 301..<offsets.count].map { range in
            var t = UniqueConditionTally(terms: terms)
            Array(offsets[range]).withUnsafeBufferPointer {
                t.add(layers: buffers, offsets: $0, nodata: nodata, rowStride: 33, origin: 502, gridColumns: 100)
            }
            return t
        }
        for order in [[0, 1, 2], [2, 0, 1]] {
            var merged = parts[order[0]]
            for i in order.dropFirst() { merged.merge(parts[i]) }
            #expect(Self.same(merged.conditions, reference.conditions), "order \(order)")
        }
        #expect(reference.conditions.values.reduce(0) { $0 + $1.cells } == offsets.count)
    }
}
