/// How `GDALAlgorithms.warp` computes a target cell from the source cells under it; the raw
/// values are GDAL's `-r` names.
///
/// Refining or keeping the resolution: `nearest` for classes, `bilinear` or `cubic` for
/// continuous values. Coarsening (target cells larger than source cells, see
/// `GDALAlgorithms.sourceCellSize`): `average` for continuous values, `mode` for classes;
/// `min`, `max` and `median` keep extremes or resist outliers. These five use every source
/// cell under the target cell and ignore nodata ones.
public enum Resampling: String, Sendable, CaseIterable {
    case nearest = "near"
    case bilinear
    case cubic
    case average
    case mode
    case min
    case max
    case median = "med"
}
