import Dispatch
import Foundation
import ProspectCore
import ProspectPipeline

/// The tree-ensemble part of `prospect bench`.
enum TreeBench {
    /// Tree throughput over `cells` cells of `layers` synthetic float32 layers.
    static func measure(layers: Int, cells: Int, threads: Int) -> [TreeThroughput] {
        let columns = 8192
        let buffers = (0..<layers).map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: cells) }
        defer { buffers.forEach { $0.deallocate() } }
        let shared = UnsafeTransfer(buffers)
        DispatchQueue.concurrentPerform(iterations: layers) { k in
            SyntheticStack.fillLayer(shared.value[k], columns: columns, firstRow: 0, rows: cells / columns, layer: k, seed: 7)
            for i in (cells / columns * columns)..<cells { shared.value[k][i] = 100 }
        }
        return Benchmark.treeThroughput(layers: buffers.map { UnsafeBufferPointer($0) }, threadCounts: threads > 1 ? [threads, 1] : [1])
    }

    static func table(_ runs: [TreeThroughput]) -> String {
        var rows = [["tree model", "path", "threads", "M cells/s"]]
        for r in runs { rows.append([r.ensemble, r.path, String(r.threads), format(r.cellsPerSecond / 1e6, r.path == "reference" ? 2 : 1)]) }
        return "in memory: tree ensembles on the same layers\n" + Reports.table(rows)
    }
}
