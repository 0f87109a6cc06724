/// Map coordinates of the cell centres of a window of a north-up grid.
///
/// Column `c` (grid column, not window column) has its centre at
/// `originX + (c + 0.5) · cellWidth`, row `r` at `originY + (r + 0.5) · cellHeight`. The
/// evidence kernels and their references all take centres from here, so a cell gets the same
/// coordinates whatever window it is computed in.
struct CellCenters {
    /// Centre x of each window column.
    let xs: [Double]
    /// Centre y of each window row.
    let ys: [Double]
    /// Spacing of the columns (the grid's cell width).
    let cellWidth: Double

    init(grid: Grid, window: Window) {
        let t = grid.transform
        precondition(t.rowRotation == 0 && t.colRotation == 0, "evidence fields need a grid without rotation")
        precondition(t.cellWidth > 0 && t.cellHeight != 0, "cells have a positive width and a non-zero height")
        cellWidth = t.cellWidth
        xs = (0..<window.columns).map { t.originX + (Double(window.column + $0) + 0.5) * t.cellWidth }
        ys = (0..<window.rows).map { t.originY + (Double(window.row + $0) + 0.5) * t.cellHeight }
    }

    /// The rectangle spanned by the centres of window columns `c0 ..< c1` and rows `r0 ..< r1`.
    func rect(columns c0: Int, _ c1: Int, rows r0: Int, _ r1: Int) -> Rect {
        Rect(
            minX: min(xs[c0], xs[c1 - 1]), minY: min(ys[r0], ys[r1 - 1]),
            maxX: max(xs[c0], xs[c1 - 1]), maxY: max(ys[r0], ys[r1 - 1]))
    }
}
