/// Summary of one square tile of a score grid.
public struct TileStat: Sendable, Equatable {
    /// Tile index, counted from the top-left tile.
    public var tileColumn: Int
    public var tileRow: Int
    /// The tile's cells (clipped at the right and bottom edges), in the buffer's coordinates.
    public var window: Window
    public var validCells: Int
    /// Mean of the valid scores.
    public var mean: Double
    /// Largest valid score.
    public var max: Float
    /// Valid cells with `score >= threshold`.
    public var cellsAboveThreshold: Int

    public init(
        tileColumn: Int, tileRow: Int, window: Window, validCells: Int, mean: Double, max: Float,
        cellsAboveThreshold: Int
    ) {
        self.tileColumn = tileColumn
        self.tileRow = tileRow
        self.window = window
        self.validCells = validCells
        self.mean = mean
        self.max = max
        self.cellsAboveThreshold = cellsAboveThreshold
    }
}

/// Ranks square tiles of a score grid, for picking follow-up areas.
public enum TileRanking {
    /// Splits the grid into `tileCells × tileCells` tiles, row-major from the top-left (the last
    /// column and row of tiles are clipped to the grid), and summarises each.
    ///
    /// - Parameters:
    ///   - scores: `columns × rows` scores, row-major.
    ///   - tileCells: the tile side in cells (> 0).
    ///   - threshold: cells with `score >= threshold` are counted in `cellsAboveThreshold`.
    ///   - isValid: false for nodata.
    /// - Returns: the tiles holding at least one valid cell, sorted by mean descending, then max
    ///   descending, then position (tile row, then tile column).
    public static func tiles(
        scores: UnsafeBufferPointer<Float>, columns: Int, rows: Int, tileCells: Int,
        threshold: Float, isValid: (Float) -> Bool
    ) -> [TileStat] {
        precondition(tileCells > 0, "tiles hold at least one cell")
        precondition(columns >= 0 && rows >= 0 && scores.count == columns * rows, "scores must hold columns × rows values")
        let tilesAcross = (columns + tileCells - 1) / tileCells
        let tilesDown = (rows + tileCells - 1) / tileCells
        var result: [TileStat] = []
        for tr in 0..<tilesDown {
            let r0 = tr * tileCells
            let r1 = Swift.min(r0 + tileCells, rows)
            for tc in 0..<tilesAcross {
                let c0 = tc * tileCells
                let c1 = Swift.min(c0 + tileCells, columns)
                var n = 0
                var above = 0
                var sum = 0.0
                var top = -Float.infinity
                for r in r0..<r1 {
                    let base = r * columns
                    for c in c0..<c1 {
                        let s = scores[base + c]
                        guard isValid(s), !s.isNaN else { continue }
                        n += 1
                        sum += Double(s)
                        top = Swift.max(top, s)
                        if s >= threshold { above += 1 }
                    }
                }
                guard n > 0 else { continue }
                result.append(
                    TileStat(
                        tileColumn: tc, tileRow: tr,
                        window: Window(column: c0, row: r0, columns: c1 - c0, rows: r1 - r0),
                        validCells: n, mean: sum / Double(n), max: top, cellsAboveThreshold: above))
            }
        }
        return rank(result)
    }

    /// Sorts tiles by mean descending, then max descending, then position (tile row, then
    /// tile column), leaving out tiles without valid cells.
    public static func rank(_ tiles: [TileStat]) -> [TileStat] {
        tiles.filter { $0.validCells > 0 }.sorted { a, b in
            if a.mean != b.mean { return a.mean > b.mean }
            if a.max != b.max { return a.max > b.max }
            if a.tileRow != b.tileRow { return a.tileRow < b.tileRow }
            return a.tileColumn < b.tileColumn
        }
    }
}
