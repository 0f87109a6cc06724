import Foundation
import Dispatch

/// Scores an in-memory stack on all cores.
///
/// The cells are split into contiguous ranges, a few per worker, run with
/// `DispatchQueue.concurrentPerform`; each range is scored by `ScoreKernel.score`
/// and written to its own disjoint part of the output.
public enum ParallelScorer {
    /// Cells per work item: large enough to amortize dispatch, small enough to balance.
    public static let grain = 1 << 16

    public static func score(_ compiled: CompiledModel, layers: [UnsafeBufferPointer<Float>],
                             output: UnsafeMutableBufferPointer<Float>, outputNodata: Float,
                             threads: Int = ProcessInfoCores.active) {
        let n = output.count
        guard n > 0 else { return }
        let items = max(1, (n + grain - 1) / grain)
        let shared = UnsafeTransfer((layers, output))
        let run: @Sendable (Int) -> Void = { item in
            let (layers, output) = shared.value
            let lo = item * grain, hi = min(n, lo + grain)
            let slices = layers.map { UnsafeBufferPointer(rebasing: $0[lo..<hi]) }
            ScoreKernel.score(compiled, layers: slices,
                              output: UnsafeMutableBufferPointer(rebasing: output[lo..<hi]),
                              outputNodata: outputNodata)
        }
        if threads <= 1 {
            for item in 0..<items { run(item) }
        } else {
            // Each of `threads` workers takes a contiguous run of items.
            let workers = min(threads, items)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let first = items * w / workers, last = items * (w + 1) / workers
                for item in first..<last { run(item) }
            }
        }
    }
}

extension ParallelScorer {
    /// Scores an in-memory stack with any model on `threads` workers; `outputs[0]` gets the
    /// score and `outputs[1...]` the model's extra bands.
    public static func score(_ scorer: any CellScorer, layers: [UnsafeBufferPointer<Float>],
                             outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float,
                             threads: Int = ProcessInfoCores.active) {
        let n = outputs[0].count
        guard n > 0 else { return }
        let items = max(1, (n + grain - 1) / grain)
        let shared = UnsafeTransfer((layers, outputs))
        let run: @Sendable (Int) -> Void = { item in
            let (layers, outputs) = shared.value
            let lo = item * grain, hi = min(n, lo + grain)
            scorer.score(layers: layers.map { UnsafeBufferPointer(rebasing: $0[lo..<hi]) },
                         outputs: outputs.map { UnsafeMutableBufferPointer(rebasing: $0[lo..<hi]) },
                         outputNodata: outputNodata)
        }
        if threads <= 1 {
            for item in 0..<items { run(item) }
        } else {
            let workers = min(threads, items)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let first = items * w / workers, last = items * (w + 1) / workers
                for item in first..<last { run(item) }
            }
        }
    }
}

/// The number of cores this process may use.
public enum ProcessInfoCores {
    public static var active: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}
