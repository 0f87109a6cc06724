/// A streaming, exact ROC and success-rate accumulator for a prospectivity map.
///
/// Positives are the deposit cells' scores; the background is every valid cell of the map,
/// deposit cells included (the success-rate convention of Agterberg & Bonham-Carter 2005,
/// "Measuring the performance of mineral-potential maps", and of ArcSDM's area–frequency
/// table). The distinct deposit scores s₀ < … < s_{m−1} split the score axis into 2m + 1 bins
/// (below s₀, equal to s₀, between s₀ and s₁, …, above s_{m−1}); each valid cell is binned by
/// binary search, so memory is O(m) and every count below is exact.
public struct ROCAccumulator: Sendable {
    /// The distinct deposit scores, ascending.
    public let depositValues: [Float]
    /// Deposits at each distinct score.
    public let depositsAt: [Int]
    /// Cell counts per bin (index 2j + 1: equal to `depositValues[j]`).
    public private(set) var bins: [Int]

    /// - Parameter depositScores: the map's score at each deposit; NaN scores (deposits on
    ///   nodata) are ignored.
    public init(depositScores: [Float]) {
        let sorted = depositScores.filter { !$0.isNaN }.sorted()
        var v: [Float] = []
        var d: [Int] = []
        for s in sorted {
            if let last = v.last, last == s {
                d[d.count - 1] += 1
            } else {
                v.append(s)
                d.append(1)
            }
        }
        depositValues = v
        depositsAt = d
        bins = Array(repeating: 0, count: 2 * v.count + 1)
    }

    /// Deposits with a valid score.
    public var depositCount: Int { depositsAt.reduce(0, +) }

    /// Valid cells counted.
    public var cellCount: Int { bins.reduce(0, +) }

    /// Counts every score of `scores` for which `isValid` holds (NaN is never counted).
    public mutating func add(_ scores: UnsafeBufferPointer<Float>, isValid: (Float) -> Bool) {
        depositValues.withUnsafeBufferPointer { t in
            bins.withUnsafeMutableBufferPointer { counts in
                for x in scores where isValid(x) && !x.isNaN {
                    counts[ThresholdBins.bin(of: x, in: t)] &+= 1
                }
            }
        }
    }

    /// Adds the counts of another accumulator (of a disjoint part of the map) built from the
    /// same deposit scores.
    public mutating func merge(_ other: ROCAccumulator) {
        precondition(
            depositValues == other.depositValues && depositsAt == other.depositsAt,
            "accumulators merged must share their deposit scores")
        for i in bins.indices { bins[i] += other.bins[i] }
    }

    /// The area under the ROC curve, `P(score_deposit > score_cell) + ½ P(score_deposit = score_cell)`
    /// over all deposit–cell pairs: the Mann–Whitney U statistic divided by `m·n` (Hanley & McNeil
    /// 1982). Exact; NaN when there is no deposit or no cell.
    public var auc: Double {
        let m = depositCount
        let n = cellCount
        guard m > 0, n > 0 else { return .nan }
        var below = 0
        var numerator = 0.0  // Σ over deposits of 2·(cells below) + (cells equal), kept in halves.
        for j in depositValues.indices {
            below += bins[2 * j]
            let at = bins[2 * j + 1]
            numerator += Double(depositsAt[j]) * (2 * Double(below) + Double(at))
            below += at
        }
        return numerator / (2 * Double(m) * Double(n))
    }

    /// The success-rate curve: one point per deposit, deposits sorted by score descending.
    ///
    /// `areaPercent` is 100 × (cells with score ≥ the deposit's score) / cells and
    /// `depositPercent` is 100 × (deposits with score ≥ that score) / deposits, so deposits with
    /// tied scores share one point. Both coordinates are non-decreasing along the curve.
    public var successRateCurve: [(areaPercent: Double, depositPercent: Double)] {
        let m = depositCount
        let n = cellCount
        guard m > 0, n > 0 else { return [] }
        var curve: [(areaPercent: Double, depositPercent: Double)] = []
        curve.reserveCapacity(m)
        var cellsAbove = bins[bins.count - 1]  // cells above the largest deposit score
        var depositsAbove = 0
        for j in depositValues.indices.reversed() {
            cellsAbove += bins[2 * j + 1]
            depositsAbove += depositsAt[j]
            let point = (
                areaPercent: 100 * Double(cellsAbove) / Double(n),
                depositPercent: 100 * Double(depositsAbove) / Double(m)
            )
            for _ in 0..<depositsAt[j] { curve.append(point) }
            cellsAbove += bins[2 * j]
        }
        return curve
    }

    /// The percent of deposits captured within the top `a` percent of the map's area.
    ///
    /// Reads the success-rate curve as a step function: the deposit percent of the last curve
    /// point whose area percent is at most `a`, i.e. of the lowest deposit score whose
    /// "score ≥ threshold" region still fits in `a` percent of the area. 0 when even the
    /// highest-scoring deposit needs more area.
    public func depositPercent(atAreaPercent a: Double) -> Double {
        var best = 0.0
        for point in successRateCurve {
            if point.areaPercent <= a + 1e-9 { best = point.depositPercent } else { break }
        }
        return best
    }
}

extension ROCAccumulator {
    /// The success-rate (or prediction-rate) curve as an exact polyline in percent, from (0, 0)
    /// to (100, 100): lowering the threshold from above every score, the cells between two
    /// deposit scores come in with no deposit (a horizontal segment), and the cells that tie
    /// with a deposit score come in together with the deposits at it (a straight segment, the
    /// expected path when ties are broken at random, as the AUC counts ties half).
    ///
    /// Every vertex is a bin boundary of the accumulator, so points read off the polyline are
    /// exact for that convention. Empty without deposits or cells.
    public var polyline: [(areaPercent: Double, depositPercent: Double)] {
        let m = depositCount
        let n = cellCount
        guard m > 0, n > 0 else { return [] }
        var vertices: [(areaPercent: Double, depositPercent: Double)] = [(0, 0)]
        var cells = 0
        var deposits = 0
        func vertex() { vertices.append((100 * Double(cells) / Double(n), 100 * Double(deposits) / Double(m))) }
        cells += bins[bins.count - 1]  // above the largest deposit score
        vertex()
        for j in depositValues.indices.reversed() {
            cells += bins[2 * j + 1]
            deposits += depositsAt[j]
            vertex()
            cells += bins[2 * j]  // between this deposit score and the next lower one
            vertex()
        }
        return vertices
    }

    /// The percent of deposits within the top `a` percent of the area, read off `polyline`
    /// (cells tying with a deposit score shared out in proportion); NaN when the polyline is empty.
    public func capturedPercent(atAreaPercent a: Double) -> Double {
        let line = polyline
        guard let last = line.last else { return .nan }
        guard a > 0 else { return 0 }
        for (p, q) in zip(line, line.dropFirst()) where q.areaPercent >= a && q.areaPercent > p.areaPercent {
            return p.depositPercent + (a - p.areaPercent) / (q.areaPercent - p.areaPercent) * (q.depositPercent - p.depositPercent)
        }
        return last.depositPercent
    }

    /// Where the prediction–area plot's two curves cross (Yousefi & Carranza 2015, "Prediction–
    /// area (P–A) plot and C–A fractal analysis to classify and evaluate evidential maps for
    /// mineral prospectivity modeling", Computers & Geosciences 79): as the threshold falls, the
    /// prediction rate (percent of deposits in cells scoring at or above it) rises while the
    /// percent of the area left below it falls; they meet where deposit percent = 100 − area
    /// percent on `polyline`. The normalized density there is deposit percent / area percent
    /// (how many times denser than at random the deposits lie in the area that captures them).
    /// Nil when the polyline is empty.
    public var predictionAreaIntersection: (areaPercent: Double, depositPercent: Double, normalizedDensity: Double)? {
        let line = polyline
        for (p, q) in zip(line, line.dropFirst()) {
            let (f0, f1) = (p.areaPercent + p.depositPercent, q.areaPercent + q.depositPercent)
            guard f0 <= 100, f1 >= 100, f1 > f0 else { continue }
            let t = (100 - f0) / (f1 - f0)
            let area = p.areaPercent + t * (q.areaPercent - p.areaPercent)
            let deposit = p.depositPercent + t * (q.depositPercent - p.depositPercent)
            return (area, deposit, deposit / area)
        }
        return nil
    }
}
