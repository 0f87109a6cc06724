import Foundation
import ProspectCore
import ProspectGDAL

/// Cell areas in km², whatever the grid's CRS.
enum CellArea {
    /// The area of one cell in km², and whether it is an approximation.
    ///
    /// Projected grids: the cell size in the CRS's linear unit (metres and feet handled through
    /// the unit's metre factor). Geographic grids: the cell at the grid's central latitude on
    /// the WGS 84 ellipsoid's mean radius, `(Δλ·R·cos φ)(Δφ·R)` — exact there, and off by the
    /// cosine's change elsewhere, so it is reported as approximate.
    /// - Parameter file: the raster the grid is read from, for the error.
    /// - Throws: `PipelineError` naming `file` when GDAL cannot read the grid's CRS.
    static func km2(of grid: Grid, file: String) throws -> (area: Double, approximate: Bool) {
        guard !grid.crsWKT.isEmpty else { return (grid.cellAreaKm2, false) }
        let srs: SpatialReference
        do { srs = try SpatialReference(wkt: grid.crsWKT) } catch let e as GDALError {
            throw PipelineError(file, "its CRS cannot be read to measure cell areas: \(e.message)")
        }
        guard srs.isGeographic else { return (grid.cellAreaKm2, false) }
        let e = grid.extent
        let phi = ((e.minY + e.maxY) / 2) * Double.pi / 180
        let r = 6371.0088  // km, mean Earth radius
        let dx = abs(grid.transform.cellWidth) * Double.pi / 180 * r * cos(phi)
        let dy = abs(grid.transform.cellHeight) * Double.pi / 180 * r
        return (dx * dy, true)
    }
}
