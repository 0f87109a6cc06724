import Foundation

/// The probabilities of a map's cells as a histogram of their logits, for calibration in the
/// large: the shift δ of every cell's logit that makes the probabilities sum to a given count.
///
/// Calibration in the large (Cox 1958; Steyerberg 2019, "Clinical prediction models", ch. 15)
/// fits only an intercept: `Σ_cells sigmoid(logit p + δ) = deposits`. Storing every cell's logit
/// would take memory in proportion to the area, so the logits go into bins 1/32 wide over
/// [−40, 40] (clamped there; a probability within 4e-18 of 0 or 1 changes no sum), each bin
/// keeping its count and the sum of its logits. A bin's cells are taken at their mean logit:
/// the first-order errors cancel and, since `|σ''| ≤ σ` and a bin's logits vary by at most
/// (1/64)², the sum is off by at most about 1.3e-4 of itself.
public struct LogitHistogram: Sendable, Equatable {
    public static let limit = 40.0
    public static let binsPerUnit = 32.0
    public private(set) var counts: [Int]
    public private(set) var sums: [Double]

    public init() {
        let bins = Int(2 * Self.limit * Self.binsPerUnit) + 1
        counts = [Int](repeating: 0, count: bins)
        sums = [Double](repeating: 0, count: bins)
    }

    /// Cells counted.
    public var cellCount: Int { counts.reduce(0, +) }

    /// Counts one cell's probability (in [0, 1]; anything else is a programmer error).
    public mutating func add(probability p: Double) {
        precondition(p >= 0 && p <= 1, "a probability")
        let logit = min(Self.limit, max(-Self.limit, Foundation.log(p) - Foundation.log1p(-p)))
        let bin = Int(((logit + Self.limit) * Self.binsPerUnit).rounded())
        counts[bin] += 1
        sums[bin] += logit
    }

    /// Adds another histogram's counts.
    public mutating func merge(_ other: LogitHistogram) {
        for i in counts.indices {
            counts[i] += other.counts[i]
            sums[i] += other.sums[i]
        }
    }

    /// `Σ_cells sigmoid(logit + offset)`: the cells' probabilities summed after a shift of
    /// every logit by `offset`.
    public func expected(offset: Double = 0) -> Double {
        var total = 0.0
        for i in counts.indices where counts[i] > 0 {
            let mean = sums[i] / Double(counts[i])
            total += Double(counts[i]) / (1 + Foundation.exp(-(mean + offset)))
        }
        return total
    }

    /// The shift δ with `expected(offset: δ) = target`, found by bisection (the sum increases
    /// with δ); nil when no cell is counted or `target` is not strictly between 0 and the
    /// cells counted.
    public func offset(target: Double) -> Double? {
        let n = Double(cellCount)
        guard n > 0, target > 0, target < n else { return nil }
        var lo = -4 * Self.limit
        var hi = 4 * Self.limit
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if expected(offset: mid) < target { lo = mid } else { hi = mid }
            if hi - lo < 1e-12 { break }
        }
        return (lo + hi) / 2
    }
}
