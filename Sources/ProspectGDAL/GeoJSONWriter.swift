internal import CGDAL
import Foundation

/// Writes RFC 7946 GeoJSON through OGR's GeoJSON driver.
public enum GeoJSONWriter {
    /// Writes a FeatureCollection of `features`, reprojected from `crs` to WGS 84 lon/lat.
    ///
    /// Uses layer creation options `RFC7946=YES` (reprojection to EPSG:4326, counter-clockwise
    /// exterior rings, no `crs` member), `COORDINATE_PRECISION=7` and `WRITE_NAME=NO`.
    /// - Throws: `GDALError` naming `path`.
    public static func write(path: String, layerName: String, features: [GeoJSONFeature], crs: SpatialReference) throws {
        try stage(path: path, layerName: layerName, features: features, crs: crs).commit()
    }

    /// Writes the FeatureCollection under a temporary name beside `path` and checks it (see
    /// `VectorWriter.stage`), to be renamed into place by the caller, alone or with the files
    /// it belongs with.
    /// - Throws: `GDALError` naming `path`.
    public static func stage(path: String, layerName: String, features: [GeoJSONFeature], crs: SpatialReference) throws
        -> StagedVectorFile
    {
        try VectorWriter.stage(
            path: path, driver: "GeoJSON", layerName: layerName, features: features, crs: crs,
            layerOptions: ["RFC7946=YES", "COORDINATE_PRECISION=7", "WRITE_NAME=NO"])
    }
}

/// A vector file written completely under a temporary name, waiting to be renamed into place.
///
/// Dropped without `commit()`, its temporary files are removed and the file at `path` is left
/// as it was.
public final class StagedVectorFile {
    /// The file it will become.
    public let path: String
    let temporary: String
    private var settled = false

    init(path: String, temporary: String) {
        self.path = path
        self.temporary = temporary
        TemporaryFiles.shared.register(temporary)
    }

    /// Renames the temporary files into place (`VSIRename`), replacing the file at `path`.
    /// - Throws: `GDALError` naming `path` when a rename fails; the temporaries are removed.
    public func commit() throws {
        settled = true
        do { try VSI.renameFiles(temporary: temporary, to: path) } catch {
            discard()
            throw error
        }
        TemporaryFiles.shared.unregister(temporary)
    }

    /// Removes the temporary files.
    public func discard() {
        settled = true
        GDALAlgorithms.removeFiles(of: temporary)
        TemporaryFiles.shared.unregister(temporary)
    }

    deinit { if !settled { discard() } }
}

/// Writes vector files (GeoPackage, GeoJSON, any OGR driver that creates files) from features.
public enum VectorWriter {
    /// Writes one layer of `features` in `crs` with the OGR driver `driver`.
    ///
    /// Property columns are the union of the features' keys in first-seen order, typed
    /// Integer64, Real, String or StringList (a key mixing ints and doubles is Real; any
    /// other mix is String, a list then joined with "; "); non-finite doubles are written as
    /// null. The file is written to a temporary
    /// name in the same directory and renamed on success; the temporary is removed on failure.
    /// The corresponding C functions are `GDALCreate`, `GDALDatasetCreateLayer`,
    /// `OGR_L_CreateField` and `OGR_L_CreateFeature`.
    /// - Parameters:
    ///   - path: the file to write (replaced if present).
    ///   - driver: an OGR driver name such as "GPKG" or "GeoJSON".
    ///   - layerName: the OGR layer name.
    ///   - features: the features.
    ///   - crs: the CRS of the feature coordinates.
    ///   - layerOptions: layer creation options.
    /// - Throws: `GDALError` naming `path`.
    public static func write(
        path: String, driver: String, layerName: String, features: [GeoJSONFeature],
        crs: SpatialReference, layerOptions: [String] = []
    ) throws {
        try stage(
            path: path, driver: driver, layerName: layerName, features: features, crs: crs, layerOptions: layerOptions
        ).commit()
    }

    /// Writes one layer as `write` does, but leaves it under its temporary name for the caller
    /// to commit, once the file has been checked.
    ///
    /// The temporary is a `TemporaryName`, registered with `TemporaryFiles` until committed or
    /// discarded; temporaries of `path` left by killed processes are removed first.
    ///
    /// Some drivers (GeoJSON) write through calls whose failures GDAL does not report, so a
    /// full disk can leave a truncated file behind a close that succeeded. The written files
    /// are therefore flushed to disk (`fsync`) and the temporary is opened again
    /// (`GDALOpenEx`, NULL on failure) and must hold a layer of `features.count` features
    /// (`OGR_L_GetFeatureCount`, -1 when unknown).
    /// - Returns: the staged file; dropping it removes the temporaries.
    /// - Throws: `GDALError` naming `path`; the temporaries are removed.
    public static func stage(
        path: String, driver: String, layerName: String, features: [GeoJSONFeature],
        crs: SpatialReference, layerOptions: [String] = []
    ) throws -> StagedVectorFile {
        GDAL.initialize()
        StaleTemporaries.remove(of: [path])
        let staged = StagedVectorFile(path: path, temporary: TemporaryName.make(for: path))
        try writeUnchecked(
            temporary: staged.temporary, label: path, driver: driver, layerName: layerName, features: features,
            crs: crs, layerOptions: layerOptions)
        for file in VSI.files(of: staged.temporary) {
            if let reason = VSI.syncToDisk(file) { throw GDALError(path: path, message: "could not finish writing (\(reason))") }
        }
        try check(staged.temporary, label: path, features: features.count)
        return staged
    }

    /// Opens the written temporary again and checks that it holds every feature.
    private static func check(_ temporary: String, label: String, features: Int) throws {
        CPL.reset()
        guard let h = GDALOpenEx(temporary, UInt32(GDAL_OF_VECTOR), nil, nil, nil) else {  // NULL on failure
            let why = CPL.lastFailed ? ": \(CPL.lastMessage)" : ""
            throw GDALError(path: label, message: "could not finish writing (the file written is incomplete\(why))")
        }
        let dataset = OwnedDataset(handle: h, path: label)
        guard let layer = GDALDatasetGetLayer(dataset.h, 0) else {  // NULL for an invalid index
            throw GDALError(path: label, message: "could not finish writing (the file written holds no layer)")
        }
        let count = Int(OGR_L_GetFeatureCount(layer, 1))  // -1 when unknown
        guard count == features else {
            throw GDALError(path: label, message: "could not finish writing (the file written holds \(count) of \(features) features)")
        }
    }

    private enum Column { case integer, real, string, boolean, stringList }

    private static func columns(of features: [GeoJSONFeature]) -> [(name: String, type: Column)] {
        var order: [String] = []
        var types: [String: Column] = [:]
        for feature in features {
            for (key, value) in feature.properties {
                let type: Column =
                    switch value {
                    case .int: .integer
                    case .double: .real
                    case .string: .string
                    case .strings: .stringList
                    case .bool: .boolean
                    case .null(let kind):
                        switch kind {
                        case .integer: .integer
                        case .real: .real
                        case .string: .string
                        case .boolean: .boolean
                        }
                    }
                if let old = types[key] {
                    if old == type {
                    } else if old == .string || type == .string || old == .boolean || type == .boolean || old == .stringList
                        || type == .stringList
                    {
                        types[key] = .string
                    } else {
                        types[key] = .real
                    }
                } else {
                    order.append(key)
                    types[key] = type
                }
            }
        }
        return order.map { ($0, types[$0]!) }
    }

    private static func writeUnchecked(
        temporary: String, label: String, driver: String, layerName: String,
        features: [GeoJSONFeature], crs: SpatialReference, layerOptions: [String]
    ) throws {
        CPL.reset()
        guard let drv = GDALGetDriverByName(driver) else {  // NULL when not registered
            throw GDALError(path: label, message: "GDAL has no \(driver) driver")
        }
        CPL.reset()
        guard let h = GDALCreate(drv, temporary, 0, 0, 0, GDT_Unknown, nil) else {  // NULL on failure
            throw GDALError(path: label, message: CPL.detail("could not create the file"))
        }
        let dataset = OwnedDataset(handle: h, path: label)
        let geometryType = geometryType(of: features)
        CPL.reset()
        let created = CPL.withList(layerOptions) {
            GDALDatasetCreateLayer(h, layerName, crs.handle, geometryType, $0)  // NULL on failure
        }
        guard let layer = created else {
            throw GDALError(path: label, message: CPL.detail("could not create layer \(layerName)"))
        }
        let columns = columns(of: features)
        var index: [String: Int32] = [:]
        for (i, column) in columns.enumerated() {
            let type: OGRFieldType =
                switch column.type {
                case .integer: OFTInteger64
                case .real: OFTReal
                case .string: OFTString
                case .boolean: OFTInteger
                case .stringList: driver == "GeoJSON" ? OFTStringList : OFTString
                }
            guard let field = OGR_Fld_Create(column.name, type) else {  // NULL on failure
                throw GDALError(path: label, message: CPL.detail("could not create field \(column.name)"))
            }
            defer { OGR_Fld_Destroy(field) }
            if column.type == .boolean { OGR_Fld_SetSubType(field, OFSTBoolean) }  // void
            CPL.reset()
            guard OGR_L_CreateField(layer, field, 1) == OGRERR_NONE else {  // OGRERR_NONE on success
                throw GDALError(path: label, message: CPL.detail("could not create field \(column.name)"))
            }
            index[column.name] = Int32(i)
        }
        guard let defn = OGR_L_GetLayerDefn(layer) else {  // never NULL for a valid layer
            throw GDALError(path: label, message: "layer has no definition")
        }
        for (n, feature) in features.enumerated() {
            guard let f = OGR_F_Create(defn) else {  // NULL on failure
                throw GDALError(path: label, message: CPL.detail("could not allocate feature \(n)"))
            }
            defer { OGR_F_Destroy(f) }
            for (key, value) in feature.properties {
                guard let i = index[key] else { continue }
                let column = columns[Int(i)].type
                switch value {
                case .int(let v):
                    if column == .string {
                        OGR_F_SetFieldString(f, i, String(v))
                    } else if column == .real {
                        OGR_F_SetFieldDouble(f, i, Double(v))
                    } else {
                        OGR_F_SetFieldInteger64(f, i, GIntBig(v))
                    }
                case .double(let v):
                    if !v.isFinite {
                        OGR_F_SetFieldNull(f, i)
                    } else if column == .string {
                        OGR_F_SetFieldString(f, i, String(v))
                    } else {
                        OGR_F_SetFieldDouble(f, i, v)
                    }
                case .string(let v):
                    OGR_F_SetFieldString(f, i, v)
                case .strings(let v):
                    if column == .stringList && driver == "GeoJSON" {
                        CPL.withList(v) { OGR_F_SetFieldStringList(f, i, $0) }  // void; copies the list
                    } else {
                        OGR_F_SetFieldString(f, i, v.joined(separator: "; "))
                    }
                case .bool(let v):
                    if column == .string {
                        OGR_F_SetFieldString(f, i, v ? "true" : "false")
                    } else {
                        OGR_F_SetFieldInteger(f, i, v ? 1 : 0)
                    }
                case .null:
                    OGR_F_SetFieldNull(f, i)
                }
            }
            let made =
                feature.polygons.isEmpty
                ? try makeGeometry(feature.rings, asLine: feature.isLine, label: label)
                : try makePolygons(feature.polygons, multi: geometryType == wkbMultiPolygon, label: label)
            if let geometry = made {
                CPL.reset()
                guard OGR_F_SetGeometryDirectly(f, geometry) == OGRERR_NONE else {  // OGRERR_NONE on success; takes ownership
                    throw GDALError(path: label, message: CPL.detail("could not set the geometry of feature \(n)"))
                }
            }
            CPL.reset()
            guard OGR_L_CreateFeature(layer, f) == OGRERR_NONE else {  // OGRERR_NONE on success
                throw GDALError(path: label, message: CPL.detail("could not write feature \(n)"))
            }
        }
        try dataset.close()
    }

    /// One geometry type for the layer when every feature has the same kind (GeoPackage
    /// readers prefer it), else `wkbUnknown`.
    /// Features given as polygons make a MultiPolygon layer when any has several parts (the
    /// others are written as one-part multipolygons), else a Polygon layer.
    private static func geometryType(of features: [GeoJSONFeature]) -> OGRwkbGeometryType {
        let kinds = Set(
            features.map { f -> Int in
                if !f.polygons.isEmpty { return f.polygons.count > 1 ? 3 : 2 }
                if f.isLine { return 1 }
                if f.rings.count == 1, f.rings[0].count == 1 { return 0 }
                return 2
            })
        if kinds == [2, 3] || kinds == [3] { return wkbMultiPolygon }
        guard kinds.count == 1, let k = kinds.first else { return wkbUnknown }
        return [wkbPoint, wkbLineString, wkbPolygon][k]
    }

    /// An owned OGR Polygon, or MultiPolygon when `multi` or there are several parts.
    /// The corresponding C functions are `OGR_G_CreateGeometry` and `OGR_G_AddGeometryDirectly`.
    static func makePolygons(_ polygons: [[[(x: Double, y: Double)]]], multi: Bool, label: String) throws -> OGRGeometryH? {
        guard !polygons.isEmpty else { return nil }
        if polygons.count == 1, !multi { return try makeGeometry(polygons[0], asLine: false, label: label) }
        CPL.reset()
        guard let collection = OGR_G_CreateGeometry(wkbMultiPolygon) else {  // NULL on failure
            throw GDALError(path: label, message: CPL.detail("could not create a multipolygon"))
        }
        for polygon in polygons {
            guard let part = try makeGeometry(polygon, asLine: false, label: label) else { continue }
            guard OGR_G_AddGeometryDirectly(collection, part) == OGRERR_NONE else {  // OGRERR_NONE on success; takes ownership
                OGR_G_DestroyGeometry(collection)
                throw GDALError(path: label, message: CPL.detail("could not add a polygon"))
            }
        }
        return collection
    }

    /// An owned OGR geometry for `rings` (nil for no rings). The corresponding C functions are
    /// `OGR_G_CreateGeometry`, `OGR_G_AddPoint_2D` and `OGR_G_AddGeometryDirectly`.
    static func makeGeometry(_ rings: [[(x: Double, y: Double)]], asLine: Bool, label: String) throws -> OGRGeometryH? {
        let rings = rings.filter { !$0.isEmpty }
        guard let first = rings.first else { return nil }
        CPL.reset()
        if asLine {
            guard let line = OGR_G_CreateGeometry(wkbLineString) else {  // NULL on failure
                throw GDALError(path: label, message: CPL.detail("could not create a line"))
            }
            for p in first { OGR_G_AddPoint_2D(line, p.x, p.y) }  // void
            return line
        }
        if rings.count == 1, first.count == 1 {
            guard let point = OGR_G_CreateGeometry(wkbPoint) else {  // NULL on failure
                throw GDALError(path: label, message: CPL.detail("could not create a point"))
            }
            OGR_G_SetPoint_2D(point, 0, first[0].x, first[0].y)  // void
            return point
        }
        guard let polygon = OGR_G_CreateGeometry(wkbPolygon) else {  // NULL on failure
            throw GDALError(path: label, message: CPL.detail("could not create a polygon"))
        }
        for ring in rings {
            guard let r = OGR_G_CreateGeometry(wkbLinearRing) else {  // NULL on failure
                OGR_G_DestroyGeometry(polygon)
                throw GDALError(path: label, message: CPL.detail("could not create a ring"))
            }
            for p in ring { OGR_G_AddPoint_2D(r, p.x, p.y) }  // void
            if let a = ring.first, let b = ring.last, a.x != b.x || a.y != b.y { OGR_G_AddPoint_2D(r, a.x, a.y) }
            guard OGR_G_AddGeometryDirectly(polygon, r) == OGRERR_NONE else {  // OGRERR_NONE on success; takes ownership
                OGR_G_DestroyGeometry(polygon)
                throw GDALError(path: label, message: CPL.detail("could not add a ring"))
            }
        }
        return polygon
    }
}
