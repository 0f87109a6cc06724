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
}
