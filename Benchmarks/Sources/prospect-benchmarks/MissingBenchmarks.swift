import Dispatch
import Foundation
import ProspectBench
import ProspectCore
import ProspectPipeline

/// Weights of evidence with missing data as unknown (`MissingDataRule.unknown`): the posterior
/// and its uncertainty bands against the default rule on the same cells, with 0, 1 and 10 %
/// of the cells missing one layer (those take the scalar fix-up pass of the missing-data
/// variance), against memory bandwidth and the scalar reference.
///
///   swift run -c release prospect-benchmarks --missing
enum MissingBenchmarks {
    static func run() {
        let cells = 1 << 24
        let layers = 8
        let threads = ProcessInfoCores.active
        let triadAll = MemoryBandwidth.triad(threads: threads)
        let triadOne = MemoryBandwidth.triad(threads: 1)
        print(
            "STREAM triad: \(String(format: "%.1f", triadAll / 1e9)) GB/s with \(threads) threads, \(String(format: "%.1f", triadOne / 1e9)) GB/s with 1"
        )
        print("\(layers) layers, \(cells) cells; rate ratios are against the default rule on the same cells and threads")
        print(
            WofEBenchmarks.pad("rule", 10) + WofEBenchmarks.pad("missing", 9) + WofEBenchmarks.pad("bands", 7)
                + WofEBenchmarks.pad("threads", 9) + WofEBenchmarks.pad("M cells/s", 11) + WofEBenchmarks.pad("of triad", 10)
                + WofEBenchmarks.pad("vs default", 12) + "vs scalar")
        let buffers = (0..<layers).map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: cells) }
        defer { buffers.forEach { $0.deallocate() } }
        let outputs = (0..<3).map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: cells) }
        defer { outputs.forEach { $0.deallocate() } }
        outputs.forEach { $0.initialize(repeating: 0) }
        let nd = [Float](repeating: -9999, count: layers)
        var model = AdditiveModel(
            intercept: -6, terms: (0..<layers).map { .step(threshold: Float(100 * ($0 + 1)), above: 1.2, below: -0.4) }, nodata: nd)
        let variance = WofEVariance(
            priorVariance: 0.01, terms: (0..<layers).map { .step(threshold: Float(100 * ($0 + 1)), above: 0.09, below: 0.01) },
            missingClasses: (0..<layers).map { _ in WofEMissingClasses(weights: [1.2, -0.4], fractions: [0.2, 0.8]) })
        let plain = WofEScorer(model: model, variance: variance)
        model.missing = .unknown
        let unknown = WofEScorer(model: model, variance: variance)
        let inputs = buffers.map { UnsafeBufferPointer($0) }
        for fraction in [0.0, 0.01, 0.1] {
            let shared = UnsafeTransfer(buffers)
            DispatchQueue.concurrentPerform(iterations: layers) { k in
                SyntheticStack.fillLayer(shared.value[k], columns: 8192, firstRow: 0, rows: cells / 8192, layer: k, seed: 7)
            }
            // A seeded `fraction` of the cells miss one layer (cycling through the layers).
            var rng = SplitMix64(seed: 11)
            let holes = Int(fraction * Double(cells))
            for h in 0..<holes { buffers[h % layers][Int(rng.next() % UInt64(cells))] = -9999 }
            let scalar = WofEBenchmarks.referenceRate(model: model, variance: variance, layers: inputs, outputs: outputs)
            for t in Set([threads, 1]).sorted(by: >) {
                let triad = t == 1 ? triadOne : triadAll
                for bands in [1, 3] {
                    let out = Array(outputs.prefix(bands))
                    let base = Double(cells) / time(5) { WofEBenchmarks.score(plain, layers: inputs, outputs: out, threads: t) }
                    let rate = Double(cells) / time(5) { WofEBenchmarks.score(unknown, layers: inputs, outputs: out, threads: t) }
                    for (rule, r) in [("nodata", base), ("unknown", rate)] {
                        print(
                            WofEBenchmarks.pad(rule, 10) + WofEBenchmarks.pad(String(format: "%.0f %%", 100 * fraction), 9)
                                + WofEBenchmarks.pad(String(bands), 7) + WofEBenchmarks.pad(String(t), 9)
                                + WofEBenchmarks.pad(String(format: "%.1f", r / 1e6), 11)
                                + WofEBenchmarks.pad(String(format: "%.0f %%", 100 * r * Double(4 * (layers + bands)) / triad), 10)
                                + WofEBenchmarks.pad(rule == "unknown" ? String(format: "%.2f×", r / base) : "", 12)
                                + (rule == "unknown" && bands == 3 ? String(format: "%.1f×", r / scalar) : ""))
                    }
                }
            }
        }
    }
}
