internal import CGDAL

extension GDALAlgorithms {
    /// Copies `source` to a Cloud Optimized GeoTIFF.
    ///
    /// Runs the equivalent of `gdal_translate -of COG -co …`, writing under a temporary name
    /// in the destination directory and renaming on success.
    /// The corresponding C functions are `GDALTranslateOptionsNew` and `GDALTranslate`.
    /// - Parameters:
    ///   - source: any GDAL-readable raster.
    ///   - destination: the COG to write (replaced if present).
    ///   - creationOptions: COG creation options, e.g. "COMPRESS=DEFLATE", "OVERVIEWS=AUTO".
    /// - Throws: `GDALError` naming the source or destination.
    public static func translateToCOG(source: String, destination: String, creationOptions: [String]) throws {
        let input = try RasterDataset.open(source)
        let inputHandle = input.openHandle
        var arguments = ["-of", "COG"]
        for option in creationOptions { arguments += ["-co", option] }
        CPL.reset()
        guard let options = CPL.withList(arguments, { GDALTranslateOptionsNew($0, nil) }) else {  // NULL on failure
            throw GDALError(path: destination, message: CPL.detail("invalid COG options \(creationOptions)"))
        }
        defer { GDALTranslateOptionsFree(options) }
        var usageError: Int32 = 0
        try writeAtomically(to: destination, failure: "could not write a COG") { temporary in
            GDALTranslate(temporary, inputHandle, options, &usageError)  // NULL on failure
        } finish: { output in
            try output.close()  // the copy before its source
            try input.close()
        }
    }
}
