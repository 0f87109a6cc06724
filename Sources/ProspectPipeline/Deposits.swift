import Foundation
import ProspectCore
import ProspectGDAL

/// Known deposits placed on an evidence grid.
public struct DepositSet: Sendable {
    public struct Deposit: Sendable {
        public var id: String
        public var x: Double, y: Double
        public var column: Int, row: Int
        /// Row-major index of the cell on the grid.
        public var cellIndex: Int
    }

    public var path: String
    /// Points given in the file.
    public var given: Int
    /// Deposits inside the grid, one per point (several may share a cell).
    public var inside: [Deposit]
    /// Identifiers of points that fall outside the grid.
    public var outside: [String]
    /// The CRS the file's points were reprojected from, when it differed from the grid's.
    public var reprojectedFrom: String?
    /// The CRS assumed for a file that declares none (`--assume-crs`).
    public var assumedCRS: String?
    /// Features of the file that gave no usable point (bad or missing coordinates, not a point).
    public var unreadable = SkippedFeatures()

    /// One warning per kind of feature left out while reading:
    /// `deposits.csv: 3 rows skipped: bad coordinates (rows 4, 9, 12)`.
    public var readWarnings: [String] { unreadable.warnings(path: DisplayPath.of(path)) }

    /// Distinct cells holding at least one deposit, sorted.
    public var cells: [Int] { Array(Set(inside.map(\.cellIndex))).sorted() }

    /// Loads the points of a vector file (any OGR format, CSV with coordinate columns; first
    /// layer unless `layer` is given), reprojects them into the grid's CRS when their CRS
    /// differs, and places them on cells.
    ///
    /// - Parameter assumedCRS: the CRS of points whose file declares none.
    /// - Throws: `PipelineError` naming the file when it has no points, when it declares no CRS
    ///   and none is assumed (while the grid has one), or when no point falls on the grid.
    public static func load(_ path: String, layer: String? = nil, grid: Grid, assumedCRS: String? = nil) throws -> DepositSet {
        GDAL.initialize()
        let ds = try VectorDataset.open(path)
        let info = ds.layers.first { $0.name == layer } ?? (layer == nil ? ds.layers.first : nil)
        let (points, declared, unreadable) = try ds.pointsWithSkipped(layer: layer ?? info?.name)
        guard !points.isEmpty else { throw PipelineError(path, "holds no point features") }
        var xy = points.map { (x: $0.x, y: $0.y) }
        var reprojected: String?
        var crs = (info?.hasCRS ?? false) ? declared : nil
        var assumed = false
        if crs == nil, let assumedCRS {
            do { crs = try SpatialReference(userInput: assumedCRS) } catch {
                throw PipelineError(path, "--assume-crs \(Echo.short(assumedCRS)) is not a CRS GDAL knows")
            }
            assumed = true
        }
        if crs == nil, !grid.crsWKT.isEmpty {
            throw PipelineError(path, "declares no CRS; give its CRS with --assume-crs EPSG:N (the grid's is \(grid.crsName))")
        }
        if let crs, !grid.crsWKT.isEmpty {
            let gridCRS = try SpatialReference(wkt: grid.crsWKT)
            if !crs.isSame(gridCRS) {
                xy = try CoordinateTransformer(from: crs, to: gridCRS, file: path).transform(xy)
                reprojected = crs.label
            }
        }
        var inside: [Deposit] = []
        var outside: [String] = []
        for (i, p) in points.enumerated() {
            let id = p.attributes["id"] ?? p.attributes["name"] ?? p.attributes["ID"] ?? "#\(i + 1)"
            if let cell = grid.cellIndex(x: xy[i].x, y: xy[i].y) {
                inside.append(
                    Deposit(
                        id: id, x: xy[i].x, y: xy[i].y, column: cell.column, row: cell.row,
                        cellIndex: cell.row * grid.columns + cell.column))
            } else {
                outside.append(id)
            }
        }
        guard !inside.isEmpty else {
            throw PipelineError(
                path,
                "none of its \(points.count) points falls on the evidence grid (\(grid.crsName.isEmpty ? "no CRS" : grid.crsName), extent \(grid.extent)); check the CRS"
            )
        }
        return DepositSet(
            path: path, given: points.count, inside: inside, outside: outside, reprojectedFrom: reprojected,
            assumedCRS: assumed ? crs?.label : nil, unreadable: unreadable)
    }
}
