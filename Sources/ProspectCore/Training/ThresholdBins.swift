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

/// `ThresholdBins.bin` in about one comparison: a table of equal-width buckets over
/// [t₀, t_{m−1}] that says, for each bucket, which thresholds it holds.
///
/// The bucket of x is `f(x) = Int((x − t₀) · scale)`, clamped, computed in Float. Rounding
/// keeps f non-decreasing, so a threshold in a lower bucket than x is below x and one in a
/// higher bucket is above it, exactly, whatever the rounding: only the thresholds sharing x's
/// bucket (`start[f(x)] ..< start[f(x) + 1]`) need comparing. With 4m buckets and thresholds
/// drawn from the data (deposit values), a bucket holds 0–2 of them; a crowded bucket is
/// searched by bisection. Measured on 8 layers of 8192² cells with 1101 thresholds each:
/// `ContinuousTally` spent 78 % of a weights-of-evidence training in `ThresholdBins.bin`.
struct ThresholdIndex: Sendable {
    let thresholds: [Float]
    let low: Float
    let high: Float
    let scale: Float
    let buckets: Int
    /// `start[b]`: the first threshold whose bucket is at least b; `start[buckets] = m`.
    let start: [Int32]

    /// - Parameter thresholds: sorted, distinct, not NaN.
    init(_ thresholds: [Float]) {
        self.thresholds = thresholds
        let m = thresholds.count
        low = thresholds.first ?? 0
        high = thresholds.last ?? 0
        let span = high - low
        let b = min(max(64, 4 * m), 1 << 20)
        let s = Float(b) / span
        // One threshold, or a span that overflows: one bucket, searched by bisection.
        buckets = m >= 2 && span.isFinite && span > 0 && s.isFinite && s > 0 ? b : 1
        scale = buckets > 1 ? s : 0
        var start = [Int32](repeating: Int32(m), count: buckets + 1)
        var j = 0
        for bucket in 0..<buckets {
            while j < m, Self.bucket(thresholds[j], low: low, scale: scale, buckets: buckets) < bucket { j += 1 }
            start[bucket] = Int32(j)
        }
        self.start = start
    }

    @inline(__always)
    static func bucket(_ x: Float, low: Float, scale: Float, buckets: Int) -> Int {
        let f = (x - low) * scale
        return f < Float(buckets) ? max(0, Int(f)) : buckets - 1
    }

    /// The bin of `x` (finite) among the thresholds, as `ThresholdBins.bin` gives it.
    @inline(__always)
    func bin(of x: Float, in t: UnsafeBufferPointer<Float>, start: UnsafeBufferPointer<Int32>) -> Int {
        let m = t.count
        if m == 0 || x < low { return 0 }
        if x > high { return 2 * m }
        let b = Self.bucket(x, low: low, scale: scale, buckets: buckets)
        var lower = Int(start[b])
        let end = Int(start[b + 1])
        if end - lower <= 8 {
            var i = lower
            while i < end {
                lower &+= t[i] < x ? 1 : 0
                i &+= 1
            }
        } else {
            var count = end - lower
            var base = lower
            while count > 1 {
                let half = count >> 1
                base = t[base &+ half] < x ? base &+ half : base
                count &-= half
            }
            lower = t[base] < x ? base &+ 1 : base
        }
        return lower < m && t[lower] == x ? 2 &* lower &+ 1 : 2 &* lower
    }
}
