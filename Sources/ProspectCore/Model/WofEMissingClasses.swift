import Foundation

/// One layer's classes as the missing-data variance term needs them: each class's weight and
/// its share of the cells where the layer has data.
///
/// A binary layer has two classes (W+ on the pattern, W− on the rest), a class layer one per
/// class (its generalized weight).
public struct WofEMissingClasses: Codable, Sendable, Equatable {
    /// The weight W_c of each class.
    public var weights: [Double]
    /// area_c / area_j: each class's cells over the cells where the layer has data.
    public var fractions: [Double]

    public init(weights: [Double], fractions: [Double]) {
        precondition(weights.count == fractions.count, "one fraction per class")
        self.weights = weights
        self.fractions = fractions
    }

    /// The variance this layer adds to the posterior at a cell where it is missing.
    ///
    /// With P the posterior there (the layer adding weight 0) and O = P/(1 − P), each class
    /// would give P_c = O·e^{W_c}/(1 + O·e^{W_c}) = sigmoid(logit + W_c); the term is
    /// `Σ_c (P_c − P)² · area_c / area_j`, classes of weight exactly 0 left out
    /// (Agterberg & Bonham-Carter; ArcSDM `missingdatavar_func.py`).
    ///
    /// - Parameters:
    ///   - logit: the posterior logit at the cell.
    ///   - posterior: P = sigmoid(logit).
    public func variance(logit: Double, posterior p: Double) -> Double {
        var sum = 0.0
        for (w, f) in zip(weights, fractions) where w != 0 {
            let pc = 1 / (1 + Foundation.exp(-(logit + w)))
            sum += (pc - p) * (pc - p) * f
        }
        return sum
    }
}

extension WofEVariance {
    /// The missing-data variance at one cell: Σ over the layers `isMissing` names of their
    /// terms (0 for layers without recorded classes).
    @inlinable
    public func missingVariance(logit: Double, posterior: Double, isMissing: (Int) -> Bool) -> Double {
        guard let classes = missingClasses else { return 0 }
        var sum = 0.0
        for j in classes.indices where isMissing(j) { sum += classes[j].variance(logit: logit, posterior: posterior) }
        return sum
    }
}
