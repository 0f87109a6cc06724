/// A summary of one vector layer.
public struct VectorLayerInfo: Sendable {
    public var name: String
    /// OGR's name for the declared geometry type, e.g. "Point", "Line String", "Unknown (any)".
    public var geometryType: String
    public var featureCount: Int
    /// "EPSG:<code>" or the CRS name; "" when the layer has no CRS.
    public var crsLabel: String
    /// The CRS as WKT; "" when the layer has no CRS.
    public var crsWKT: String
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
