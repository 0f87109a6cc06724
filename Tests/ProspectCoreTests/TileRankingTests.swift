import Foundation
import Testing

@testable import ProspectCore

@Suite struct TileRankingTests {
    /// 5 × 5 grid, tiles of 2 cells: 3 × 3 tiles, the last column and row clipped to width 1.
    ///
    ///     1 1 | 5 N | 0
    ///     1 1 | N 3 | 0
    ///     ----+-----+--
    ///     N N | 2 2 | 9
    ///     N N | 2 2 | 0
    ///     ----+-----+--
    ///     0 0 | 4 0 | N
    ///
    /// Tile (0,1) and tile (2,2) hold only nodata and are dropped.
    @Test func tilesWithNodata() {
        let n = Float.nan
        let grid: [Float] = [
            1, 1, 5, n, 0,
            1, 1, n, 3, 0,
            n, n, 2, 2, 9,
            n, n, 2, 2, 0,
            0, 0, 4, 0, n,
        ]
        let tiles = grid.withUnsafeBufferPointer {
            TileRanking.tiles(scores: $0, columns: 5, rows: 5, tileCells: 2, threshold: 2, isValid: { !$0.isNaN })
        }
        #expect(tiles.count == 7)
        // Means: (2,1) 4.5; (1,0) 4; (1,2) 2 [max 4] before (1,1) 2 [max 2]; (0,0) 1; then
        // (2,0) 0 before (0,2) 0 by tile row.
        #expect(tiles.map { [$0.tileColumn, $0.tileRow] } == [[2, 1], [1, 0], [1, 2], [1, 1], [0, 0], [2, 0], [0, 2]])
        #expect(tiles.map(\.mean) == [4.5, 4, 2, 2, 1, 0, 0])
        #expect(tiles.map(\.validCells) == [2, 2, 2, 4, 4, 2, 2])
        #expect(tiles.map(\.cellsAboveThreshold) == [1, 2, 1, 4, 0, 0, 0])
        #expect(tiles.map(\.max) == [9, 5, 4, 2, 1, 0, 0])
        #expect(tiles[0].window == Window(column: 4, row: 2, columns: 1, rows: 2))
        #expect(tiles[2].window == Window(column: 2, row: 4, columns: 2, rows: 1))
        #expect(tiles[3].window == Window(column: 2, row: 2, columns: 2, rows: 2))
    }

    @Test func tileLargerThanGrid() {
        let grid: [Float] = [1, 2, 3, 4, 5, 6]
        let tiles = grid.withUnsafeBufferPointer {
            TileRanking.tiles(scores: $0, columns: 3, rows: 2, tileCells: 10, threshold: 4, isValid: { _ in true })
        }
        #expect(tiles.count == 1)
        #expect(tiles[0].window == Window(column: 0, row: 0, columns: 3, rows: 2))
        #expect(tiles[0].mean == 3.5 && tiles[0].max == 6 && tiles[0].cellsAboveThreshold == 3)
    }
}
