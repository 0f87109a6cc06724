/// How `GDALAlgorithms.warp` computes a target cell from the source cells under it; the raw
/// values are the names users write (`--resampling`, study files, stack manifests), and
/// `gdalName` is GDAL's `-r` name.
///
/// Refining or keeping the resolution: `nearest` for classes, `bilinear` or `cubic` for
/// continuous values. Coarsening (target cells larger than source cells, see
/// `GDALAlgorithms.sourceCellSize`): `average` for continuous values, `mode` for classes;
/// `min`, `max` and `median` keep extremes or resist outliers. These five use every source
/// cell under the target cell and ignore nodata ones.
public enum Resampling: String, Sendable, CaseIterable, Codable {
    case nearest
    case bilinear
    case cubic
    case average
    case mode
    case min
    case max
    case median

    /// The method's name for gdalwarp's `-r` option: "near" and "med" for `nearest` and
    /// `median`, the raw value otherwise.
    public var gdalName: String {
        switch self {
        case .nearest: "near"
        case .median: "med"
        case .bilinear, .cubic, .average, .mode, .min, .max: rawValue
        }
    }
}
