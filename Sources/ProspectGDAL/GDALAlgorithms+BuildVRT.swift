internal import CGDAL

extension GDALAlgorithms {
    /// Stacks single-band rasters into one VRT, band k being band 1 of `sources[k]` and
    /// described as `bandNames[k]`.
    ///
    /// Runs the equivalent of `gdalbuildvrt -separate <destination> <sources…>` and sets each
    /// band's description before the VRT is written. GDAL stores a source path relative to
    /// the VRT (`relativeToVRT="1"`) when it can be expressed so (the source is in the VRT's
    /// directory or below it), so such a folder can be moved as a whole; other sources keep
    /// the path as given. The sources are expected to share one grid (as `warp` outputs do);
    /// GDAL otherwise places them on the union of their extents at the finest resolution.
    /// The VRT is written under a temporary name beside `destination` and renamed on success.
    /// The corresponding C functions are `GDALBuildVRTOptionsNew`, `GDALBuildVRT` (both NULL
    /// on failure) and `GDALSetDescription`.
    /// - Parameters:
    ///   - sources: the rasters, one per band; at least one.
    ///   - destination: the `.vrt` file to write (replaced if present).
    ///   - bandNames: one description per source.
    /// - Throws: `GDALError` naming a missing or unreadable source, or the destination.
    public static func buildVRT(sources: [String], destination: String, bandNames: [String]) throws {
        precondition(!sources.isEmpty, "a VRT needs at least one source")
        precondition(sources.count == bandNames.count, "one band name per source")
        GDAL.initialize()
        for source in sources where !VSI.exists(source) { throw GDALError(path: source, message: "no such file") }
        CPL.reset()
        guard let options = CPL.withList(["-separate"], { GDALBuildVRTOptionsNew($0, nil) }) else {  // NULL on failure
            throw GDALError(path: destination, message: CPL.detail("invalid VRT options"))
        }
        defer { GDALBuildVRTOptionsFree(options) }
        var usageError: Int32 = 0
        // GDALBuildVRT opens the sources itself; a VRT keeps everything in its own XML.
        try writeAtomically(to: destination, failure: "could not build a VRT", opensSources: true) { temporary in
            CPL.withList(sources) { names in
                GDALBuildVRT(temporary, Int32(sources.count), nil, CPL.constList(names), options, &usageError)  // NULL on failure
            }
        } finish: { output in
            let vrt = output.h
            guard Int(GDALGetRasterCount(vrt)) == sources.count else {
                throw GDALError(
                    path: destination, message: "has \(GDALGetRasterCount(vrt)) bands for \(sources.count) sources (\(CPL.lastMessage))")
            }
            for (k, name) in bandNames.enumerated() {
                // NULL for an invalid index
                guard let band = GDALGetRasterBand(vrt, Int32(k + 1)) else { preconditionFailure("band count checked") }
                GDALSetDescription(band, name)  // void
            }
        }
    }
}
