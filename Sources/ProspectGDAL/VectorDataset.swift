internal import CGDAL
import Foundation
import ProspectCore

/// An open OGR vector dataset (read-only), owning its `GDALDatasetH` through an `OwnedDataset`.
///
/// CSV files get point geometry from their coordinate columns (see `open(_:openOptions:)`).
/// Not `Sendable`: one per thread.
public final class VectorDataset {
    /// The path the dataset was opened with.
    public let path: String
    /// The owner of the handle.
    private let dataset: OwnedDataset
    /// The open handle; borrowed by other types of this module for the length of one call.
    var handle: GDALDatasetH { dataset.h }
    /// For a CSV file, the columns its point coordinates were read from (as spelled in the
    /// header); nil for other formats and for a CSV with no coordinate columns.
    public let csvCoordinateColumns: (x: String, y: String)?
    /// The CRS implied by the file rather than declared in it: WGS 84 for a CSV whose
    /// coordinate columns are longitude and latitude. Nil otherwise.
    let impliedCRS: SpatialReference?

    private init(
        handle: GDALDatasetH, path: String, csvCoordinateColumns: (x: String, y: String)? = nil,
        impliedCRS: SpatialReference? = nil
    ) {
        self.dataset = OwnedDataset(handle: handle, path: path)
        self.path = path
        self.csvCoordinateColumns = csvCoordinateColumns
        self.impliedCRS = impliedCRS
    }

    /// Opens a vector file (GeoPackage, GeoJSON, Shapefile, CSV, …) read-only.
    ///
    /// A file whose extension is `.csv` (any case) is read by the CSV driver with
    /// `AUTODETECT_TYPE=YES` (numeric columns come back as numbers) and point geometry from
    /// its coordinate columns, matched without regard to case: x from the first of `lon`,
    /// `long`, `longitude`, `x`, `easting` and y from the first of `lat`, `latitude`, `y`,
    /// `northing` (a longitude/latitude pair is preferred, then an x/y pair, when the header
    /// has both kinds). Exactly the chosen columns go to the driver as `X_POSSIBLE_NAMES` and
    /// `Y_POSSIBLE_NAMES` with `KEEP_GEOM_COLUMNS=NO`, so they are not also attributes (GDAL
    /// 3.6 fails, or crashes, when several columns match and the columns are dropped). When
    /// both columns have longitude/latitude names the layer is taken to be in WGS 84
    /// (EPSG:4326, longitude first): `layers`, `points` and `translateVector` report and use
    /// that CRS. Other coordinate columns carry no CRS. `csvCoordinateColumns` tells which
    /// columns were used. Options the caller passes win over these defaults; a caller that
    /// passes `X_POSSIBLE_NAMES` or `Y_POSSIBLE_NAMES` chooses the columns itself.
    ///
    /// The corresponding C function is `GDALOpenEx` with `GDAL_OF_VECTOR` (NULL on failure).
    /// - Parameters:
    ///   - path: a file path or GDAL virtual path.
    ///   - openOptions: driver open options, `KEY=VALUE`.
    /// - Throws: `GDALError` with "no such file", "not a vector file that GDAL can read (…)",
    ///   or, for a CSV, "has more than one column named …".
    public static func open(_ path: String, openOptions: [String] = []) throws -> VectorDataset {
        GDAL.initialize()
        guard (path as NSString).pathExtension.lowercased() == "csv" else {
            return VectorDataset(handle: try openHandle(path, options: openOptions), path: path)
        }
        let given = Set(openOptions.compactMap { $0.split(separator: "=", maxSplits: 1).first.map { $0.uppercased() } })
        var options = openOptions
        if !given.contains("AUTODETECT_TYPE") { options.append("AUTODETECT_TYPE=YES") }
        guard !given.contains("X_POSSIBLE_NAMES"), !given.contains("Y_POSSIBLE_NAMES") else {
            return VectorDataset(handle: try openHandle(path, options: options), path: path)
        }
        let header = try csvHeader(path, options: openOptions)
        guard let columns = try CSVCoordinates.choose(from: header, path: path) else {
            return VectorDataset(handle: try openHandle(path, options: options), path: path)
        }
        options += ["X_POSSIBLE_NAMES=\(columns.x)", "Y_POSSIBLE_NAMES=\(columns.y)"]
        if !given.contains("KEEP_GEOM_COLUMNS") { options.append("KEEP_GEOM_COLUMNS=NO") }
        let h = try openHandle(path, options: options)
        return VectorDataset(
            handle: h, path: path, csvCoordinateColumns: (columns.x, columns.y),
            impliedCRS: columns.geographic ? try SpatialReference(epsg: 4326) : nil)
    }

    /// `GDALOpenEx` for reading vectors (NULL on failure), with the module's open errors.
    private static func openHandle(_ path: String, options: [String]) throws -> GDALDatasetH {
        CPL.reset()
        let opened = CPL.withList(options) {
            // NULL on failure
            GDALOpenEx(path, UInt32(GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR), nil, CPL.constList($0), nil)
        }
        guard let h = opened else {
            let message = CPL.lastMessage
            if !VSI.exists(path) { throw GDALError(path: path, message: "no such file") }
            throw GDALError(path: path, message: "not a vector file that GDAL can read (\(message))")
        }
        return h
    }

    /// The column names of a CSV file's first layer, read by the CSV driver with the caller's
    /// options (separator, header handling). The corresponding C functions are `GDALOpenEx`,
    /// `OGR_L_GetLayerDefn` and `OGR_Fld_GetNameRef`.
    private static func csvHeader(_ path: String, options: [String]) throws -> [String] {
        let header = OwnedDataset(handle: try openHandle(path, options: options), path: path)
        guard let layer = GDALDatasetGetLayer(header.h, 0), let defn = OGR_L_GetLayerDefn(layer) else { return [] }  // NULL when absent
        return fieldNames(defn)
    }

    /// The field names of a layer definition, in order.
    static func fieldNames(_ defn: OGRFeatureDefnH) -> [String] {
        (0..<OGR_FD_GetFieldCount(defn)).map { i in
            OGR_FD_GetFieldDefn(defn, i).flatMap { OGR_Fld_GetNameRef($0) }.map { String(cString: $0) } ?? ""  // NULL for an invalid index
        }
    }

    /// A summary of every layer.
    ///
    /// The corresponding C functions are `GDALDatasetGetLayer`, `OGR_L_GetFeatureCount`,
    /// `OGR_L_GetExtent` and `OGR_L_GetSpatialRef`.
    public var layers: [VectorLayerInfo] {
        (0..<Int(GDALDatasetGetLayerCount(handle))).compactMap { i in
            guard let layer = GDALDatasetGetLayer(handle, Int32(i)) else { return nil }  // NULL for an invalid index
            return info(layer)
        }
    }

    func info(_ layer: OGRLayerH) -> VectorLayerInfo {
        let declared = SpatialReference(cloning: OGR_L_GetSpatialRef(layer)) ?? impliedCRS  // NULL when the layer has no CRS
        var envelope = OGREnvelope()
        CPL.reset()
        let hasExtent = OGR_L_GetExtent(layer, &envelope, 1) == OGRERR_NONE  // OGRERR_FAILURE when empty/unknown
        return VectorLayerInfo(
            name: OGR_L_GetName(layer).map { String(cString: $0) } ?? "",
            geometryType: OGRGeometryTypeToName(OGR_L_GetGeomType(layer)).map { String(cString: $0) } ?? "",
            featureCount: Int(OGR_L_GetFeatureCount(layer, 1)),  // -1 when unknown
            crsLabel: declared?.label ?? "",
            crsWKT: declared?.wkt ?? "",
            hasCRS: crs(of: layer) != nil,
            extent: hasExtent ? (envelope.MinX, envelope.MinY, envelope.MaxX, envelope.MaxY) : nil,
            fields: OGR_L_GetLayerDefn(layer).map(Self.fieldNames) ?? [])
    }

    /// The CRS of `layer` for reprojection: its declared CRS unless that is missing or a
    /// placeholder (`SpatialReference.isUndefined`), else the CRS the file implies (a
    /// longitude/latitude CSV), else nil. The corresponding C function is `OGR_L_GetSpatialRef`.
    func crs(of layer: OGRLayerH) -> SpatialReference? {
        SpatialReference.defined(cloning: OGR_L_GetSpatialRef(layer)) ?? impliedCRS  // NULL when the layer has no CRS
    }

    /// The names of every layer, for error messages.
    var layerNames: [String] {
        (0..<GDALDatasetGetLayerCount(handle)).compactMap { i in
            GDALDatasetGetLayer(handle, i).flatMap { OGR_L_GetName($0) }.map { String(cString: $0) }  // NULL for an invalid index
        }
    }

    /// The named layer, or the first one when `name` is nil.
    /// The corresponding C functions are `GDALDatasetGetLayerByName` and `GDALDatasetGetLayer` (NULL when absent).
    /// - Throws: `GDALError` "has no layer named X (layers: a, b)" or "has no layers".
    func layer(_ name: String?) throws -> OGRLayerH {
        CPL.reset()
        if let name {
            guard let l = GDALDatasetGetLayerByName(handle, name) else {  // NULL when absent
                throw GDALError(
                    path: path, message: "has no layer named \(Echo.short(name)) (layers: \(layerNames.joined(separator: ", ")))")
            }
            return l
        }
        guard GDALDatasetGetLayerCount(handle) > 0, let l = GDALDatasetGetLayer(handle, 0) else {  // NULL when absent
            throw GDALError(path: path, message: "has no layers")
        }
        return l
    }

    /// Checks that the layer a command would read is there: the named one (or the first when
    /// `name` is nil) and, for a CSV, with coordinate columns.
    /// - Returns: the layer's name.
    /// - Throws: `GDALError` "has no layer named X (layers: a, b)", "has no layers" or "has no
    ///   coordinate columns (…)".
    public func checkLayer(_ name: String?) throws -> String {
        let layer = try layer(name)
        try requireCSVGeometry(layer)
        return Self.name(of: layer)
    }

    /// The layer's name. The corresponding C function is `OGR_L_GetName` (never NULL for a valid layer).
    static func name(of layer: OGRLayerH) -> String { OGR_L_GetName(layer).map { String(cString: $0) } ?? "" }

    /// Throws for a CSV layer that got no geometry because the file has no coordinate columns.
    /// The corresponding C function is `OGR_FD_GetGeomFieldCount`.
    func requireCSVGeometry(_ layer: OGRLayerH) throws {
        guard (path as NSString).pathExtension.lowercased() == "csv",
            OGR_L_GetLayerDefn(layer).map({ OGR_FD_GetGeomFieldCount($0) }) ?? 0 == 0
        else { return }  // NULL never for a valid layer
        throw GDALError(path: path, message: "has no coordinate columns (looked for lon/longitude/x/easting and lat/latitude/y/northing)")
    }

    /// Calls `body` with each feature of `layer` (borrowed, destroyed after the call).
    /// The corresponding C functions are `OGR_L_ResetReading` and `OGR_L_GetNextFeature`.
    func forEachFeature(_ layer: OGRLayerH, _ body: (OGRFeatureH) throws -> Void) throws {
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
    /// - Returns: the points in the layer's CRS, that CRS (nil when none or a placeholder such
    ///   as GeoPackage's "Undefined SRS"; WGS 84 for a longitude/latitude CSV), and the number
    ///   of features skipped because their geometry was missing, empty or not a point.
    /// - Throws: `GDALError` naming the file; for a CSV without coordinate columns, "has no
    ///   coordinate columns (looked for lon/longitude/x/easting and lat/latitude/y/northing)".
    public func points(layer name: String? = nil) throws -> (points: [PointFeature], crs: SpatialReference?, skipped: Int) {
        let read = try pointsWithSkipped(layer: name)
        return (read.points, read.crs, read.skipped.count)
    }

    /// Point features of a layer, as `points(layer:)`, with the features left out by reason:
    /// no (or an empty) geometry, a coordinate that is not finite, or another kind of geometry.
    ///
    /// The corresponding C functions are `OGR_F_GetFID`, `OGR_F_GetGeometryRef`, `OGR_G_GetX`
    /// and `OGR_G_GetY`.
    /// - Throws: as `points(layer:)`.
    public func pointsWithSkipped(layer name: String? = nil) throws -> (
        points: [PointFeature], crs: SpatialReference?, skipped: SkippedFeatures
    ) {
        let layer = try layer(name)
        try requireCSVGeometry(layer)
        let fieldNames = OGR_L_GetLayerDefn(layer).map(Self.fieldNames) ?? []
        var points: [PointFeature] = []
        var skipped = SkippedFeatures(isCSV: csvCoordinateColumns != nil)
        try forEachFeature(layer) { f in
            let fid = OGR_F_GetFID(f)
            guard let g = OGR_F_GetGeometryRef(f), OGR_G_IsEmpty(g) == 0 else {
                skipped.add(fid, .noCoordinates)
                return
            }  // NULL when no geometry
            var attributes: [String: String] = [:]
            for (i, key) in fieldNames.enumerated() where OGR_F_IsFieldSetAndNotNull(f, Int32(i)) != 0 {
                attributes[key] = OGR_F_GetFieldAsString(f, Int32(i)).map { String(cString: $0) } ?? ""
            }
            var parts: [OGRGeometryH] = []
            switch OGR_GT_Flatten(OGR_G_GetGeometryType(g)) {
            case wkbPoint:
                parts = [g]
            case wkbMultiPoint:
                parts = (0..<OGR_G_GetGeometryCount(g)).compactMap { i in
                    OGR_G_GetGeometryRef(g, i).flatMap { OGR_G_IsEmpty($0) == 0 ? $0 : nil }  // NULL for an invalid index
                }
            default:
                skipped.add(fid, .wrongKind)
                return
            }
            let feature = parts.map { PointFeature(x: OGR_G_GetX($0, 0), y: OGR_G_GetY($0, 0), attributes: attributes) }
            guard feature.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else {
                skipped.add(fid, .nonFinite)
                return
            }
            points += feature
        }
        return (points, crs(of: layer), skipped)
    }

    /// The features of `layer` that have no geometry (or an empty one) or a coordinate that is
    /// not finite.
    ///
    /// The corresponding C functions are `OGR_F_GetFID`, `OGR_F_GetGeometryRef` and
    /// `OGR_G_GetEnvelope` (a non-finite coordinate gives a non-finite envelope).
    func unusableGeometries(_ layer: OGRLayerH) throws -> SkippedFeatures {
        var skipped = SkippedFeatures(isCSV: csvCoordinateColumns != nil)
        try forEachFeature(layer) { f in
            guard let g = OGR_F_GetGeometryRef(f), OGR_G_IsEmpty(g) == 0 else {  // NULL when no geometry
                skipped.add(OGR_F_GetFID(f), .noCoordinates)
                return
            }
            var envelope = OGREnvelope()
            OGR_G_GetEnvelope(g, &envelope)
            if ![envelope.MinX, envelope.MinY, envelope.MaxX, envelope.MaxY].allSatisfy(\.isFinite) {
                skipped.add(OGR_F_GetFID(f), .nonFinite)
            }
        }
        return skipped
    }

    /// Line work of a layer: each LineString, each part of a MultiLineString, and every ring
    /// of (Multi)Polygons, as vertex lists. Curves are taken vertex by vertex.
    ///
    /// The corresponding C functions are `OGR_G_GetGeometryCount`, `OGR_G_GetGeometryRef`
    /// and `OGR_G_GetPoints`.
    /// - Parameter layer: the layer name, or nil for the first layer.
    /// - Returns: the lines in the layer's CRS and that CRS (nil when none or a placeholder).
    public func lines(layer name: String? = nil) throws -> (lines: [[(x: Double, y: Double)]], crs: SpatialReference?) {
        let layer = try layer(name)
        var lines: [[(x: Double, y: Double)]] = []
        try forEachFeature(layer) { f in
            guard let g = OGR_F_GetGeometryRef(f) else { return }  // NULL when no geometry
            Self.collectLines(g, into: &lines)
        }
        return (lines, crs(of: layer))
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
        var xs = [Double](repeating: 0, count: n)
        var ys = [Double](repeating: 0, count: n)
        _ = OGR_G_GetPoints(g, &xs, 8, &ys, 8, nil, 0)  // returns the point count
        lines.append((0..<n).map { (xs[$0], ys[$0]) })
    }
}
