import Foundation

/// One step of the transform chain applied to an evidence layer before its model term.
///
/// A parameter given as `nil` is taken from the data when the model is trained (see
/// `needsStatistics` and `resolved(with:)`); a saved model holds only resolved chains. The one
/// exception is `clip`, whose `nil` bound means "no bound on that side".
///
/// **Missing-value rule.** A cell is missing (NaN) after a step when its input is NaN, equals
/// the layer's nodata value, or is infinite, and when the step's result is undefined or not
/// finite (the logarithm of a number ≤ 0, an overflow). Missing cells stay missing through the
/// rest of the chain; the scoring engine treats NaN as nodata.
///
/// The fuzzy membership functions are those of ArcGIS Pro's Fuzzy Membership tool
/// (Spatial Analyst, `FuzzyLinear`, `FuzzySmall`, `FuzzyLarge`, `FuzzyGaussian`, `FuzzyNear`),
/// with its defaults: spread 5 for Small and Large, 0.1 for Gaussian and Near, and a midpoint
/// taken from the data as the middle of its range, (min + max) / 2. Their outputs lie in [0, 1].
/// ArcGIS has no power membership; `fuzzyPower` follows QGIS's "Fuzzify raster (power
/// membership)" algorithm (`native:fuzzifyrasterpowermembership`), which the EIS QGIS plugin
/// uses for its power membership.
///
/// The text form, `kind[:key=value,…]`, is described in `init(parsing:)`.
public enum LayerTransform: Sendable, Equatable {
    /// (x − min) / (max − min); 0 everywhere when max == min. Data min and max by default.
    case minMax(min: Double?, max: Double?)
    /// (x − mean) / std; 0 everywhere when std == 0. Data mean and population SD by default.
    case zScore(mean: Double?, std: Double?)
    /// ln(x + offset); missing where x + offset ≤ 0.
    case log(offset: Double)
    /// Clamps to [lower, upper]; a `nil` bound is no bound (not taken from the data).
    case clip(lower: Double?, upper: Double?)
    /// Class values by ascending breaks b₀ < b₁ < … < bₙ₋₁.
    ///
    /// The class index i is the number of breaks ≤ x: x < b₀ is class 0, b₀ ≤ x < b₁ class 1,
    /// …, x ≥ bₙ₋₁ class n. The output is `values[i]` (n + 1 values) or, without values, i + 1
    /// (classes numbered 1…n + 1).
    case reclassify(breaks: [Double], values: [Double]?)
    /// 0 at or below `min`, 1 at or above `max`, linear between: clamp((x − min) / (max − min), 0, 1).
    ///
    /// `min > max` gives a decreasing membership (ArcGIS "negative slope"). When min == max the
    /// membership is a step: 1 where x ≥ max, else 0. Data min and max by default.
    case fuzzyLinear(min: Double?, max: Double?)
    /// μ = 1 / (1 + (x / midpoint)^spread): small values are members. Default spread 5.
    ///
    /// Where x / midpoint ≤ 0 the power is undefined (ArcGIS refuses negative inputs); the
    /// membership takes its limit as x / midpoint → 0⁺, which is 1. For a positive midpoint that
    /// is every x ≤ 0.
    case fuzzySmall(midpoint: Double?, spread: Double)
    /// μ = 1 / (1 + (x / midpoint)^−spread): large values are members. Default spread 5.
    ///
    /// Where x / midpoint ≤ 0 the membership takes its limit as x / midpoint → 0⁺, which is 0.
    /// For a positive midpoint that is every x ≤ 0.
    case fuzzyLarge(midpoint: Double?, spread: Double)
    /// μ = exp(−spread · (x − midpoint)²): members near the midpoint. Default spread 0.1.
    case fuzzyGaussian(midpoint: Double?, spread: Double)
    /// μ = 1 / (1 + spread · (x − midpoint)²): members near the midpoint. Default spread 0.1.
    case fuzzyNear(midpoint: Double?, spread: Double)
    /// μ = clamp((x − min) / (max − min), 0, 1)^exponent. Default exponent 2.
    ///
    /// ArcGIS Pro has no power membership. This is QGIS's "Fuzzify raster (power membership)"
    /// (`qgsalgorithmfuzzifyraster.cpp`: 0 at the low bound, 1 at the high bound, the power of
    /// the linear ramp between, decreasing when the low bound is above the high one, default
    /// exponent 2). When min == max the membership is a step: 1 where x ≥ max, else 0. Data min
    /// and max by default.
    case fuzzyPower(min: Double?, max: Double?, exponent: Double)

    public static let defaultSmallLargeSpread = 5.0
    public static let defaultGaussianNearSpread = 0.1
    public static let defaultPowerExponent = 2.0
}

// MARK: - Resolution

extension LayerTransform {
    /// Whether some parameter is still to be taken from the data.
    public var needsStatistics: Bool {
        switch self {
        case .minMax(let a, let b), .fuzzyLinear(let a, let b), .fuzzyPower(let a, let b, _): a == nil || b == nil
        case .zScore(let mean, let std): mean == nil || std == nil
        case .log, .clip, .reclassify: false
        case .fuzzySmall(let m, _), .fuzzyLarge(let m, _), .fuzzyGaussian(let m, _), .fuzzyNear(let m, _): m == nil
        }
    }

    /// This transform with every `nil` data-dependent parameter filled from `stats`; given
    /// parameters are kept.
    ///
    /// Min and max come from the data range, mean and std from the mean and population standard
    /// deviation, and a fuzzy midpoint from the middle of the range, (min + max) / 2 (ArcGIS
    /// Fuzzy Membership's default). In a chain, resolve each step with statistics of the
    /// previous step's output (`TransformKernel.fit` does this).
    public func resolved(with stats: LayerStatistics) -> LayerTransform {
        let mid = (stats.min + stats.max) / 2
        switch self {
        case .minMax(let a, let b): return .minMax(min: a ?? stats.min, max: b ?? stats.max)
        case .zScore(let mean, let std): return .zScore(mean: mean ?? stats.mean, std: std ?? stats.std)
        case .log, .clip, .reclassify: return self
        case .fuzzyLinear(let a, let b): return .fuzzyLinear(min: a ?? stats.min, max: b ?? stats.max)
        case .fuzzyPower(let a, let b, let e): return .fuzzyPower(min: a ?? stats.min, max: b ?? stats.max, exponent: e)
        case .fuzzySmall(let m, let s): return .fuzzySmall(midpoint: m ?? mid, spread: s)
        case .fuzzyLarge(let m, let s): return .fuzzyLarge(midpoint: m ?? mid, spread: s)
        case .fuzzyGaussian(let m, let s): return .fuzzyGaussian(midpoint: m ?? mid, spread: s)
        case .fuzzyNear(let m, let s): return .fuzzyNear(midpoint: m ?? mid, spread: s)
        }
    }
}

// MARK: - Validation and the scalar definition

extension LayerTransform {
    /// What is wrong with the parameters, or `nil` when they are usable.
    ///
    /// Parameters must be finite; breaks non-empty and strictly ascending, with one more value
    /// than breaks; spreads and exponents positive; std not negative; clip bounds in order.
    public var validationProblem: String? {
        func finite(_ name: String, _ v: Double?) -> String? {
            guard let v, !v.isFinite else { return nil }
            return "\(name) must be a finite number"
        }
        switch self {
        case .minMax(let a, let b), .fuzzyLinear(let a, let b):
            return finite("min", a) ?? finite("max", b)
        case .fuzzyPower(let a, let b, let e):
            if let p = finite("min", a) ?? finite("max", b) ?? finite("exponent", e) { return p }
            return e > 0 ? nil : "exponent must be > 0"
        case .zScore(let mean, let std):
            if let p = finite("mean", mean) ?? finite("std", std) { return p }
            if let std, std < 0 { return "std must be ≥ 0" }
            return nil
        case .log(let offset):
            return finite("offset", offset)
        case .clip(let lower, let upper):
            if let p = finite("lower", lower) ?? finite("upper", upper) { return p }
            if let lower, let upper, lower > upper { return "lower bound \(lower) is above upper bound \(upper)" }
            return nil
        case .reclassify(let breaks, let values):
            guard !breaks.isEmpty else { return "breaks must not be empty" }
            if breaks.contains(where: { !$0.isFinite }) { return "breaks must be finite numbers" }
            for k in 1..<breaks.count where !(breaks[k - 1] < breaks[k]) {
                return "breaks must be strictly ascending (\(breaks[k - 1]) then \(breaks[k]))"
            }
            if let values {
                if values.count != breaks.count + 1 {
                    return "\(breaks.count) breaks need \(breaks.count + 1) values, got \(values.count)"
                }
                if values.contains(where: { !$0.isFinite }) { return "values must be finite numbers" }
            }
            return nil
        case .fuzzySmall(let m, let s), .fuzzyLarge(let m, let s), .fuzzyGaussian(let m, let s), .fuzzyNear(let m, let s):
            if let p = finite("midpoint", m) ?? finite("spread", s) { return p }
            return s > 0 ? nil : "spread must be > 0"
        }
    }

    /// The transform of one value, in double precision: the definition the kernels follow.
    ///
    /// NaN and infinite inputs give NaN, as does an undefined or non-finite result.
    /// - Precondition: the transform is resolved (`needsStatistics` is false).
    public func transform(_ x: Double) -> Double {
        precondition(!needsStatistics, "transform \(self) has parameters still to be taken from the data")
        guard x.isFinite else { return .nan }
        let y: Double
        switch self {
        case .minMax(let a?, let b?):
            y = b == a ? 0 : (x - a) / (b - a)
        case .zScore(let mean?, let std?):
            y = std == 0 ? 0 : (x - mean) / std
        case .log(let offset):
            let z = x + offset
            y = z > 0 ? Foundation.log(z) : .nan
        case .clip(let lower, let upper):
            var v = x
            if let lower, v < lower { v = lower }
            if let upper, v > upper { v = upper }
            y = v
        case .reclassify(let breaks, let values):
            var i = 0
            while i < breaks.count, breaks[i] <= x { i += 1 }
            y = values?[i] ?? Double(i + 1)
        case .fuzzyLinear(let a?, let b?):
            y = Self.ramp(x, a, b)
        case .fuzzyPower(let a?, let b?, let e):
            let t = Self.ramp(x, a, b)
            y = t == 0 ? 0 : Foundation.pow(t, e)
        case .fuzzySmall(let m?, let s):
            let t = x / m
            y = t.isNaN ? .nan : t <= 0 ? 1 : 1 / (1 + Foundation.pow(t, s))
        case .fuzzyLarge(let m?, let s):
            let t = x / m
            y = t.isNaN ? .nan : t <= 0 ? 0 : 1 / (1 + Foundation.pow(t, -s))
        case .fuzzyGaussian(let m?, let s):
            y = Foundation.exp(-s * (x - m) * (x - m))
        case .fuzzyNear(let m?, let s):
            y = 1 / (1 + s * (x - m) * (x - m))
        default:
            preconditionFailure("unreachable: unresolved transform \(self)")
        }
        return y.isFinite ? y : .nan
    }

    /// clamp((x − a) / (b − a), 0, 1), or the step x ≥ b when a == b.
    static func ramp(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if a == b { return x >= b ? 1 : 0 }
        let t = (x - a) / (b - a)
        return t < 0 ? 0 : t > 1 ? 1 : t
    }
}
