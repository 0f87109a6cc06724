// Tree ensembles (`swift run -c release prospect-benchmarks --trees`): 100 trees of depth 6 on
// 8 float32 layers of 2^24 cells in memory, through the oblivious path and the general path,
// with 1 and all threads, against the scalar reference and the STREAM triad of the same run.
import Dispatch
import Foundation
import ProspectCore
import ProspectPipeline

enum TreeBenchmarks {
    static func seconds(_ repetitions: Int, _ body: () -> Void) -> Double {
        var best = Double.infinity
        for _ in 0..<repetitions {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return best
    }

    /// Best CPU time of this thread over `repetitions` runs of `body` (immune to time slicing).
    static func cpuSeconds(_ repetitions: Int, _ body: () -> Void) -> Double {
        func now() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }
        var best = Double.infinity
        for _ in 0..<repetitions {
            let t0 = now()
            body()
            best = min(best, now() - t0)
        }
        return best
    }

    static func f(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

    static func run() throws {
        let threads = ProcessInfoCores.active
        let cells = 1 << 24, layers = 8, columns = 8192
        let buffers = (0..<layers).map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: cells) }
        let shared = UnsafeTransfer(buffers)
        DispatchQueue.concurrentPerform(iterations: layers) { k in
            SyntheticStack.fillLayer(shared.value[k], columns: columns, firstRow: 0, rows: cells / columns, layer: k, seed: 7)
        }
        let inputs = buffers.map { UnsafeBufferPointer($0) }
        let output = UnsafeMutableBufferPointer<Float>.allocate(capacity: cells)
        let spread = UnsafeMutableBufferPointer<Float>.allocate(capacity: cells)
        output.initialize(repeating: 0)
        spread.initialize(repeating: 0)
        defer { buffers.forEach { $0.deallocate() }; output.deallocate(); spread.deallocate() }
        let nodata = [Float](repeating: -9999, count: layers)

        let triadAll = MemoryBandwidth.triad(threads: threads)
        let triadOne = MemoryBandwidth.triad(threads: 1)
        print("tree ensembles: \(layers) float32 layers, \(cells) cells in memory, \(threads) threads; STREAM triad \(f(triadAll / 1e9, 1)) GB/s (\(threads) threads), \(f(triadOne / 1e9, 1)) GB/s (1)")

        let ensembles: [(String, TreeEnsemble)] = [
            ("oblivious, 64 thresholds/layer", quantiled(SyntheticTrees.oblivious(trees: 100, depth: 6, layers: layers, thresholdsPerLayer: 64, seed: 1), inputs)),
            ("oblivious, 255 thresholds/layer", quantiled(SyntheticTrees.oblivious(trees: 100, depth: 6, layers: layers, thresholdsPerLayer: 255, seed: 1), inputs)),
            ("oblivious forest + spread", quantiled(SyntheticTrees.oblivious(trees: 100, depth: 6, layers: layers, output: .average, thresholdsPerLayer: 64, seed: 1), inputs)),
            ("general (unbalanced, depth ≤ 6)", quantiled(SyntheticTrees.general(trees: 100, depth: 6, layers: layers, seed: 2), inputs)),
        ]
        print("ensemble (100 trees, depth 6)        path        threads  M cells/s  vs scalar")
        for (name, ensemble) in ensembles {
            let slice = 1 << 16
            let scalar = Double(slice) / seconds(2) {
                TreeKernel.reference(ensemble, nodata: nodata, layers: inputs.map { UnsafeBufferPointer(rebasing: $0[0..<slice]) },
                                     outputs: [UnsafeMutableBufferPointer(rebasing: output[0..<slice])], outputNodata: -1)
            }
            print(pad(name, 37) + pad("reference", 12) + pad("1", 9) + pad(f(scalar / 1e6, 2), 11))
            let outs = ensemble.output == .average ? [output, spread] : [output]
            for path in CompiledTrees.Path.allCases {
                if path == .oblivious, CompiledTrees.obliviousProblem(ensemble) != nil { continue }
                let compiled = CompiledTrees(ensemble, nodata: nodata, path: path)
                for t in Set([threads, 1]).sorted(by: >) {
                    let rate = Double(cells) / seconds(3) {
                        ParallelScorer.score(compiled, layers: inputs, outputs: outs, outputNodata: -1, threads: t)
                    }
                    var cpu = ""
                    if t == 1 {
                        let r = Double(cells) / cpuSeconds(3) {
                            ParallelScorer.score(compiled, layers: inputs, outputs: outs, outputNodata: -1, threads: 1)
                        }
                        cpu = "   (\(f(r / 1e6, 1)) M cells per CPU second)"
                    }
                    print(pad(name, 37) + pad(path.rawValue, 12) + pad(String(t), 9) + pad(f(rate / 1e6, 1), 11) + f(rate / scalar, 0) + "×" + cpu)
                }
            }
        }
    }

    /// The ensemble with each threshold u ∈ [0, 1] on layer k moved to the u-quantile of layer
    /// k's values, so splits fall where the data are.
    static func quantiled(_ ensemble: TreeEnsemble, _ layers: [UnsafeBufferPointer<Float>]) -> TreeEnsemble {
        let sorted = layers.map { layer in stride(from: 0, to: layer.count, by: 997).map { Double(layer[$0]) }.filter { $0 != -9999 }.sorted() }
        var e = ensemble
        for t in e.trees.indices {
            for i in e.trees[t].feature.indices where e.trees[t].feature[i] >= 0 {
                let s = sorted[Int(e.trees[t].feature[i])]
                e.trees[t].threshold[i] = s[min(s.count - 1, Int(e.trees[t].threshold[i] * Double(s.count)))]
            }
        }
        return e
    }
}
