internal import CGDAL
internal import ProspectCore

/// The single owner of a `GDALDatasetH`: `GDALClose` in `deinit`, or explicitly through
/// `close()`, which reports a failed flush.
///
/// `RasterDataset` and `VectorDataset` each hold one; scratch datasets (MEM rasters, Memory
/// vector layers, outputs being written) are used as they are.
final class OwnedDataset {
    private(set) var handle: GDALDatasetH?
    let path: String

    init(handle: GDALDatasetH, path: String) {
        self.handle = handle
        self.path = path
    }

    deinit { if let handle { GDALClose(handle) } }  // void in GDAL 3.6; errors cannot be reported here

    /// The open handle; using a closed dataset is a programmer error.
    var h: GDALDatasetH {
        guard let handle else { preconditionFailure("\(path): dataset used after close()") }
        return handle
    }

    /// Flushes pending writes and closes the dataset.
    ///
    /// The corresponding C functions are `GDALFlushCache` and `GDALClose`, both void in GDAL
    /// 3.6, so failures are read from `CPLGetLastErrorType`. Calling it twice is harmless.
    /// - Parameter flush: `GDALFlushCache` first; without it `GDALClose` alone flushes.
    /// - Throws: `GDALError` "could not finish writing (…)" naming `path`.
    func close(flush: Bool = true) throws {
        guard let h = handle else { return }
        handle = nil
        CPL.reset()
        if flush { GDALFlushCache(h) }  // void: failures only through the CPL error state
        var failure = CPL.lastFailed ? CPL.lastMessage : nil
        CPL.reset()
        GDALClose(h)  // void: failures only through the CPL error state
        if failure == nil, CPL.lastFailed { failure = CPL.lastMessage }
        if let failure { throw GDALError(path: path, message: "could not finish writing (\(failure))") }
    }

    /// Creates a raster of `bands` bands on `grid` through `driver` ("MEM" for in-memory
    /// scratch), setting its geotransform and (when `grid.crsWKT` is not empty) its CRS.
    ///
    /// The corresponding C functions are `GDALCreate`, `GDALSetGeoTransform` and `GDALSetSpatialRef`.
    /// - Parameters:
    ///   - path: the new file (an existing file is replaced); empty for a MEM raster, which is
    ///     then called "<driver> raster" in errors.
    ///   - options: creation options such as "TILED=YES", "COMPRESS=DEFLATE".
    /// - Throws: `GDALError` "no GDAL driver named …" or "could not create a <driver> raster (…)".
    static func raster(
        grid: Grid, type: GDALDataType, bands: Int32 = 1, driver: String = "MEM",
        path: String = "", options: [String] = []
    ) throws -> OwnedDataset {
        GDAL.initialize()
        let label = path.isEmpty ? "\(driver) raster" : path
        CPL.reset()
        guard let drv = GDALGetDriverByName(driver) else {  // NULL when not registered
            throw GDALError(path: label, message: "no GDAL driver named \(driver)")
        }
        CPL.reset()
        let created = CPL.withList(options) {
            GDALCreate(drv, path, Int32(grid.columns), Int32(grid.rows), bands, type, $0)  // NULL on failure
        }
        guard let h = created else { throw GDALError(path: label, message: CPL.detail("could not create a \(driver) raster")) }
        let ds = OwnedDataset(handle: h, path: label)
        try georeference(ds.h, grid: grid, label: label)
        return ds
    }

    /// Band 1 (borrowed from this dataset). The corresponding C function is `GDALGetRasterBand`.
    var firstBand: GDALRasterBandH {
        guard let b = GDALGetRasterBand(h, 1) else { preconditionFailure("\(path): no band 1") }  // NULL for an invalid index
        return b
    }

    /// An in-memory vector dataset (driver "Memory" in GDAL 3.6).
    static func memoryVector() throws -> OwnedDataset {
        GDAL.initialize()
        CPL.reset()
        guard let drv = GDALGetDriverByName("Memory"),  // NULL when not registered
            let h = GDALCreate(drv, "", 0, 0, 0, GDT_Unknown, nil)
        else {  // NULL on failure
            throw GDALError(path: "Memory", message: CPL.detail("could not create an in-memory vector dataset"))
        }
        return OwnedDataset(handle: h, path: "Memory")
    }
}

/// Sets a new dataset's geotransform and (when `grid` has one) its CRS.
/// The corresponding C functions are `GDALSetGeoTransform` and `GDALSetSpatialRef`.
func georeference(_ h: GDALDatasetH, grid: Grid, label: String) throws {
    var coefficients = grid.transform.coefficients
    CPL.reset()
    guard GDALSetGeoTransform(h, &coefficients) == CE_None else {  // CE_None on success
        throw GDALError(path: label, message: CPL.detail("could not set the geotransform"))
    }
    guard !grid.crsWKT.isEmpty else { return }
    let srs = try SpatialReference(userInput: grid.crsWKT)
    CPL.reset()
    guard GDALSetSpatialRef(h, srs.handle) == CE_None else {  // CE_None on success
        throw GDALError(path: label, message: CPL.detail("could not set the CRS"))
    }
}
