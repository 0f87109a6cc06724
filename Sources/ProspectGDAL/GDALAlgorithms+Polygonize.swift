internal import CGDAL
public import ProspectCore

extension GDALAlgorithms {
    /// Polygons of the 8-connected regions of equal, non-zero label.
    ///
    /// The labels go into an in-memory Int32 raster on `grid` that is its own mask (so 0 is
    /// background), and `GDALPolygonize` writes an in-memory layer. Holes come out as inner rings.
    /// - Parameters:
    ///   - labels: `grid.cellCount` labels, row-major; 0 = background.
    ///   - grid: size and georeferencing of the labels.
    /// - Returns: one entry per polygon: its label and rings (first exterior) in grid CRS coordinates.
    /// - Throws: `GDALError` when GDAL fails.
    public static func polygonize(labels: [Int32], grid: Grid) throws -> [(label: Int32, rings: [[(x: Double, y: Double)]])] {
        precondition(labels.count == grid.cellCount, "labels must have grid.cellCount elements")
        let raster = try OwnedDataset.raster(
            grid: Grid(columns: grid.columns, rows: grid.rows, transform: grid.transform),
            type: GDT_Int32)
        var copy = labels
        CPL.reset()
        let written = copy.withUnsafeMutableBytes {
            GDALRasterIO(
                raster.firstBand, GF_Write, 0, 0, Int32(grid.columns), Int32(grid.rows), $0.baseAddress,
                Int32(grid.columns), Int32(grid.rows), GDT_Int32, 0, 0)  // CE_None on success
        }
        guard written == CE_None else { throw GDALError(path: "polygonize", message: CPL.detail("could not fill the label raster")) }

        let vector = try OwnedDataset.memoryVector()
        CPL.reset()
        guard let layer = GDALDatasetCreateLayer(vector.h, "regions", nil, wkbPolygon, nil) else {  // NULL on failure
            throw GDALError(path: "polygonize", message: CPL.detail("could not create the output layer"))
        }
        guard let field = OGR_Fld_Create("label", OFTInteger) else {  // NULL on failure
            throw GDALError(path: "polygonize", message: CPL.detail("could not create the label field"))
        }
        defer { OGR_Fld_Destroy(field) }
        CPL.reset()
        guard OGR_L_CreateField(layer, field, 1) == OGRERR_NONE else {  // OGRERR_NONE on success
            throw GDALError(path: "polygonize", message: CPL.detail("could not create the label field"))
        }
        let band = raster.firstBand
        CPL.reset()
        let err = CPL.withList(["8CONNECTED=8"]) {
            GDALPolygonize(band, band, layer, 0, $0, nil, nil)  // CE_None on success
        }
        guard err == CE_None else { throw GDALError(path: "polygonize", message: CPL.detail("polygonize failed")) }

        var result: [(label: Int32, rings: [[(x: Double, y: Double)]])] = []
        OGR_L_ResetReading(layer)
        while let f = OGR_L_GetNextFeature(layer) {  // NULL at the end
            defer { OGR_F_Destroy(f) }
            var rings: [[(x: Double, y: Double)]] = []
            if let g = OGR_F_GetGeometryRef(f) { VectorDataset.collectLines(g, into: &rings) }  // NULL when no geometry
            result.append((OGR_F_GetFieldAsInteger(f, 0), rings))
        }
        return result
    }
}
