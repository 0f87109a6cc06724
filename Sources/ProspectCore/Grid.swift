/// An affine map from cell (column, row) to map coordinates, as GDAL stores it.
///
/// `x = originX + col * cellWidth + row * rowRotation`,
/// `y = originY + col * colRotation + row * cellHeight` (cellHeight is negative for north-up grids).
public struct GeoTransform: Equatable, Hashable, Sendable, Codable {
    public var originX: Double
    public var cellWidth: Double
    public var rowRotation: Double
    public var originY: Double
    public var colRotation: Double
    public var cellHeight: Double

    public init(
        originX: Double, cellWidth: Double, rowRotation: Double = 0,
        originY: Double, colRotation: Double = 0, cellHeight: Double
    ) {
        self.originX = originX
        self.cellWidth = cellWidth
        self.rowRotation = rowRotation
        self.originY = originY
        self.colRotation = colRotation
        self.cellHeight = cellHeight
    }

    /// A north-up transform with square or rectangular cells.
    public static func northUp(left: Double, top: Double, cellSize: Double) -> GeoTransform {
        GeoTransform(originX: left, cellWidth: cellSize, originY: top, cellHeight: -cellSize)
    }

    /// The six coefficients in GDAL's order.
    public var coefficients: [Double] {
        [originX, cellWidth, rowRotation, originY, colRotation, cellHeight]
    }

    public init(coefficients c: [Double]) {
        precondition(c.count == 6, "a geotransform has six coefficients")
        self.init(originX: c[0], cellWidth: c[1], rowRotation: c[2], originY: c[3], colRotation: c[4], cellHeight: c[5])
    }

    /// Map coordinates of a fractional cell position (0,0 is the outer corner of the first cell).
    public func map(column: Double, row: Double) -> (x: Double, y: Double) {
        (originX + column * cellWidth + row * rowRotation, originY + column * colRotation + row * cellHeight)
    }

    /// Fractional cell position of map coordinates (inverse of `map`).
    public func cell(x: Double, y: Double) -> (column: Double, row: Double) {
        let det = cellWidth * cellHeight - rowRotation * colRotation
        let dx = x - originX
        let dy = y - originY
        return ((dx * cellHeight - dy * rowRotation) / det, (dy * cellWidth - dx * colRotation) / det)
    }

    /// Area of one cell in map units squared.
    public var cellArea: Double { abs(cellWidth * cellHeight - rowRotation * colRotation) }

    public var isNorthUp: Bool { rowRotation == 0 && colRotation == 0 && cellHeight < 0 }
}

/// A rectangle of cells: `columns × rows` starting at (`column`, `row`).
public struct Window: Equatable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var column: Int
    public var row: Int
    public var columns: Int
    public var rows: Int

    public init(column: Int, row: Int, columns: Int, rows: Int) {
        precondition(columns >= 0 && rows >= 0, "window sizes are non-negative")
        self.column = column
        self.row = row
        self.columns = columns
        self.rows = rows
    }

    public var cellCount: Int { columns * rows }
    public var description: String { "\(columns)×\(rows) at (\(column), \(row))" }

    /// The part of this window that lies inside `other`, or nil when they do not overlap.
    public func intersection(_ other: Window) -> Window? {
        let c0 = max(column, other.column)
        let r0 = max(row, other.row)
        let c1 = min(column + columns, other.column + other.columns)
        let r1 = min(row + rows, other.row + other.rows)
        guard c1 > c0, r1 > r0 else { return nil }
        return Window(column: c0, row: r0, columns: c1 - c0, rows: r1 - r0)
    }
}

/// A raster grid: size, georeferencing and coordinate reference system.
public struct Grid: Equatable, Sendable, Codable, CustomStringConvertible {
    public var columns: Int
    public var rows: Int
    public var transform: GeoTransform
    /// The CRS as WKT (empty when the raster has none).
    public var crsWKT: String
    /// A short CRS label such as "EPSG:32645" (empty when unknown).
    public var crsName: String

    public init(columns: Int, rows: Int, transform: GeoTransform, crsWKT: String = "", crsName: String = "") {
        self.columns = columns
        self.rows = rows
        self.transform = transform
        self.crsWKT = crsWKT
        self.crsName = crsName
    }

    public var cellCount: Int { columns * rows }
    public var full: Window { Window(column: 0, row: 0, columns: columns, rows: rows) }

    /// Cell area in km², assuming map units of metres.
    public var cellAreaKm2: Double { transform.cellArea / 1_000_000 }

    /// Extent as (minX, minY, maxX, maxY) in map units.
    public var extent: (minX: Double, minY: Double, maxX: Double, maxY: Double) {
        let corners = [
            transform.map(column: 0, row: 0), transform.map(column: Double(columns), row: 0),
            transform.map(column: 0, row: Double(rows)), transform.map(column: Double(columns), row: Double(rows)),
        ]
        return (corners.map(\.x).min()!, corners.map(\.y).min()!, corners.map(\.x).max()!, corners.map(\.y).max()!)
    }

    /// The (column, row) of the cell holding map point (x, y), or nil when outside the grid
    /// (or not a number).
    public func cellIndex(x: Double, y: Double) -> (column: Int, row: Int)? {
        let (c, r) = transform.cell(x: x, y: y)
        // Compared as Double before converting: a point far off the grid (y = -1e200) is a cell
        // index beyond Int, whose conversion traps.
        let column = c.rounded(.down)
        let row = r.rounded(.down)
        guard column >= 0, row >= 0, column < Double(columns), row < Double(rows) else { return nil }
        return (Int(column), Int(row))
    }

    /// True when `other` has the same size and geotransform (to a tolerance of 1e-6 of a cell).
    /// The CRS is not compared here: that needs PROJ (see the pipeline's grid check).
    public func hasSameCells(as other: Grid) -> Bool {
        guard columns == other.columns, rows == other.rows else { return false }
        let tol = 1e-6 * max(abs(transform.cellWidth), abs(transform.cellHeight))
        for (a, b) in zip(transform.coefficients, other.transform.coefficients) where abs(a - b) > tol { return false }
        return true
    }

    public var description: String {
        let e = extent
        return
            "\(columns)×\(rows) cells of \(abs(transform.cellWidth))×\(abs(transform.cellHeight)), \(crsName.isEmpty ? "no CRS" : crsName), extent [\(e.minX), \(e.minY), \(e.maxX), \(e.maxY)]"
    }
}
