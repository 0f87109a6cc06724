/// One evidence layer's weights of evidence as the model uses them: the table rows, the term
/// added to the logit and the matching variance term.
public struct WofELayerWeights: Sendable, Equatable {
    /// Every class (or cumulative class) of the layer, with the selected ones marked and the
    /// generalized weights filled in where the layer has classes.
    public var rows: [WofEClassRow]
    /// What the layer adds to the logit: the generalized weight of the cell's class.
    public var term: LayerTerm
    /// The variance of that weight, s²(W), on the same cell values (Bonham-Carter 1994, p. 319:
    /// the variance of the posterior logit is 1/N(D) plus the sum of the weights' variances).
    public var variance: LayerTerm

    public init(rows: [WofEClassRow], term: LayerTerm, variance: LayerTerm) {
        self.rows = rows
        self.term = term
        self.variance = variance
    }

    /// The generalized class of a valid cell value: for a binary layer 2 inside the favourable
    /// pattern (where W+ applies) and 1 outside; for a class layer the class's generalized
    /// class (its code, or its group), and 0 for a code not seen in training.
    public func generalizedClass(of x: Float) -> Int {
        switch term {
        case .step(let threshold, _, _):
            let pattern = rows.first { $0.selected }
            let above = x >= threshold
            // Descending patterns are x >= t (above); ascending ones x <= t (below the step).
            return (pattern?.direction == "ascending") ? (above ? 1 : 2) : (above ? 2 : 1)
        case .lookup:
            let code = Int32(exactly: x.rounded()) ?? Int32.min
            return rows.first { $0.code == code }?.generalizedClass ?? 0
        case .linear:
            return 0
        }
    }
}

/// How the classes of a cumulative layer are generalized to a binary pattern.
public enum WofEGeneralization: Sendable, Equatable {
    /// The cumulative class with the largest studentized contrast (ties: the first in table
    /// order), among classes with defined weights that leave area on both sides.
    case maxStudentizedContrast
    /// The pattern `x <= value` (ascending) or `x >= value` (descending), as the user chose.
    case threshold(Float)
}

/// A layer that cannot be generalized as asked.
public struct WofEGeneralizationError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension WofELayerWeights {
    /// A binary layer made from a pattern's weights: `term` adds W+ inside the pattern and W−
    /// outside it, `variance` s²(W+) and s²(W−).
    ///
    /// - Parameters:
    ///   - weights: the pattern's weights.
    ///   - ascending: true for the pattern `x <= threshold`, false for `x >= threshold`.
    static func binaryTerms(_ w: WofEWeights, threshold t: Float, ascending: Bool) -> (term: LayerTerm, variance: LayerTerm) {
        let vPlus = Float(w.sWPlus * w.sWPlus)
        let vMinus = Float(w.sWMinus * w.sWMinus)
        if ascending {
            // x <= t is !(x >= t.nextUp).
            return (
                .step(threshold: t.nextUp, above: Float(w.wMinus), below: Float(w.wPlus)),
                .step(threshold: t.nextUp, above: vMinus, below: vPlus)
            )
        }
        return (
            .step(threshold: t, above: Float(w.wPlus), below: Float(w.wMinus)),
            .step(threshold: t, above: vPlus, below: vMinus)
        )
    }
}
