import Foundation
import ProspectBench
import ProspectCore
import Testing

@Suite("bench models rf and gbt: trained trees")
struct TreeBenchmarkModelTests {
    @Test(
        "rf and gbt bench models are trained 100-tree depth-6 oblivious ensembles, the same every time",
        arguments: [BenchModel.rf, .gbt])
    func trained(kind: BenchModel) throws {
        let layers = BenchModel.layers(3)
        let file = kind.file(layers: layers)
        let trees = try #require(file.trees)
        #expect(file.method == kind.rawValue && file.additive == nil)
        #expect(trees.trees.count == 100 && trees.featureCount == 3)
        #expect(trees.output == (kind == .rf ? .average : .logistic))
        #expect(trees.obliviousProblem == nil)
        #expect(trees.trees.allSatisfy { $0.depth <= 6 } && trees.trees.contains { $0.depth == 6 })
        #expect(kind.file(layers: layers).trees == trees, "seeded: the same model every time")

        // Scored through the engine like any model: the fast path equals the scalar reference.
        let columns = 8192
        let rows = 3
        let fields = SyntheticStack.make(columns: columns, rows: rows, layers: 3, seed: 7)
        let scorer = file.scorer(nodata: [-9999, -9999, -9999])
        var fast = [Float](repeating: 0, count: columns * rows)
        var reference = fast
        try fields[0].withUnsafeBufferPointer { a in
            try fields[1].withUnsafeBufferPointer { b in
                try fields[2].withUnsafeBufferPointer { c in
                    fast.withUnsafeMutableBufferPointer { scorer.score(layers: [a, b, c], outputs: [$0], outputNodata: -1) }
                    reference.withUnsafeMutableBufferPointer { scorer.scoreReference(layers: [a, b, c], outputs: [$0], outputNodata: -1) }
                    _ = try #require(a.count == columns * rows)
                }
            }
        }
        #expect(zip(fast, reference).allSatisfy { abs($0 - $1) <= 1e-6 })
        #expect(fast.contains(-1), "layer 0's nodata cells are nodata")
        #expect(Set(fast.filter { $0 >= 0 }).count > 10, "the trees split the synthetic fields")
    }
}
