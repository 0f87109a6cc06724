/// Cells and deposits per distinct value of a class raster, for cumulative ascending or
/// descending weights of evidence (ArcSDM "Calculate Weights", types Ascending and
/// Descending; Bonham-Carter 1994, ch. 9, pp. 322–327).
///
/// Each distinct value is a class. The cumulative ascending class of value v is `x <= v`, the
/// descending class `x >= v`; the table lists one cumulative class per value, in cumulation
/// order (ascending: values ascending; descending: values descending), and the layer is
/// generalized to a binary pattern: W+ inside, W− outside.
///
/// Streaming: `add` every valid cell (deposit cells included), `addDeposit` once per deposit;
/// tallies of disjoint blocks combine with `merge`. At most `maximumClasses` distinct values
/// are kept; beyond that `overflow` is set and new values are no longer counted.
public struct CumulativeTally: Sendable {
    public enum Direction: String, Sendable, Codable, CaseIterable {
        /// Small values favourable: the pattern is `x <= threshold`.
        case ascending
        /// Large values favourable: the pattern is `x >= threshold`.
        case descending
    }

    /// The most distinct values a cumulative layer may have.
    public static let maximumClasses = 100_000

    /// Cells per value.
    public private(set) var cells: [Float: Int] = [:]
    /// Deposits per value.
    public private(set) var deposits: [Float: Int] = [:]
    /// True when the layer had more than `maximumClasses` distinct values.
    public private(set) var overflow = false

    public init() {}

    /// Counts `count` valid cells of value `value` (not NaN).
    public mutating func add(_ value: Float, cells count: Int = 1) {
        if let n = cells[value] {
            cells[value] = n + count
        } else if cells.count < Self.maximumClasses {
            cells[value] = count
        } else {
            overflow = true
        }
    }

    /// Counts the valid values of `buffer` at `offsets` (finite and not `nodata`): what `add`
    /// for each would count. A run of one value is counted with one dictionary update.
    public mutating func add(_ buffer: UnsafeBufferPointer<Float>, at offsets: UnsafeBufferPointer<Int32>, nodata: Float) {
        var value: Float = 0
        var run = 0
        for o in offsets {
            let x = buffer[Int(o)]
            guard x.isFinite, x != nodata else { continue }
            if x == value && run > 0 {
                run += 1
            } else {
                if run > 0 { add(value, cells: run) }
                value = x
                run = 1
            }
        }
        if run > 0 { add(value, cells: run) }
    }

    /// Counts `count` deposits on a cell of value `value` (one per deposit cell, or one per
    /// deposit point; see `WofEDepositCount`).
    public mutating func addDeposit(_ value: Float, count: Int = 1) {
        deposits[value, default: 0] += count
    }

    /// Adds the counts of another tally (of a disjoint part of the map).
    public mutating func merge(_ other: CumulativeTally) {
        for (v, n) in other.cells { add(v, cells: n) }
        deposits.merge(other.deposits, uniquingKeysWith: +)
        overflow = overflow || other.overflow
    }

    /// All cells counted.
    public var cellCount: Int { cells.values.reduce(0, +) }
    /// All deposits counted.
    public var depositCount: Int { deposits.values.reduce(0, +) }

    /// The weights of every cumulative class and the binary generalization.
    ///
    /// Each cumulative class is a binary pattern B against the rest of the layer, with
    /// `WeightsOfEvidence.weights` (so a class holding every deposit has finite weights by the
    /// 0.99 rule, and a class holding none has zeros). The pattern the model uses is chosen by
    /// `generalization`; rows in the pattern get generalized class 2 with weight W+ and s(W+),
    /// the others class 1 with W− and s(W−) (ArcSDM's GEN_CLASS, WEIGHT, W_STD).
    ///
    /// - Parameters:
    ///   - layer: the layer name recorded in the rows.
    ///   - direction: ascending (`x <= v`) or descending (`x >= v`).
    ///   - cellAreaInUnitCells: the area of one cell in unit cells.
    ///   - generalization: the largest studentized contrast, or a threshold.
    ///   - minimum: the smallest pattern the largest studentized contrast may choose; rows
    ///     short of it say why (`belowMinimum`). A threshold is taken as given.
    /// - Returns: the rows in cumulation order and the binary term; with no class that can be
    ///   chosen, both weights 0 (the layer adds nothing) and no row selected.
    /// - Throws: `WofEGeneralizationError` when a threshold leaves the pattern empty or makes
    ///   it the whole layer.
    public func layerWeights(
        layer: String, direction: Direction, cellAreaInUnitCells unit: Double,
        generalization: WofEGeneralization = .maxStudentizedContrast, minimum: WofEPatternMinimum = .none
    ) throws -> WofELayerWeights {
        let ascending = direction == .ascending
        let values = cells.keys.sorted(by: ascending ? (<) : (>))
        let totalCells = cellCount
        let totalArea = Double(totalCells) * unit
        let totalDeposits = depositCount
        var rows: [WofEClassRow] = []
        rows.reserveCapacity(values.count)
        var n = 0
        var d = 0
        for v in values {
            n += cells[v] ?? 0
            d += deposits[v] ?? 0
            var row = WofEClassRow(
                layer: layer, label: (ascending ? "<= " : ">= ") + Self.format(v), threshold: v,
                direction: direction.rawValue, cells: n, area: Double(n) * unit, deposits: d,
                weights: WeightsOfEvidence.weights(
                    patternArea: Double(n) * unit, patternDeposits: d,
                    totalArea: totalArea, totalDeposits: totalDeposits),
                selected: false)
            row.belowMinimum = minimum.shortfall(deposits: d, cells: n, totalCells: totalCells)
            rows.append(row)
        }
        // The pattern: an index into rows (the last class in it) and its weights.
        var chosen: (index: Int, threshold: Float, weights: WofEWeights)?
        switch generalization {
        case .maxStudentizedContrast:
            var best: Int?
            for (i, r) in rows.enumerated() where r.weights.defined && r.cells > 0 && r.cells < totalCells && r.belowMinimum == nil {
                if best == nil || r.weights.studentizedContrast > rows[best!].weights.studentizedContrast { best = i }
            }
            if let b = best { chosen = (b, rows[b].threshold!, rows[b].weights) }
        case .threshold(let t):
            let inside = ascending ? values.lastIndex { $0 <= t } : values.lastIndex { $0 >= t }
            guard let i = inside else {
                throw WofEGeneralizationError(
                    "threshold \(Self.format(t)) leaves no cell in the pattern x \(ascending ? "<=" : ">=") \(Self.format(t))")
            }
            guard rows[i].cells < totalCells else {
                throw WofEGeneralizationError(
                    "threshold \(Self.format(t)) puts every cell in the pattern x \(ascending ? "<=" : ">=") \(Self.format(t))")
            }
            chosen = (i, t, rows[i].weights)
        }
        guard let (index, threshold, w) = chosen else {
            for i in rows.indices {
                rows[i].generalizedClass = 1
                rows[i].generalizedWeight = 0
                rows[i].generalizedStd = 0
            }
            let zero = LayerTerm.step(threshold: values.first ?? 0, above: 0, below: 0)
            return WofELayerWeights(rows: rows, term: zero, variance: zero)
        }
        rows[index].selected = true
        for i in rows.indices {
            let inside = i <= index
            rows[i].generalizedClass = inside ? 2 : 1
            rows[i].generalizedWeight = inside ? w.wPlus : w.wMinus
            rows[i].generalizedStd = inside ? w.sWPlus : w.sWMinus
        }
        let (term, variance) = WofELayerWeights.binaryTerms(w, threshold: threshold, ascending: ascending)
        return WofELayerWeights(rows: rows, term: term, variance: variance)
    }

    /// A class value as the table shows it: whole numbers without a decimal point.
    static func format(_ v: Float) -> String {
        if v.rounded() == v, abs(v) < 1e7 { return String(Int(v)) }
        return "\(v)"
    }
}
