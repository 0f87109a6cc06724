/// Binning of values against sorted distinct thresholds t₀ < … < t_{m−1} into 2m + 1 bins:
/// bin 2j holds values strictly between t_{j−1} and t_j (below t₀ for j = 0, above t_{m−1} for
/// j = m), bin 2j + 1 values equal to t_j. Shared by `ContinuousTally` and `ROCAccumulator`.
enum ThresholdBins {
    /// The bin of `x` (not NaN). A branch-free lower-bound search (the conditional selects
    /// compile to conditional moves), which avoids the mispredicted branches of a textbook
    /// binary search on random data.
    @inline(__always)
    static func bin(of x: Float, in t: UnsafeBufferPointer<Float>) -> Int {
        var count = t.count
        guard count > 0 else { return 0 }
        var base = 0
        while count > 1 {
            let half = count >> 1
            base = t[base &+ half] < x ? base &+ half : base
            count &-= half
        }
        // base is the last index with t[base] < x, or 0.
        let lower = t[base] < x ? base &+ 1 : base
        return lower < t.count && t[lower] == x ? 2 &* lower &+ 1 : 2 &* lower
    }
}
