/// How one evidence layer adds to a cell's logit.
///
/// Weights of evidence and logistic regression both score a cell as
/// `logit = intercept + Σ term_k(x_k)` and `p = 1 / (1 + exp(-logit))`
/// (Bonham-Carter 1994, ch. 9: the posterior log-odds is the prior log-odds plus the weights;
/// logistic regression: the linear predictor). One kernel therefore scores both.
public enum LayerTerm: Equatable, Sendable, Codable {
    /// `coefficient * (x - center)`. Logistic regression on a continuous layer.
    case linear(coefficient: Float, center: Float)
    /// `x >= threshold ? above : below`. A continuous layer made binary
    /// (weights of evidence: W+ on the favourable side, W− on the other).
    case step(threshold: Float, above: Float, below: Float)
    /// A value per class code; codes not in the table add `otherwise`.
    /// Categorical layers (weights of evidence class weights, logistic dummy coefficients).
    case lookup(codes: [Int32], values: [Float], otherwise: Float)

    /// The term's value for one valid cell value.
    @inlinable
    public func contribution(_ x: Float) -> Float {
        switch self {
        case .linear(let coefficient, let center):
            return coefficient * (x - center)
        case .step(let threshold, let above, let below):
            return x >= threshold ? above : below
        case .lookup(let codes, let values, let otherwise):
            if let i = codes.firstIndex(of: Self.code(of: x)) { return values[i] }
            return otherwise
        }
    }

    /// The class code of a categorical value: the nearest whole number (halves away from zero),
    /// `Int32.min` when that is no Int32 (a Float of 2^31 or more, as `Float(Int32.max)` is).
    @inlinable
    public static func code(of x: Float) -> Int32 { Int32(exactly: x.rounded()) ?? Int32.min }
}

/// A scoring model over `terms.count` evidence layers: `p = sigmoid(intercept + Σ terms[k](x_k))`.
///
/// A cell is scored only when every layer holds a valid value there: a finite value (not NaN,
/// not ±Inf) not equal to that layer's nodata value. Otherwise the output cell is nodata. With
/// `missing == .unknown` a missing layer adds 0 instead, and only a cell missing in every
/// layer is nodata (`MissingDataRule`).
public struct AdditiveModel: Equatable, Sendable, Codable {
    public var intercept: Float
    public var terms: [LayerTerm]
    /// Per-layer nodata values (NaN means "NaN only").
    public var nodata: [Float]
    /// The missing-data rule; nil (absent from the file) means `.nodata`.
    public var missing: MissingDataRule?

    public init(intercept: Float, terms: [LayerTerm], nodata: [Float]? = nil) {
        self.intercept = intercept
        self.terms = terms
        self.nodata = nodata ?? Array(repeating: .nan, count: terms.count)
        precondition(self.nodata.count == terms.count, "one nodata value per layer")
    }

    public var layerCount: Int { terms.count }

    /// True when `x` is a valid value of layer `k`: finite and not the layer's nodata value.
    @inlinable
    public func isValid(_ x: Float, layer k: Int) -> Bool {
        x.isFinite && x != nodata[k]
    }
}
