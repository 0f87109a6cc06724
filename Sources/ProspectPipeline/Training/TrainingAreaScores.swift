import ProspectCore

/// A fitted model's probabilities over its own training area, in one streaming pass: their sum
/// (the deposits the model expects there) and their logits' histogram (for calibration in the
/// large, `LogitHistogram`).
enum TrainingAreaScores {
    /// Scores every cell of `area` that has a score (a cell the model leaves nodata has none),
    /// on up to `threads` workers. Each tile's sum and histogram are added in tile order, so the
    /// result is the same for any number of threads.
    /// - Parameters:
    ///   - scorer: a model whose scores are probabilities in [0, 1].
    ///   - histogram: false leaves the histogram empty (it takes two logarithms per cell).
    /// - Throws: a read failure naming the file.
    static func measure(
        _ scorer: any CellScorer, stack: EvidenceStack, area: TrainingArea, histogram withHistogram: Bool = true, threads: Int,
        progress: Progress? = nil
    ) throws -> (sum: Double, cells: Int, histogram: LogitHistogram) {
        let grid = stack.grid
        let columns = stack.tiling.tileColumns
        var histogram = LogitHistogram()
        var sum = 0.0
        var cells = 0
        try CellStream.reduce(of: stack, threads: threads, requireData: false, progress: progress) {
            (sum: 0.0, cells: 0, histogram: LogitHistogram(), row: [Float](repeating: 0, count: columns))
        } _: { part, tile in
            let window = tile.window
            for r in 0..<window.rows {
                let layers = tile.buffers.map { UnsafeBufferPointer(rebasing: $0[(r * tile.stride)..<(r * tile.stride + window.columns)]) }
                part.row.withUnsafeMutableBufferPointer { out in
                    let scores = UnsafeMutableBufferPointer(rebasing: out[0..<window.columns])
                    scorer.score(layers: layers, outputs: [scores], outputNodata: .nan)
                    for c in 0..<window.columns where !scores[c].isNaN {
                        guard area.contains(column: window.column + c, row: window.row + r, grid: grid) else { continue }
                        let p = Double(min(1, max(0, scores[c])))
                        part.sum += p
                        part.cells += 1
                        if withHistogram { part.histogram.add(probability: p) }
                    }
                }
            }
        } commit: { part in
            sum += part.sum
            cells += part.cells
            histogram.merge(part.histogram)
        }
        return (sum, cells, histogram)
    }

    /// The one-line warning when `expected` deposits and the `known` deposit cells differ by
    /// more than `factor` either way; nil when they agree that well.
    static func mismatch(expected: Double, known: Int, factor: Double = 1.5) -> Double? {
        guard known > 0 else { return nil }
        let ratio = expected / Double(known)
        return ratio > factor || ratio < 1 / factor ? ratio : nil
    }
}
