/// A summary of one vector layer.
public struct VectorLayerInfo: Sendable {
    public var name: String
    /// OGR's name for the declared geometry type, e.g. "Point", "Line String", "Unknown (any)".
    public var geometryType: String
    public var featureCount: Int
    /// "EPSG:<code>" or the CRS name as the file declares it (or, for a longitude/latitude
    /// CSV, implies it); "" when the layer declares none. A placeholder such as "Undefined SRS"
    /// is reported as is: `hasCRS` says whether it is a real CRS.
    public var crsLabel: String
    /// The declared (or implied) CRS as WKT; "" when the layer declares none.
    public var crsWKT: String
    /// False when the layer has no CRS to reproject from: none declared, an empty one, or a
    /// placeholder — an engineering/local CRS named "Undefined SRS", "unknown" or nothing, or
    /// one without a datum (`SpatialReference.isUndefined`). GeoPackage layers written with no
    /// CRS read back as `ENGCRS["Undefined SRS", …]` and count as none.
    public var hasCRS: Bool
    /// The layer extent in its own CRS, nil when empty or unknown.
    public var extent: (minX: Double, minY: Double, maxX: Double, maxY: Double)?
    /// Attribute field names, in order.
    public var fields: [String]
}

/// A point feature with its attributes as text.
public struct PointFeature: Sendable {
    public var x: Double
    public var y: Double
    /// Set, non-null attributes formatted by OGR (`OGR_F_GetFieldAsString`).
    public var attributes: [String: String]

    public init(x: Double, y: Double, attributes: [String: String] = [:]) {
        self.x = x
        self.y = y
        self.attributes = attributes
    }
}
