import Foundation
import Testing

@testable import ProspectCore

/// Random layers for the overlay kernels: three continuous layers (memberships, with some
/// values outside [0, 1] that the fuzzy overlay clamps), one categorical layer of codes 0…8
/// (0 is its nodata) and one continuous layer whose only missing value is NaN.
enum OverlayData {
    static let nodata: [Float] = [-9999, -1, -9999, 0, .nan]
    static let names = ["a", "b", "c", "lith", "e"]
    static let lithology = ClassTable(codes: [1, 2, 4, 7], scores: [0.2, 0.9, 1, 0.55])

    static func layers(count n: Int, seed: UInt64) -> [[Float]] {
        var rng = SplitMix64(seed: seed)
        func unit() -> Float { Float(rng.nextUnit() * 1.1 - 0.05) }
        let a = (0..<n).map { _ in unit() }
        let b = (0..<n).map { _ in unit() }
        let c = (0..<n).map { _ in Float(rng.nextUnit()) }
        let lith = (0..<n).map { _ in Float(Int(rng.nextUnit() * 9)) }
        let e = (0..<n).map { _ in Float(rng.nextUnit()) }
        return [a, b, c, lith, e]
    }

    /// Missing values scattered through every layer (about 1 in 40 cells per layer).
    static func withGaps(_ layers: [[Float]], seed: UInt64) -> [[Float]] {
        var out = layers
        var rng = SplitMix64(seed: seed)
        for k in out.indices {
            for i in out[k].indices where rng.nextUnit() < 0.025 {
                out[k][i] = rng.nextUnit() < 0.5 || nodata[k].isNaN ? .nan : nodata[k]
            }
        }
        return out
    }

    static func run(
        _ layers: [[Float]], fast: ([UnsafeBufferPointer<Float>], UnsafeMutableBufferPointer<Float>) -> Void,
        reference: ([UnsafeBufferPointer<Float>], UnsafeMutableBufferPointer<Float>) -> Void
    ) -> (fast: [Float], reference: [Float]) {
        let n = layers[0].count
        var f = [Float](repeating: 7, count: n)
        var r = [Float](repeating: 7, count: n)
        layers.withUnsafeBufferPointers { ptrs in
            f.withUnsafeMutableBufferPointer { fast(ptrs, $0) }
            r.withUnsafeMutableBufferPointer { reference(ptrs, $0) }
        }
        return (f, r)
    }
}

@Suite("Fuzzy overlay kernel against its scalar reference")
struct FuzzyOverlayKernelTests {
    static let lengths = [0, 1, 7, 8, 9, 1023, FuzzyProgram.chunk + 13, 3 * FuzzyProgram.chunk]

    /// Expressions using every operator, nesting, a layer read twice, a categorical layer and
    /// (in some) a layer the expression does not read.
    static let expressions = [
        "gamma(0.9, and(a, b), or(c, lith))",
        "and(a, b, c, lith, e)",
        "or(a, b, c, lith, e)",
        "product(a, b, lith, e, c)",
        "sum(a, b, lith, e, c)",
        "gamma(0.3, a, b, c, lith, e)",
        "gamma(0, a, b, e, c, lith)",
        "gamma(1, a, b, e, c, lith)",
        "sum(product(a, b), gamma(0.5, or(c, a), and(lith, e)))",
        "or(and(a, b), and(c, lith))",
        "gamma(0.7, sum(a, b), product(c, e))",  // lith is read by no operator: it only masks
        "a",
    ]

    static func overlay(_ text: String) throws -> FuzzyOverlay {
        let e = try FuzzyExpression(parsing: text, layers: OverlayData.names)
        return FuzzyOverlay(expression: e, classTables: [nil, nil, nil, OverlayData.lithology, nil], nodata: OverlayData.nodata)
    }

    static func run(_ overlay: FuzzyOverlay, _ layers: [[Float]]) -> (fast: [Float], reference: [Float]) {
        OverlayData.run(
            layers, fast: { overlay.score(layers: $0, output: $1, outputNodata: -1) },
            reference: { overlay.reference(layers: $0, output: $1, outputNodata: -1) })
    }

    @Test("fast kernel matches the reference on random data with gaps", arguments: lengths)
    func matchesReference(length: Int) throws {
        let layers = OverlayData.withGaps(OverlayData.layers(count: length, seed: UInt64(length) + 3), seed: 17)
        for text in Self.expressions {
            let overlay = try Self.overlay(text)
            let (fast, ref) = Self.run(overlay, layers)
            for i in 0..<length {
                let missing = (0..<5).contains { k in layers[k][i].isNaN || layers[k][i] == OverlayData.nodata[k] }
                #expect((ref[i] == -1) == missing, "\(text) cell \(i)")
                #expect(abs(fast[i] - ref[i]) <= 2e-6, "\(text) cell \(i): \(fast[i]) vs \(ref[i])")
                #expect(ref[i] == -1 || (0...1).contains(ref[i]))
            }
        }
    }

    @Test("nodata and NaN in every lane position of every layer", arguments: [1, 7, 8, 9, 17])
    func nodataEveryLane(length: Int) throws {
        for text in [Self.expressions[0], Self.expressions[4], Self.expressions[10]] {
            let overlay = try Self.overlay(text)
            for layer in 0..<5 {
                for lane in 0..<length {
                    for missing in [OverlayData.nodata[layer], .nan] {
                        var layers = OverlayData.layers(count: length, seed: 99)
                        layers[3] = layers[3].map { $0 == 0 ? 1 : $0 }
                        layers[layer][lane] = missing
                        let (fast, ref) = Self.run(overlay, layers)
                        #expect(fast[lane] == -1 && ref[lane] == -1, "\(text) layer \(layer) lane \(lane)")
                        for i in 0..<length where i != lane {
                            #expect(fast[i] != -1 && abs(fast[i] - ref[i]) <= 2e-6)
                        }
                    }
                }
            }
        }
    }

    @Test func valuesOutsideTheUnitIntervalAreClamped() throws {
        let overlay = try Self.overlay("and(a, b, c, lith, e)")
        let layers: [[Float]] = [[1.7, -0.2, 0.6], [2, 2, 2], [0.9, 0.9, -3], [4, 4, 4], [1, 1, 1]]
        let (fast, ref) = Self.run(overlay, layers)
        #expect(ref == [0.9, 0, 0])
        #expect(fast == ref)
    }

    @Test("the compiled program for a nested gamma")
    func program() throws {
        let overlay = try Self.overlay("gamma(0.9, and(a, b), or(c, lith))")
        typealias S = FuzzyProgram.Step
        #expect(
            overlay.program.steps == [
                S.load(dst: 2, source: .layer(0), complement: false), .minimum(dst: 2, source: .layer(1)),
                .gammaLoad(product: 0, complements: 1, source: .register(2)),
                .load(dst: 2, source: .layer(2), complement: false), .maximum(dst: 2, source: .layer(3)),
                .gammaMultiply(product: 0, complements: 1, source: .register(2)),
                .gamma(dst: 0, product: 0, complements: 1, gamma: 0.9),
                .mask(dst: 0, layer: 4),
            ])
        #expect(overlay.program.registers == 3)
    }
}

@Suite("Fuzzy overlay contributions")
struct FuzzyContributionTests {
    static func contributions(_ text: String, _ values: [Float]) throws -> [Double] {
        let names = ["a", "b", "c", "d"]
        let overlay = FuzzyOverlay(
            expression: try FuzzyExpression(parsing: text, layers: names),
            classTables: [nil, nil, nil, nil], nodata: [-9999, -9999, -9999, -9999])
        return overlay.contributions(values: values)
    }

    /// Equal to within the rounding of the Float inputs.
    func close(_ a: [Double], _ b: [Double]) -> Bool { zip(a, b).allSatisfy { abs($0 - $1) < 1e-7 } }

    @Test func handComputed() throws {
        // or(0.8, 0.5): the smaller gets 0.5/2, the larger that plus the rest, 0.3.
        #expect(close(try Self.contributions("or(a, b)", [0.8, 0.5, 0, 0]), [0.55, 0.25, 0, 0]))
        // and, product: every operand is necessary, so equal shares of the value.
        #expect(close(try Self.contributions("and(a, b)", [0.8, 0.5, 0, 0]), [0.25, 0.25, 0, 0]))
        #expect(close(try Self.contributions("product(a, b)", [0.8, 0.5, 0, 0]), [0.2, 0.2, 0, 0]))
        // sum(0.5, 0.5) = 0.75, split evenly; sum(0.8, 0.5) = 0.9: a gets 0.8·(1 + 0.5)/2.
        #expect(close(try Self.contributions("sum(a, b)", [0.5, 0.5, 0, 0]), [0.375, 0.375, 0, 0]))
        #expect(close(try Self.contributions("sum(a, b)", [0.8, 0.5, 0, 0]), [0.6, 0.3, 0, 0]))
        // Nested: gamma splits its value evenly between and(a, b) and or(c, d); or(0.7, 0.2)
        // owes 0.6 of its 0.7 to c and 0.1 to d.
        let y = 0.8925527058738575
        #expect(
            close(
                try Self.contributions("gamma(0.9, and(a, b), or(c, d))", [0.9, 0.8, 0.7, 0.2]),
                [y / 4, y / 4, y / 2 * 6 / 7, y / 2 / 7]))
        // A layer read twice adds its shares; a missing cell explains nothing.
        #expect(close(try Self.contributions("or(a, and(a, b))", [0.6, 0.2, 0, 0]), [0.6 - 0.05, 0.05, 0, 0]))
        #expect(try Self.contributions("or(a, b)", [-9999, 0.5, 0, 0]) == [0, 0, 0, 0])
    }

    /// The Shapley value by its definition, over every coalition, against all operands at 0.
    static func bruteForce(_ op: FuzzyExpression, _ v: [Double]) -> [Double] {
        let m = v.count
        func value(_ mask: Int) -> Double { op.combine((0..<m).map { mask & (1 << $0) != 0 ? v[$0] : 0 }) }
        func factorial(_ n: Int) -> Double { n <= 1 ? 1 : Double(n) * factorial(n - 1) }
        return (0..<m).map { i in
            var phi = 0.0
            for mask in 0..<(1 << m) where mask & (1 << i) == 0 {
                let s = mask.nonzeroBitCount
                phi += factorial(s) * factorial(m - s - 1) / factorial(m) * (value(mask | 1 << i) - value(mask))
            }
            return phi
        }
    }

    @Test("per-operator shares equal Shapley values by definition", arguments: 1...6)
    func shapleyByDefinition(operands m: Int) {
        var rng = SplitMix64(seed: UInt64(m))
        let leaves = (0..<m).map { FuzzyExpression.layer($0) }
        for _ in 0..<20 {
            let v = (0..<m).map { _ in rng.nextUnit() < 0.1 ? 0 : rng.nextUnit() }
            for op in [
                FuzzyExpression.and(leaves), .or(leaves), .product(leaves), .sum(leaves), .gamma(0.8, leaves), .gamma(1, leaves),
                .gamma(0, leaves),
            ] {
                let fast = FuzzyOverlay.shapleyValues(op, v)
                let exact = Self.bruteForce(op, v)
                #expect(zip(fast, exact).allSatisfy { abs($0 - $1) < 1e-12 }, "\(op) \(v): \(fast) vs \(exact)")
            }
        }
    }

    @Test("shares are non-negative and add up to the score")
    func addUp() throws {
        let layers = OverlayData.layers(count: 300, seed: 8)
        for text in FuzzyOverlayKernelTests.expressions {
            let overlay = try FuzzyOverlayKernelTests.overlay(text)
            let (_, scores) = FuzzyOverlayKernelTests.run(overlay, layers)
            for i in 0..<300 where scores[i] != -1 {
                let c = overlay.contributions(values: layers.map { $0[i] })
                #expect(abs(c.reduce(0, +) - Double(scores[i])) < 1e-6, "\(text) cell \(i)")
                #expect(c.allSatisfy { $0 >= 0 })
            }
        }
    }
}

@Suite("Weighted index overlay")
struct WeightedIndexOverlayTests {
    static let weights = [3.0, 1.0, 0.5, 2.0, 1.5]

    static func overlay(_ table: ClassTable = OverlayData.lithology) -> WeightedIndexOverlay {
        WeightedIndexOverlay(weights: weights, classTables: [nil, nil, nil, table, nil], nodata: OverlayData.nodata)
    }

    static func run(_ overlay: WeightedIndexOverlay, _ layers: [[Float]]) -> (fast: [Float], reference: [Float]) {
        OverlayData.run(
            layers, fast: { overlay.score(layers: $0, output: $1, outputNodata: -1) },
            reference: { overlay.reference(layers: $0, output: $1, outputNodata: -1) })
    }

    @Test func handComputed() {
        // (3·0.5 + 2·10) / 5 = 4.3; class 3 is not listed and scores 0: 1.5 / 5 = 0.3.
        let overlay = WeightedIndexOverlay(weights: [3, 2], classTables: [nil, ClassTable(codes: [4], scores: [10])], nodata: [-9999, 0])
        let layers: [[Float]] = [[0.5, 0.5, 0.5, -9999], [4, 3, 0, 4]]
        let (fast, ref) = Self.run(overlay, layers)
        #expect(abs(ref[0] - 4.3) < 1e-6 && abs(ref[1] - 0.3) < 1e-6)
        #expect(ref[2] == -1 && ref[3] == -1)
        #expect(zip(fast, ref).allSatisfy { abs($0 - $1) < 1e-6 })
        let c = overlay.contributions(values: [0.5, 4])
        #expect(abs(c[0] - 0.3) < 1e-12 && abs(c[1] - 4) < 1e-12)
    }

    @Test("fast kernel matches the reference on random data with gaps", arguments: FuzzyOverlayKernelTests.lengths)
    func matchesReference(length: Int) {
        let layers = OverlayData.withGaps(OverlayData.layers(count: length, seed: UInt64(length) + 9), seed: 4)
        // Few listed classes and many.
        let many = ClassTable(codes: (1...20).map { Int32($0) }, scores: (1...20).map { Float($0) / 7 })
        for overlay in [Self.overlay(), Self.overlay(many)] {
            let (fast, ref) = Self.run(overlay, layers)
            for i in 0..<length {
                let missing = (0..<5).contains { k in layers[k][i].isNaN || layers[k][i] == OverlayData.nodata[k] }
                #expect((ref[i] == -1) == missing)
                #expect(abs(fast[i] - ref[i]) <= 1e-6 * max(1, abs(ref[i])), "cell \(i): \(fast[i]) vs \(ref[i])")
            }
        }
    }

    @Test("nodata and NaN in every lane position of every layer", arguments: [1, 7, 8, 9, 17])
    func nodataEveryLane(length: Int) {
        let overlay = Self.overlay()
        for layer in 0..<5 {
            for lane in 0..<length {
                for missing in [OverlayData.nodata[layer], .nan] {
                    var layers = OverlayData.layers(count: length, seed: 5)
                    layers[3] = layers[3].map { $0 == 0 ? 1 : $0 }
                    layers[layer][lane] = missing
                    let (fast, ref) = Self.run(overlay, layers)
                    #expect(fast[lane] == -1 && ref[lane] == -1)
                    for i in 0..<length where i != lane { #expect(fast[i] != -1 && abs(fast[i] - ref[i]) <= 1e-6) }
                }
            }
        }
    }

    @Test("contributions add up to the score")
    func addUp() {
        let overlay = Self.overlay()
        let layers = OverlayData.layers(count: 200, seed: 2)
        var out = [Float](repeating: 0, count: 200)
        layers.withUnsafeBufferPointers { p in
            out.withUnsafeMutableBufferPointer { overlay.reference(layers: p, output: $0, outputNodata: -1) }
        }
        for i in 0..<200 where out[i] != -1 {
            let c = overlay.contributions(values: layers.map { $0[i] })
            #expect(abs(c.reduce(0, +) - Double(out[i])) < 1e-6)
            #expect(abs(c[0] - 3 * Double(layers[0][i]) / 8) < 1e-9)
        }
    }
}

@Suite("Class tables")
struct ClassTableTests {
    @Test("vector lookup equals the scalar definition around every rounding boundary")
    func boundaries() {
        for table in [
            ClassTable(codes: [-4, -1, 0, 3, 4], scores: [1, 2, 3, 4, 5], otherwise: -7),
            ClassTable(codes: (-10...10).map { Int32($0) }, scores: (0...20).map { Float($0) }, otherwise: -7),
        ] {
            var xs: [Float] = [.nan, .infinity, -.infinity, 1e30, -1e30]
            for c in -6...6 {
                for d: Float in [-0.5, 0.5] {
                    let edge = Float(c) + d
                    xs += [edge, edge.nextUp, edge.nextDown, Float(c)]
                }
            }
            while xs.count % 8 != 0 { xs.append(0) }
            for start in stride(from: 0, to: xs.count, by: 8) {
                let v = SIMD8<Float>(xs[start..<start + 8])
                let s = table.withLookup { $0.score(v) }
                for j in 0..<8 where !xs[start + j].isNaN {
                    #expect(s[j] == table.score(xs[start + j]), "x = \(xs[start + j])")
                }
            }
        }
        // Halves round away from zero, as LayerTerm.lookup does.
        let t = ClassTable(codes: [-4, 4], scores: [1, 2])
        #expect(t.score(3.5) == 2 && t.score(4.49) == 2 && t.score(4.5) == 0)
        #expect(t.score(-3.5) == 1 && t.score(-4.5) == 0 && t.score(-3.49) == 0)
    }
}
