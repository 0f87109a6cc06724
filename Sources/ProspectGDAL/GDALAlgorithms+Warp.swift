internal import CGDAL
import Foundation
public import ProspectCore

extension GDALAlgorithms {
    /// Reprojects and resamples a raster onto exactly `grid`: a Float32 tiled GeoTIFF with
    /// the grid's geotransform, size and CRS.
    ///
    /// Runs the equivalent of `gdalwarp -of GTiff -ot Float32 -t_srs <grid CRS> -te … -ts …
    /// -r <resampling> -dstnodata v [-srcnodata v] [-s_srs <assumed>] -wo NUM_THREADS=N
    /// -multi -co TILED=YES -co …`, writing under a temporary name in the destination's
    /// directory and renaming on success. Cells with no source data (outside the source, or
    /// where every contributing source cell is nodata) get `destinationNodata`, which is also
    /// recorded as the band's nodata value. Band 1 of a multi-band source is warped.
    ///
    /// Before warping, the source's extent is transformed to the grid CRS (edges densified)
    /// and must overlap the grid; when that transformation itself fails the check is skipped
    /// and GDAL decides. The corresponding C functions are `GDALWarpAppOptionsNew` (NULL on
    /// failure) and `GDALWarp` (NULL on failure).
    /// - Parameters:
    ///   - source: any GDAL-readable raster.
    ///   - destination: the GeoTIFF to write (replaced if present); may be a `/vsimem/` path.
    ///   - grid: the target grid: north-up, with a CRS.
    ///   - resampling: see `Resampling`.
    ///   - assumedSourceCRS: the CRS of a source that has none (no CRS, or a placeholder such
    ///     as "Undefined SRS", see `SpatialReference.isUndefined`); ignored when it has one.
    ///   - sourceNodata: source value to treat as nodata, overriding the band's own.
    ///   - destinationNodata: value of cells with no data.
    ///   - creationOptions: GTiff creation options, e.g. "COMPRESS=DEFLATE"; TILED=YES is added
    ///     unless a TILED option is given.
    ///   - threads: GDAL's warping threads (nil: every core); each cell's value does not depend
    ///     on it, and chunks are written in order.
    /// - Throws: `GDALError` naming the source with "has no CRS; give one with --assume-crs" or
    ///   "does not overlap the grid (source extent … vs grid …)"; naming the destination when
    ///   the grid has no CRS or is rotated, or GDAL fails.
    public static func warp(
        source: String, destination: String, grid: Grid, resampling: Resampling,
        assumedSourceCRS: SpatialReference? = nil, sourceNodata: Double? = nil,
        destinationNodata: Double, creationOptions: [String], threads: Int? = nil
    ) throws {
        precondition(grid.columns > 0 && grid.rows > 0, "a grid needs at least one cell")
        let gridCRS = try targetCRS(of: grid, label: destination)
        let input = try RasterDataset.open(source)
        let (sourceCRS, assumed) = try crs(of: input, assumed: assumedSourceCRS)
        try checkOverlap(input, crs: sourceCRS, grid: grid, gridCRS: gridCRS)

        let e = grid.extent
        var arguments = [
            "-of", "GTiff", "-ot", "Float32", "-t_srs", gridCRS.wkt,
            "-te", "\(e.minX)", "\(e.minY)", "\(e.maxX)", "\(e.maxY)",
            "-ts", "\(grid.columns)", "\(grid.rows)",
            "-r", resampling.gdalName, "-dstnodata", "\(destinationNodata)",
        ]
        if let sourceNodata { arguments += ["-srcnodata", "\(sourceNodata)"] }
        if assumed { arguments += ["-s_srs", sourceCRS.wkt] }
        arguments += ["-wo", "NUM_THREADS=\(threads.map { String(max(1, $0)) } ?? "ALL_CPUS")", "-multi"]
        if !creationOptions.contains(where: { $0.uppercased().hasPrefix("TILED=") }) { arguments += ["-co", "TILED=YES"] }
        for option in creationOptions { arguments += ["-co", option] }

        CPL.reset()
        guard let options = CPL.withList(arguments, { GDALWarpAppOptionsNew($0, nil) }) else {  // NULL on failure
            throw GDALError(path: destination, message: CPL.detail("invalid warp options"))
        }
        defer { GDALWarpAppOptionsFree(options) }
        let inputHandle = input.openHandle
        let firstBand = input.bandCount > 1 ? try bandOneView(of: inputHandle, path: source) : nil
        var sources: [GDALDatasetH?] = [firstBand?.h ?? inputHandle]
        var usageError: Int32 = 0
        try writeAtomically(to: destination, failure: "could not warp \(source)") { temporary in
            withExtendedLifetime((input, firstBand)) {  // the source handles must stay open
                GDALWarp(temporary, nil, 1, &sources, options, &usageError)  // NULL on failure
            }
        } finish: { _ in
        }
    }

    /// The source raster's cell size in the units of `grid`'s CRS, approximately: its extent
    /// transformed to the grid CRS (edges densified) divided by its columns and rows.
    ///
    /// Lets a caller choose `Resampling.average` rather than `.bilinear` when the grid's
    /// cells are larger than the source's (coarsening). Exact for a source in the grid CRS.
    /// The corresponding C function is `OCTTransformBounds`.
    /// - Parameters:
    ///   - source: any GDAL-readable raster.
    ///   - grid: the target grid (needs a CRS).
    ///   - assumedSourceCRS: the CRS of a source that has none; ignored when it has one.
    /// - Returns: the cell width and height, positive.
    /// - Throws: `GDALError` "has no CRS; give one with --assume-crs", or when the extent
    ///   cannot be transformed.
    public static func sourceCellSize(source: String, grid: Grid, assumedSourceCRS: SpatialReference? = nil)
        throws -> (width: Double, height: Double)
    {
        let gridCRS = try targetCRS(of: grid, label: source)
        let input = try RasterDataset.open(source)
        let (sourceCRS, _) = try crs(of: input, assumed: assumedSourceCRS)
        let g = input.grid
        guard !sourceCRS.isSame(gridCRS) else {
            return (abs(g.transform.cellWidth), abs(g.transform.cellHeight))
        }
        let b = try CoordinateTransformer(from: sourceCRS, to: gridCRS, file: source).transformBounds(g.extent)
        return ((b.maxX - b.minX) / Double(g.columns), (b.maxY - b.minY) / Double(g.rows))
    }

    /// An in-memory VRT of band 1 of `dataset` (gdalwarp 3.6 has no `-b`).
    /// The corresponding C functions are `GDALTranslateOptionsNew` and `GDALTranslate` (NULL on failure).
    private static func bandOneView(of dataset: GDALDatasetH, path: String) throws -> OwnedDataset {
        CPL.reset()
        guard let options = CPL.withList(["-of", "VRT", "-b", "1"], { GDALTranslateOptionsNew($0, nil) }) else {  // NULL on failure
            throw GDALError(path: path, message: CPL.detail("could not select band 1"))
        }
        defer { GDALTranslateOptionsFree(options) }
        CPL.reset()
        guard let view = GDALTranslate("", dataset, options, nil) else {  // NULL on failure
            throw GDALError(path: path, message: CPL.detail("could not select band 1"))
        }
        return OwnedDataset(handle: view, path: path)
    }

    /// The grid's CRS, which a warp target must have; rotated grids are refused.
    private static func targetCRS(of grid: Grid, label: String) throws -> SpatialReference {
        guard grid.transform.rowRotation == 0, grid.transform.colRotation == 0 else {
            throw GDALError(path: label, message: "the grid is rotated; warping needs a north-up grid")
        }
        guard !grid.crsWKT.isEmpty else { throw GDALError(path: label, message: "the grid has no CRS") }
        return try SpatialReference(userInput: grid.crsWKT)
    }

    /// The raster's own CRS unless missing or a placeholder, else `assumed` (second element true).
    /// - Throws: `GDALError` "has no CRS; give one with --assume-crs".
    private static func crs(of input: RasterDataset, assumed: SpatialReference?) throws -> (SpatialReference, Bool) {
        if let own = input.spatialReference, !own.isUndefined { return (own, false) }
        guard let assumed else { throw GDALError(path: input.path, message: "has no CRS; give one with --assume-crs") }
        return (assumed, true)
    }

    /// Throws when the source's extent, transformed to the grid CRS, does not overlap the grid.
    /// Skipped when the extent cannot be transformed (GDAL's warper then decides).
    /// - Throws: `GDALError` naming the input when PROJ finds no transformation to the grid CRS
    ///   (the warp would need the same one).
    private static func checkOverlap(
        _ input: RasterDataset, crs sourceCRS: SpatialReference, grid: Grid,
        gridCRS: SpatialReference
    ) throws {
        let own = input.grid.extent
        let source: (minX: Double, minY: Double, maxX: Double, maxY: Double)
        if sourceCRS.isSame(gridCRS) {
            source = own
        } else {
            let transformer: CoordinateTransformer
            transformer = try CoordinateTransformer(from: sourceCRS, to: gridCRS, file: input.path)
            // A probe: an extent reaching beyond the CRS's area of use may not transform as a
            // whole, while the warper, cell by cell, still can.
            guard let b = try? transformer.transformBounds(own),
                b.minX <= b.maxX, b.minY <= b.maxY
            else { return }  // min > max: across the antimeridian
            source = b
        }
        let g = grid.extent
        guard source.minX >= g.maxX || source.maxX <= g.minX || source.minY >= g.maxY || source.maxY <= g.minY else { return }
        throw GDALError(
            path: input.path,
            message: "does not overlap the grid (source extent \(describe(source)) in \(gridCRS.label) vs grid \(describe(g)))")
    }

    /// "[minX, minY, maxX, maxY]" with at most four decimals.
    static func describe(_ e: (minX: Double, minY: Double, maxX: Double, maxY: Double)) -> String {
        func number(_ v: Double) -> String {
            var s = String(format: "%.4f", v)
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
            return s
        }
        return "[\([e.minX, e.minY, e.maxX, e.maxY].map(number).joined(separator: ", "))]"
    }
}
