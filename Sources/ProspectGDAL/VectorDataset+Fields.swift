internal import CGDAL
import ProspectCore

extension VectorDataset {
    /// Restricts every later read of a layer (`points`, `stringValues`, …) to the features that
    /// match an OGR SQL `WHERE` clause, or lifts the restriction when `clause` is nil.
    ///
    /// Drivers that hand the clause to their database (GeoPackage, PostGIS) accept any text
    /// and fail at the first read, so the first feature is read here too.
    ///
    /// The corresponding C functions are `OGR_L_SetAttributeFilter` (an `OGRErr` other than
    /// `OGRERR_NONE` when OGR's own parser refuses the clause or it names no field of the
    /// layer) and `OGR_L_GetNextFeature` (NULL at the end, or on error with a CPL failure).
    /// - Parameters:
    ///   - clause: e.g. `commodity = 'Au' AND size >= 2`; nil for every feature.
    ///   - layer: the layer name, or nil for the first layer.
    /// - Throws: `GDALError` with GDAL's message when the clause is refused; the layer is then
    ///   left unfiltered.
    public func setAttributeFilter(_ clause: String?, layer name: String? = nil) throws {
        let layer = try layer(name)
        CPL.reset()
        var failed = OGR_L_SetAttributeFilter(layer, clause) != OGRERR_NONE
        if !failed {
            OGR_L_ResetReading(layer)
            CPL.reset()
            if let f = OGR_L_GetNextFeature(layer) { OGR_F_Destroy(f) } else { failed = CPL.lastFailed }
            OGR_L_ResetReading(layer)
        }
        guard failed else { return }
        let message = CPL.lastMessage
        _ = OGR_L_SetAttributeFilter(layer, nil)  // lifting a filter always succeeds
        throw GDALError(path: path, message: message)
    }

    /// The attribute fields of a layer, in order.
    ///
    /// A CSV's coordinate columns are not fields (see `open(_:openOptions:)`); its other
    /// columns are typed by `AUTODETECT_TYPE`. The corresponding C functions are
    /// `OGR_L_GetLayerDefn`, `OGR_FD_GetFieldDefn` and `OGR_Fld_GetType`.
    /// - Parameter layer: the layer name, or nil for the first layer.
    /// - Throws: `GDALError` when there is no such layer.
    public func fields(layer name: String? = nil) throws -> [VectorField] {
        let layer = try layer(name)
        guard let defn = OGR_L_GetLayerDefn(layer) else { return [] }  // NULL never for a valid layer
        return (0..<OGR_FD_GetFieldCount(defn)).compactMap { i in
            guard let fd = OGR_FD_GetFieldDefn(defn, i), let n = OGR_Fld_GetNameRef(fd) else { return nil }  // NULL for an invalid index
            let type: VectorField.FieldType =
                switch OGR_Fld_GetType(fd) {
                case OFTInteger, OFTInteger64: .integer
                case OFTReal: .real
                case OFTString: .string
                default: .other
                }
            return VectorField(name: String(cString: n), type: type)
        }
    }

    /// The index of `field` in `layer` (matched without regard to case, as OGR does).
    /// The corresponding C function is `OGR_FD_GetFieldIndex` (-1 when absent).
    /// - Throws: `GDALError` "layer L has no field F (fields: a, b, c)".
    func fieldIndex(_ field: String, in layer: OGRLayerH) throws -> Int32 {
        // NULL never for a valid layer
        guard let defn = OGR_L_GetLayerDefn(layer) else { preconditionFailure("a layer always has a definition") }
        let index = OGR_FD_GetFieldIndex(defn, field)  // -1 when absent
        guard index >= 0 else {
            throw GDALError(
                path: path,
                message:
                    "layer \(Self.name(of: layer)) has no field \(Echo.short(field)) (fields: \(Self.fieldNames(defn).joined(separator: ", ")))"
            )
        }
        return index
    }

    /// The values of one field as text, one per feature in FID order; nil where the field is
    /// null or unset. Numbers are formatted by OGR.
    ///
    /// The corresponding C functions are `OGR_F_IsFieldSetAndNotNull`, `OGR_F_GetFieldAsString`
    /// and `OGR_F_GetFID`.
    /// - Parameters:
    ///   - field: the field name (any case).
    ///   - layer: the layer name, or nil for the first layer.
    /// - Throws: `GDALError` "layer L has no field F (fields: …)", or a read error.
    public func stringValues(field: String, layer name: String? = nil) throws -> [String?] {
        let layer = try layer(name)
        let index = try fieldIndex(field, in: layer)
        var values: [(fid: Int64, order: Int, value: String?)] = []
        try forEachFeature(layer) { f in
            let value =
                OGR_F_IsFieldSetAndNotNull(f, index) != 0
                ? OGR_F_GetFieldAsString(f, index).map { String(cString: $0) } ?? ""  // never NULL for a valid index
                : nil
            values.append((Int64(OGR_F_GetFID(f)), values.count, value))  // OGRNullFID (-1) when the format has none
        }
        return values.sorted { ($0.fid, $0.order) < ($1.fid, $1.order) }.map(\.value)
    }
}
