import ProspectCore

extension ScoreOptions {
    /// Checks the options a user can set.
    /// - Throws: `OptionError` naming the option.
    public func validate() throws(OptionError) {
        try Check.count(threads, .scoreThreads, atLeast: 1)
    }
}

extension TargetOptions {
    /// Checks the options a user can set; the tile size against the map's grid is checked when
    /// the map is read (`tileCells(on:)`).
    /// - Throws: `OptionError` naming the option.
    public func validate() throws(OptionError) {
        try Check.count(top, .top, atLeast: 0, what: " (0 = all)")
        try Check.percent(topAreaPercent, .topArea)
        if let threshold { try Check.finite(Double(threshold), .targetThreshold) }
        try Check.count(minCells, .minCells, atLeast: 1)
        try Check.positive(tileSize, .tileSize, unit: " of metres")
        if let minAreaKm2 { try Check.positive(minAreaKm2, .minAreaKm2, unit: " of km²") }
        if let maxAreaKm2 { try Check.positive(maxAreaKm2, .maxAreaKm2, unit: " of km²") }
        if let minAreaKm2, let maxAreaKm2, minAreaKm2 > maxAreaKm2 {
            throw OptionError(
                .maxAreaKm2, "give at least the smallest area kept (\(Check.show(minAreaKm2)) km²), got \(Check.show(maxAreaKm2))")
        }
    }

    /// The side of a ranking tile in cells of `grid`: at least one cell, no more than the grid.
    /// - Throws: `OptionError` for a tile larger than the grid.
    public func tileCells(on grid: Grid) throws(OptionError) -> Int {
        let cells = tileSize / abs(grid.transform.cellWidth)
        guard cells.isFinite, cells <= Double(max(grid.columns, grid.rows)) else {
            throw OptionError(
                .tileSize,
                "a tile of \(Check.show(tileSize)) is larger than the map (\(grid.columns) × \(grid.rows) cells of \(Check.show(abs(grid.transform.cellWidth))))"
            )
        }
        return max(1, Int(cells.rounded()))
    }
}

extension PrepareRequest {
    /// Checks the numbers a user can set: the cell size, the extent, density radii and threads.
    /// The grid's size is checked when it is made from them.
    /// - Throws: `OptionError` naming the option (and the layer, for a radius).
    public func validate() throws(OptionError) {
        if case .definition(_, let cellSize, let extent) = grid {
            try Check.positive(cellSize, .cellSize)
            if let extent {
                guard extent.count == 4 else { throw OptionError(.extent, "give four numbers XMIN,YMIN,XMAX,YMAX, got \(extent.count)") }
                guard extent.allSatisfy(\.isFinite) else {
                    throw OptionError(.extent, "give finite numbers, got \(extent.map(Check.show))")
                }
                guard extent[2] > extent[0], extent[3] > extent[1] else {
                    throw OptionError(.extent, "XMIN must be below XMAX and YMIN below YMAX, got \(extent.map(Check.show))")
                }
            }
        }
        for input in inputs {
            if case .density(_, let radius) = input.source {
                try Check.positive(radius, .radius, layer: input.name, unit: " of grid units")
            }
        }
        try Check.count(threads, .prepareThreads, atLeast: 1)
    }
}
