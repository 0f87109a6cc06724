/// What one pass over a component's cells gathers: its size, scores and extent.
public struct ComponentSummary: Sendable, Equatable {
    public var cells = 0
    /// Sum of the scores.
    public var sum = 0.0
    /// Sum of the uncertainty band over the cells where it is valid, and how many those are.
    public var uncertaintySum = 0.0
    public var uncertaintyCells = 0
    public var max: Float = -.infinity
    /// Row-major index of the first cell holding `max`.
    public var peak = Int.max
    /// Row-major index of the component's first cell.
    public var first = Int.max
    /// Bounding box, inclusive.
    public var minColumn = Int.max, minRow = Int.max, maxColumn = Int.min, maxRow = Int.min
    /// Sums of the cell centres' column and row (column + 0.5, row + 0.5), for the centroid.
    public var sumColumn = 0.0, sumRow = 0.0

    public init() {}

    public var mean: Double { cells > 0 ? sum / Double(cells) : 0 }
    public var uncertaintyMean: Double? { uncertaintyCells > 0 ? uncertaintySum / Double(uncertaintyCells) : nil }
    public var window: Window {
        Window(column: minColumn, row: minRow, columns: maxColumn - minColumn + 1, rows: maxRow - minRow + 1)
    }

    /// Adds one cell at `index` (row-major over a grid `columns` wide).
    @inline(__always)
    public mutating func add(score: Float, uncertainty: Float?, index: Int, column: Int, row: Int) {
        cells += 1
        sum += Double(score)
        if let uncertainty {
            uncertaintySum += Double(uncertainty)
            uncertaintyCells += 1
        }
        if score > max || (score == max && index < peak) {
            max = score
            peak = index
        }
        first = Swift.min(first, index)
        minColumn = Swift.min(minColumn, column)
        maxColumn = Swift.max(maxColumn, column)
        minRow = Swift.min(minRow, row)
        maxRow = Swift.max(maxRow, row)
        sumColumn += Double(column) + 0.5
        sumRow += Double(row) + 0.5
    }

    /// Adds another component's cells.
    public mutating func merge(_ o: ComponentSummary) {
        cells += o.cells
        sum += o.sum
        uncertaintySum += o.uncertaintySum
        uncertaintyCells += o.uncertaintyCells
        if o.max > max || (o.max == max && o.peak < peak) {
            max = o.max
            peak = o.peak
        }
        first = Swift.min(first, o.first)
        minColumn = Swift.min(minColumn, o.minColumn)
        maxColumn = Swift.max(maxColumn, o.maxColumn)
        minRow = Swift.min(minRow, o.minRow)
        maxRow = Swift.max(maxRow, o.maxRow)
        sumColumn += o.sumColumn
        sumRow += o.sumRow
    }
}

/// Row labels of 8-connected cells at or above a threshold, one row at a time.
///
/// A cell takes the smallest provisional label among its labelled west, north-west, north and
/// north-east neighbours, or a new one; the labels it saw are reported as equivalent. The
/// labels a row gets depend only on the rows before it, not on how equivalences were resolved,
/// so a second pass over the same rows gives the same provisional labels (Rosenfeld & Pfaltz
/// 1966; Wu, Otoo & Suzuki 2009 for the union–find).
public struct RowLabeller {
    public let columns: Int
    public private(set) var previous: [Int32]
    public private(set) var current: [Int32]
    /// Provisional labels given so far (labels are 1…count).
    public private(set) var count: Int32 = 0

    public init(columns: Int) {
        self.columns = columns
        previous = [Int32](repeating: 0, count: columns)
        current = [Int32](repeating: 0, count: columns)
    }

    /// Labels the next row: its target cells are those at or above `threshold` and not
    /// `nodata` (NaN never is). `equivalent(a, b)` is called for two different labels meeting
    /// at a cell.
    public mutating func next(
        scores: UnsafeBufferPointer<Float>, threshold: Float, nodata: Float, equivalent: (Int32, Int32) -> Void
    ) {
        precondition(scores.count == columns, "a row holds `columns` scores")
        swap(&previous, &current)
        let n = columns
        var count = self.count
        current.withUnsafeMutableBufferPointer { cur in
            previous.withUnsafeBufferPointer { up in
                for c in 0..<n {
                    let v = scores[c]
                    guard v >= threshold, v != nodata else {
                        cur[c] = 0
                        continue
                    }
                    var smallest: Int32 = 0
                    @inline(__always) func visit(_ l: Int32) {
                        guard l != 0 else { return }
                        if smallest == 0 {
                            smallest = l
                        } else if l != smallest {
                            equivalent(l, smallest)
                            if l < smallest { smallest = l }
                        }
                    }
                    if c > 0 {
                        visit(cur[c - 1])
                        visit(up[c - 1])
                    }
                    visit(up[c])
                    if c + 1 < n { visit(up[c + 1]) }
                    if smallest == 0 {
                        precondition(count < Int32.max, "too many provisional labels")
                        count += 1
                        smallest = count
                    }
                    cur[c] = smallest
                }
            }
        }
        self.count = count
    }
}

/// 8-connected components of the cells at or above a threshold, found in one pass over the
/// rows with statistics gathered as it goes.
///
/// Union–find over provisional labels (`RowLabeller`); statistics live with each set's root and
/// are merged when two sets meet. A component is complete once a row passes that holds none of
/// its cells: it is then handed out (`complete`) and its statistics freed, so memory holds a
/// row of labels, four bytes per provisional label (the union–find), and the statistics of
/// the components crossing the current row. `resolve()` then maps each provisional label to
/// its root, so a second pass can label cells by component (`RowLabeller` again).
public struct ComponentScanner {
    public private(set) var labeller: RowLabeller
    private var parent: [Int32] = [0]
    /// Index into `open` of each root's statistics (-1: none).
    private var slot: [Int32] = [-1]
    private var open: [ComponentSummary] = []
    private var free: [Int32] = []
    private var rootsInPreviousRow: [Int32] = []
    private var pending: [(Int32, Int32)] = []
    private var row = 0

    public init(columns: Int) {
        labeller = RowLabeller(columns: columns)
    }

    @inline(__always) private mutating func find(_ x: Int32) -> Int32 {
        var root = x
        while parent[Int(root)] != root { root = parent[Int(root)] }
        var y = x
        while parent[Int(y)] != root {
            let next = parent[Int(y)]
            parent[Int(y)] = root
            y = next
        }
        return root
    }

    private mutating func union(_ a: Int32, _ b: Int32) {
        let ra = find(a)
        let rb = find(b)
        guard ra != rb else { return }
        let (root, child) = ra < rb ? (ra, rb) : (rb, ra)
        parent[Int(child)] = root
        let s = Int(slot[Int(child)])
        open[Int(slot[Int(root)])].merge(open[s])
        free.append(Int32(s))
        slot[Int(child)] = -1
    }

    /// Adds the next row of scores.
    /// - Parameters:
    ///   - scores: the row's scores; target cells are those at or above `threshold` and not
    ///     `nodata` (NaN never is).
    ///   - uncertainty: the row's uncertainty band, if the map has one, with its nodata.
    ///   - complete: called with the root label and statistics of each component completed.
    public mutating func add(
        scores: UnsafeBufferPointer<Float>, threshold: Float, nodata: Float, uncertainty: UnsafeBufferPointer<Float>?,
        uncertaintyNodata: Float, complete: (Int32, ComponentSummary) -> Void
    ) {
        let columns = labeller.columns
        precondition(scores.count == columns, "a row holds `columns` scores")
        pending.removeAll(keepingCapacity: true)
        labeller.next(scores: scores, threshold: threshold, nodata: nodata) { pending.append(($0, $1)) }
        // New labels get their own set.
        while parent.count <= Int(labeller.count) {
            parent.append(Int32(parent.count))
            slot.append(-1)
        }
        let base = row * columns
        var roots: [Int32] = []
        labeller.current.withUnsafeBufferPointer { labels in
            for c in 0..<columns where labels[c] != 0 {
                let l = labels[c]
                if slot[Int(l)] < 0 && parent[Int(l)] == l {
                    let s: Int32
                    if let f = free.popLast() {
                        s = f
                        open[Int(s)] = ComponentSummary()
                    } else {
                        s = Int32(open.count)
                        open.append(ComponentSummary())
                    }
                    slot[Int(l)] = s
                }
            }
        }
        for i in pending.indices { union(pending[i].0, pending[i].1) }
        labeller.current.withUnsafeBufferPointer { labels in
            var last: Int32 = 0
            var lastRoot: Int32 = 0
            for c in 0..<columns where labels[c] != 0 {
                let l = labels[c]
                let root = l == last ? lastRoot : find(l)
                last = l
                if root != lastRoot || roots.isEmpty { roots.append(root) }
                lastRoot = root
                var u: Float?
                if let uncertainty, !uncertainty[c].isNaN, uncertainty[c] != uncertaintyNodata { u = uncertainty[c] }
                open[Int(slot[Int(root)])].add(score: scores[c], uncertainty: u, index: base + c, column: c, row: row)
            }
        }
        // Roots of the previous row that no row cell reaches any more are complete.
        if !rootsInPreviousRow.isEmpty {
            var now = Set<Int32>()
            for r in roots { now.insert(find(r)) }
            var done = Set<Int32>()
            for r in rootsInPreviousRow {
                let root = find(r)
                guard !now.contains(root), done.insert(root).inserted else { continue }
                let s = Int(slot[Int(root)])
                complete(root, open[s])
                free.append(Int32(s))
                slot[Int(root)] = -1
            }
        }
        rootsInPreviousRow = roots
        row += 1
    }

    /// Completes the components reaching the last row.
    public mutating func finish(complete: (Int32, ComponentSummary) -> Void) {
        var done = Set<Int32>()
        for r in rootsInPreviousRow {
            let root = find(r)
            guard done.insert(root).inserted else { continue }
            let s = Int(slot[Int(root)])
            complete(root, open[s])
            free.append(Int32(s))
            slot[Int(root)] = -1
        }
        rootsInPreviousRow = []
        open = []
        free = []
        slot = []
    }

    /// The root of every provisional label (index 0: 0), for a second pass; call after
    /// `finish`. Frees the union–find.
    public mutating func resolve() -> [Int32] {
        for p in parent.indices.dropFirst() { parent[p] = find(Int32(p)) }
        defer { parent = [] }
        return parent
    }
}
