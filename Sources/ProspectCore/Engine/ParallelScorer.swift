import Dispatch
import Foundation
import Synchronization

/// Scores an in-memory stack on all cores.
///
/// The cells are split into ranges of `grain` cells that the workers of
/// `DispatchQueue.concurrentPerform` take in turn from a shared counter, so a worker slowed by
/// the rest of the machine takes fewer; each range is scored by the model's kernel and written to
/// its own disjoint part of the output.
public enum ParallelScorer {
    /// Cells per work item: large enough to amortize dispatch, small enough to balance.
    public static let grain = 1 << 16

    public static func score(
        _ compiled: CompiledModel, layers: [UnsafeBufferPointer<Float>],
        output: UnsafeMutableBufferPointer<Float>, outputNodata: Float,
        threads: Int = ProcessInfoCores.active
    ) {
        let shared = UnsafeTransfer((layers, output))
        perform(cells: output.count, threads: threads) { range in
            let (layers, output) = shared.value
            let slices = layers.map { UnsafeBufferPointer(rebasing: $0[range]) }
            ScoreKernel.score(
                compiled, layers: slices,
                output: UnsafeMutableBufferPointer(rebasing: output[range]),
                outputNodata: outputNodata)
        }
    }
}

extension ParallelScorer {
    /// Scores an in-memory stack with any model on `threads` workers; `outputs[0]` gets the
    /// score and `outputs[1...]` the model's extra bands.
    public static func score(
        _ scorer: any CellScorer, layers: [UnsafeBufferPointer<Float>],
        outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float,
        threads: Int = ProcessInfoCores.active
    ) {
        let shared = UnsafeTransfer((layers, outputs))
        perform(cells: outputs[0].count, threads: threads) { range in
            let (layers, outputs) = shared.value
            scorer.score(
                layers: layers.map { UnsafeBufferPointer(rebasing: $0[range]) },
                outputs: outputs.map { UnsafeMutableBufferPointer(rebasing: $0[range]) },
                outputNodata: outputNodata)
        }
    }
}

extension ParallelScorer {
    /// Runs `run` over `0..<cells` in ranges of `grain` cells (the last one shorter), on up to
    /// `threads` workers as `perform(items:threads:_:)` hands them out; nothing when `cells` is 0.
    static func perform(cells n: Int, threads: Int, _ run: @Sendable (Range<Int>) -> Void) {
        guard n > 0 else { return }
        perform(items: (n + grain - 1) / grain, threads: threads) { item in
            let lo = item * grain
            run(lo..<min(n, lo + grain))
        }
    }

    /// Runs `run(0) … run(items − 1)` on up to `threads` workers, each taking the next item
    /// from a shared counter (ascending on one thread).
    static func perform(items: Int, threads: Int, _ run: @Sendable (Int) -> Void) {
        if threads <= 1 || items <= 1 {
            for item in 0..<items { run(item) }
            return
        }
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: min(threads, items)) { _ in
            while true {
                let item = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard item < items else { return }
                run(item)
            }
        }
    }
}

/// The number of cores this process may use.
public enum ProcessInfoCores {
    public static var active: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}
