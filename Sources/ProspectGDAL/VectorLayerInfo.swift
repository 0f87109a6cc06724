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

/// Features a reader left out, and why: what a warning counts and lists.
public struct SkippedFeatures: Sendable, Equatable {
    /// Why a feature was left out.
    public enum Reason: Sendable, CaseIterable {
        /// No geometry, or an empty one: in a CSV, a coordinate that is empty or not a number.
        case noCoordinates
        /// A coordinate that is infinite or NaN (`inf`, `nan`, `1e400`); in a CSV, counted as
        /// `noCoordinates`.
        case nonFinite
        /// A geometry of another kind (a line where points are read).
        case wrongKind
    }

    /// Feature ids (OGR FIDs) by reason, in reading order.
    public private(set) var ids: [Reason: [Int64]] = [:]
    /// Whether the file is a CSV: ids are then shown as rows of the file, the header being
    /// row 1 (OGR numbers a CSV's data rows from 1).
    public var isCSV = false

    public init(isCSV: Bool = false) { self.isCSV = isCSV }

    public var count: Int { ids.values.reduce(0) { $0 + $1.count } }
    public var isEmpty: Bool { count == 0 }

    /// Records a feature left out; in a CSV a coordinate that is not finite is as bad as one
    /// that is not a number, so both are one reason.
    mutating func add(_ id: Int64, _ reason: Reason) {
        ids[isCSV && reason == .nonFinite ? .noCoordinates : reason, default: []].append(id)
    }

    func text(_ reason: Reason) -> String {
        switch reason {
        case .noCoordinates: return isCSV ? "bad coordinates" : "no geometry"
        case .nonFinite: return "coordinates not finite"
        case .wrongKind: return "not a point"
        }
    }

    /// One warning per reason: `deposits.csv: 3 rows skipped: bad coordinates (rows 4, 9, 12)`;
    /// for other formats `… 3 features skipped: not a point (FIDs 4, 9, 12)`. At most ten ids
    /// are listed.
    public func warnings(path: String) -> [String] {
        Reason.allCases.compactMap { reason in
            guard let list = ids[reason], !list.isEmpty else { return nil }
            let shown = list.prefix(10).map { String(isCSV ? $0 + 1 : $0) }.joined(separator: ", ")
            let plural = list.count == 1 ? "" : "s"
            let (noun, idNoun) = isCSV ? ("row", "row") : ("feature", "FID")
            return
                "\(path): \(list.count) \(noun)\(plural) skipped: \(text(reason)) (\(idNoun)\(plural) \(shown)\(list.count > 10 ? ", …" : ""))"
        }
    }
}
