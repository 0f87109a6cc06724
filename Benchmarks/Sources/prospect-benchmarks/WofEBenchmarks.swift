import Dispatch
import Foundation
import ProspectBench
import ProspectCore
import ProspectPipeline

/// Weights of evidence: the posterior with and without its uncertainty bands (posterior_std,
/// confidence) against memory bandwidth, and the training tallies.
///
///   swift run -c release prospect-benchmarks --wofe
enum WofEBenchmarks {
    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }

    /// Scores `cells` cells in `threads` contiguous blocks (the engine's split).
    /// Cells per second of the scalar three-band reference, one thread, on the first 2^20 cells.
    static func referenceRate(
        model: AdditiveModel, variance: WofEVariance, layers: [UnsafeBufferPointer<Float>],
        outputs: [UnsafeMutableBufferPointer<Float>]
    ) -> Double {
        let slice = 1 << 20
        return Double(slice)
            / time(3) {
                UncertaintyKernel.reference(
                    model: model, variance: variance, layers: layers.map { UnsafeBufferPointer(rebasing: $0[0..<slice]) },
                    outputs: outputs.map { UnsafeMutableBufferPointer(rebasing: $0[0..<slice]) }, outputNodata: -1)
            }
    }

    static func score(
        _ scorer: WofEScorer, layers: [UnsafeBufferPointer<Float>], outputs: [UnsafeMutableBufferPointer<Float>], threads: Int
    ) {
        let n = outputs[0].count
        let block = (n + threads - 1) / threads
        let shared = UnsafeTransfer((layers, outputs))
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let lo = t * block
            let hi = min(n, lo + block)
            guard lo < hi else { return }
            let (ls, os) = shared.value
            scorer.score(
                layers: ls.map { UnsafeBufferPointer(rebasing: $0[lo..<hi]) },
                outputs: os.map { UnsafeMutableBufferPointer(rebasing: $0[lo..<hi]) }, outputNodata: -1)
        }
    }

    static func run() {
        let cells = 1 << 24
        let threads = ProcessInfoCores.active
        let triadAll = MemoryBandwidth.triad(threads: threads)
        let triadOne = MemoryBandwidth.triad(threads: 1)
        print(
            "STREAM triad: \(String(format: "%.1f", triadAll / 1e9)) GB/s with \(threads) threads, \(String(format: "%.1f", triadOne / 1e9)) GB/s with 1"
        )
        print(
            pad("weights of evidence", 26) + pad("layers", 8) + pad("threads", 9) + pad("M cells/s", 11) + pad("GB/s", 8)
                + pad("of triad", 10) + pad("vs posterior", 14) + "vs scalar")
        for layers in [4, 8, 16] {
            let buffers = (0..<layers).map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: cells) }
            let shared = UnsafeTransfer(buffers)
            DispatchQueue.concurrentPerform(iterations: layers) { k in
                SyntheticStack.fillLayer(shared.value[k], columns: 8192, firstRow: 0, rows: cells / 8192, layer: k, seed: 7)
            }
            let outputs = (0..<3).map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: cells) }
            outputs.forEach { $0.initialize(repeating: 0) }
            let inputs = buffers.map { UnsafeBufferPointer($0) }
            let nd = [Float](repeating: -9999, count: layers)
            let model = AdditiveModel(
                intercept: -6, terms: (0..<layers).map { .step(threshold: Float(100 * ($0 + 1)), above: 1.2, below: -0.4) }, nodata: nd)
            let variance = WofEVariance(
                priorVariance: 0.01, terms: (0..<layers).map { .step(threshold: Float(100 * ($0 + 1)), above: 0.09, below: 0.01) })
            let scorer = WofEScorer(model: model, variance: variance)
            let scalar = WofEBenchmarks.referenceRate(model: model, variance: variance, layers: inputs, outputs: outputs)
            for t in Set([threads, 1]).sorted(by: >) {
                let triad = t == 1 ? triadOne : triadAll
                var posterior = 0.0
                for bands in [1, 3] {
                    let rate = Double(cells) / time(5) { score(scorer, layers: inputs, outputs: Array(outputs.prefix(bands)), threads: t) }
                    if bands == 1 { posterior = rate }
                    let bytes = rate * Double(4 * (layers + bands))
                    print(
                        pad(bands == 1 ? "posterior" : "posterior + std + conf", 26) + pad(String(layers), 8) + pad(String(t), 9)
                            + pad(String(format: "%.1f", rate / 1e6), 11) + pad(String(format: "%.2f", bytes / 1e9), 8)
                            + pad(String(format: "%.0f %%", 100 * bytes / triad), 10)
                            + pad(String(format: "%.2f×", rate / posterior), 14)
                            + (bands == 3 ? String(format: "%.1f×", rate / scalar) : ""))
                }
            }
            buffers.forEach { $0.deallocate() }
            outputs.forEach { $0.deallocate() }
        }
        // Training tallies, one thread: values counted per second.
        let n = 1 << 22
        var rng = SplitMix64(seed: 3)
        let classes = (0..<n).map { _ in Float(Int(rng.next() % 40)) }
        let continuous = (0..<n).map { _ in Float(rng.nextUnit() * 1000) }
        let deposits = (0..<200).map { _ in Float(rng.nextUnit() * 1000) }
        let cumulative =
            Double(n)
            / time(3) {
                var t = CumulativeTally()
                for v in classes { t.add(v) }
                precondition(t.cellCount == n)
            }
        let categorical =
            Double(n)
            / time(3) {
                var t = CategoricalTally()
                for v in classes { t.add(code: Int32(v)) }
                precondition(t.cellCount == n)
            }
        let thresholds =
            Double(n)
            / time(3) {
                var t = ContinuousTally(depositValues: deposits)
                continuous.withUnsafeBufferPointer { t.add($0, isValid: { _ in true }) }
                precondition(t.cellCount == n)
            }
        print(
            String(
                format:
                    "training tallies, 1 thread: cumulative classes (40 values) %.0f M/s, categorical %.0f M/s, deposit-value thresholds (200 deposits) %.0f M/s",
                cumulative / 1e6, categorical / 1e6, thresholds / 1e6))
    }
}
