import Foundation
import ProspectAVX2
import Testing

@testable import ProspectCore

@Suite(
    "AVX2 leaf sums against the portable kernel", .enabled(if: AVX2Kernels.built && CPUFeatures.avx2, "needs an x86-64 processor with AVX2")
)
struct LeafPlaneTests {
    /// Random leaf tables of `depth` levels (values spread over the whole Int32 range, so the
    /// planes' carries and the wrap-around are exercised), random indices, `trees` trees.
    static func sums(trees: Int, depth: Int, seed: UInt64) -> (avx2: [Int32], portable: [Int32]) {
        var rng = SplitMix64(seed: seed)
        let b = TreeKernel.block
        let leafCount = 1 << depth
        // Any Int32 values: the wrapping sums of both kernels agree whether or not the true sum fits.
        let leaves = (0..<(trees * leafCount)).map { _ in Int32(truncatingIfNeeded: rng.next()) }
        let indices = (0..<(trees * b)).map { _ in UInt8(truncatingIfNeeded: rng.next() % UInt64(leafCount)) }
        let planes = QuantizedLeaves.bytePlanes(leaves, leafCount: leafCount)
        var fast = [Int32](repeating: 99, count: b)
        var slow = [Int32](repeating: -99, count: b)
        var idx = indices
        idx.withUnsafeMutableBufferPointer { i in
            planes.withUnsafeBufferPointer { p in
                fast.withUnsafeMutableBufferPointer {
                    AVX2Kernels.sumLeafPlanes(
                        indices: i.baseAddress!, stride: b, cells: b, planes: p.baseAddress!, trees: trees,
                        into: $0.baseAddress!)
                }
            }
            leaves.withUnsafeBufferPointer { l in
                slow.withUnsafeMutableBufferPointer {
                    BlockEngine.sumLeaves(
                        indices: i.baseAddress!, leaves: l.baseAddress!, leafCount: leafCount, trees: trees,
                        into: $0.baseAddress!)
                }
            }
        }
        return (fast, slow)
    }

    @Test(
        "identical sums for 0 to 600 trees of depth 1 to 6",
        arguments: [(0, 6), (1, 6), (7, 1), (100, 6), (255, 3), (256, 6), (257, 6), (600, 5)])
    func identical(trees: Int, depth: Int) {
        let s = Self.sums(trees: trees, depth: depth, seed: UInt64(trees * 8 + depth))
        #expect(s.avx2 == s.portable)
    }

    @Test(
        "three planes: identical sums when every tree's leaves span less than 2^24",
        arguments: [1, 7, 100, 256, 257, 600])
    func threePlanes(trees: Int) {
        var rng = SplitMix64(seed: UInt64(trees) + 900)
        let b = TreeKernel.block
        let leafCount = 64
        // Each tree: any base value, leaves within 2^24 − 1 above it (wrapping sums, as above).
        var leaves: [Int32] = []
        for _ in 0..<trees {
            let base = Int32(Int64(Int32.min) + Int64(rng.next() % UInt64(UInt32.max - (1 << 24))))
            leaves += (0..<leafCount).map { j in base &+ Int32(j == 0 ? (1 << 24) - 1 : Int(rng.next() % (1 << 24))) }
        }
        var indices = (0..<(trees * b)).map { _ in UInt8(rng.next() % 64) }
        let (planes, offset) = QuantizedLeaves.bytePlanes(leaves, leafCount: leafCount, offset: true)
        #expect(stride(from: 3 * 64, to: planes.count, by: 256).allSatisfy { p in planes[p..<(p + 64)].allSatisfy { $0 == 0 } })
        var fast = [Int32](repeating: 99, count: b)
        var slow = [Int32](repeating: -99, count: b)
        indices.withUnsafeMutableBufferPointer { i in
            planes.withUnsafeBufferPointer { p in
                fast.withUnsafeMutableBufferPointer {
                    AVX2Kernels.sumLeafPlanes(
                        indices: i.baseAddress!, stride: b, cells: b, planes: p.baseAddress!, planeCount: 3,
                        trees: trees, initial: offset, into: $0.baseAddress!)
                }
            }
            leaves.withUnsafeBufferPointer { l in
                slow.withUnsafeMutableBufferPointer {
                    BlockEngine.sumLeaves(
                        indices: i.baseAddress!, leaves: l.baseAddress!, leafCount: leafCount, trees: trees,
                        into: $0.baseAddress!)
                }
            }
        }
        #expect(fast == slow)
    }

    @Test(
        "AVX2 bins equal the portable 9-ary search for every search shape",
        arguments: [1, 5, 8, 9, 15, 16, 40, 63, 64, 71, 72, 80])
    func bins(thresholds: Int) throws {
        var rng = SplitMix64(seed: UInt64(thresholds))
        var sorted = Set((0..<thresholds).map { _ in Float(rng.nextUnit()) }).sorted()
        while sorted.count < thresholds { sorted = Set(sorted + [Float(rng.nextUnit())]).sorted() }
        // One stump per threshold (Float values, so `lessOrEqual` compiles them unchanged).
        let ensemble = TreeEnsemble(
            output: .logistic, comparison: .lessOrEqual, base: 0, featureCount: 1,
            trees: sorted.map { t in
                Tree(
                    feature: [0, -1, -1], threshold: [Double(t), 0, 0], left: [1, -1, -1], right: [2, -1, -1],
                    missingLeft: [true, true, true], value: [0, 0, 1])
            })
        let o = try #require(ObliviousLayout(ensemble))
        #expect(o.search.levels[0] == (sorted.count <= 8 ? 1 : 2))
        let shape = try #require(AVX2Shape(thresholds: thresholds))
        #expect(o.search.second[0] == shape.second && o.search.ninth[0] == (thresholds >= 72))
        #expect((shape.rootKeys + 1) * (shape.second + 1) >= thresholds + 1)
        // Values on, between and beyond the thresholds, and NaN.
        var x = (0..<TreeKernel.block).map { _ in Float(rng.nextUnit() * 1.2 - 0.1) }
        for (i, t) in sorted.prefix(40).enumerated() { x[3 * i] = t }
        for (i, t) in sorted.suffix(8).enumerated() { x[120 + i] = t.nextUp }
        x[1] = .infinity
        x[2] = -.infinity
        x[4] = .nan
        var fast = [Int8](repeating: 0, count: x.count)
        var slow = [Int8](repeating: 1, count: x.count)
        x.withUnsafeBufferPointer { xs in
            o.search.roots.withUnsafeBufferPointer { roots in
                o.search.columns.withUnsafeBufferPointer { columns in
                    fast.withUnsafeMutableBufferPointer {
                        AVX2Kernels.bin(
                            xs.baseAddress!, cells: x.count, root: roots.baseAddress!, columns: columns.baseAddress!,
                            second: shape.second, ninth: o.search.ninth[0], into: $0.baseAddress!)
                    }
                }
            }
            o.search.keys.withUnsafeBufferPointer { keys in
                slow.withUnsafeMutableBufferPointer {
                    BlockEngine.bin(xs.baseAddress!, keys: keys.baseAddress!, levels: o.search.levels[0], into: $0.baseAddress!)
                }
            }
        }
        #expect(fast == slow)
        // And the definition: the number of thresholds below x.
        for c in x.indices where !x[c].isNaN {
            #expect(Int(slow[c]) + 128 == sorted.filter { $0 < x[c] }.count)
        }
    }

    @Test("the engine scores the same with either leaf-sum kernel, spread included")
    func sameScores() throws {
        let layers = TreeKernelTests.makeLayers(count: 1000, seed: 41)
        for output in [TreeEnsemble.Output.logistic, .average] {
            let ensemble = SyntheticTrees.oblivious(trees: 120, depth: 6, layers: 4, output: output, seed: 42)
            var bands: [[[Float]]] = []
            for kernel in [CompiledTrees.LeafSumKernel.avx2, .portable] {
                let compiled = CompiledTrees(ensemble, nodata: TreeKernelTests.nodata, path: .oblivious, leafSums: kernel)
                #expect(compiled.leafSums == kernel)
                var out = [[Float]](repeating: [Float](repeating: 7, count: 1000), count: 2)
                layers.withUnsafeBufferPointers { ptrs in
                    out.withUnsafeMutableBufferPointers { compiled.score(layers: ptrs, outputs: $0, outputNodata: -5) }
                }
                bands.append(out)
            }
            #expect(bands[0] == bands[1])
        }
    }

    @Test("the engine picks AVX2 for oblivious trees up to depth 6, the portable kernel deeper")
    func choice() {
        let nodata: [Float] = [-1, -1]
        #expect(CompiledTrees(SyntheticTrees.oblivious(trees: 3, depth: 6, layers: 2, seed: 1), nodata: nodata).leafSums == .avx2)
        #expect(CompiledTrees(SyntheticTrees.oblivious(trees: 3, depth: 7, layers: 2, seed: 1), nodata: nodata).leafSums == .portable)
    }
}
