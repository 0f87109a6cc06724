/// What a weights-of-evidence model keeps to map the posterior probability's standard
/// deviation and confidence next to the posterior.
///
/// The variance of the posterior probability P due to the weights is
/// `s²(P) = P² · (1/N(D) + Σ_k s²(W_k))`, where `W_k` is the weight layer k adds on the cell
/// (Bonham-Carter 1994, p. 319, after Bishop, Fienberg & Holland: the prior's variance
/// 1/N(D) plus the variances of the weights; ArcSDM "Calculate Response", eis_toolkit
/// `weights_of_evidence_calculate_responses`). The sum in parentheses is itself an additive
/// model over the layers, stored here in the same form as the model's terms.
public struct WofEVariance: Codable, Sendable, Equatable {
    /// 1/N(D): the variance of the prior logit.
    public var priorVariance: Float
    /// Per layer, s²(W) of the weight the model adds on each cell value: a step where the
    /// model has a step (s²(W+) and s²(W−)), a lookup where it has a lookup.
    public var terms: [LayerTerm]
    /// Under `MissingDataRule.unknown`, per layer, its classes' weights and area fractions for
    /// the missing-data variance term (`WofEMissingClasses`); nil otherwise.
    public var missingClasses: [WofEMissingClasses]?

    public init(priorVariance: Float, terms: [LayerTerm], missingClasses: [WofEMissingClasses]? = nil) {
        self.priorVariance = priorVariance
        self.terms = terms
        self.missingClasses = missingClasses
    }

    /// The variance sum `1/N(D) + Σ s²(W_k)` as an additive model (its "intercept" is the
    /// prior's variance), with the given nodata values.
    public func model(nodata: [Float]) -> AdditiveModel {
        AdditiveModel(intercept: priorVariance, terms: terms, nodata: nodata)
    }
}
