import Foundation

/// A fuzzy overlay: how the fuzzy memberships of evidence layers combine into one membership.
///
/// The operators are those of Bonham-Carter (1994, ch. 9, "Fuzzy logic method") and ArcGIS
/// Pro's Fuzzy Overlay tool (Spatial Analyst), for memberships μ₁ … μₙ in [0, 1]:
///
/// | operator | value |
/// |---|---|
/// | `and` | min μᵢ |
/// | `or` | max μᵢ |
/// | `product` | Π μᵢ (algebraic product) |
/// | `sum` | 1 − Π (1 − μᵢ) (algebraic sum) |
/// | `gamma(γ)` | sum^γ · product^(1 − γ), 0 ≤ γ ≤ 1 |
///
/// Operators nest (Bonham-Carter's inference networks): `gamma(0.9, and(a, b), or(c, d))`
/// combines the AND of two layers and the OR of two others. The text form is described in
/// `init(parsing:layers:)`; `text(layers:)` prints it back.
public indirect enum FuzzyExpression: Sendable, Equatable {
    /// The membership of model layer `k` (0-based).
    case layer(Int)
    case and([FuzzyExpression])
    case or([FuzzyExpression])
    case product([FuzzyExpression])
    case sum([FuzzyExpression])
    /// `sum^γ · product^(1 − γ)` over the operands; γ = 1 is `sum`, γ = 0 is `product`.
    case gamma(Double, [FuzzyExpression])

    /// The operands of an operator; empty for a layer.
    public var operands: [FuzzyExpression] {
        switch self {
        case .layer: []
        case .and(let a), .or(let a), .product(let a), .sum(let a), .gamma(_, let a): a
        }
    }

    /// Every layer the expression reads, in first-use order, each once.
    public var layers: [Int] {
        var seen: [Int] = []
        func walk(_ e: FuzzyExpression) {
            if case .layer(let k) = e { if !seen.contains(k) { seen.append(k) } } else { e.operands.forEach(walk) }
        }
        walk(self)
        return seen
    }

    /// The operator's value for operand memberships `v` (the definition, in double precision).
    ///
    /// `Foundation.pow` takes 0⁰ = 1, so gamma 1 is exactly `sum` and gamma 0 exactly `product`
    /// even where the other factor is 0.
    public func combine(_ v: [Double]) -> Double {
        switch self {
        case .layer(let k):
            preconditionFailure("layer \(k) is not an operator")
        case .and: return v.min()!
        case .or: return v.max()!
        case .product: return v.reduce(1, *)
        case .sum: return 1 - v.reduce(1) { $0 * (1 - $1) }
        case .gamma(let g, _):
            let sum = 1 - v.reduce(1) { $0 * (1 - $1) }
            let product = v.reduce(1, *)
            return Foundation.pow(sum, g) * Foundation.pow(product, 1 - g)
        }
    }

    /// The expression's value for the layers' memberships (indexed by layer).
    public func evaluate(_ memberships: [Double]) -> Double {
        if case .layer(let k) = self { return memberships[k] }
        return combine(operands.map { $0.evaluate(memberships) })
    }
}
