import ArgumentParser
import Foundation
import ProspectCore
import ProspectPipeline

extension ProspectCommand {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure scoring throughput in memory and end to end, against this machine's memory bandwidth.",
            discussion: """
            In memory: a logistic model over --layers float32 layers, all threads and one thread, with the STREAM triad bandwidth measured in the same run; then tree ensembles of 100 trees of depth 6 (boosted and a forest, grown on a sample of the same cells, and unbalanced LightGBM-like trees) through the oblivious and general paths, with the scalar reference (--skip-trees leaves them out). End to end: --layers uncompressed tiled float32 GeoTIFFs of --size² cells (generated once into --work-dir) scored to a GeoTIFF with --compress none and with the default compression; cells/s and peak RSS.

            Example:
              prospect bench --size 8192 --work-dir /tmp/prospect-bench
              prospect bench --skip-end-to-end --json
            """)

        @Option(help: "Evidence layers.") var layers: Int = 8
        @Option(help: "Cells for the in-memory benchmark.") var cells: Int = 1 << 24
        @Option(help: "Side of the end-to-end rasters in cells.") var size: Int = 8192
        @Option(name: .customLong("work-dir"), help: "Folder for the end-to-end rasters (kept for reuse).")
        var workDir: String = NSTemporaryDirectory() + "prospect-bench"
        @Flag(name: .customLong("skip-end-to-end"), help: "Only the in-memory benchmark.") var skipEndToEnd = false
        @Flag(name: .customLong("skip-trees"), help: "Leave out the tree ensembles.") var skipTrees = false
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            guard layers >= 1, cells >= 8192, size >= 256 else { throw ValidationError("--layers ≥ 1, --cells ≥ 8192, --size ≥ 256") }
        }

        func run() throws {
            try runReportingErrors {
                let threads = ProcessInfoCores.active
                var endToEnd: [BenchmarkReport.EndToEnd] = []
                if !skipEndToEnd {
                    if !json { print("preparing \(layers) rasters of \(size)² cells in \(workDir) …") }
                    let specs = try Benchmark.prepareStack(directory: workDir, size: size, layers: layers)
                    for compression in [ScoreOptions.Compression.none, ScoreOptions().compression] {
                        // One warm-up pass so the inputs are in the page cache, as for every peer measured.
                        if endToEnd.isEmpty { _ = try Benchmark.endToEnd(specs: specs, outputDirectory: workDir, compression: .none) }
                        endToEnd.append(try Benchmark.endToEnd(specs: specs, outputDirectory: workDir, compression: compression))
                    }
                }
                let (runs, scalar) = Benchmark.inMemory(layers: layers, cells: cells, threadCounts: threads > 1 ? [threads, 1] : [1])
                var report = BenchmarkReport(layers: layers, inMemoryCells: cells, scalarReferenceCellsPerSecond: scalar, inMemory: runs,
                                             endToEndSize: skipEndToEnd ? nil : size, endToEnd: endToEnd,
                                             machine: "\(threads) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB")
                if !skipTrees { report.trees = TreeBench.measure(layers: layers, cells: cells, threads: threads) }
                if json { try printJSON(report); return }
                print("in memory: logistic model, \(layers) float32 layers, \(cells) cells (\(report.machine))")
                var table = [["threads", "M cells/s", "GB/s", "triad GB/s", "of triad"]]
                for r in runs {
                    table.append([String(r.threads), format(r.cellsPerSecond / 1e6, 1), format(r.bytesPerSecond / 1e9, 2),
                                  format(r.triadBytesPerSecond / 1e9, 2), format(100 * r.fractionOfBandwidth, 0) + " %"])
                }
                print(Reports.table(table), terminator: "")
                print("scalar reference kernel, 1 thread: \(format(scalar / 1e6, 1)) M cells/s")
                if !report.trees.isEmpty { print("\n" + TreeBench.table(report.trees), terminator: "") }
                if !endToEnd.isEmpty {
                    print("\nend to end: \(layers) tiled float32 GeoTIFFs of \(size)² → GeoTIFF")
                    var t = [["output", "M cells/s", "seconds", "peak RSS MiB"]]
                    for e in endToEnd {
                        t.append([e.compression, format(e.cellsPerSecond / 1e6, 1), format(e.seconds, 2), String(e.peakRSSBytes >> 20)])
                    }
                    print(Reports.table(t), terminator: "")
                }
            }
        }
    }
}
