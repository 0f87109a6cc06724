// Throughput of Prospect's scoring kernels against this machine's memory bandwidth.
//
//   swift run -c release prospect-benchmarks            # kernels in memory
//   swift run -c release prospect-benchmarks --files    # plus end to end, 8 × 8192² GeoTIFFs
//   swift run -c release prospect-benchmarks --prepare  # only evidence preparation (PrepareBenchmarks.swift)
//   swift run -c release prospect-benchmarks --wofe     # only weights of evidence: uncertainty bands, tallies (WofEBenchmarks.swift)
//   swift run -c release prospect-benchmarks --missing  # only wofe with missing data as unknown (MissingBenchmarks.swift)
//   swift run -c release prospect-benchmarks --overlay  # only fuzzy and index overlays (OverlayBenchmarks.swift)
//   swift run -c release prospect-benchmarks --trees    # only tree ensembles (TreeBenchmarks.swift; + --files)
//   swift run -c release prospect-benchmarks --tree-training  # only growing rf/gbt (TreeTrainingBenchmarks.swift)
//
// Every figure is the best of several repetitions; the STREAM triad is measured in the same
// run, so ratios stay meaningful on a shared, noisy machine.
import Dispatch
import Foundation
import ProspectBench
import ProspectCore
import ProspectPipeline

let arguments = Set(CommandLine.arguments.dropFirst())
if arguments.contains("--prepare") {
    try PrepareBenchmarks.run()
    exit(0)
}
if arguments.contains("--wofe") {
    WofEBenchmarks.run()
    exit(0)
}
if arguments.contains("--missing") {
    MissingBenchmarks.run()
    exit(0)
}
if arguments.contains("--overlay") {
    OverlayBenchmarks.run()
    exit(0)
}
if arguments.contains("--tree-training") {
    TreeTrainingBenchmarks.run()
    exit(0)
}
if arguments.contains("--trees") {
    try TreeBenchmarks.run(files: arguments.contains("--files"))
    exit(0)
}
let cells = 1 << 24
let threads = ProcessInfoCores.active

func time(_ repetitions: Int = 5, _ body: () -> Void) -> Double {
    var best = Double.infinity
    for _ in 0..<repetitions {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
    return best
}

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }

/// Models of each kind over `layers` layers.
func models(layers: Int) -> [(String, AdditiveModel)] {
    let nd = [Float](repeating: -9999, count: layers)
    let logistic = Benchmark.logisticModel(layers: layers)
    let wofe = AdditiveModel(
        intercept: -6, terms: (0..<layers).map { .step(threshold: Float(100 * ($0 + 1)), above: 1.2, below: -0.4) }, nodata: nd)
    var mixed = logistic
    mixed.terms[layers - 1] = .lookup(codes: [100, 101, 102, 103, 104, 105], values: [0.1, 0.5, -0.3, 2, 0, 1], otherwise: 0)
    return [("logistic (linear terms)", logistic), ("weights of evidence (steps)", wofe), ("logistic + 1 categorical", mixed)]
}

let triadAll = MemoryBandwidth.triad(threads: threads)
let triadOne = MemoryBandwidth.triad(threads: 1)
print(
    "STREAM triad: \(String(format: "%.1f", triadAll / 1e9)) GB/s with \(threads) threads, \(String(format: "%.1f", triadOne / 1e9)) GB/s with 1"
)
print(pad("model", 30) + pad("layers", 8) + pad("threads", 9) + pad("M cells/s", 11) + pad("GB/s", 8) + pad("of triad", 10) + "vs scalar")

for layers in [1, 4, 8, 16] {
    let buffers = (0..<layers).map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: cells) }
    let shared = UnsafeTransfer(buffers)
    DispatchQueue.concurrentPerform(iterations: layers) { k in
        SyntheticStack.fillLayer(shared.value[k], columns: 8192, firstRow: 0, rows: cells / 8192, layer: k, seed: 7)
    }
    // Integer-valued codes for the categorical layer.
    for i in 0..<cells { buffers[layers - 1][i] = (buffers[layers - 1][i] / 10).rounded() * 10 / 10 + 90 }
    let output = UnsafeMutableBufferPointer<Float>.allocate(capacity: cells)
    output.initialize(repeating: 0)
    let inputs = buffers.map { UnsafeBufferPointer($0) }
    for (name, model) in models(layers: layers) {
        let compiled = CompiledModel(model)
        let slice = 1 << 20
        let scalar =
            Double(slice)
            / time(3) {
                ScoreKernel.reference(
                    model: model, layers: inputs.map { UnsafeBufferPointer(rebasing: $0[0..<slice]) },
                    output: UnsafeMutableBufferPointer(rebasing: output[0..<slice]), outputNodata: -1)
            }
        for t in Set([threads, 1]).sorted(by: >) {
            let rate =
                Double(cells)
                / time {
                    ParallelScorer.score(compiled, layers: inputs, output: output, outputNodata: -1, threads: t)
                }
            let bytes = rate * Double(4 * (layers + 1))
            let triad = t == 1 ? triadOne : triadAll
            print(
                pad(name, 30) + pad(String(layers), 8) + pad(String(t), 9) + pad(String(format: "%.1f", rate / 1e6), 11)
                    + pad(String(format: "%.2f", bytes / 1e9), 8) + pad(String(format: "%.0f %%", 100 * bytes / triad), 10)
                    + String(format: "%.1f×", rate / scalar))
        }
    }
    buffers.forEach { $0.deallocate() }
    output.deallocate()
}

if arguments.contains("--files") {
    let dir = NSTemporaryDirectory() + "prospect-bench"
    let specs = try Benchmark.prepareStack(directory: dir, size: 8192, layers: 8)
    _ = try Benchmark.endToEnd(specs: specs, outputDirectory: dir, compression: .none)  // warm the page cache
    let variants: [(ScoreOptions.Compression, Int?, Bool)] = [
        (.none, nil, false), (.deflate, 1, true), (.deflate, 1, false), (.deflate, 6, true),
        (.zstd, 1, true), (.zstd, 1, false), (.zstd, 9, true), (.lzw, nil, false),
    ]
    for (compression, level, predictor) in variants {
        let e = try Benchmark.endToEnd(specs: specs, outputDirectory: dir, compression: compression, level: level, predictor: predictor)
        let label = compression.rawValue + (level.map { " level \($0)" } ?? "") + (predictor ? " predictor 3" : "")
        print(
            "end to end, 8 × 8192² float32 GeoTIFFs → GeoTIFF (\(label)): "
                + String(
                    format: "%.1f M cells/s, %.2f s, peak RSS %d MiB, %d MiB written", e.cellsPerSecond / 1e6, e.seconds,
                    e.peakRSSBytes >> 20, e.outputBytes >> 20))
    }
}
