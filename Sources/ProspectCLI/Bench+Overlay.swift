import Foundation
import ProspectBench
import ProspectCore
import ProspectPipeline

/// `prospect bench --overlay`: the knowledge-driven models' in-memory throughput.
enum OverlayBenchText {
    static func run(layers: Int, cells: Int, json: Bool) throws {
        guard layers >= 2, layers % 2 == 0 else { throw PipelineError(nil, "--overlay needs an even number of --layers, at least 2") }
        let threads = ProcessInfoCores.active
        let results = Benchmark.overlayThroughput(layers: layers, cells: cells, threadCounts: threads > 1 ? [threads, 1] : [1])
        if json {
            try printJSON(results)
            return
        }
        print("in memory: knowledge-driven models, \(layers) float32 layers, \(cells) cells (\(threads) cores)")
        var table = [["model", "threads", "M cells/s", "GB/s", "triad GB/s", "of triad", "reference M cells/s"]]
        for r in results {
            table.append([
                r.model, String(r.threads), format(r.cellsPerSecond / 1e6, 1), format(r.bytesPerSecond / 1e9, 2),
                format(r.triadBytesPerSecond / 1e9, 2), format(100 * r.fractionOfBandwidth, 0) + " %",
                format(r.referenceCellsPerSecond / 1e6, 1),
            ])
        }
        print(Reports.table(table), terminator: "")
    }
}
