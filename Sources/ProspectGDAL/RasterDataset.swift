internal import CGDAL
public import ProspectCore

/// An open GDAL raster dataset, owning its `GDALDatasetH` through an `OwnedDataset`.
///
/// Not `Sendable`: GDAL datasets are not thread-safe, so each thread opens its own.
/// A dataset being written should be finished with `close()`, which reports a failed flush;
/// it is closed silently when released otherwise.
public final class RasterDataset {
    /// The path the dataset was opened or created with.
    public let path: String
    /// The owner of the handle.
    private let dataset: OwnedDataset

    private init(_ dataset: OwnedDataset, path: String) {
        self.dataset = dataset
        self.path = path
    }

    /// The open handle; using a closed dataset is a programmer error.
    var openHandle: GDALDatasetH { dataset.h }

    /// Opens a raster.
    ///
    /// The corresponding C function is `GDALOpenEx` with `GDAL_OF_RASTER`.
    /// - Parameters:
    ///   - path: a file path, a GDAL virtual path (`/vsimem/…`, `/vsizip/…`) or a subdataset
    ///     name (`GPKG:file.gpkg:table`, `NETCDF:"f.nc":var`).
    ///   - update: open for writing.
    /// - Throws: `GDALError` with "no such file", "GDAL cannot open it (…)" (a subdataset
    ///   name), "File Geodatabase rasters need GDAL 3.7 or later (…)", "not a raster that GDAL can read (…)",
    ///   "has no raster bands" or "has N bands; at most 4096 are supported" (`maxBands`).
    public static func open(_ path: String, update: Bool = false) throws -> RasterDataset {
        GDAL.initialize()
        let flags = UInt32(GDAL_OF_RASTER | GDAL_OF_VERBOSE_ERROR) | UInt32(update ? GDAL_OF_UPDATE : GDAL_OF_READONLY)
        CPL.reset()
        guard let h = GDALOpenEx(path, flags, nil, nil, nil) else {  // NULL on failure
            let message = CPL.lastMessage
            if let missing = DatasetName.missing(path) { throw missing }
            if DatasetName.isSubdataset(path) { throw GDALError(path: path, message: "GDAL cannot open it (\(message))") }
            if isVectorOnly(path) { throw GDALError(path: path, message: "has no raster bands") }
            throw GDALError(path: path, message: "not a raster that GDAL can read (\(message))")
        }
        let dataset = OwnedDataset(handle: h, path: path)
        let bands = Int(GDALGetRasterCount(dataset.h))
        guard bands > 0 else {
            throw GDALError(path: path, message: "has no raster bands")
        }
        // Checked before any band is touched: reading one band of a pixel-interleaved TIFF
        // declaring SamplesPerPixel 65535 decodes every band's samples, 17 GB for `info`.
        guard bands <= maxBands else {
            throw GDALError(path: path, message: "has \(bands) bands; at most \(maxBands) are supported")
        }
        return RasterDataset(dataset, path: path)
    }

    /// The most bands a raster may have to be opened: an evidence stack has one band per
    /// layer, and a hyperspectral cube a few hundred.
    public static let maxBands = 4096

    private static func isVectorOnly(_ path: String) -> Bool {
        CPL.reset()
        guard let h = GDALOpenEx(path, UInt32(GDAL_OF_VECTOR | GDAL_OF_READONLY), nil, nil, nil) else { return false }  // NULL on failure
        let probe = OwnedDataset(handle: h, path: path)
        return GDALDatasetGetLayerCount(probe.h) > 0
    }

    /// Creates a raster on `grid`, setting its geotransform and (when `grid.crsWKT` is not
    /// empty) its CRS.
    ///
    /// The corresponding C functions are `GDALCreate`, `GDALSetGeoTransform` and `GDALSetSpatialRef`.
    /// - Parameters:
    ///   - path: the new file; an existing file is replaced.
    ///   - grid: size and georeferencing.
    ///   - bands: number of bands.
    ///   - type: cell type of every band.
    ///   - driver: GDAL driver short name ("GTiff", "MEM", …).
    ///   - options: creation options such as "TILED=YES", "COMPRESS=DEFLATE".
    /// - Throws: `GDALError` when the driver is unknown or creation fails.
    public static func create(
        _ path: String, grid: Grid, bands: Int = 1, type: RasterDataType = .float32,
        driver: String = "GTiff", options: [String] = []
    ) throws -> RasterDataset {
        precondition(grid.columns > 0 && grid.rows > 0 && bands > 0, "a raster needs at least one cell and one band")
        precondition(type != .other, "choose a concrete cell type")
        let dataset = try OwnedDataset.raster(
            grid: grid, type: type.gdalType, bands: Int32(bands), driver: driver,
            path: path, options: options)
        return RasterDataset(dataset, path: path)
    }

    /// Flushes pending writes and closes the dataset.
    ///
    /// The corresponding C functions are `GDALFlushCache` and `GDALClose`, both void in GDAL
    /// 3.6, so failures are read from `CPLGetLastErrorType`. Calling it twice is harmless.
    /// - Throws: `GDALError` when a write could not be completed.
    public func close() throws { try dataset.close() }

    /// Closes a new GeoTIFF created with `SPARSE_OK=TRUE` and no block written, whose tiles
    /// `TileAppender` is to append: GDAL writes its header and directory as it does before the
    /// first block it writes itself.
    ///
    /// The corresponding C function is `GDALClose` alone: GDAL 3.6 writes the GeoTIFF keys of
    /// a dataset never written to once more on a `GDALFlushCache`, adding a GeoDoubleParams
    /// tag that the file GDAL writes block by block does not hold.
    /// - Throws: `GDALError` when the file could not be written.
    public func closeForAppending() throws { try dataset.close(flush: false) }

    /// Size, georeferencing and CRS.
    ///
    /// The corresponding C functions are `GDALGetGeoTransform` (GDAL's default identity
    /// transform when the file has none) and `GDALGetSpatialRef`.
    public var grid: Grid {
        let h = openHandle
        var coefficients = [Double](repeating: 0, count: 6)
        _ = GDALGetGeoTransform(h, &coefficients)  // CE_Failure when absent; the array then holds (0,1,0,0,0,1)
        var grid = Grid(
            columns: Int(GDALGetRasterXSize(h)), rows: Int(GDALGetRasterYSize(h)),
            transform: GeoTransform(coefficients: coefficients))
        if let srs = SpatialReference(cloning: GDALGetSpatialRef(h)) {  // NULL when the raster has no CRS
            grid.crsWKT = srs.wkt
            grid.crsName = srs.label
        }
        return grid
    }

    /// Whether the raster places its cells with a geotransform (a GeoTIFF's tie point and
    /// scale, a world file, …); a plain PNG or an ungeoreferenced TIFF has none, and `grid` then
    /// holds GDAL's identity transform (cells of 1 × 1 from the origin, rows going down).
    ///
    /// The corresponding C function is `GDALGetGeoTransform` (CE_Failure when the raster has none).
    public var hasGeoTransform: Bool {
        var coefficients = [Double](repeating: 0, count: 6)
        return GDALGetGeoTransform(openHandle, &coefficients) == CE_None
    }

    /// The number of ground control points (georeferencing without a geotransform).
    /// The corresponding C function is `GDALGetGCPCount`.
    public var groundControlPointCount: Int { Int(GDALGetGCPCount(openHandle)) }

    /// The CRS, or nil when the raster has none. Wraps `GDALGetSpatialRef`.
    public var spatialReference: SpatialReference? {
        SpatialReference(cloning: GDALGetSpatialRef(openHandle))  // NULL when none
    }

    /// Number of bands. The corresponding C function is `GDALGetRasterCount`.
    public var bandCount: Int { Int(GDALGetRasterCount(openHandle)) }

    /// The driver's short name, e.g. "GTiff". Wraps `GDALGetDatasetDriver` and `GDALGetDriverShortName`.
    public var driverName: String {
        guard let drv = GDALGetDatasetDriver(openHandle), let name = GDALGetDriverShortName(drv) else { return "" }
        return String(cString: name)
    }

    /// Runs `body` with a borrowed band handle (1-based), valid only inside the closure.
    /// The corresponding C function is `GDALGetRasterBand`.
    func withBand<R>(_ band: Int, _ body: (GDALRasterBandH) throws -> R) rethrows -> R {
        let h = openHandle
        precondition(band >= 1 && band <= Int(GDALGetRasterCount(h)), "\(path): no band \(band)")
        guard let b = GDALGetRasterBand(h, Int32(band)) else {  // NULL only for an invalid index
            preconditionFailure("\(path): no band \(band)")
        }
        return try body(b)
    }

    /// The cell type of `band`. The corresponding C function is `GDALGetRasterDataType`.
    public func dataType(band: Int = 1) -> RasterDataType {
        withBand(band) { RasterDataType(GDALGetRasterDataType($0)) }
    }

    /// The nodata value of `band`, nil when unset. Wraps `GDALGetRasterNoDataValue`.
    public func nodata(band: Int = 1) -> Double? {
        withBand(band) { b in
            var isSet: Int32 = 0
            let value = GDALGetRasterNoDataValue(b, &isSet)
            return isSet != 0 ? value : nil
        }
    }

    /// Sets the nodata value of `band`. The corresponding C function is `GDALSetRasterNoDataValue`.
    /// - Throws: `GDALError` when the format cannot store it.
    public func setNodata(_ value: Double, band: Int = 1) throws {
        try withBand(band) { b in
            CPL.reset()
            guard GDALSetRasterNoDataValue(b, value) == CE_None else {  // CE_None on success
                throw GDALError(path: path, message: CPL.detail("could not set nodata \(value) on band \(band)"))
            }
        }
    }

    /// The natural block (tile or strip) size of `band`. Wraps `GDALGetBlockSize`.
    /// The number of overview levels of a band. The corresponding C function is
    /// `GDALGetOverviewCount` (0 when there are none).
    public func overviewCount(band: Int = 1) -> Int {
        withBand(band) { Int(GDALGetOverviewCount($0)) }
    }

    public func blockSize(band: Int = 1) -> (columns: Int, rows: Int) {
        withBand(band) { b in
            var x: Int32 = 0
            var y: Int32 = 0
            GDALGetBlockSize(b, &x, &y)  // void
            return (Int(x), Int(y))
        }
    }
}
