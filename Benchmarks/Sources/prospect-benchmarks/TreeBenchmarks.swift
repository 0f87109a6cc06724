// Tree ensembles (`swift run -c release prospect-benchmarks --trees [--files]`): 100 trees of
// depth 6 on 8 float32 layers of 2^24 cells in memory, grown by Prospect (boosting, forest) and
// unbalanced (LightGBM-like), through the oblivious and general paths with 1 and all threads,
// against the scalar reference and the STREAM triad of the same run. Figures are the best of 3
// (wall clock); one thread is also given per CPU second of that thread, which time slicing on
// a shared machine does not inflate. With --files, the boosted model end to end from 8 tiled
// GeoTIFFs of 8192² (the `--files` stack of main.swift) to a GeoTIFF.
import Dispatch
import Foundation
import ProspectBench
import ProspectCore
import ProspectPipeline

enum TreeBenchmarks {
    static func f(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

    /// Best CPU time of this thread over `repetitions` runs of `body`.
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

    static func run(files: Bool) throws {
        let threads = ProcessInfoCores.active
        let cells = 1 << 24
        let layers = 8
        let columns = 8192
        let buffers = (0..<layers).map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: cells) }
        defer { buffers.forEach { $0.deallocate() } }
        let shared = UnsafeTransfer(buffers)
        DispatchQueue.concurrentPerform(iterations: layers) { k in
            SyntheticStack.fillLayer(shared.value[k], columns: columns, firstRow: 0, rows: cells / columns, layer: k, seed: 7)
        }
        let inputs = buffers.map { UnsafeBufferPointer($0) }

        let triadAll = MemoryBandwidth.triad(threads: threads)
        let triadOne = MemoryBandwidth.triad(threads: 1)
        print(
            "tree ensembles: \(layers) float32 layers, \(cells) cells in memory, \(threads) threads; "
                + "STREAM triad \(f(triadAll / 1e9, 1)) GB/s (\(threads) threads), \(f(triadOne / 1e9, 1)) GB/s (1)")
        let t0 = DispatchTime.now().uptimeNanoseconds
        let models = Benchmark.treeModels(layers: inputs)
        print("grew the gbt and rf models on a 60 000-cell sample in \(f(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, 1)) s")

        let runs = Benchmark.treeThroughput(models, layers: inputs, threadCounts: Set([threads, 1]).sorted(by: >))
        print(
            pad("model", 38) + pad("path", 11) + pad("threads", 9) + pad("M cells/s", 11) + pad("GB/s", 7) + pad("of triad", 10)
                + "vs reference")
        for r in runs {
            let reference = runs.first { $0.ensemble == r.ensemble && $0.path == "reference" }!.cellsPerSecond
            let bytes = r.cellsPerSecond * Double(4 * (layers + 1))
            let triad = r.threads == 1 ? triadOne : triadAll
            print(
                pad(r.ensemble, 38) + pad(r.path, 11) + pad(String(r.threads), 9)
                    + pad(f(r.cellsPerSecond / 1e6, r.path == "reference" ? 2 : 1), 11)
                    + pad(f(bytes / 1e9, 2), 7) + pad(f(100 * bytes / triad, 0) + " %", 10)
                    + (r.path == "reference" ? "" : f(r.cellsPerSecond / reference, 0) + "×"))
        }
        // One thread per CPU second (immune to time slicing by other tenants).
        let nodata = [Float](repeating: -9999, count: layers)
        let output = UnsafeMutableBufferPointer<Float>.allocate(capacity: cells)
        defer { output.deallocate() }
        for (name, ensemble) in models where ensemble.output == .logistic {
            for path in CompiledTrees.Path.allCases where path == .general || CompiledTrees.obliviousProblem(ensemble) == nil {
                let compiled = CompiledTrees(ensemble, nodata: nodata, path: path)
                let n = path == .oblivious ? cells : cells / 8
                let rate =
                    Double(n)
                    / cpuSeconds(3) {
                        ParallelScorer.score(
                            compiled, layers: inputs.map { UnsafeBufferPointer(rebasing: $0[0..<n]) },
                            outputs: [UnsafeMutableBufferPointer(rebasing: output[0..<n])], outputNodata: -1, threads: 1)
                    }
                print("\(name), \(path) path, 1 thread: \(f(rate / 1e6, 1)) M cells per CPU second")
            }
        }
        let best =
            runs.filter { $0.path == "oblivious" && $0.threads == threads && $0.ensemble.hasPrefix("gbt") }.map(\.cellsPerSecond).max() ?? 0
        print(
            "bar: 100 trees of depth 6 at ≥ 50 M cells/s on \(threads) cores — \(best >= 50e6 ? "met" : "not met") (\(f(best / 1e6, 1)) M cells/s)"
        )

        guard files else { return }
        let dir = NSTemporaryDirectory() + "prospect-bench"
        let specs = try Benchmark.prepareStack(directory: dir, size: 8192, layers: layers)
        let stack = try EvidenceStack.open(specs)
        _ = try Benchmark.endToEnd(specs: specs, outputDirectory: dir, compression: .none)  // warm the page cache
        for (name, ensemble) in models where !name.hasPrefix("unbalanced") {
            let file = Benchmark.treeModelFile(
                ensemble, specs: specs, origin: ensemble.output == .logistic ? .gradientBoosting : .randomForest)
            for compression in [ScoreOptions.Compression.none, .zstd] {
                var options = ScoreOptions()
                options.compression = compression
                let path = dir + "/bench_trees.tif"
                unlink(path)
                let report = try Scorer.score(model: file, stack: stack, outputPath: path, options: options)
                unlink(path)
                print(
                    "end to end, 8 × 8192² float32 GeoTIFFs → GeoTIFF (\(compression.rawValue)), \(name): "
                        + "\(f(Double(report.cells) / report.seconds / 1e6, 1)) M cells/s, \(f(report.seconds, 2)) s")
            }
        }
    }
}
