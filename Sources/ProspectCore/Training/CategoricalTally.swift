/// Cell and deposit counts per class code of a categorical layer, for weights of evidence.
///
/// Streaming: call `add(code:cells:)` for the valid cells of each block (deposit cells
/// included, since they are part of the study area) and `addDeposit(code:)` once per deposit;
/// tallies of disjoint blocks combine with `merge`.
public struct CategoricalTally: Sendable {
    /// Cells per code.
    public private(set) var cells: [Int32: Int] = [:]
    /// Deposits per code.
    public private(set) var deposits: [Int32: Int] = [:]

    public init() {}

    /// Counts `cells` valid cells of class `code`.
    public mutating func add(code: Int32, cells count: Int = 1) {
        cells[code, default: 0] += count
    }

    /// Counts the valid values of `buffer` at `offsets` (finite and not `nodata`), each in the
    /// class `LayerTerm.code(of:)`: what `add(code:)` for each would count. A run of one code
    /// is counted with one dictionary update, which categorical maps, classes in patches, make
    /// the usual case.
    public mutating func add(_ buffer: UnsafeBufferPointer<Float>, at offsets: UnsafeBufferPointer<Int32>, nodata: Float) {
        var code: Int32 = 0
        var run = 0
        for o in offsets {
            let x = buffer[Int(o)]
            guard x.isFinite, x != nodata else { continue }
            let c = LayerTerm.code(of: x)
            if c == code {
                run += 1
            } else {
                if run > 0 { cells[code, default: 0] += run }
                code = c
                run = 1
            }
        }
        if run > 0 { cells[code, default: 0] += run }
    }

    /// Counts `count` deposits in class `code` (one per deposit cell, or one per deposit point;
    /// see `WofEDepositCount`).
    public mutating func addDeposit(code: Int32, count: Int = 1) {
        deposits[code, default: 0] += count
    }

    /// Adds the counts of another tally (of a disjoint part of the map).
    public mutating func merge(_ other: CategoricalTally) {
        cells.merge(other.cells, uniquingKeysWith: +)
        deposits.merge(other.deposits, uniquingKeysWith: +)
    }

    /// All cells counted.
    public var cellCount: Int { cells.values.reduce(0, +) }
    /// All deposits counted.
    public var depositCount: Int { deposits.values.reduce(0, +) }

    /// The weights of each class taken as a binary pattern against the rest of the layer
    /// (Bonham-Carter 1994, ch. 9, "multiclass maps": each class is B, everything else B̄).
    ///
    /// The study area N(T) is the sum of the cells counted, N(D) the sum of the deposits.
    /// A class with no deposit has undefined weights (zeros, see `WeightsOfEvidence.weights`),
    /// which therefore add 0 to the logit.
    ///
    /// - Parameters:
    ///   - layer: the layer name recorded in the rows.
    ///   - cellAreaInUnitCells: the area of one cell in unit cells (`cellAreaKm2 / unitCellKm2`).
    /// - Returns: one row per class sorted by code, all selected; and the term
    ///   `.lookup(codes, W+ of each class, otherwise: 0)`.
    public func weights(layer: String, cellAreaInUnitCells: Double) -> (rows: [WofEClassRow], term: LayerTerm) {
        let w = layerWeights(layer: layer, cellAreaInUnitCells: cellAreaInUnitCells)
        return (w.rows, w.term)
    }

    /// Class weights, optionally generalized to a reduced class set.
    ///
    /// Without groups every class keeps its own W+ and s(W+) (ArcSDM "Unique"; eis_toolkit
    /// "unique"). Each group of codes is merged into one class whose weight is the W+ of the
    /// merged pattern (the sum of its areas and deposits) and whose standard deviation is that
    /// pattern's s(W+) (ArcSDM "Categorical" generalization, with the grouping given by the
    /// user). Codes in no group stay classes of their own. The generalized class of a grouped
    /// code is the smallest code of its group.
    ///
    /// - Parameters:
    ///   - layer: the layer name recorded in the rows.
    ///   - cellAreaInUnitCells: the area of one cell in unit cells.
    ///   - groups: disjoint sets of codes to merge (codes not in the layer are ignored).
    /// - Returns: one row per class sorted by code, all selected, with generalized weights;
    ///   the lookup term of the generalized weights and the lookup of their variances.
    public func layerWeights(layer: String, cellAreaInUnitCells unit: Double, groups: [[Int32]] = []) -> WofELayerWeights {
        let codes = Set(cells.keys).union(deposits.keys).sorted()
        let totalArea = Double(cellCount) * unit
        let totalDeposits = depositCount
        func weights(_ n: Int, _ d: Int) -> WofEWeights {
            WeightsOfEvidence.weights(
                patternArea: Double(n) * unit, patternDeposits: d,
                totalArea: totalArea, totalDeposits: totalDeposits)
        }
        // Generalized weight per code: its group's, or its own.
        var general: [Int32: (cls: Int, w: WofEWeights)] = [:]
        for group in groups {
            let members = group.filter { cells[$0] != nil || deposits[$0] != nil }
            guard let first = members.min() else { continue }
            let n = members.reduce(0) { $0 + (cells[$1] ?? 0) }
            let d = members.reduce(0) { $0 + (deposits[$1] ?? 0) }
            let w = weights(n, d)
            for c in members { general[c] = (Int(first), w) }
        }
        var rows: [WofEClassRow] = []
        rows.reserveCapacity(codes.count)
        for code in codes {
            let n = cells[code] ?? 0
            let d = deposits[code] ?? 0
            let w = weights(n, d)
            var row = WofEClassRow(
                layer: layer, label: "code \(code)", code: code, cells: n, area: Double(n) * unit,
                deposits: d, weights: w, selected: true)
            let g = general[code] ?? (Int(code), w)
            row.generalizedClass = g.cls
            row.generalizedWeight = g.w.wPlus
            row.generalizedStd = g.w.sWPlus
            rows.append(row)
        }
        let term = LayerTerm.lookup(codes: codes, values: rows.map { Float($0.generalizedWeight!) }, otherwise: 0)
        let variance = LayerTerm.lookup(codes: codes, values: rows.map { Float($0.generalizedStd! * $0.generalizedStd!) }, otherwise: 0)
        return WofELayerWeights(rows: rows, term: term, variance: variance)
    }
}
