/// What a model does with a cell where a layer is missing (nodata or NaN).
///
/// `nodata` (the default, and what a model without the field means): the cell is nodata in
/// every output, in training and scoring alike. `unknown` (weights of evidence only, ArcSDM's
/// treatment of missing evidence): the missing layer adds nothing to the logit (weight 0), the
/// posterior's variance gains the missing-data term (`WofEVariance.missingClasses`), and the
/// cell is nodata only where every layer is missing (Agterberg & Bonham-Carter; ArcSDM
/// `missingdatavar_func.py`).
public enum MissingDataRule: String, Sendable, Codable, CaseIterable {
    case nodata
    case unknown
}

extension AdditiveModel {
    /// True when a missing layer adds 0 to the logit instead of making the cell nodata.
    @inlinable
    public var missingAsUnknown: Bool { missing == .unknown }
}
