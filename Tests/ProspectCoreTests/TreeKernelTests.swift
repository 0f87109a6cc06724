import Foundation
import Testing

@testable import ProspectCore

@Suite("Tree kernels against the scalar definition")
struct TreeKernelTests {
    static let lengths = [0, 1, 7, 8, 9, 63, 64, 65, 1023, 4096 + 13]
    static let nodata: [Float] = [-9999, -1, .nan, 0]

    /// Four layers over [0, 1]; layer 3 has nodata 0, so its values avoid 0.
    static func makeLayers(count n: Int, seed: UInt64) -> [[Float]] {
        var rng = SplitMix64(seed: seed)
        return (0..<4).map { k in
            (0..<n).map { _ in
                let u = Float(rng.nextUnit())
                return k == 3 ? max(u, 1e-3) : u
            }
        }
    }

    /// Every ensemble shape the engine meets: oblivious and general, both comparisons, both outputs.
    static func ensembles() -> [(String, TreeEnsemble)] {
        var out: [(String, TreeEnsemble)] = []
        for output in [TreeEnsemble.Output.logistic, .average] {
            for comparison in [TreeEnsemble.Comparison.lessOrEqual, .less] {
                let tag = "\(output) \(comparison)"
                out.append(
                    (
                        "oblivious \(tag)",
                        SyntheticTrees.oblivious(
                            trees: 37, depth: 6, layers: 4, output: output,
                            comparison: comparison, seed: 3)
                    ))
                out.append(
                    (
                        "general \(tag)",
                        SyntheticTrees.general(
                            trees: 23, depth: 7, layers: 4, output: output,
                            comparison: comparison, seed: 4)
                    ))
                out.append(
                    (
                        "complete \(tag)",
                        SyntheticTrees.general(
                            trees: 31, depth: 6, layers: 4, output: output,
                            comparison: comparison, seed: 14)
                    ))
            }
        }
        // Mixed depths, many thresholds on one layer (three search levels), a single leaf.
        var deep = SyntheticTrees.oblivious(trees: 60, depth: 8, layers: 4, thresholdsPerLayer: 250, seed: 5)
        deep.trees += SyntheticTrees.oblivious(trees: 5, depth: 2, layers: 4, seed: 6).trees
        deep.trees.append(.leaf(0.25))
        out.append(("oblivious mixed depths", deep))
        // Unbalanced trees of 0 to 6 levels, many thresholds on one layer (three search levels).
        var mixed = SyntheticTrees.general(trees: 20, depth: 3, layers: 4, seed: 15)
        mixed.trees += SyntheticTrees.general(trees: 8, depth: 6, layers: 4, seed: 16).trees
        mixed.trees += SyntheticTrees.oblivious(trees: 20, depth: 5, layers: 4, thresholdsPerLayer: 200, seed: 17).trees
        mixed.trees.append(.leaf(-0.5))
        out.append(("complete mixed depths", mixed))
        out.append(("oblivious few thresholds", SyntheticTrees.oblivious(trees: 10, depth: 3, layers: 4, thresholdsPerLayer: 5, seed: 8)))
        // Forests calibrated in the large: the mean's logit shifted down and up.
        for (offset, seed) in [(-2.5, UInt64(21)), (0.8, 22)] {
            var forest = SyntheticTrees.oblivious(trees: 37, depth: 6, layers: 4, output: .average, comparison: .lessOrEqual, seed: seed)
            forest.logitOffset = offset
            out.append(("oblivious average, logit offset \(offset)", forest))
            var general = SyntheticTrees.general(trees: 23, depth: 7, layers: 4, output: .average, comparison: .lessOrEqual, seed: seed)
            general.logitOffset = offset
            out.append(("general average, logit offset \(offset)", general))
        }
        return out
    }

    static func run(_ ensemble: TreeEnsemble, path: CompiledTrees.Path, layers: [[Float]]) -> (fast: [[Float]], reference: [[Float]]) {
        let n = layers[0].count
        let bands = ensemble.output == .average ? 2 : 1
        var fast = [[Float]](repeating: [Float](repeating: 7, count: n), count: bands)
        var ref = fast
        let compiled = CompiledTrees(ensemble, nodata: nodata, path: path)
        layers.withUnsafeBufferPointers { ptrs in
            fast.withUnsafeMutableBufferPointers { outs in compiled.score(layers: ptrs, outputs: outs, outputNodata: -5) }
            ref.withUnsafeMutableBufferPointers { outs in
                TreeKernel.reference(ensemble, nodata: nodata, layers: ptrs, outputs: outs, outputNodata: -5)
            }
        }
        return (fast, ref)
    }

    @Test("oblivious and general paths match the reference to 1e-6", arguments: lengths)
    func matchesReference(length: Int) throws {
        let layers = Self.makeLayers(count: length, seed: UInt64(length) + 17)
        for (name, ensemble) in Self.ensembles() {
            for path in CompiledTrees.Path.allCases {
                if CompiledTrees.problem(path, ensemble) != nil { continue }
                let (fast, ref) = Self.run(ensemble, path: path, layers: layers)
                var worst: Float = 0
                var worstSpread: Float = 0
                for i in 0..<length {
                    worst = max(worst, abs(fast[0][i] - ref[0][i]))
                    if fast.count > 1 { worstSpread = max(worstSpread, abs(fast[1][i] - ref[1][i])) }
                }
                #expect(worst <= 1e-6, "\(name), \(path) path: probability off by \(worst)")
                #expect(worstSpread <= 1e-4, "\(name), \(path) path: spread off by \(worstSpread)")
            }
        }
    }

    @Test("oblivious ensembles take the oblivious path; others of ≤ 6 levels the complete one with AVX2; the rest the general one")
    func pathChoice() {
        let avx2 = CompiledTrees.problem(.complete, SyntheticTrees.general(trees: 1, depth: 2, layers: 1, seed: 1)) == nil
        #expect(avx2 == CPUFeatures.avx2)
        for (name, ensemble) in Self.ensembles() {
            let compiled = CompiledTrees(ensemble, nodata: Self.nodata)
            let expected: CompiledTrees.Path =
                name.hasPrefix("oblivious") ? .oblivious : (name.hasPrefix("complete") && avx2 ? .complete : .general)
            #expect(compiled.path == expected, "\(name)")
            if name == "complete mixed depths" { #expect(CompleteLayout(ensemble)?.search.levels.contains(3) == true) }
        }
        // More than 255 thresholds on a layer, or deeper than 8 levels: general.
        let wide = SyntheticTrees.oblivious(trees: 200, depth: 6, layers: 1, thresholdsPerLayer: 2000, seed: 1)
        #expect(CompiledTrees(wide, nodata: [.nan]).path == .general)
        let deep = SyntheticTrees.oblivious(trees: 2, depth: 9, layers: 2, seed: 1)
        #expect(CompiledTrees(deep, nodata: [.nan, .nan]).path == .general)
    }

    @Test("nodata and NaN in every lane position of every layer", arguments: [1, 7, 8, 9, 17, 64, 65])
    func nodataEveryLane(length: Int) {
        let ensembles = [
            SyntheticTrees.oblivious(trees: 12, depth: 5, layers: 4, output: .average, seed: 9),
            SyntheticTrees.general(trees: 12, depth: 5, layers: 4, output: .average, seed: 9),
        ]
        for ensemble in ensembles {
            for path in CompiledTrees.Path.allCases {
                if CompiledTrees.problem(path, ensemble) != nil { continue }
                for layer in 0..<4 {
                    for lane in 0..<min(length, 17) {
                        var layers = Self.makeLayers(count: length, seed: 99)
                        layers[layer][lane] = layer == 2 ? .nan : Self.nodata[layer]
                        let (fast, ref) = Self.run(ensemble, path: path, layers: layers)
                        #expect(fast[0][lane] == -5 && fast[1][lane] == -5, "\(path) layer \(layer) lane \(lane)")
                        #expect(ref[0][lane] == -5)
                        for i in 0..<length where i != lane {
                            #expect(fast[0][i] != -5 && abs(fast[0][i] - ref[0][i]) <= 1e-6)
                        }
                    }
                }
                // NaN in a layer whose nodata is a number is missing too.
                var layers = Self.makeLayers(count: length, seed: 5)
                layers[0][length - 1] = .nan
                #expect(Self.run(ensemble, path: path, layers: layers).fast[0][length - 1] == -5)
            }
        }
    }

    @Test("values on a threshold go the way the comparison says")
    func exactThresholds() {
        // Cells sitting exactly on thresholds (and one Float step either side), both comparisons.
        for comparison in [TreeEnsemble.Comparison.lessOrEqual, .less] {
            let ensemble = SyntheticTrees.oblivious(
                trees: 20, depth: 4, layers: 4, output: .average, comparison: comparison,
                thresholdsPerLayer: 6, seed: 12)
            var thresholds = [[Float]](repeating: [], count: 4)
            for tree in ensemble.trees {
                for (f, t) in zip(tree.feature, tree.threshold) where f >= 0 {
                    let x = Float(t)
                    thresholds[Int(f)] += [x, x.nextUp, x.nextDown]
                }
            }
            let n = thresholds.map(\.count).max()!
            let layers = thresholds.map { t in (0..<n).map { t.isEmpty ? 0.5 : t[$0 % t.count] } }
            for path in CompiledTrees.Path.allCases {
                let (fast, ref) = Self.run(ensemble, path: path, layers: layers)
                for i in 0..<n { #expect(abs(fast[0][i] - ref[0][i]) <= 1e-6, "\(comparison) \(path) cell \(i)") }
            }
        }
    }

    @Test("Float thresholds decide as the Double ones do")
    func floatThresholds() {
        var rng = SplitMix64(seed: 4)
        for _ in 0..<2000 {
            let t = (rng.nextUnit() - 0.5) * pow(10, Double(Int(rng.next() % 12)) - 6)
            let x0 = Float(t)
            for x in [x0, x0.nextUp, x0.nextDown, x0.nextUp.nextUp, x0.nextDown.nextDown] {
                #expect((x > FloatThreshold.right(of: t, .lessOrEqual)) == !(Double(x) <= t))
                #expect((x > FloatThreshold.right(of: t, .less)) == !(Double(x) < t))
            }
        }
        #expect(FloatThreshold.right(of: 1e300, .lessOrEqual) == .greatestFiniteMagnitude)
        #expect(FloatThreshold.right(of: .nan, .less) == -.infinity)
    }

    @Test("contributions sum to the cell's logit minus the expected logit")
    func contributionsSum() {
        let layers = Self.makeLayers(count: 50, seed: 21)
        for (name, ensemble) in Self.ensembles() {
            let compiled = CompiledTrees(ensemble, nodata: Self.nodata)
            #expect(compiled.contributionUnit == "logit")
            let attribution = TreeAttribution(ensemble)
            for i in 0..<50 {
                let values = layers.map { $0[i] }
                let c = compiled.contributions(values: values)
                #expect(c.count == 4)
                let p = ensemble.margin(values)
                let logit = ensemble.output == .logistic ? p : log(p / (1 - p))
                #expect(abs(c.reduce(attribution.expectedLogit, +) - logit) <= 1e-9, "\(name) cell \(i)")
            }
        }
    }

    /// `ensemble` with every leaf value multiplied by `k`.
    static func scaled(_ ensemble: TreeEnsemble, by k: Double) -> TreeEnsemble {
        var e = ensemble
        e.trees = e.trees.map { t in
            var t = t
            t.value = t.value.map { $0 * k }
            return t
        }
        return e
    }

    @Test("boosted scores use three byte planes only within the error budget; forests keep four")
    func planeBudget() throws {
        let boosted = SyntheticTrees.oblivious(trees: 100, depth: 6, layers: 4, seed: 61)
        for (k, planes) in [(1.0, 3), (100.0, 4)] {
            let e = Self.scaled(boosted, by: k)
            let o = try #require(ObliviousLayout(e))
            #expect(o.leaves.score.planeCount == planes, "leaves × \(k)")
            #expect(o.leaves.squares == nil)
            if planes == 3 {
                let t = Double(e.trees.count)
                let scale = o.leaves.score.scale
                #expect(t * scale / 2 / 4 <= QuantizedLeaves.threePlaneBudget)
                // Every leaf within half a step of its value.
                for (i, tree) in e.trees.enumerated() {
                    let leaves = tree.obliviousLevels().leaves
                    for (j, v) in leaves.enumerated() {
                        #expect(abs(Double(o.leaves.score.values[64 * i + j]) * scale - v) <= scale / 2 * (1 + 1e-12))
                    }
                }
            }
        }
        // Forests keep four planes: the spread needs the mean at the fine scale.
        let forest = try #require(ObliviousLayout(SyntheticTrees.oblivious(trees: 100, depth: 6, layers: 4, output: .average, seed: 62)))
        #expect(forest.leaves.score.planeCount == 4 && forest.leaves.squares?.planeCount == 4)
    }

    @Test("three planes at the edge of the budget still match the reference to 1e-6")
    func planeBudgetEdge() throws {
        // Leaves in ±0.5 over 100 trees: the worst-case bound is just under the budget.
        let e = Self.scaled(SyntheticTrees.oblivious(trees: 100, depth: 6, layers: 4, seed: 63), by: 1 / 0.6)
        let o = try #require(ObliviousLayout(e))
        #expect(o.leaves.score.planeCount == 3)
        #expect(100 * o.leaves.score.scale / 8 > 0.9 * QuantizedLeaves.threePlaneBudget)
        let (fast, ref) = Self.run(e, path: .oblivious, layers: Self.makeLayers(count: 20_000, seed: 64))
        let worst = zip(fast[0], ref[0]).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-6)
    }

    @Test("a forest writes the ensemble spread; boosting writes no extra band")
    func extraBands() {
        #expect(
            CompiledTrees(SyntheticTrees.oblivious(trees: 3, depth: 2, layers: 4, output: .average, seed: 1), nodata: Self.nodata)
                .extraBands == ["ensemble_spread"])
        #expect(CompiledTrees(SyntheticTrees.oblivious(trees: 3, depth: 2, layers: 4, seed: 1), nodata: Self.nodata).extraBands.isEmpty)
        // Identical trees do not disagree.
        var same = SyntheticTrees.oblivious(trees: 1, depth: 3, layers: 4, output: .average, seed: 2)
        same.trees += Array(repeating: same.trees[0], count: 9)
        let (fast, _) = Self.run(same, path: .oblivious, layers: Self.makeLayers(count: 100, seed: 3))
        #expect(fast[1].allSatisfy { $0 <= 1e-4 })
    }
}

extension Array where Element == [Float] {
    /// Calls `body` with a mutable buffer pointer to each inner array (valid only inside `body`).
    mutating func withUnsafeMutableBufferPointers<R>(_ body: ([UnsafeMutableBufferPointer<Float>]) -> R) -> R {
        var copy = self
        let result = copy.indices.reduce(into: [UnsafeMutableBufferPointer<Float>]()) { acc, i in
            let p = UnsafeMutableBufferPointer<Float>.allocate(capacity: copy[i].count)
            _ = p.initialize(from: copy[i])
            acc.append(p)
        }
        let r = body(result)
        for i in copy.indices {
            copy[i] = [Float](result[i])
            result[i].deallocate()
        }
        self = copy
        return r
    }
}
