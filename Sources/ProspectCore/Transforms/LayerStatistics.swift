import Foundation

/// Summary statistics of a layer's valid cells, from which transforms take their parameters.
public struct LayerStatistics: Sendable, Equatable, Codable {
    /// Valid cells counted.
    public var count: Int
    public var min: Double
    public var max: Double
    public var mean: Double
    /// Population standard deviation, √(Σ(x − mean)² / count).
    public var std: Double

    public init(count: Int, min: Double, max: Double, mean: Double, std: Double) {
        self.count = count
        self.min = min
        self.max = max
        self.mean = mean
        self.std = std
    }
}

/// A streaming, mergeable accumulator of `LayerStatistics`, in double precision.
///
/// Single values are added with Welford's update (Welford 1962); buffers in blocks of up to
/// `block` values, each summarized with the corrected two-pass algorithm and merged with the
/// pairwise formula of Chan, Golub & LeVeque (1983, "Algorithms for computing the sample
/// variance: analysis and recommendations"). Neither forms the difference of large sums, so
/// data far from zero (values near 10⁶ varying by 10⁻²) keep their variance. Accumulators of
/// disjoint parts of a raster merge to the statistics of the whole.
///
/// NaN, infinite values and the nodata value are skipped.
public struct StatisticsAccumulator: Sendable {
    /// Values summarized per block by `add(_:count:stride:nodata:)`.
    public static let block = 4096

    public private(set) var count = 0
    var mean = 0.0
    /// Σ(x − mean)².
    var m2 = 0.0
    var min = Double.infinity
    var max = -Double.infinity

    public init() {}

    /// The statistics so far, or `nil` when no valid value was added.
    public var statistics: LayerStatistics? {
        guard count > 0 else { return nil }
        return LayerStatistics(count: count, min: min, max: max, mean: mean, std: (m2 / Double(count)).squareRoot())
    }

    /// Adds one value; NaN and infinities are skipped.
    public mutating func add(_ v: Float) {
        guard v.isFinite else { return }
        let x = Double(v)
        count += 1
        let delta = x - mean
        mean += delta / Double(count)
        m2 += delta * (x - mean)
        if x < min { min = x }
        if x > max { max = x }
    }

    /// Adds the valid values of a buffer.
    public mutating func add(_ buffer: UnsafeBufferPointer<Float>, nodata: Float = .nan) {
        guard let base = buffer.baseAddress else { return }
        add(base, count: buffer.count, stride: 1, nodata: nodata)
    }

    /// Adds `count` values read `stride` elements apart from `base`, skipping NaN, infinities
    /// and `nodata`.
    public mutating func add(_ base: UnsafePointer<Float>, count n: Int, stride: Int = 1, nodata: Float = .nan) {
        precondition(n >= 0 && stride >= 1, "count must be ≥ 0 and stride ≥ 1")
        var start = 0
        while start < n {
            let end = Swift.min(n, start + Self.block)
            // Pass 1: count, sum, range of the valid values.
            var k = 0
            var sum = 0.0
            var lo = Double.infinity
            var hi = -Double.infinity
            for i in start..<end {
                let v = base[i * stride]
                guard v.isFinite, v != nodata else { continue }
                let x = Double(v)
                k += 1
                sum += x
                if x < lo { lo = x }
                if x > hi { hi = x }
            }
            if k > 0 {
                // Pass 2: squared deviations about the block mean, with the rounding correction
                // (Σ d)² / k of the corrected two-pass algorithm.
                let m = sum / Double(k)
                var ss = 0.0
                var sd = 0.0
                for i in start..<end {
                    let v = base[i * stride]
                    guard v.isFinite, v != nodata else { continue }
                    let d = Double(v) - m
                    ss += d * d
                    sd += d
                }
                var part = StatisticsAccumulator()
                part.count = k
                part.mean = m + sd / Double(k)
                part.m2 = Swift.max(0, ss - sd * sd / Double(k))
                part.min = lo
                part.max = hi
                merge(part)
            }
            start = end
        }
    }

    /// Adds everything another accumulator has seen (Chan, Golub & LeVeque 1983).
    public mutating func merge(_ other: StatisticsAccumulator) {
        guard other.count > 0 else { return }
        guard count > 0 else {
            self = other
            return
        }
        let n = count + other.count
        let delta = other.mean - mean
        let wb = Double(other.count) / Double(n)
        mean += delta * wb
        m2 += other.m2 + delta * delta * Double(count) * wb
        count = n
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
    }
}
