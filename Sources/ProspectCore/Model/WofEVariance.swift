import Foundation

/// What a weights-of-evidence model keeps to map the posterior probability's standard
/// deviation and confidence next to the posterior.
///
/// The posterior logit is `L = prior logit + Σ_k W_k`; its variance is
/// `s²(L) = 1/N(D) + Σ_k s²(W_k)`, where `W_k` is the weight layer k adds on the cell
/// (Bonham-Carter 1994, p. 319, after Bishop, Fienberg & Holland: the prior logit's variance
/// 1/N(D) plus the variances of the weights). The sum is itself an additive model over the
/// layers, stored here in the same form as the model's terms.
///
/// The posterior `P = 1/(1 + e^−L)` then has, to first order (the delta method, `dP/dL =
/// P(1 − P)`), `s(P) = P (1 − P) s(L)` (`posteriorStd`). ArcSDM's "Calculate Response" and
/// eis_toolkit's `weights_of_evidence_calculate_responses` write `P · s(L)`, which is the
/// standard deviation of the posterior odds `O = e^L` with the odds read as the probability:
/// equal to within the factor 1 − P where P is small, as per-unit-cell probabilities usually
/// are, but near P = 1 it is the logit's standard deviation itself, and exceeds 1 wherever
/// `s(L) > 1/P` (1.58 was seen on real data). The delta-method form is a probability's
/// standard deviation everywhere; confidence is `P / s(P) = 1 / ((1 − P) s(L))`.
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

    /// The posterior's standard deviation, `sqrt((P (1 − P))² s²(L) + missing)`, in double
    /// precision: `1 − P` is computed as `1/(1 + e^L)`, exact where P rounds to 1.
    /// - Parameters:
    ///   - logit: the posterior logit L.
    ///   - logitVariance: s²(L), `1/N(D)` plus the weights' variances of the layers with data.
    ///   - missingVariance: the missing-data variance of the layers without (Agterberg &
    ///     Bonham-Carter; `WofEMissingClasses.variance`), already in probability units.
    /// - Returns: P, 1 − P and s(P).
    @inlinable
    public static func posteriorStd(logit: Double, logitVariance: Double, missingVariance: Double = 0)
        -> (posterior: Double, complement: Double, std: Double)
    {
        let p = 1 / (1 + Foundation.exp(-logit))
        let q = 1 / (1 + Foundation.exp(logit))
        let d = p * q
        return (p, q, (d * d * logitVariance + missingVariance).squareRoot())
    }
}
