internal import CGDAL

extension VectorDataset {
    /// Counts the features whose geometry is not valid in the OGC Simple Features sense
    /// (self-intersecting rings, bow-ties, spikes), so a caller can warn or ask for repair.
    ///
    /// Features with no geometry are not counted. Needs GDAL built with GEOS.
    /// The corresponding C function is `OGR_G_IsValid` (FALSE for invalid geometries, and
    /// also, with a CPL error, when GEOS is missing).
    /// - Parameter layer: the layer name, or nil for the first layer.
    /// - Returns: the number of invalid geometries and the FID of the first one (nil when
    ///   none is invalid or the format has no FIDs).
    /// - Throws: `GDALError` "could not check geometry validity (…)" when GEOS is missing,
    ///   or a layer/read error.
    public func invalidGeometries(layer name: String? = nil) throws -> (count: Int, firstFID: Int64?) {
        let layer = try layer(name)
        var count = 0
        var firstFID: Int64?
        try forEachFeature(layer) { f in
            guard let g = OGR_F_GetGeometryRef(f) else { return }  // NULL when no geometry
            CPL.reset()
            let valid = OGR_G_IsValid(g) != 0  // FALSE when invalid or when GEOS is missing
            guard !CPL.lastFailed else {
                throw GDALError(path: path, message: CPL.detail("could not check geometry validity"))
            }
            guard !valid else { return }
            count += 1
            let fid = Int64(OGR_F_GetFID(f))  // OGRNullFID (-1) when the format has none
            if count == 1, fid >= 0 { firstFID = fid }
        }
        return (count, firstFID)
    }

    /// How many features of a layer are points, lines and areas, by the dimension of their
    /// geometry (a collection counts by its highest dimension); features without geometry are
    /// not counted.
    ///
    /// The corresponding C functions are `OGR_F_GetGeometryRef` and `OGR_G_GetDimension`.
    /// - Parameter layer: the layer name, or nil for the first layer.
    public func geometryDimensions(layer name: String? = nil) throws -> (points: Int, lines: Int, areas: Int) {
        let layer = try layer(name)
        var counts = (points: 0, lines: 0, areas: 0)
        try forEachFeature(layer) { f in
            guard let g = OGR_F_GetGeometryRef(f), OGR_G_IsEmpty(g) == 0 else { return }  // NULL when no geometry
            switch OGR_G_GetDimension(g) {
            case 0: counts.points += 1
            case 1: counts.lines += 1
            default: counts.areas += 1
            }
        }
        return counts
    }
}
