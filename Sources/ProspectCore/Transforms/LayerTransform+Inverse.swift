import Foundation

/// A transformed value taken back to the layer's own units, for reports that quote a
/// threshold the model learned on transformed values (a weights-of-evidence pattern's cut).
public struct RawThreshold: Sendable, Equatable {
    /// The raw value `x` with `transform(x)` equal to the transformed threshold.
    public var value: Double
    /// True when the chain increases with x (a relation on transformed values holds the same
    /// way round on raw ones), false when it decreases (the relation turns round).
    public var increasing: Bool

    public init(value: Double, increasing: Bool) {
        self.value = value
        self.increasing = increasing
    }
}

extension LayerTransform {
    /// The raw value `x` with `transform(x) == y`, and whether the step increases there; nil
    /// where the step is not strictly monotone (a reclassification, a Gaussian or near
    /// membership, a clip or a membership at its bounds, a constant map), so no single raw
    /// value answers.
    public func inverse(_ y: Double) -> RawThreshold? {
        guard y.isFinite, !needsStatistics else { return nil }
        switch self {
        case .minMax(let a?, let b?), .fuzzyLinear(let a?, let b?):
            if case .fuzzyLinear = self, !(y > 0 && y < 1) { return nil }
            guard a != b else { return nil }
            return RawThreshold(value: a + y * (b - a), increasing: b > a)
        case .zScore(let mean?, let std?):
            guard std > 0 else { return nil }
            return RawThreshold(value: mean + y * std, increasing: true)
        case .log(let offset):
            return RawThreshold(value: Foundation.exp(y) - offset, increasing: true)
        case .clip(let lower, let upper):
            if let lower, y <= lower { return nil }
            if let upper, y >= upper { return nil }
            return RawThreshold(value: y, increasing: true)
        case .fuzzyPower(let a?, let b?, let e):
            guard a != b, y > 0, y < 1 else { return nil }
            return RawThreshold(value: a + Foundation.pow(y, 1 / e) * (b - a), increasing: b > a)
        case .fuzzySmall(let m?, let s):
            // μ = 1 / (1 + (x/m)^s): (x/m)^s = 1/μ − 1, falling in x for a positive midpoint.
            guard m != 0, y > 0, y < 1 else { return nil }
            return RawThreshold(value: m * Foundation.pow(1 / y - 1, 1 / s), increasing: m < 0)
        case .fuzzyLarge(let m?, let s):
            guard m != 0, y > 0, y < 1 else { return nil }
            return RawThreshold(value: m * Foundation.pow(1 / y - 1, -1 / s), increasing: m > 0)
        default:
            return nil
        }
    }
}

extension Array where Element == LayerTransform {
    /// `y` taken back through the whole chain (last step first); nil when any step has no
    /// single inverse there, or the raw value is not finite.
    public func inverse(_ y: Double) -> RawThreshold? {
        var value = y
        var increasing = true
        for step in reversed() {
            guard let r = step.inverse(value) else { return nil }
            value = r.value
            if !r.increasing { increasing.toggle() }
        }
        return value.isFinite ? RawThreshold(value: value, increasing: increasing) : nil
    }
}
