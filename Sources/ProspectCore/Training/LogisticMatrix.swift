/// A logistic-regression design matrix held by columns: each continuous predictor as a column of
/// doubles, and the dummy columns of each categorical layer as one class per row.
///
/// Treatment coding makes a categorical layer's dummies one-hot (or all zero at the reference
/// class), so a row holds at most one 1 per layer: storing the class instead of the 0/1 columns
/// takes 4 bytes per row and layer instead of 8 per dummy, and lets the normal equations skip
/// the zeros (`LogisticKernel`).
public struct LogisticMatrix: Sendable {
    /// The dummy columns of one categorical layer.
    public struct Group: Sendable {
        /// The predictor index of each class's column.
        public var positions: [Int]
        /// Each row's class, an index into `positions`; −1 where every dummy is 0.
        public var rowClass: [Int32]

        public init(positions: [Int], rowClass: [Int32]) {
            self.positions = positions
            self.rowClass = rowClass
        }
    }

    public let rows: Int
    /// Predictors, the intercept not counted.
    public let columns: Int
    /// The predictor index of each dense column.
    public let densePositions: [Int]
    /// Dense column j's value at row i is `denseValues[j · rows + i]`.
    public let denseValues: [Double]
    /// Each group's predictor index per class.
    public let groupPositions: [[Int]]
    /// Group g's class at row i is `classes[g · rows + i]`.
    public let classes: [Int32]

    /// - Precondition: every predictor index in `0..<columns` is named exactly once, by a dense
    ///   column or a class; columns and classes hold `rows` values; a class is −1 or indexes its
    ///   group's positions.
    public init(rows: Int, columns: Int, densePositions: [Int], dense: [[Double]], groups: [Group]) {
        precondition(densePositions.count == dense.count, "one position per dense column")
        precondition(dense.allSatisfy { $0.count == rows }, "every dense column holds one value per row")
        self.init(rows: rows, columns: columns, densePositions: densePositions, denseValues: dense.flatMap { $0 }, groups: groups)
    }

    /// The same with the dense columns one after another: column j's value at row i is
    /// `denseValues[j · rows + i]`.
    init(rows: Int, columns: Int, densePositions: [Int], denseValues: [Double], groups: [Group]) {
        precondition(denseValues.count == densePositions.count * rows, "every dense column holds one value per row")
        precondition(groups.allSatisfy { $0.rowClass.count == rows }, "every group holds one class per row")
        var named = [Bool](repeating: false, count: columns)
        for p in densePositions + groups.flatMap(\.positions) {
            precondition(p >= 0 && p < columns && !named[p], "each predictor named once")
            named[p] = true
        }
        precondition(named.allSatisfy { $0 }, "every predictor named")
        for g in groups {
            precondition(g.rowClass.allSatisfy { $0 >= -1 && Int($0) < g.positions.count }, "classes index their group")
        }
        self.rows = rows
        self.columns = columns
        self.densePositions = densePositions
        self.denseValues = denseValues
        groupPositions = groups.map(\.positions)
        classes = groups.flatMap(\.rowClass)
    }

    /// A matrix of dense columns only, from a row-major `rows × columns` array.
    public init(rowMajor x: [Double], rows: Int, columns: Int) {
        precondition(x.count == rows * columns, "x must hold rows × columns values")
        let dense = (0..<columns).map { j in (0..<rows).map { x[$0 * columns + j] } }
        self.init(rows: rows, columns: columns, densePositions: Array(0..<columns), dense: dense, groups: [])
    }

    /// Row `i` with every predictor, in predictor order (dummies as 0 and 1).
    public func row(_ i: Int) -> [Double] {
        var out = [Double](repeating: 0, count: columns)
        for (j, p) in densePositions.enumerated() { out[p] = denseValues[j * rows + i] }
        for (g, positions) in groupPositions.enumerated() {
            let c = classes[g * rows + i]
            if c >= 0 { out[positions[Int(c)]] = 1 }
        }
        return out
    }
}
