/// Histogram bins of each layer, from the training sample (as LightGBM and XGBoost's `hist`
/// method bin their features).
///
/// A layer with at most `maxBins` distinct values gets one bin per value (so a categorical
/// layer gets one bin per class code); otherwise the bin edges are `maxBins − 1` quantiles of
/// its values, duplicates dropped. Bin `b` of a value `x` is the number of edges below it, so
/// `x ≤ edges[j] ⟺ bin(x) ≤ j`: a split "bin ≤ j" is the threshold split `x ≤ edges[j]`
/// on the raw value, exactly, with edges taken from the data.
public struct FeatureBins: Sendable, Equatable {
    /// Per layer, ascending edges (at most `maxBins − 1`, each a value of the sample).
    public var edges: [[Float]]

    /// - Parameters:
    ///   - columns: one array of valid values per layer.
    ///   - maxBins: at most 255, so a bin fits a byte.
    public init(columns: [[Float]], maxBins: Int = 255) {
        precondition(maxBins >= 2 && maxBins <= 255, "2 to 255 bins")
        edges = columns.map { values in
            let sorted = values.sorted()
            var distinct: [Float] = []
            for v in sorted where distinct.last != v { distinct.append(v) }
            guard distinct.count > 1 else { return [] }
            if distinct.count <= maxBins { return Array(distinct.dropLast()) }
            var out: [Float] = []
            for q in 1..<maxBins {
                let v = sorted[q * sorted.count / maxBins]
                if v < distinct.last!, out.last.map({ $0 < v }) ?? true { out.append(v) }
            }
            return out
        }
    }

    /// Bins of layer `k`'s edges plus one.
    public func binCount(_ k: Int) -> Int { edges[k].count + 1 }

    /// The bin of `x` on layer `k`: how many edges are below `x`.
    public func bin(_ x: Float, layer k: Int) -> UInt8 {
        let e = edges[k]
        var lo = 0
        var hi = e.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if e[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return UInt8(lo)
    }

    /// Every column binned.
    public func binned(_ columns: [[Float]]) -> [[UInt8]] {
        columns.enumerated().map { k, values in values.map { bin($0, layer: k) } }
    }
}
