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

/// `ThresholdBins.bin` without a search: a table of equal-width buckets over [t₀, t_{m−1}]
/// that says, for each bucket, which thresholds it holds.
///
/// The bucket of x is `f(x) = Int((x − t₀) · scale)`, clamped, computed in Float. Rounding
/// keeps f non-decreasing, so a threshold in a lower bucket than x is below x and one in a
/// higher bucket is above it, exactly, whatever the rounding: only the thresholds sharing x's
/// bucket (`start[f(x)] ..< start[f(x) + 1]`) need comparing. The buckets are made 4, 8, 16 or
/// 32 times as many as the thresholds until none holds more than four; each bucket's thresholds
/// are then stored padded with +Inf to four (`padded`), and x is binned by four comparisons and
/// no branch that depends on it. When thresholds crowd closer than that (or there are fewer
/// than two), a bucket's thresholds are searched by bisection. Measured with perf on weights of
/// evidence over 8 layers of 8192² cells with 1101 thresholds each (one thread): the bisection
/// took 78 % of the training's time, 37 ns a value; a loop over each bucket's thresholds, whose
/// length mispredicts, 13 ns; the padded buckets 8 ns, waiting on the random reads of the
/// tables (about 100 KB with the counts, in L2).
struct ThresholdIndex: Sendable {
    let thresholds: [Float]
    let low: Float
    let high: Float
    let scale: Float
    let buckets: Int
    /// `start[b]`: the first threshold whose bucket is at least b; `start[buckets] = m`.
    let start: [Int32]
    /// Bucket b's thresholds at `padded[4b ..< 4b + 4]`, then +Inf; empty when a bucket holds
    /// more than four.
    let padded: [Float]

    /// - Parameter thresholds: sorted, distinct, not NaN.
    init(_ thresholds: [Float]) {
        self.thresholds = thresholds
        let m = thresholds.count
        low = thresholds.first ?? 0
        high = thresholds.last ?? 0
        let span = high - low
        var chosen = (buckets: 1, scale: Float(0), start: [0, Int32(m)], most: m)
        if m >= 2, span.isFinite, span > 0 {
            for factor in [4, 8, 16, 32] {
                let b = min(max(64, factor * m), 1 << 20)
                let s = Float(b) / span
                guard s.isFinite, s > 0 else { break }
                var start = [Int32](repeating: Int32(m), count: b + 1)
                var j = 0
                var most = 0
                for bucket in 0..<b {
                    while j < m, Self.bucket(thresholds[j], low: low, scale: s, buckets: b) < bucket { j += 1 }
                    start[bucket] = Int32(j)
                    if bucket > 0 { most = max(most, Int(start[bucket] - start[bucket - 1])) }
                }
                most = max(most, m - Int(start[b - 1]))
                chosen = (b, s, start, most)
                if most <= 4 || b == 1 << 20 { break }
            }
        }
        buckets = chosen.buckets
        scale = chosen.scale
        start = chosen.start
        var padded: [Float] = []
        if chosen.most <= 4 && m > 0 {
            padded = [Float](repeating: .infinity, count: 4 * buckets)
            for b in 0..<buckets {
                for (i, j) in (Int(start[b])..<Int(start[b + 1])).enumerated() { padded[4 * b + i] = thresholds[j] }
            }
        }
        self.padded = padded
    }

    @inline(__always)
    static func bucket(_ x: Float, low: Float, scale: Float, buckets: Int) -> Int {
        let f = (x - low) * scale
        return f < Float(buckets) ? max(0, Int(f)) : buckets - 1
    }

    /// The bin of `x` (finite) among the thresholds, as `ThresholdBins.bin` gives it; `t`,
    /// `start` and `padded` are this index's arrays.
    @inline(__always)
    func bin(
        of x: Float, in t: UnsafeBufferPointer<Float>, start: UnsafeBufferPointer<Int32>, padded: UnsafeBufferPointer<Float>
    ) -> Int {
        let m = t.count
        if m == 0 || x < low { return 0 }
        if x > high { return 2 * m }
        // Here t₀ ≤ x ≤ t_{m−1}, so the lower bound is below m.
        let b = Self.bucket(x, low: low, scale: scale, buckets: buckets)
        var lower = Int(start[b])
        if !padded.isEmpty {
            let q = padded.baseAddress! + 4 &* b
            lower &+= (q[0] < x ? 1 : 0) &+ (q[1] < x ? 1 : 0) &+ (q[2] < x ? 1 : 0) &+ (q[3] < x ? 1 : 0)
        } else {
            var count = Int(start[b + 1]) - lower
            var base = lower
            while count > 1 {
                let half = count >> 1
                base = t[base &+ half] < x ? base &+ half : base
                count &-= half
            }
            lower = count > 0 && t[base] < x ? base &+ 1 : base
        }
        return 2 &* lower &+ (t[lower] == x ? 1 : 0)
    }
}
