internal import CGDAL

extension GDALAlgorithms {
    /// Copies one layer into a new GeoPackage, reprojected to `targetCRS`: the form in which
    /// vector evidence is rasterized or measured against.
    ///
    /// Runs the equivalent of `ogr2ogr -f GPKG -t_srs <target> [-s_srs <assumed>] [-makevalid]
    /// [-nlt MULTILINESTRING] -dim XY <destination> <source> <layer>`, writing under a
    /// temporary name beside the destination and renaming on success. The source is opened
    /// with `VectorDataset.open`, so a CSV gets points from its coordinate columns and a
    /// longitude/latitude CSV counts as WGS 84. The output layer keeps the source layer's name.
    ///
    /// The corresponding C functions are `GDALVectorTranslateOptionsNew` (NULL on failure)
    /// and `GDALVectorTranslate` (NULL on failure).
    /// - Parameters:
    ///   - source: any OGR-readable vector file.
    ///   - layer: the layer name, or nil for the first layer.
    ///   - destination: the GeoPackage to write (replaced if present); a `/vsimem/…` path keeps
    ///     it in memory (free it with `VSI.remove`).
    ///   - targetCRS: the CRS of the output.
    ///   - assumedSourceCRS: the CRS of a layer that has none (none declared, or a placeholder
    ///     such as GeoPackage's "Undefined SRS", see `VectorLayerInfo.hasCRS`); ignored when it has one.
    ///   - makeValid: repair invalid geometries with `-makevalid` (needs GDAL built against
    ///     GEOS 3.8 or later; GDAL's message says so otherwise).
    ///   - toLines: convert every geometry to a MultiLineString (`-nlt MULTILINESTRING`), so
    ///     polygons become their rings and distances are measured to polygon edges.
    ///   - openOptions: driver open options for the source.
    /// - Returns: the number of features written, the output layer's name, and the features
    ///   left out: those with no geometry (an empty or unreadable CSV coordinate), and those
    ///   with a coordinate that is not finite, which are not copied (`-where "FID NOT IN (…)"`;
    ///   the GeoPackage writer cannot record an infinite extent).
    /// - Throws: `GDALError` naming the source with "has no layer named X (layers: a, b)",
    ///   "layer X has no features", "has no CRS; give one with --assume-crs" or "has no
    ///   coordinate columns (…)"; naming the destination when GDAL cannot write it.
    public static func translateVector(
        source: String, layer name: String?, destination: String, targetCRS: SpatialReference,
        assumedSourceCRS: SpatialReference?, makeValid: Bool, toLines: Bool = false,
        openOptions: [String] = []
    ) throws -> (features: Int, layerName: String, skipped: SkippedFeatures) {
        let input = try VectorDataset.open(source, openOptions: openOptions)
        let layer = try input.layer(name)
        let layerName = VectorDataset.name(of: layer)
        try input.requireCSVGeometry(layer)
        CPL.reset()
        guard OGR_L_GetFeatureCount(layer, 1) != 0 else {  // -1 when unknown
            throw GDALError(path: source, message: "layer \(layerName) has no features")
        }
        let skipped = try input.unusableGeometries(layer)
        var arguments = ["-f", "GPKG", "-t_srs", targetCRS.wkt, "-dim", "XY"]
        if let nonFinite = skipped.ids[.nonFinite] ?? (skipped.isCSV ? skipped.ids[.noCoordinates] : nil), !nonFinite.isEmpty {
            arguments += ["-where", "FID NOT IN (\(nonFinite.map(String.init).joined(separator: ",")))"]
        }
        var sourceCRS = SpatialReference.defined(cloning: OGR_L_GetSpatialRef(layer))  // NULL when the layer has no CRS
        if sourceCRS == nil {
            guard let crs = input.impliedCRS ?? assumedSourceCRS else {
                throw GDALError(path: source, message: "has no CRS; give one with --assume-crs")
            }
            arguments += ["-s_srs", crs.wkt]
            sourceCRS = crs
        }
        if makeValid { arguments.append("-makevalid") }
        if toLines { arguments += ["-nlt", "MULTILINESTRING"] }
        arguments.append(layerName)
        do {
            let result = try vectorTranslate(input, arguments: arguments, destination: destination, layerName: layerName)
            return (result.features, result.layerName, skipped)
        } catch let error as GDALError where error.path == destination && destination.hasPrefix("/vsimem/") {
            // A copy in memory failed: the problem is the source's, most often coordinates that
            // are not in the CRS it declares. Its extent, transformed, says so naming both CRSs.
            if let sourceCRS, !sourceCRS.isSame(targetCRS), let extent = input.info(layer).extent {
                _ = try CoordinateTransformer(from: sourceCRS, to: targetCRS, file: source).transformBounds(extent)
            }
            throw GDALError(
                path: source,
                message: error.message.replacingOccurrences(
                    of: "could not write a copy of \(input.path)", with: "could not be copied into \(targetCRS.label)"))
        }
    }

    /// Runs `GDALVectorTranslate` on `input` with ogr2ogr-style `arguments`, writing under a
    /// temporary name beside `destination` and renaming on success.
    /// The corresponding C functions are `GDALVectorTranslateOptionsNew` and `GDALVectorTranslate`
    /// (both NULL on failure).
    /// - Returns: the features of the output layer `layerName` (or its first layer) and that layer's name.
    static func vectorTranslate(
        _ input: VectorDataset, arguments: [String], destination: String,
        layerName: String
    ) throws -> (features: Int, layerName: String) {
        CPL.reset()
        guard let options = CPL.withList(arguments, { GDALVectorTranslateOptionsNew($0, nil) }) else {  // NULL on failure
            throw GDALError(path: destination, message: CPL.detail("invalid vector translation options"))
        }
        defer { GDALVectorTranslateOptionsFree(options) }
        var sources: [GDALDatasetH?] = [input.handle]
        var usageError: Int32 = 0
        return try writeAtomically(to: destination, failure: "could not write a copy of \(input.path)") { temporary in
            withExtendedLifetime(input) {  // the source handle must stay open
                GDALVectorTranslate(temporary, nil, 1, &sources, options, &usageError)  // NULL on failure
            }
        } finish: { output in
            CPL.reset()
            // NULL when absent
            guard let written = GDALDatasetGetLayerByName(output.h, layerName) ?? GDALDatasetGetLayer(output.h, 0) else {
                throw GDALError(path: destination, message: CPL.detail("has no output layer"))
            }
            let features = Int(OGR_L_GetFeatureCount(written, 1))  // -1 when unknown
            return (features, VectorDataset.name(of: written))
        }
    }
}
