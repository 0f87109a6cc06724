internal import CGDAL

/// OGC checks of a (multi)polygon through OGR and GEOS.
public enum PolygonGeometry {
    public typealias Point = (x: Double, y: Double)

    /// What GEOS says of a (multi)polygon.
    public struct Inspection {
        /// `OGR_G_IsValid`: OGC-valid (no self-touching ring, no overlap of parts, …).
        public var valid: Bool
        /// A point inside the polygon (`OGR_G_PointOnSurface`), or nil when GEOS found none.
        public var pointOnSurface: Point?
        /// The polygons again, repaired by `OGR_G_MakeValid` when they were not valid (else as
        /// given).
        public var polygons: [[[Point]]]
    }

    /// Checks `polygons` (each an exterior ring, then holes), repairs them when they are not
    /// valid, and finds a point inside.
    ///
    /// The corresponding C functions are `OGR_G_IsValid` (FALSE when invalid, and with a CPL
    /// error when GDAL has no GEOS), `OGR_G_MakeValid` and `OGR_G_PointOnSurface` (NULL on
    /// failure).
    /// - Throws: `GDALError` naming `label` when GDAL has no GEOS or a geometry cannot be made.
    public static func inspect(_ polygons: [[[Point]]], label: String) throws -> Inspection {
        guard var geometry = try VectorWriter.makePolygons(polygons, multi: true, label: label) else {
            return Inspection(valid: true, pointOnSurface: nil, polygons: [])
        }
        defer { OGR_G_DestroyGeometry(geometry) }
        CPL.reset()
        let valid = OGR_G_IsValid(geometry) != 0
        guard !CPL.lastFailed else { throw GDALError(path: label, message: CPL.detail("could not check geometry validity")) }
        var result = polygons
        if !valid {
            CPL.reset()
            guard let repaired = OGR_G_MakeValid(geometry) else {  // NULL on failure
                throw GDALError(path: label, message: CPL.detail("could not repair a polygon"))
            }
            OGR_G_DestroyGeometry(geometry)
            geometry = repaired
            result = []
            collectPolygons(geometry, into: &result)
        }
        CPL.reset()
        var point: Point?
        if let p = OGR_G_PointOnSurface(geometry) {  // NULL on failure
            point = (OGR_G_GetX(p, 0), OGR_G_GetY(p, 0))
            OGR_G_DestroyGeometry(p)
        }
        return Inspection(valid: valid, pointOnSurface: point, polygons: result)
    }

    /// Whether a (multi)polygon is OGC-valid and holds `point` strictly inside
    /// (`OGR_G_IsValid`, `OGR_G_Within`).
    public static func isValid(_ polygons: [[[Point]]], containing point: Point? = nil) throws -> Bool {
        guard let geometry = try VectorWriter.makePolygons(polygons, multi: true, label: "polygon") else { return false }
        defer { OGR_G_DestroyGeometry(geometry) }
        CPL.reset()
        guard OGR_G_IsValid(geometry) != 0 else { return false }
        guard let point else { return true }
        guard let p = OGR_G_CreateGeometry(wkbPoint) else { return false }  // NULL on failure
        defer { OGR_G_DestroyGeometry(p) }
        OGR_G_SetPoint_2D(p, 0, point.x, point.y)  // void
        return OGR_G_Within(p, geometry) != 0
    }

    /// The area of a (multi)polygon in its units (`OGR_G_Area`).
    public static func area(_ polygons: [[[Point]]]) throws -> Double {
        guard let geometry = try VectorWriter.makePolygons(polygons, multi: true, label: "polygon") else { return 0 }
        defer { OGR_G_DestroyGeometry(geometry) }
        return OGR_G_Area(geometry)
    }

    /// The polygons of a geometry (a Polygon, a MultiPolygon, or the polygons of a collection).
    static func collectPolygons(_ g: OGRGeometryH, into result: inout [[[Point]]]) {
        let type = OGR_GT_Flatten(OGR_G_GetGeometryType(g))
        if type == wkbPolygon {
            var rings: [[Point]] = []
            for i in 0..<OGR_G_GetGeometryCount(g) {
                guard let ring = OGR_G_GetGeometryRef(g, i) else { continue }  // NULL for a bad index
                rings.append((0..<OGR_G_GetPointCount(ring)).map { (OGR_G_GetX(ring, $0), OGR_G_GetY(ring, $0)) })
            }
            if !rings.isEmpty { result.append(rings) }
        } else if type == wkbMultiPolygon || type == wkbGeometryCollection {
            for i in 0..<OGR_G_GetGeometryCount(g) {
                if let part = OGR_G_GetGeometryRef(g, i) { collectPolygons(part, into: &result) }  // NULL for a bad index
            }
        }
    }
}
