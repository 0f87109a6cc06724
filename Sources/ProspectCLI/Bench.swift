import ArgumentParser
import Foundation
import ProspectBench
import ProspectCore
import ProspectPipeline

extension BenchModel: ExpressibleByArgument {}

extension ProspectCommand {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure scoring throughput in memory and end to end, against this machine's memory bandwidth.",
            discussion: """
                For each model kind (--model, repeatable; default every kind): in memory, the model over --layers float32 layers on all threads and one thread, with the STREAM triad bandwidth measured in the same run and the scalar reference alongside; end to end, --layers uncompressed tiled float32 GeoTIFFs of --size² cells (generated once into --work-dir) scored to a GeoTIFF with --compress none and with the default compression; cells/s and peak RSS.

                Example:
                  prospect bench --size 8192 --work-dir /tmp/prospect-bench
                  prospect bench --model logistic --skip-end-to-end --json
                  prospect bench --overlay
                  prospect bench --training --work-dir /tmp/prospect-bench
                  prospect bench --targets --size 8192
                """)

        @Option(help: "Evidence layers.") var layers: Int = 8
        @Option(help: "Cells for the in-memory benchmark.") var cells: Int = 1 << 24
        @Option(help: "Side of the end-to-end rasters in cells.") var size: Int = 8192
        @Option(name: .customLong("work-dir"), help: "Folder for the end-to-end rasters (kept for reuse).")
        var workDir: String = NSTemporaryDirectory() + "prospect-bench"
        @Flag(name: .customLong("skip-end-to-end"), help: "Only the in-memory benchmark.") var skipEndToEnd = false
        @Option(help: "A model kind to score (repeatable): \(BenchModel.allCases.map(\.rawValue).joined(separator: ", ")); default all.")
        var model: [BenchModel] = []
        @Flag(help: "Print JSON.") var json = false
        @Flag(help: "Only the knowledge-driven models (fuzzy and index overlays over --layers layers, even) in memory.")
        var overlay = false
        @Flag(
            help:
                "Only training from files (prospect train): logistic regression and weights of evidence on --layers float32 layers of --size² cells in --work-dir, and logistic regression on 15 layers of 400 000 cells with 150 parameters; all threads and one, --repetitions times each."
        )
        var training = false
        @Option(help: "Runs of each training case per thread count (--training).") var repetitions: Int = 2
        @Flag(help: "Only `prospect targets` on a --size² probability map (generated once into --work-dir): time and peak RSS.")
        var targets = false

        func validate() throws {
            guard layers >= 1, cells >= 8192, size >= 256, repetitions >= 1 else {
                throw ValidationError("--layers ≥ 1, --cells ≥ 8192, --size ≥ 256, --repetitions ≥ 1")
            }
        }

        func run() throws {
            try runReportingErrors {
                if overlay {
                    try OverlayBenchText.run(layers: layers, cells: cells, json: json)
                    return
                }
                if training {
                    try TrainingBenchText.run(
                        size: size, layers: layers, workDir: workDir, repetitions: repetitions, skipFiles: skipEndToEnd, json: json)
                    return
                }
                let threads = ProcessInfoCores.active
                if targets {
                    let machine = "\(threads) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB"
                    if !json { print("preparing a probability map of \(size)² cells in \(workDir) …") }
                    let map = try Benchmark.prepareTargetMap(directory: workDir, size: size)
                    let report = try Benchmark.targets(mapPath: map, directory: workDir, size: size, machine: machine)
                    if json {
                        try printJSON(report)
                    } else {
                        print(
                            String(
                                format: "targets on %d² cells (%@): %.2f s, peak RSS %.0f MiB, %d targets of %d areas at score ≥ %.4g",
                                size, machine, report.seconds, Double(report.peakRSSBytes) / 1_048_576, report.targets, report.components,
                                report.threshold))
                    }
                    return
                }
                let kinds = model.isEmpty ? BenchModel.allCases : model
                let machine = "\(threads) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB"
                var specs: [LayerSpec] = []
                if !skipEndToEnd {
                    if !json { print("preparing \(layers) rasters of \(size)² cells in \(workDir) …") }
                    specs = try Benchmark.prepareStack(directory: workDir, size: size, layers: layers)
                    // One warm-up pass so the inputs are in the page cache, as for every peer measured.
                    _ = try Benchmark.endToEnd(specs: specs, outputDirectory: workDir, compression: .none)
                }
                var reports: [BenchmarkReport] = []
                for kind in kinds {
                    var endToEnd: [BenchmarkReport.EndToEnd] = []
                    if !skipEndToEnd {
                        for compression in [ScoreOptions.Compression.none, ScoreOptions().compression] {
                            endToEnd.append(
                                try Benchmark.endToEnd(specs: specs, outputDirectory: workDir, compression: compression, model: kind))
                        }
                    }
                    let (runs, scalar) = Benchmark.inMemory(
                        layers: layers, cells: cells, threadCounts: threads > 1 ? [threads, 1] : [1], model: kind)
                    let report = BenchmarkReport(
                        model: kind.rawValue, layers: layers, inMemoryCells: cells, scalarReferenceCellsPerSecond: scalar,
                        inMemory: runs, endToEndSize: skipEndToEnd ? nil : size, endToEnd: endToEnd, machine: machine)
                    reports.append(report)
                    if !json { print(Self.render(report)) }
                }
                if json { try printJSON(reports) }
            }
        }

        static func render(_ report: BenchmarkReport) -> String {
            var out = "\(report.model): in memory, \(report.layers) float32 layers, \(report.inMemoryCells) cells (\(report.machine))\n"
            var table = [["threads", "M cells/s", "GB/s", "triad GB/s", "of triad"]]
            for r in report.inMemory {
                table.append([
                    String(r.threads), format(r.cellsPerSecond / 1e6, 1), format(r.bytesPerSecond / 1e9, 2),
                    format(r.triadBytesPerSecond / 1e9, 2), format(100 * r.fractionOfBandwidth, 0) + " %",
                ])
            }
            out += Reports.table(table)
            out += "scalar reference, 1 thread: \(format(report.scalarReferenceCellsPerSecond / 1e6, 1)) M cells/s\n"
            if let size = report.endToEndSize {
                out += "end to end: \(report.layers) tiled float32 GeoTIFFs of \(size)² → GeoTIFF\n"
                var t = [["output", "M cells/s", "seconds", "peak RSS MiB", "file MiB"]]
                for e in report.endToEnd {
                    t.append([
                        e.compression, format(e.cellsPerSecond / 1e6, 1), format(e.seconds, 2), String(e.peakRSSBytes >> 20),
                        format(Double(e.outputBytes) / 1_048_576, 1),
                    ])
                }
                out += Reports.table(t)
                if let none = report.endToEnd.first(where: { $0.compression == "none" }) {
                    for e in report.endToEnd where e.compression != "none" {
                        out += "\(e.compression) ÷ none (this run): \(format(e.cellsPerSecond / none.cellsPerSecond, 2))\n"
                    }
                }
            }
            return out
        }
    }
}
