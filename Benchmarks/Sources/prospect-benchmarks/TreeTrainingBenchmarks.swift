// Training random forests and gradient-boosted trees (`swift run -c release prospect-benchmarks
// --tree-training`): 100 oblivious trees of depth 6 grown by `TreeLearner` on samples of the
// synthetic layers (8 float32 layers, `SyntheticStack` seed 7, labelled as the `rf`/`gbt` bench
// models are: `Benchmark.benchLabels`), with 1 and all threads, without and with a held-out
// quarter. Wall-clock seconds, best of 2; the models grown with different thread counts are
// checked to be identical. Training is bound by histogram building (random reads of 8-byte
// gradient sums), not by streaming bandwidth, so no triad ratio is given.
import Dispatch
import Foundation
import ProspectBench
import ProspectCore
import ProspectPipeline

enum TreeTrainingBenchmarks {
    /// `rows` cells of `layers` synthetic layers: every cell of the first rows of an 8192-wide
    /// grid, nodata cells left out.
    static func sample(rows: Int, layers: Int) -> [[Float]] {
        let width = 8192
        let gridRows = (rows + width - 1) / width
        var columns = SyntheticStack.make(columns: width, rows: gridRows, layers: layers, seed: 7).map { Array($0.prefix(rows)) }
        let valid = columns[0].indices.filter { columns[0][$0] != SyntheticStack.nodata }
        columns = columns.map { c in valid.map { c[$0] } }
        return columns
    }

    static func run() {
        let threads = ProcessInfoCores.active
        let layers = 8
        print("tree training: 100 oblivious trees of depth 6, \(layers) float32 layers, \(threads) threads available")
        print(
            pad("sample cells", 14) + pad("deposits", 10) + pad("method", 8) + pad("holdout", 9) + pad("threads", 9)
                + pad("seconds", 9) + pad("ms/tree", 9) + pad("same model", 12) + "AUC (kind)")
        for rows in [65_536, 262_144] {
            let columns = sample(rows: rows, layers: layers)
            let labels = Benchmark.benchLabels(columns)
            let deposits = labels.filter { $0 }.count
            for method in TreeLearner.Method.allCases {
                for holdout in [0.0, 0.25] {
                    var first: TreeLearner.Fit?
                    for t in Set([threads, 1]).sorted(by: >) {
                        var options = TreeOptions()
                        options.trees = 100
                        options.depth = 6
                        options.threads = t
                        options.holdout = holdout
                        var fit: TreeLearner.Fit?
                        let s = time(2) {
                            fit = TreeLearner.fit(method, columns: columns, labels: labels, options: options, seed: 1)
                        }
                        let same = first.map { $0.ensemble == fit!.ensemble } ?? true
                        if first == nil { first = fit }
                        let auc =
                            fit!.heldOut.map { String(format: "%.4f (held out)", $0.auc) }
                            ?? (String(format: "%.4f", fit!.auc) + " (\(fit!.aucKind))")
                        print(
                            pad(String(columns[0].count), 14) + pad(String(deposits), 10) + pad(method.rawValue, 8)
                                + pad(String(holdout), 9) + pad(String(t), 9) + pad(String(format: "%.2f", s), 9)
                                + pad(String(format: "%.1f", 1000 * s / 100), 9) + pad(same ? "yes" : "NO", 12) + auc)
                    }
                }
            }
        }
    }
}
