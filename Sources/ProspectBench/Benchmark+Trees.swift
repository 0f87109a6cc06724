import Dispatch
import Foundation
import ProspectCore
import ProspectPipeline

/// Tree-ensemble scoring throughput in memory, one row per (ensemble, path, threads).
public struct TreeThroughput: Sendable, Codable {
    public var ensemble: String
    /// A `CompiledTrees.Path` name, or "reference" (the scalar definition, one thread, on a slice).
    public var path: String
    public var threads: Int
    public var cellsPerSecond: Double
}

extension Benchmark {
    /// The benchmark's tree models over `layers` layers: 100 trees of depth 6 grown by
    /// `TreeLearner` (boosting and a forest) on a seeded sample of the layers' cells, labelled
    /// by a rule mixing two layers; and 100 unbalanced trees of depth ≤ 6 with a threshold per
    /// node, as LightGBM grows them.
    public static func treeModels(layers: [UnsafeBufferPointer<Float>], nodata: Float = -9999) -> [(name: String, ensemble: TreeEnsemble)] {
        let k = layers.count
        let cells = layers[0].count
        let stride = max(1, cells / 60_000)
        var columns = [[Float]](repeating: [], count: k)
        var i = 0
        while i < cells {
            let values = layers.map { $0[i] }
            i += stride
            guard !values.contains(where: { $0 == nodata || $0.isNaN }) else { continue }
            for j in 0..<k { columns[j].append(values[j]) }
        }
        let labels = benchLabels(columns)
        var options = TreeOptions()
        options.trees = 100
        options.depth = 6
        let boosted = TreeLearner.fit(.gradientBoosting, columns: columns, labels: labels, options: options, seed: 1).ensemble
        let forest = TreeLearner.fit(.randomForest, columns: columns, labels: labels, options: options, seed: 1).ensemble
        // Unbalanced trees with thresholds at the layers' sample quantiles.
        var general = SyntheticTrees.general(trees: 100, depth: 6, layers: k, seed: 2)
        let sorted = columns.map { $0.sorted() }
        for t in general.trees.indices {
            for n in general.trees[t].feature.indices where general.trees[t].feature[n] >= 0 {
                let s = sorted[Int(general.trees[t].feature[n])]
                general.trees[t].threshold[n] = Double(s[min(s.count - 1, Int(general.trees[t].threshold[n] * Double(s.count)))])
            }
        }
        return [
            ("gbt, 100 trees of depth 6", boosted), ("rf, 100 trees of depth 6, + spread", forest),
            ("unbalanced, 100 trees of depth ≤ 6", general),
        ]
    }

    /// Deposit labels for a sample of the synthetic layers, seeded: a deposit with probability
    /// 5 % where layer 0 is in its top 30 % and the last layer in its bottom 40 %, 0.2 % elsewhere.
    public static func benchLabels(_ columns: [[Float]]) -> [Bool] {
        let k = columns.count
        let high = columns[0].sorted()[columns[0].count * 7 / 10]
        let low = columns[k - 1].sorted()[columns[k - 1].count * 4 / 10]
        var rng = SplitMix64(seed: 11)
        return (0..<columns[0].count).map { r in
            rng.nextUnit() < (columns[0][r] > high && columns[k - 1][r] < low ? 0.05 : 0.002)
        }
    }

    /// The `rf` and `gbt` bench models: 100 oblivious trees of depth 6 grown by `TreeLearner`
    /// (its defaults otherwise, seed 1, every core) on a fixed sample of the synthetic bench
    /// layers (`SyntheticStack`, seed 7: every 64th row of the first 2048 and every 4th of the
    /// first 8192 columns, 32 768 cells less the nodata ones), labelled by `benchLabels`. The
    /// layers' values depend only on the cell's position, so the in-memory and the end-to-end
    /// runs score the same model on the same fields.
    public static func trainedTrees(_ method: TreeLearner.Method, layers k: Int) -> TreeEnsemble {
        let width = 8192
        var columns = [[Float]](repeating: [], count: k)
        var row = [Float](repeating: 0, count: width)
        var valid = [Bool](repeating: true, count: 32 * width / 4)
        for j in 0..<k {
            for r in 0..<32 {
                row.withUnsafeMutableBufferPointer {
                    SyntheticStack.fillLayer($0, columns: width, firstRow: 64 * r, rows: 1, layer: j, seed: 7)
                }
                for c in stride(from: 0, to: width, by: 4) {
                    if row[c] == SyntheticStack.nodata { valid[r * width / 4 + c / 4] = false }
                    columns[j].append(row[c])
                }
            }
        }
        columns = columns.map { c in c.indices.filter { valid[$0] }.map { c[$0] } }
        var options = TreeOptions()
        options.trees = 100
        options.depth = 6
        return TreeLearner.fit(method, columns: columns, labels: benchLabels(columns), options: options, seed: 1).ensemble
    }

    /// In-memory throughput of `models` (`treeModels`) on each applicable path and thread count,
    /// with the scalar reference on a slice (2^15 cells) and the slower paths on the first eighth.
    public static func treeThroughput(
        _ models: [(name: String, ensemble: TreeEnsemble)], layers: [UnsafeBufferPointer<Float>],
        threadCounts: [Int], repetitions: Int = 3, nodata: Float = -9999
    ) -> [TreeThroughput] {
        let cells = layers[0].count
        let output = UnsafeMutableBufferPointer<Float>.allocate(capacity: cells)
        let spread = UnsafeMutableBufferPointer<Float>.allocate(capacity: cells)
        output.initialize(repeating: 0)
        spread.initialize(repeating: 0)
        defer {
            output.deallocate()
            spread.deallocate()
        }
        let nd = [Float](repeating: nodata, count: layers.count)
        func best(_ body: () -> Void) -> Double {
            var seconds = Double.infinity
            for _ in 0..<repetitions {
                let t0 = DispatchTime.now().uptimeNanoseconds
                body()
                seconds = min(seconds, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            }
            return seconds
        }
        var runs: [TreeThroughput] = []
        for (name, ensemble) in models {
            let outs = ensemble.output == .average ? [output, spread] : [output]
            let slice = min(cells, 1 << 15)
            let reference =
                Double(slice)
                / best {
                    TreeKernel.reference(
                        ensemble, nodata: nd, layers: layers.map { UnsafeBufferPointer(rebasing: $0[0..<slice]) },
                        outputs: outs.map { UnsafeMutableBufferPointer(rebasing: $0[0..<slice]) }, outputNodata: -1)
                }
            runs.append(TreeThroughput(ensemble: name, path: "reference", threads: 1, cellsPerSecond: reference))
            for path in CompiledTrees.Path.allCases {
                if CompiledTrees.problem(path, ensemble) != nil { continue }
                let compiled = CompiledTrees(ensemble, nodata: nd, path: path)
                let n = path == .oblivious ? cells : max(1, cells / 8)
                for threads in threadCounts {
                    let rate =
                        Double(n)
                        / best {
                            ParallelScorer.score(
                                compiled, layers: layers.map { UnsafeBufferPointer(rebasing: $0[0..<n]) },
                                outputs: outs.map { UnsafeMutableBufferPointer(rebasing: $0[0..<n]) },
                                outputNodata: -1, threads: threads)
                        }
                    runs.append(TreeThroughput(ensemble: name, path: path.rawValue, threads: threads, cellsPerSecond: rate))
                }
            }
        }
        return runs
    }

    /// A model file holding `ensemble` over the benchmark stack's layers.
    public static func treeModelFile(_ ensemble: TreeEnsemble, specs: [LayerSpec], origin: TreeOrigin) -> ModelFile {
        ModelFile(
            tool: ProspectVersion.tool, created: "",
            layers: specs.map { ModelLayer(name: $0.name, path: $0.path, kind: .continuous) }, payload: .trees(ensemble, origin: origin),
            parameters: [:],
            training: TrainingSummary(
                validCells: 0, cellAreaKm2: 0, depositsGiven: 0, depositsUsed: 0,
                depositsOutsideGrid: 0, depositsOnNodata: 0, depositsSharingCell: 0,
                layerRanking: []))
    }
}
