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

    /// Counts one deposit in class `code`.
    public mutating func addDeposit(code: Int32) {
        deposits[code, default: 0] += 1
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
    /// A class with no deposit has undefined W+ (see `WeightsOfEvidence.weights`), which
    /// therefore adds 0 to the logit.
    ///
    /// - Parameters:
    ///   - layer: the layer name recorded in the rows.
    ///   - cellAreaInUnitCells: the area of one cell in unit cells (`cellAreaKm2 / unitCellKm2`).
    /// - Returns: one row per class sorted by code, all selected; and the term
    ///   `.lookup(codes, W+ of each class, otherwise: 0)`.
    public func weights(layer: String, cellAreaInUnitCells: Double) -> (rows: [WofEClassRow], term: LayerTerm) {
        let codes = Set(cells.keys).union(deposits.keys).sorted()
        let totalArea = Double(cellCount) * cellAreaInUnitCells
        let totalDeposits = depositCount
        var rows: [WofEClassRow] = []
        rows.reserveCapacity(codes.count)
        for code in codes {
            let n = cells[code] ?? 0, d = deposits[code] ?? 0
            let area = Double(n) * cellAreaInUnitCells
            let w = WeightsOfEvidence.weights(patternArea: area, patternDeposits: d,
                                              totalArea: totalArea, totalDeposits: totalDeposits)
            rows.append(WofEClassRow(layer: layer, label: "code \(code)", code: code, cells: n, area: area,
                                     deposits: d, weights: w, selected: true))
        }
        let term = LayerTerm.lookup(codes: codes, values: rows.map { Float($0.weights.wPlus) }, otherwise: 0)
        return (rows, term)
    }
}
