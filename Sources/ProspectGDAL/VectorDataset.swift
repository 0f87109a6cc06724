internal import CGDAL

/// An open OGR vector dataset (read-only): the single owner of a `GDALDatasetH`.
///
/// Not `Sendable`: one per thread.
public final class VectorDataset {
    /// The path the dataset was opened with.
    public let path: String
    private let handle: GDALDatasetH

    private init(handle: GDALDatasetH, path: String) {
        self.handle = handle
        self.path = path
    }

    deinit { GDALClose(handle) }  // void in GDAL 3.6; read-only, nothing to flush

    /// Opens a vector file (GeoPackage, GeoJSON, Shapefile, …) read-only.
    ///
    /// The corresponding C function is `GDALOpenEx` with `GDAL_OF_VECTOR`.
    /// - Throws: `GDALError` with "no such file" or "not a vector file that GDAL can read (…)".
    public static func open(_ path: String) throws -> VectorDataset {
        GDAL.initialize()
        CPL.reset()
        guard let h = GDALOpenEx(path, UInt32(GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR), nil, nil, nil) else {  // NULL on failure
            let message = CPL.lastMessage
            if !VSI.exists(path) { throw GDALError(path: path, message: "no such file") }
            throw GDALError(path: path, message: "not a vector file that GDAL can read (\(message))")
        }
        return VectorDataset(handle: h, path: path)
    }

    /// A summary of every layer.
    ///
    /// The corresponding C functions are `GDALDatasetGetLayer`, `OGR_L_GetFeatureCount`,
    /// `OGR_L_GetExtent` and `OGR_L_GetSpatialRef`.
    public var layers: [VectorLayerInfo] {
        (0..<Int(GDALDatasetGetLayerCount(handle))).compactMap { i in
            guard let layer = GDALDatasetGetLayer(handle, Int32(i)) else { return nil }  // NULL for an invalid index
            return Self.info(layer)
        }
    }

    private static func info(_ layer: OGRLayerH) -> VectorLayerInfo {
        let srs = SpatialReference(cloning: OGR_L_GetSpatialRef(layer))  // NULL when the layer has no CRS
        var envelope = OGREnvelope()
        CPL.reset()
        let hasExtent = OGR_L_GetExtent(layer, &envelope, 1) == OGRERR_NONE  // OGRERR_FAILURE when empty/unknown
        var fields: [String] = []
        if let defn = OGR_L_GetLayerDefn(layer) {
            for f in 0..<OGR_FD_GetFieldCount(defn) {
                if let fd = OGR_FD_GetFieldDefn(defn, f), let name = OGR_Fld_GetNameRef(fd) { fields.append(String(cString: name)) }
            }
        }
        return VectorLayerInfo(
            name: OGR_L_GetName(layer).map { String(cString: $0) } ?? "",
            geometryType: OGRGeometryTypeToName(OGR_L_GetGeomType(layer)).map { String(cString: $0) } ?? "",
            featureCount: Int(OGR_L_GetFeatureCount(layer, 1)),  // -1 when unknown
            crsLabel: srs?.label ?? "",
            crsWKT: srs?.wkt ?? "",
            extent: hasExtent ? (envelope.MinX, envelope.MinY, envelope.MaxX, envelope.MaxY) : nil,
            fields: fields)
    }

    /// The named layer, or the first one when `name` is nil.
    private func layer(_ name: String?) throws -> OGRLayerH {
        CPL.reset()
        if let name {
            guard let l = GDALDatasetGetLayerByName(handle, name) else {  // NULL when absent
                throw GDALError(path: path, message: "has no layer named \(name)")
            }
            return l
        }
        guard GDALDatasetGetLayerCount(handle) > 0, let l = GDALDatasetGetLayer(handle, 0) else {  // NULL when absent
            throw GDALError(path: path, message: "has no layers")
        }
        return l
    }

    /// Calls `body` with each feature of `layer` (borrowed, destroyed after the call).
    /// The corresponding C functions are `OGR_L_ResetReading` and `OGR_L_GetNextFeature`.
    private func forEachFeature(_ layer: OGRLayerH, _ body: (OGRFeatureH) throws -> Void) throws {
        OGR_L_ResetReading(layer)
        CPL.reset()
        while let f = OGR_L_GetNextFeature(layer) {  // NULL at the end (or on error)
            defer { OGR_F_Destroy(f) }
            try body(f)
            CPL.reset()
        }
        if CPL.lastFailed {
            throw GDALError(path: path, message: CPL.detail("could not read every feature"))
        }
    }

    /// Point features of a layer: each Point, and each part of a MultiPoint.
    ///
    /// The corresponding C functions are `OGR_F_GetGeometryRef`, `OGR_G_GetX` and `OGR_G_GetY`.
    /// - Parameter layer: the layer name, or nil for the first layer.
    /// - Returns: the points in the layer's CRS, that CRS (nil when none), and the number of
    ///   features skipped because their geometry was missing, empty or not a point.
    public func points(layer name: String? = nil) throws -> (points: [PointFeature], crs: SpatialReference?, skipped: Int) {
        let layer = try layer(name)
        let defn = OGR_L_GetLayerDefn(layer)
        let fieldNames: [String] = defn.map { d in
            (0..<OGR_FD_GetFieldCount(d)).map { i in
                OGR_FD_GetFieldDefn(d, i).flatMap { OGR_Fld_GetNameRef($0) }.map { String(cString: $0) } ?? ""
            }
        } ?? []
        var points: [PointFeature] = []
        var skipped = 0
        try forEachFeature(layer) { f in
            guard let g = OGR_F_GetGeometryRef(f), OGR_G_IsEmpty(g) == 0 else { skipped += 1; return }  // NULL when no geometry
            var attributes: [String: String] = [:]
            for (i, key) in fieldNames.enumerated() where OGR_F_IsFieldSetAndNotNull(f, Int32(i)) != 0 {
                attributes[key] = OGR_F_GetFieldAsString(f, Int32(i)).map { String(cString: $0) } ?? ""
            }
            switch OGR_GT_Flatten(OGR_G_GetGeometryType(g)) {
            case wkbPoint:
                points.append(PointFeature(x: OGR_G_GetX(g, 0), y: OGR_G_GetY(g, 0), attributes: attributes))
            case wkbMultiPoint:
                for i in 0..<OGR_G_GetGeometryCount(g) {
                    guard let part = OGR_G_GetGeometryRef(g, i), OGR_G_IsEmpty(part) == 0 else { continue }
                    points.append(PointFeature(x: OGR_G_GetX(part, 0), y: OGR_G_GetY(part, 0), attributes: attributes))
                }
            default:
                skipped += 1
            }
        }
        return (points, SpatialReference(cloning: OGR_L_GetSpatialRef(layer)), skipped)
    }

    /// Line work of a layer: each LineString, each part of a MultiLineString, and every ring
    /// of (Multi)Polygons, as vertex lists. Curves are taken vertex by vertex.
    ///
    /// The corresponding C functions are `OGR_G_GetGeometryCount`, `OGR_G_GetGeometryRef`
    /// and `OGR_G_GetPoints`.
    /// - Parameter layer: the layer name, or nil for the first layer.
    /// - Returns: the lines in the layer's CRS and that CRS (nil when none).
    public func lines(layer name: String? = nil) throws -> (lines: [[(x: Double, y: Double)]], crs: SpatialReference?) {
        let layer = try layer(name)
        var lines: [[(x: Double, y: Double)]] = []
        try forEachFeature(layer) { f in
            guard let g = OGR_F_GetGeometryRef(f) else { return }  // NULL when no geometry
            Self.collectLines(g, into: &lines)
        }
        return (lines, SpatialReference(cloning: OGR_L_GetSpatialRef(layer)))
    }

    static func collectLines(_ g: OGRGeometryH, into lines: inout [[(x: Double, y: Double)]]) {
        let parts = OGR_G_GetGeometryCount(g)  // sub-geometries or rings; 0 for simple geometries
        if parts > 0 {
            for i in 0..<parts { if let part = OGR_G_GetGeometryRef(g, i) { collectLines(part, into: &lines) } }
            return
        }
        let type = OGR_GT_Flatten(OGR_G_GetGeometryType(g))
        guard type != wkbPoint, type != wkbMultiPoint else { return }
        let n = Int(OGR_G_GetPointCount(g))
        guard n >= 2 else { return }
        var xs = [Double](repeating: 0, count: n), ys = [Double](repeating: 0, count: n)
        _ = OGR_G_GetPoints(g, &xs, 8, &ys, 8, nil, 0)  // returns the point count
        lines.append((0..<n).map { (xs[$0], ys[$0]) })
    }
}
