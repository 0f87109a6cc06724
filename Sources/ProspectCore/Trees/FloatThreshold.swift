/// Single-precision thresholds that decide exactly as the double-precision ones do.
///
/// Evidence values are `Float`; a tree's thresholds are `Double` (as LightGBM and XGBoost
/// write them). The engine compares in `Float`, so each threshold `t` becomes one `Float` `τ`
/// with `x > τ ⟺ the split sends x right`, for every `Float` x:
/// - `x ≤ t` goes left: `τ` is the largest `Float` ≤ `t`, since `Double(x) ≤ t ⟺ x ≤ τ`.
/// - `x < t` goes left: right is `x ≥ t ⟺ x ≥ s` for the smallest `Float` `s` ≥ `t`, that is
///   `x > s.nextDown`.
/// A NaN threshold sends every number right (both comparisons are false), so it becomes −∞.
public enum FloatThreshold {
    /// The `Float` `τ` such that a finite `Float` `x` goes right exactly when `x > τ`.
    public static func right(of threshold: Double, _ comparison: TreeEnsemble.Comparison) -> Float {
        guard !threshold.isNaN else { return -.infinity }
        switch comparison {
        case .lessOrEqual:
            return largestFloat(atMost: threshold)
        case .less:
            return smallestFloat(atLeast: threshold).nextDown
        }
    }

    /// The largest `Float` not above `t`.
    public static func largestFloat(atMost t: Double) -> Float {
        var f = Float(t)
        if Double(f) > t { f = f.nextDown }
        return f
    }

    /// The smallest `Float` not below `t`.
    public static func smallestFloat(atLeast t: Double) -> Float {
        var f = Float(t)
        if Double(f) < t { f = f.nextUp }
        return f
    }
}
