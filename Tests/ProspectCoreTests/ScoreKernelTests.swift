import Foundation
import Testing

@testable import ProspectCore

@Suite("Score kernel against its scalar reference")
struct ScoreKernelTests {
    static let lengths = [0, 1, 7, 8, 9, 1023, 2048 + 13]

    /// A model using every kind of term: linear, step, categorical lookup.
    static let model = AdditiveModel(
        intercept: -3.2,
        terms: [
            .linear(coefficient: 0.8, center: 10),
            .step(threshold: 0.5, above: 1.3, below: -0.4),
            .lookup(codes: [1, 2, 4, 7], values: [0.2, -1.1, 2.0, 0.7], otherwise: -0.05),
            .linear(coefficient: -1.5, center: 0),
        ],
        nodata: [-9999, -1, 0, .nan])

    static func makeLayers(count n: Int, seed: UInt64) -> [[Float]] {
        var rng = SplitMix64(seed: seed)
        let a = (0..<n).map { _ in Float(rng.nextUnit() * 20) }
        let b = (0..<n).map { _ in Float(rng.nextUnit()) }
        let c = (0..<n).map { _ in Float(Int(rng.nextUnit() * 9)) }  // codes 0…8, 0 is nodata
        let d = (0..<n).map { _ in Float(rng.nextUnit() * 4 - 2) }
        return [a, b, c, d]
    }

    static func run(_ layers: [[Float]], model: AdditiveModel) -> (fast: [Float], reference: [Float]) {
        let n = layers[0].count
        var fast = [Float](repeating: 7, count: n)
        var ref = [Float](repeating: 7, count: n)
        layers.withUnsafeBufferPointers { ptrs in
            fast.withUnsafeMutableBufferPointer { out in
                ScoreKernel.score(CompiledModel(model), layers: ptrs, output: out, outputNodata: -1)
            }
            ref.withUnsafeMutableBufferPointer { out in
                ScoreKernel.reference(model: model, layers: ptrs, output: out, outputNodata: -1)
            }
        }
        return (fast, ref)
    }

    @Test("fast kernel matches the reference", arguments: lengths)
    func matchesReference(length: Int) {
        let layers = Self.makeLayers(count: length, seed: UInt64(length) + 1)
        let (fast, ref) = Self.run(layers, model: Self.model)
        #expect(fast.count == length)
        for i in 0..<length {
            #expect(abs(fast[i] - ref[i]) <= 2e-6, "cell \(i): \(fast[i]) vs \(ref[i])")
        }
        // The lookup layer has nodata code 0 in some cells: those must be nodata in both.
        for i in 0..<length where layers[2][i] == 0 { #expect(fast[i] == -1) }
    }

    @Test("nodata and NaN in every lane position of every layer", arguments: [1, 7, 8, 9, 17, 1023])
    func nodataEveryLane(length: Int) {
        for layer in 0..<4 {
            for lane in 0..<min(length, 16) {
                var layers = Self.makeLayers(count: length, seed: 99)
                // Code layer: keep every cell valid except the one under test.
                layers[2] = layers[2].map { $0 == 0 ? 1 : $0 }
                let missing: Float = layer == 3 ? .nan : Self.model.nodata[layer]
                layers[layer][lane] = missing
                let (fast, ref) = Self.run(layers, model: Self.model)
                #expect(fast[lane] == -1, "layer \(layer) lane \(lane)")
                #expect(ref[lane] == -1)
                for i in 0..<length where i != lane {
                    #expect(fast[i] != -1)
                    #expect(abs(fast[i] - ref[i]) <= 2e-6)
                }
            }
        }
        // NaN in a layer whose nodata is a number is missing too.
        var layers = Self.makeLayers(count: length, seed: 5)
        layers[0][length - 1] = .nan
        let (fast, _) = Self.run(layers, model: Self.model)
        #expect(fast[length - 1] == -1)
    }

    @Test("±Inf in every lane position of every layer is missing, under both missing-data rules", arguments: [1, 7, 8, 9, 17, 1023])
    func infinityEveryLane(length: Int) {
        for rule in [MissingDataRule.nodata, .unknown] {
            var model = Self.model
            model.missing = rule
            for layer in 0..<4 {
                for lane in 0..<min(length, 16) {
                    var layers = Self.makeLayers(count: length, seed: 7)
                    layers[2] = layers[2].map { $0 == 0 ? 1 : $0 }
                    layers[layer][lane] = lane.isMultiple(of: 2) ? .infinity : -.infinity
                    let (fast, ref) = Self.run(layers, model: model)
                    if rule == .nodata {
                        #expect(fast[lane] == -1 && ref[lane] == -1, "layer \(layer) lane \(lane)")
                    }
                    for i in 0..<length { #expect(abs(fast[i] - ref[i]) <= 2e-6, "layer \(layer) lane \(lane) cell \(i)") }
                }
            }
        }
    }

    /// Lookups whose codes no dense table can hold: wide spans, codes near ±2^31, codes beyond
    /// 2^24 where Floats skip whole numbers, and `Int32.min`, which the reference gives values
    /// that are no Int32.
    static let wideLookups: [[Int32]] = [
        [1, 2_000_000, 2_147_483_647],
        [-2_147_483_647, -5, 0, 7, 2_147_483_647],
        [Int32.min, 3, 1 << 30, (1 << 30) + 1, (1 << 30) + 64],
        [(1 << 24) + 1, (1 << 24) + 2, (1 << 24) + 4],
        [-3, -2, 1 << 20],
    ]

    @Test("lookups of any code range score as the reference on every lane and tail", arguments: wideLookups)
    func wideCodes(codes: [Int32]) {
        let values = codes.indices.map { Float($0) * 0.37 - 0.5 }
        for rule in [MissingDataRule.nodata, .unknown] {
            var model = AdditiveModel(
                intercept: -1.5,
                terms: [.linear(coefficient: 0.3, center: 1), .lookup(codes: codes, values: values, otherwise: 0.11)],
                nodata: [-9999, -9999])
            model.missing = rule
            for length in Self.lengths {
                var rng = SplitMix64(seed: UInt64(length) + 3)
                let a = (0..<length).map { _ in Float(rng.nextUnit() * 4) }
                // Each listed code, as a Float, a neighbour, NaN, ±Inf, nodata, the extremes.
                let pool: [Float] =
                    codes.map { Float($0) } + codes.map { Float($0) + 1 } + [
                        .nan, .infinity, -.infinity, -9999, 2_147_483_648, -2_147_483_648, 0.4, -0.6, 5e9,
                    ]
                let b = (0..<length).map { i in pool[(i * 7 + Int(rng.nextUnit() * 3)) % pool.count] }
                let (fast, ref) = Self.run([a, b], model: model)
                for i in 0..<length {
                    #expect(abs(fast[i] - ref[i]) <= 2e-6, "\(rule) length \(length) cell \(i): x = \(b[i])")
                }
            }
        }
        if case .sparse = CompiledModel(AdditiveModel(intercept: 0, terms: [.lookup(codes: codes, values: values, otherwise: 0)])).ops[0] {
        } else {
            Issue.record("codes \(codes) should compile to a sparse lookup")
        }
    }

    @Test("a code listed in a sparse lookup scores its value, one not listed scores otherwise")
    func sparseValues() {
        let model = AdditiveModel(
            intercept: 0, terms: [.lookup(codes: [2_147_483_647, 1, 2_000_000, -7], values: [3, -2, 1, 0.5], otherwise: -1)])
        let x: [Float] = [1, 2_000_000, 2_147_483_647, -7, 2, 1_999_999, -6.6, 0.5]
        let (fast, ref) = Self.run([x], model: model)
        // Float(2_147_483_647) is 2^31, no Int32: like the reference, it scores otherwise.
        let expected = [-2, 1, -1, 0.5, -1, -1, 0.5, -2].map { Float(1 / (1 + Foundation.exp(-Double($0)))) }
        for i in x.indices {
            #expect(abs(fast[i] - expected[i]) <= 2e-6, "x = \(x[i])")
            #expect(abs(ref[i] - expected[i]) <= 2e-6, "x = \(x[i])")
        }
    }

    @Test("vector exp stays within 4e-7 relative (about 3 ulp) of Foundation's")
    func fastExpAccuracy() {
        var worst: Double = 0
        var x: Float = -87
        while x <= 88 {
            let v = SIMD8<Float>((0..<8).map { x + Float($0) * 0.0137 })
            let e = FastMath.exp(v)
            for j in 0..<8 {
                let exact = Foundation.exp(Double(v[j]))
                worst = max(worst, abs(Double(e[j]) - exact) / exact)
            }
            x += 0.173
        }
        #expect(worst < 4e-7, "worst relative error \(worst)")
        // Clamped extremes stay finite and ordered.
        let big = FastMath.sigmoid(SIMD8<Float>(repeating: 500))
        let small = FastMath.sigmoid(SIMD8<Float>(repeating: -500))
        #expect(big[0] == 1)
        #expect(small[0] >= 0 && small[0] < 1e-37)
    }

    @Test("parallel scorer equals the single-threaded kernel", arguments: [1, 2, 3])
    func parallelMatches(threads: Int) {
        let n = ParallelScorer.grain * 3 + 77
        let layers = Self.makeLayers(count: n, seed: 11)
        let compiled = CompiledModel(Self.model)
        var serial = [Float](repeating: 0, count: n)
        var parallel = [Float](repeating: 0, count: n)
        layers.withUnsafeBufferPointers { ptrs in
            serial.withUnsafeMutableBufferPointer {
                ScoreKernel.score(compiled, layers: ptrs, output: $0, outputNodata: -1)
            }
            parallel.withUnsafeMutableBufferPointer {
                ParallelScorer.score(compiled, layers: ptrs, output: $0, outputNodata: -1, threads: threads)
            }
        }
        #expect(serial == parallel)
    }
}

extension Array where Element == [Float] {
    /// Calls `body` with a buffer pointer to each inner array (valid only inside `body`).
    func withUnsafeBufferPointers<R>(_ body: ([UnsafeBufferPointer<Float>]) -> R) -> R {
        func go(_ i: Int, _ acc: [UnsafeBufferPointer<Float>]) -> R {
            if i == count { return body(acc) }
            return self[i].withUnsafeBufferPointer { go(i + 1, acc + [$0]) }
        }
        return go(0, [])
    }
}
