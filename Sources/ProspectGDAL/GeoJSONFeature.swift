/// A GeoJSON property value.
public enum GeoJSONValue: Sendable, Equatable {
    case int(Int)
    case double(Double)
    case string(String)
    /// A list of strings (an OGR StringList field in GeoJSON, a JSON array; joined by "; " in
    /// formats without list fields).
    case strings([String])
    case bool(Bool)
    /// No value, in a column of the given kind.
    case null(Kind)

    /// The kind of a column.
    public enum Kind: Sendable, Equatable {
        case integer, real, string, boolean
    }
}

/// A feature for `GeoJSONWriter` and `VectorWriter`: a polygon, a line or a point, and
/// ordered properties.
public struct GeoJSONFeature: Sendable {
    /// Polygon rings, first exterior, in the writer's source CRS. A single ring of one point
    /// is written as a Point; no rings gives a feature with a null geometry. For a line, the
    /// one ring holds its vertices.
    public var rings: [[(x: Double, y: Double)]]
    /// True when `rings[0]` is a LineString rather than a polygon ring.
    public var isLine: Bool
    /// Polygons, each its exterior ring then its holes, when the feature is a (multi)polygon
    /// given this way; `rings` is then empty. One polygon is written as a Polygon unless the
    /// layer holds multipolygons.
    public var polygons: [[[(x: Double, y: Double)]]] = []
    /// Properties, written as OGR fields in first-seen order.
    public var properties: [(String, GeoJSONValue)]

    public init(rings: [[(x: Double, y: Double)]], properties: [(String, GeoJSONValue)]) {
        self.rings = rings
        self.isLine = false
        self.properties = properties
    }

    /// A Polygon (one part) or MultiPolygon feature.
    public init(polygons: [[[(x: Double, y: Double)]]], properties: [(String, GeoJSONValue)]) {
        self.rings = []
        self.isLine = false
        self.polygons = polygons
        self.properties = properties
    }

    /// A LineString feature.
    public init(line: [(x: Double, y: Double)], properties: [(String, GeoJSONValue)]) {
        self.rings = [line]
        self.isLine = true
        self.properties = properties
    }
}
