internal import CGDAL

/// A coordinate reference system: the single owner of an `OGRSpatialReferenceH`.
///
/// Axis order is always traditional GIS x/y (easting/longitude first): every instance has
/// `OSRSetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER)` applied.
/// Not `Sendable`: use one instance per thread (copy via `wkt`).
public final class SpatialReference {
    /// The owned handle; borrowed by other types of this module for the length of one call.
    let handle: OGRSpatialReferenceH

    private init(owning handle: OGRSpatialReferenceH) {
        OSRSetAxisMappingStrategy(handle, OAMS_TRADITIONAL_GIS_ORDER)  // void
        self.handle = handle
    }

    deinit { OSRDestroySpatialReference(handle) }

    /// Copies a borrowed handle (a layer's or a dataset's CRS). The corresponding C function
    /// is `OSRClone`; returns nil for a NULL handle or a failed clone.
    convenience init?(cloning borrowed: OGRSpatialReferenceH?) {
        guard let borrowed else { return nil }
        CPL.reset()
        guard let copy = OSRClone(borrowed) else { return nil }  // NULL on failure
        self.init(owning: copy)
    }

    /// Parses any definition GDAL accepts: "EPSG:4326", WKT (1 or 2), PROJJSON, a PROJ string.
    ///
    /// The corresponding C function is `OSRSetFromUserInput`.
    /// - Parameter userInput: the definition.
    /// - Throws: `GDALError` naming the input when it is not a CRS GDAL/PROJ can build.
    public convenience init(userInput: String) throws {
        GDAL.initialize()
        self.init(
            owning: try Self.imported(userInput, failure: "not a coordinate reference system GDAL can read") {
                OSRSetFromUserInput($0, userInput)  // OGRERR_NONE on success
            })
    }

    /// Parses a WKT (1 or 2) definition. The corresponding C function is `OSRImportFromWkt`.
    /// - Throws: `GDALError` when the text is not valid WKT.
    public convenience init(wkt: String) throws {
        GDAL.initialize()
        self.init(
            owning: try Self.imported(wkt, failure: "not a WKT coordinate reference system") { h in
                wkt.withCString { text in
                    var cursor: UnsafeMutablePointer<CChar>? = UnsafeMutablePointer(mutating: text)
                    return OSRImportFromWkt(h, &cursor)  // OGRERR_NONE on success; only advances the cursor
                }
            })
    }

    /// The CRS with this EPSG code. The corresponding C function is `OSRImportFromEPSG`.
    /// - Throws: `GDALError` when PROJ's database has no such code.
    public convenience init(epsg: Int) throws {
        GDAL.initialize()
        self.init(
            owning: try Self.imported("EPSG:\(epsg)", failure: "no such EPSG code") {
                OSRImportFromEPSG($0, Int32(truncatingIfNeeded: epsg))  // OGRERR_NONE on success
            })
    }

    /// A new handle filled by `importer`, destroyed again when it fails.
    /// - Throws: `GDALError` naming `input` (shortened) with `failure` and GDAL's detail.
    private static func imported(
        _ input: String, failure: String,
        _ importer: (OGRSpatialReferenceH) -> OGRErr
    ) throws -> OGRSpatialReferenceH {
        let h = try newHandle(for: input)
        CPL.reset()
        guard importer(h) == OGRERR_NONE else {
            let message = CPL.detail(failure)
            OSRDestroySpatialReference(h)
            throw GDALError(path: shortened(input), message: message)
        }
        return h
    }

    private static func newHandle(for input: String) throws -> OGRSpatialReferenceH {
        CPL.reset()
        guard let h = OSRNewSpatialReference(nil) else {  // NULL on failure
            throw GDALError(path: shortened(input), message: CPL.detail("could not allocate a spatial reference"))
        }
        return h
    }

    private static func shortened(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        return line.count > 48 ? String(line.prefix(48)) + "…" : line
    }

    /// The CRS as WKT1 (GDAL flavour), or WKT2_2019 when WKT1 cannot express it.
    ///
    /// The corresponding C functions are `OSRExportToWkt` and `OSRExportToWktEx`.
    public var wkt: String {
        var text: UnsafeMutablePointer<CChar>? = nil
        CPL.reset()
        var err = OSRExportToWkt(handle, &text)  // OGRERR_NONE on success; text freed with CPLFree
        if err != OGRERR_NONE {
            VSIFree(text)
            text = nil
            err = CPL.withList(["FORMAT=WKT2_2019"]) { OSRExportToWktEx(handle, &text, CPL.constList($0)) }
        }
        defer { VSIFree(text) }
        guard err == OGRERR_NONE, let text else { return "" }
        return String(cString: text)
    }

    /// The CRS name, e.g. "WGS 84 / UTM zone 45N" ("" when unnamed). Wraps `OSRGetName`.
    public var name: String {
        guard let n = OSRGetName(handle) else { return "" }  // NULL when unnamed
        return String(cString: n)
    }

    /// The EPSG code: the CRS's own EPSG authority code, else the best EPSG match PROJ
    /// identifies with at least 70 % confidence (equivalent definition, different name);
    /// nil when neither gives one.
    ///
    /// The corresponding C functions are `OSRGetAuthorityCode` and `OSRFindMatches`.
    public var epsgCode: Int? {
        if let code = Self.epsgAuthorityCode(handle) { return code }
        var count: Int32 = 0
        var confidences: UnsafeMutablePointer<Int32>? = nil
        CPL.reset()
        guard let matches = OSRFindMatches(handle, nil, &count, &confidences) else { return nil }  // NULL when none
        defer {
            OSRFreeSRSArray(matches)
            VSIFree(confidences)
        }
        for i in 0..<Int(count) {
            guard let candidate = matches[i], let confidences, confidences[i] >= 70 else { continue }
            if let code = Self.epsgAuthorityCode(candidate) { return code }
        }
        return nil
    }

    private static func epsgAuthorityCode(_ h: OGRSpatialReferenceH) -> Int? {
        guard let authority = OSRGetAuthorityName(h, nil),  // NULL when none
            String(cString: authority).uppercased() == "EPSG",
            let code = OSRGetAuthorityCode(h, nil)
        else { return nil }  // NULL when none
        return Int(String(cString: code))
    }

    /// "EPSG:<code>" when the CRS has an EPSG code, else its name.
    public var label: String { epsgCode.map { "EPSG:\($0)" } ?? name }

    /// True for a CRS that only says "no CRS": any CRS whose name starts with "Undefined"
    /// (GeoPackage's "Undefined SRS", "Undefined geographic SRS", "Undefined Cartesian SRS");
    /// a local/engineering CRS (`LOCAL_CS`, `ENGCRS`) named "unknown", "unnamed" or nothing,
    /// or without a real datum (no `LOCAL_DATUM`, or one named "unknown"); or a definition
    /// that exports as no WKT.
    ///
    /// GDAL writes such placeholders for files with no CRS: a GeoPackage layer written with
    /// none gets `srs_id` 0 and reads back as `GEOGCRS["Undefined geographic SRS", …]`, and
    /// one with `srs_id` -1 (or an unknown id) as `ENGCRS["Undefined SRS", EDATUM["unknown"], …]`.
    /// Coordinates in one cannot be transformed to any other CRS, so callers treat it as none.
    /// The corresponding C functions are `OSRGetName`, `OSRIsLocal` and `OSRGetAttrValue`.
    public var isUndefined: Bool {
        let lowered = name.lowercased()
        if lowered.hasPrefix("undefined") { return true }
        guard OSRIsLocal(handle) != 0 else { return wkt.isEmpty }
        let placeholderNames: Set<String> = ["", "unknown", "unnamed"]
        if placeholderNames.contains(lowered) { return true }
        guard let datum = OSRGetAttrValue(handle, "LOCAL_DATUM", 0) else { return true }  // NULL when absent
        return placeholderNames.contains(String(cString: datum).lowercased())
    }

    /// A copy of a borrowed handle, or nil when the handle is NULL or only a placeholder
    /// (`isUndefined`): the CRS of a layer or raster as far as reprojection is concerned.
    static func defined(cloning borrowed: OGRSpatialReferenceH?) -> SpatialReference? {
        guard let srs = SpatialReference(cloning: borrowed), !srs.isUndefined else { return nil }
        return srs
    }

    /// True for a projected CRS. The corresponding C function is `OSRIsProjected`.
    public var isProjected: Bool { OSRIsProjected(handle) != 0 }

    /// True for a geographic (lon/lat) CRS. The corresponding C function is `OSRIsGeographic`.
    public var isGeographic: Bool { OSRIsGeographic(handle) != 0 }

    /// True when both describe the same CRS, ignoring the axis order of geographic CRSs
    /// (this module always uses lon/lat order anyway).
    ///
    /// The corresponding C function is `OSRIsSameEx` with
    /// `CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS` and `IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES`
    /// (every instance maps data axes to x/y, so the mapping vectors carry no information).
    public func isSame(_ other: SpatialReference) -> Bool {
        CPL.withList(["CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS", "IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES"]) {
            OSRIsSameEx(handle, other.handle, CPL.constList($0)) != 0
        }
    }
}
