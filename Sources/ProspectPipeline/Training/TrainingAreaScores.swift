import ProspectCore

/// A fitted model's probabilities over its own training area, in one streaming pass: their sum
/// (the deposits the model expects there) and their logits' histogram (for calibration in the
/// large, `LogitHistogram`).
enum TrainingAreaScores {
    /// Scores every cell of `area` that has a score (a cell the model leaves nodata has none).
    /// - Parameter scorer: a model whose scores are probabilities in [0, 1].
    /// - Throws: a read failure naming the file.
    static func measure(
        _ scorer: any CellScorer, stack: EvidenceStack, area: TrainingArea, progress: Progress? = nil
    ) throws -> (sum: Double, cells: Int, histogram: LogitHistogram) {
        let grid = stack.grid
        var histogram = LogitHistogram()
        var sum = 0.0
        var cells = 0
        var row = [Float]()
        try CellStream.tiles(of: stack, requireData: false, progress: progress) { window, stride, buffers in
            if row.count < window.columns { row = [Float](repeating: 0, count: window.columns) }
            for r in 0..<window.rows {
                let layers = buffers.map { UnsafeBufferPointer(rebasing: $0[(r * stride)..<(r * stride + window.columns)]) }
                row.withUnsafeMutableBufferPointer { out in
                    let scores = UnsafeMutableBufferPointer(rebasing: out[0..<window.columns])
                    scorer.score(layers: layers, outputs: [scores], outputNodata: .nan)
                    for c in 0..<window.columns where !scores[c].isNaN {
                        guard area.contains(column: window.column + c, row: window.row + r, grid: grid) else { continue }
                        let p = Double(min(1, max(0, scores[c])))
                        sum += p
                        cells += 1
                        histogram.add(probability: p)
                    }
                }
            }
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
