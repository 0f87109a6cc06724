// Knowledge-driven models (`swift run -c release prospect-benchmarks --overlay`): fuzzy and
// weighted index overlays over 8 in-memory float32 layers of 16 Mi cells, 1 and all threads,
// against the STREAM triad measured in the same run, with each model's scalar reference.
//
// Bytes per cell: every layer read once and the score written once (4 · (8 + 1) = 36). The
// index overlay is a linear model: its bar is 60 % of the triad.
import Foundation
import ProspectBench
import ProspectCore
import ProspectPipeline

enum OverlayBenchmarks {
    static func f(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

    static func run() {
        let threads = ProcessInfoCores.active
        let counts = Array(Set([threads, 1])).sorted(by: >)
        let results = Benchmark.overlayThroughput(layers: 8, cells: 1 << 24, threadCounts: counts)
        let triads = counts.map { t in
            "\(f(results.first { $0.threads == t }!.triadBytesPerSecond / 1e9, 1)) GB/s with \(t) thread\(t == 1 ? "" : "s")"
        }
        print("knowledge-driven models in memory: 8 float32 layers, 16 Mi cells; STREAM triad \(triads.joined(separator: ", "))")
        var table = [["model", "threads", "M cells/s", "GB/s", "of triad", "reference M cells/s", "speed-up"]]
        for r in results {
            table.append([
                r.model, String(r.threads), f(r.cellsPerSecond / 1e6, 1), f(r.bytesPerSecond / 1e9, 2),
                f(100 * r.fractionOfBandwidth, 0) + " %", f(r.referenceCellsPerSecond / 1e6, 1),
                f(r.cellsPerSecond / r.referenceCellsPerSecond, 1) + "×",
            ])
        }
        print(Reports.table(table), terminator: "")
    }
}
