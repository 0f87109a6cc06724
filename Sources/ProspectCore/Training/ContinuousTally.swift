/// Cumulative weights-of-evidence classes of a continuous layer, counted in one streaming pass.
///
/// The studentized contrast of a cumulative class `x >= t` (or `x <= t`) changes only where the
/// deposit count inside the class changes, and for a fixed deposit count it is largest when the
/// class is as small as possible, so the best threshold always sits at a deposit's value. The
/// candidate thresholds are therefore the distinct deposit values t₀ < … < t_{m−1}. Each valid
/// cell is binned, by binary search, into one of 2m + 1 intervals: below t₀, equal to t₀,
/// between t₀ and t₁, equal to t₁, …, above t_{m−1}. Cumulative sums of these bins give the
/// exact area of every cumulative class, with O(m) memory (ArcSDM "Calculate Weights",
/// cumulative ascending/descending; Bonham-Carter 1994, ch. 9, pp. 322–327). A cut anywhere
/// else has no area to weigh, so a threshold the user chooses is counted as one more candidate
/// (`extraThresholds`).
public struct ContinuousTally: Sendable {
    /// The distinct deposit values and extra thresholds, ascending.
    public let thresholds: [Float]
    /// Deposits at each threshold.
    public let depositsAt: [Int]
    /// Bin counts: index 2j + 1 holds cells equal to `thresholds[j]`; index 2j those strictly
    /// between `thresholds[j − 1]` and `thresholds[j]`; the last those above the largest.
    public private(set) var bins: [Int]
    /// Bins values against `thresholds` in about one comparison (`ThresholdIndex`).
    let index: ThresholdIndex

    /// - Parameters:
    ///   - depositValues: the layer's value at each deposit (a value repeated once per deposit
    ///     counted); NaN values (deposits on nodata) are ignored.
    ///   - extraThresholds: more class boundaries (a threshold the user chose), counted like the
    ///     deposits' values but holding no deposit of their own; NaN values are ignored.
    public init(depositValues: [Float], extraThresholds: [Float] = []) {
        let sorted = depositValues.filter { !$0.isNaN }.sorted()
        var counts: [Float: Int] = [:]
        for v in sorted { counts[v, default: 0] += 1 }
        for v in extraThresholds where !v.isNaN && counts[v] == nil { counts[v] = 0 }
        thresholds = counts.keys.sorted()
        depositsAt = thresholds.map { counts[$0]! }
        bins = Array(repeating: 0, count: 2 * thresholds.count + 1)
        index = ThresholdIndex(thresholds)
    }

    /// Deposits counted (deposits with a valid value).
    public var depositCount: Int { depositsAt.reduce(0, +) }
    /// Valid cells counted.
    public var cellCount: Int { bins.reduce(0, +) }

    /// Counts one valid cell of value `value` (not NaN).
    public mutating func add(_ value: Float) {
        let b = thresholds.withUnsafeBufferPointer { ThresholdBins.bin(of: value, in: $0) }
        bins[b] += 1
    }

    /// Counts every value of `values` for which `isValid` holds.
    public mutating func add(_ values: UnsafeBufferPointer<Float>, isValid: (Float) -> Bool) {
        thresholds.withUnsafeBufferPointer { t in
            bins.withUnsafeMutableBufferPointer { counts in
                for v in values where isValid(v) && !v.isNaN {
                    counts[ThresholdBins.bin(of: v, in: t)] &+= 1
                }
            }
        }
    }

    /// Counts the valid values of `buffer` at `offsets` (finite and not `nodata`): what `add`
    /// for each would count, binned by `ThresholdIndex`.
    public mutating func add(_ buffer: UnsafeBufferPointer<Float>, at offsets: UnsafeBufferPointer<Int32>, nodata: Float) {
        let index = self.index
        index.thresholds.withUnsafeBufferPointer { t in
            index.start.withUnsafeBufferPointer { start in
                index.padded.withUnsafeBufferPointer { padded in
                    bins.withUnsafeMutableBufferPointer { counts in
                        for o in offsets {
                            let x = buffer[Int(o)]
                            guard x.isFinite, x != nodata else { continue }
                            counts[index.bin(of: x, in: t, start: start, padded: padded)] &+= 1
                        }
                    }
                }
            }
        }
    }

    /// Adds the counts of another tally built from the same deposit values.
    public mutating func merge(_ other: ContinuousTally) {
        precondition(thresholds == other.thresholds, "tallies merged must share their deposit values")
        for i in bins.indices { bins[i] += other.bins[i] }
    }

    /// The prior log-odds `ln(N(D) / (N(T) − N(D)))`; see `WeightsOfEvidence.priorLogit`.
    public static func priorLogit(totalArea: Double, totalDeposits: Int) -> Double {
        WeightsOfEvidence.priorLogit(totalArea: totalArea, totalDeposits: totalDeposits)
    }

    /// The weights of every cumulative class in both directions and the best binary split.
    ///
    /// For each candidate threshold t (ascending) there is a descending class `x >= t` (high
    /// values favourable) and an ascending class `x <= t` (low values favourable). Rows list all
    /// descending classes, then all ascending classes, each by threshold ascending. The defined
    /// class with the largest studentized contrast that leaves cells on both sides is `selected`
    /// (the first on ties); the layer is then binary: pattern B gets W+, the rest W−
    /// (Bonham-Carter 1994, p. 327).
    ///
    /// - Parameters:
    ///   - layer: the layer name recorded in the rows.
    ///   - cellAreaInUnitCells: the area of one cell in unit cells.
    /// - Returns: the rows, and the term: for descending, `.step(threshold: t, above: W+,
    ///   below: W−)`; for ascending, `.step(threshold: t.nextUp, above: W−, below: W+)`
    ///   (`x <= t` is `!(x >= t.nextUp)`). With no defined class, a step at the smallest
    ///   deposit value (or 0) with both weights 0.
    public func weights(layer: String, cellAreaInUnitCells: Double) -> (rows: [WofEClassRow], term: LayerTerm) {
        let w = layerWeights(layer: layer, cellAreaInUnitCells: cellAreaInUnitCells)
        return (w.rows, w.term)
    }

    /// The rows of `weights(layer:cellAreaInUnitCells:)` with the binary term and its variance
    /// term (s²(W+) inside the pattern, s²(W−) outside).
    ///
    /// - Parameter minimum: the smallest pattern the cut may choose; rows short of it say why
    ///   (`belowMinimum`) and are never selected.
    public func layerWeights(layer: String, cellAreaInUnitCells: Double, minimum: WofEPatternMinimum = .none) -> WofELayerWeights {
        var rows = table(layer: layer, unit: cellAreaInUnitCells, minimum: minimum)
        let totalCells = cellCount
        var best: Int?
        for (i, row) in rows.enumerated()
        where row.weights.defined && row.cells > 0 && row.cells < totalCells && row.belowMinimum == nil {
            if best == nil || row.weights.studentizedContrast > rows[best!].weights.studentizedContrast { best = i }
        }
        return Self.generalized(&rows, at: best, thresholds: thresholds)
    }

    /// The rows with the binary pattern cut at a threshold the user chose.
    ///
    /// The pattern is `x >= t` or `x <= t`, whichever has the larger studentized contrast: the
    /// side on which deposits are more frequent than elsewhere. The minimum only marks rows.
    /// - Parameter threshold: one of `thresholds` (count it as an extra threshold).
    /// - Throws: `WofEGeneralizationError` when the threshold leaves no cell on one side.
    public func layerWeights(
        layer: String, cellAreaInUnitCells: Double, minimum: WofEPatternMinimum = .none, threshold t: Float
    ) throws -> WofELayerWeights {
        guard let j = thresholds.firstIndex(of: t) else { preconditionFailure("a chosen threshold is counted as an extra threshold") }
        var rows = table(layer: layer, unit: cellAreaInUnitCells, minimum: minimum)
        let (d, a) = (j, thresholds.count + j)
        for (i, side) in [(d, ">="), (a, "<=")] where rows[i].cells == 0 || rows[i].cells == cellCount {
            let what = rows[i].cells == 0 ? "no cell" : "every cell"
            throw WofEGeneralizationError(
                "threshold \(CumulativeTally.format(t)) puts \(what) in the pattern x \(side) \(CumulativeTally.format(t))")
        }
        let best = rows[a].weights.studentizedContrast > rows[d].weights.studentizedContrast ? a : d
        return Self.generalized(&rows, at: best, thresholds: thresholds)
    }

    /// Every cumulative class: descending `x >= t_j`, then ascending `x <= t_j`, by threshold.
    private func table(layer: String, unit: Double, minimum: WofEPatternMinimum) -> [WofEClassRow] {
        let m = thresholds.count
        let totalCells = cellCount
        let totalArea = Double(totalCells) * unit
        let totalDeposits = depositCount
        var below = 0
        var depositsBelow = 0
        var descending: [WofEClassRow] = []
        var ascending: [WofEClassRow] = []
        descending.reserveCapacity(m)
        ascending.reserveCapacity(m)
        /// The cumulative class of `cells` cells holding `deposits` deposits.
        func row(_ label: String, threshold t: Float, direction: String, cells: Int, deposits: Int) -> WofEClassRow {
            let area = Double(cells) * unit
            var r = WofEClassRow(
                layer: layer, label: label, threshold: t, direction: direction,
                cells: cells, area: area, deposits: deposits,
                weights: WeightsOfEvidence.weights(
                    patternArea: area, patternDeposits: deposits,
                    totalArea: totalArea, totalDeposits: totalDeposits),
                selected: false)
            r.belowMinimum = minimum.shortfall(deposits: deposits, cells: cells, totalCells: totalCells)
            return r
        }
        for j in 0..<m {
            // Cells below t_j: bins 0 ..< 2j+1; cells equal to t_j: bin 2j+1.
            below += bins[2 * j]
            let at = bins[2 * j + 1]
            let t = thresholds[j]
            descending.append(
                row(
                    ">= \(t)", threshold: t, direction: "descending",
                    cells: totalCells - below, deposits: totalDeposits - depositsBelow))
            ascending.append(
                row(
                    "<= \(t)", threshold: t, direction: "ascending",
                    cells: below + at, deposits: depositsBelow + depositsAt[j]))
            below += at
            depositsBelow += depositsAt[j]
        }
        return descending + ascending
    }

    /// Marks row `best` selected and makes the binary term; with none, both weights 0.
    private static func generalized(_ rows: inout [WofEClassRow], at best: Int?, thresholds: [Float]) -> WofELayerWeights {
        guard let b = best else {
            let zero = LayerTerm.step(threshold: thresholds.first ?? 0, above: 0, below: 0)
            return WofELayerWeights(rows: rows, term: zero, variance: zero)
        }
        rows[b].selected = true
        let (term, variance) = WofELayerWeights.binaryTerms(
            rows[b].weights, threshold: rows[b].threshold!,
            ascending: rows[b].direction == "ascending")
        return WofELayerWeights(rows: rows, term: term, variance: variance)
    }
}
