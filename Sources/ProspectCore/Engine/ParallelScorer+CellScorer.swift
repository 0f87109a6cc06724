import Dispatch

extension ParallelScorer {
    /// Scores an in-memory stack with any model on `threads` workers: contiguous runs of
    /// `grain`-cell items, each scored by `scorer.score` into its own part of every output band.
    public static func score<S: CellScorer>(_ scorer: S, layers: [UnsafeBufferPointer<Float>],
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
