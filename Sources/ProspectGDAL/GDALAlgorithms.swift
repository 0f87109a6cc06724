internal import CGDAL
public import ProspectCore

/// Raster/vector algorithms from GDAL's `gdal_alg.h` and `gdal_utils.h`.
public enum GDALAlgorithms {
    /// Burns the features of one layer of `vectorPath` with value 1 into band 1 of `target`.
    ///
    /// GDAL reprojects the features from the layer CRS to the raster CRS when they differ;
    /// features with no CRS (or a placeholder one) are taken to be in the raster CRS. A
    /// longitude/latitude CSV, whose CRS GDAL does not know, is reprojected here instead.
    /// The corresponding C functions are `GDALRasterizeLayers` and `GDALRasterizeGeometries`.
    static func burn(vectorPath: String, layer name: String?, into target: OwnedDataset, grid: Grid, options: [String]) throws {
        let source = try VectorDataset.open(vectorPath)
        let layer = try source.layer(name)
        if source.impliedCRS != nil {
            try burnGeometries(of: layer, in: source, into: target, grid: grid, value: { _ in 1 }, options: options)
        } else {
            try burnLayer(layer, of: source, into: target, value: 1, options: options)
        }
    }

    /// Burns every feature of `layer` with `value` (or with the field named by an `ATTRIBUTE=`
    /// option) into band 1 of `target`. The corresponding C function is `GDALRasterizeLayers`
    /// (CE_None on success).
    static func burnLayer(
        _ layer: OGRLayerH, of source: VectorDataset, into target: OwnedDataset, value: Double,
        options: [String]
    ) throws {
        var bands: [Int32] = [1]
        var layers: [OGRLayerH?] = [layer]
        var values: [Double] = [value]
        CPL.reset()
        let err = CPL.withList(options) {
            GDALRasterizeLayers(target.h, 1, &bands, 1, &layers, nil, nil, &values, $0, nil, nil)  // CE_None on success
        }
        guard err == CE_None else {
            throw GDALError(path: source.path, message: CPL.detail("could not rasterize"))
        }
    }

    /// Distance in georeferenced units (metres for a projected grid) from every cell centre of
    /// `grid` to the nearest feature of `vectorPath`.
    ///
    /// Features are burned (ALL_TOUCHED) into an in-memory byte raster on `grid`, reprojected
    /// to the grid CRS when theirs differs, then `GDALComputeProximity` with `DISTUNITS=GEO`
    /// writes a Float32 GeoTIFF. Distances are between cell centres, so they are within half
    /// a cell diagonal of the true distance. The output is written under a temporary name
    /// in the same directory and renamed on success.
    /// The corresponding C functions are `GDALRasterizeLayers` and `GDALComputeProximity`.
    /// - Parameters:
    ///   - vectorPath: any OGR-readable vector file.
    ///   - layer: the layer name, or nil for the first layer.
    ///   - grid: the output grid.
    ///   - outputPath: the GeoTIFF to write (replaced if present).
    ///   - creationOptions: GTiff creation options, e.g. "TILED=YES", "COMPRESS=DEFLATE".
    /// - Throws: `GDALError` naming the vector or output file.
    public static func proximity(
        vectorPath: String, layer: String? = nil, grid: Grid, outputPath: String,
        creationOptions: [String]
    ) throws {
        let targets = try OwnedDataset.raster(grid: grid, type: GDT_Byte)
        try burn(vectorPath: vectorPath, layer: layer, into: targets, grid: grid, options: ["ALL_TOUCHED=TRUE"])
        try writeFloat32GeoTIFF(grid: grid, to: outputPath, creationOptions: creationOptions) { output in
            CPL.reset()
            let err = CPL.withList(["VALUES=1", "DISTUNITS=GEO"]) {
                GDALComputeProximity(targets.firstBand, output.firstBand, $0, nil, nil)  // CE_None on success
            }
            guard err == CE_None else {
                throw GDALError(path: outputPath, message: CPL.detail("proximity failed"))
            }
        }
    }

    /// 1 where a cell centre lies inside any polygon of the layer, 0 elsewhere.
    ///
    /// Rasterizes onto an in-memory byte raster on `grid` (reprojecting when the layer CRS
    /// differs). The corresponding C function is `GDALRasterizeLayers`.
    /// - Returns: `grid.cellCount` bytes, row-major.
    /// - Throws: `GDALError` naming the vector file.
    public static func rasterizeMask(vectorPath: String, layer: String? = nil, grid: Grid) throws -> [UInt8] {
        let mask = try OwnedDataset.raster(grid: grid, type: GDT_Byte)
        try burn(vectorPath: vectorPath, layer: layer, into: mask, grid: grid, options: [])
        var cells = [UInt8](repeating: 0, count: grid.cellCount)
        CPL.reset()
        let err = cells.withUnsafeMutableBytes {
            GDALRasterIO(
                mask.firstBand, GF_Read, 0, 0, Int32(grid.columns), Int32(grid.rows), $0.baseAddress,
                Int32(grid.columns), Int32(grid.rows), GDT_Byte, 0, 0)  // CE_None on success
        }
        guard err == CE_None else { throw GDALError(path: vectorPath, message: CPL.detail("could not read the mask")) }
        return cells
    }
}
