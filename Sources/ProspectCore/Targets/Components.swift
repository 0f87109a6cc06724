/// Summary of one connected component of above-threshold cells.
///
/// Columns and rows are those of the buffer labelled (window-local).
public struct ComponentStats: Sendable, Equatable {
    public var label: Int32
    public var cells: Int
    /// Sum of the scores of the component's cells.
    public var sum: Double
    /// Largest score.
    public var max: Float
    /// Bounding box (inclusive).
    public var minColumn: Int
    public var minRow: Int
    public var maxColumn: Int
    public var maxRow: Int
    /// Sums of the cell-centre coordinates (column + 0.5, row + 0.5), for the centroid.
    public var sumColumn: Double
    public var sumRow: Double
    /// The first cell, in row-major order, holding `max`.
    public var peakColumn: Int
    public var peakRow: Int

    public init(
        label: Int32, cells: Int, sum: Double, max: Float, minColumn: Int, minRow: Int,
        maxColumn: Int, maxRow: Int, sumColumn: Double, sumRow: Double, peakColumn: Int, peakRow: Int
    ) {
        self.label = label
        self.cells = cells
        self.sum = sum
        self.max = max
        self.minColumn = minColumn
        self.minRow = minRow
        self.maxColumn = maxColumn
        self.maxRow = maxRow
        self.sumColumn = sumColumn
        self.sumRow = sumRow
        self.peakColumn = peakColumn
        self.peakRow = peakRow
    }

    /// Mean score.
    public var mean: Double { cells > 0 ? sum / Double(cells) : 0 }

    /// The centroid in fractional cell coordinates (cell centres at +0.5), ready for
    /// `GeoTransform.map(column:row:)`.
    public var centroid: (column: Double, row: Double) {
        (sumColumn / Double(cells), sumRow / Double(cells))
    }
}

/// Connected-component labelling of the cells of a score grid at or above a threshold.
public enum ConnectedComponents {
    /// Labels 8-connected groups of valid cells with `score >= threshold`.
    ///
    /// Classic two-pass labelling with union–find (Rosenfeld & Pfaltz 1966; Wu, Otoo & Suzuki
    /// 2009): the first pass gives each foreground cell the smallest provisional label of its
    /// already-visited neighbours (west, north-west, north, north-east) and records
    /// equivalences; the second replaces each label by its set's final label. Since the first
    /// cell of a component in row-major order always opens a new provisional label, and the
    /// union keeps the smaller label as root, final labels 1…count follow the order of first
    /// appearance in a row-major scan.
    ///
    /// - Parameters:
    ///   - scores: `columns × rows` scores, row-major.
    ///   - threshold: cells with `score >= threshold` are foreground.
    ///   - isValid: false for nodata (never foreground).
    /// - Returns: labels (0 for background) and one `ComponentStats` per label, in label order.
    public static func label(
        scores: UnsafeBufferPointer<Float>, columns: Int, rows: Int, threshold: Float,
        isValid: (Float) -> Bool
    ) -> (labels: [Int32], stats: [ComponentStats]) {
        precondition(columns >= 0 && rows >= 0 && scores.count == columns * rows, "scores must hold columns × rows values")
        var labels = [Int32](repeating: 0, count: columns * rows)
        var parent: [Int32] = [0]  // parent[0] unused (background)

        func find(_ x: Int32) -> Int32 {
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
        func union(_ a: Int32, _ b: Int32) {
            let ra = find(a)
            let rb = find(b)
            if ra < rb { parent[Int(rb)] = ra } else if rb < ra { parent[Int(ra)] = rb }
        }

        for r in 0..<rows {
            let base = r * columns
            for c in 0..<columns {
                let s = scores[base + c]
                guard isValid(s), s >= threshold else { continue }
                var smallest: Int32 = 0
                @inline(__always) func visit(_ n: Int32) {
                    guard n != 0 else { return }
                    if smallest == 0 {
                        smallest = n
                    } else if n != smallest {
                        union(n, smallest)
                        smallest = Swift.min(smallest, n)
                    }
                }
                if c > 0 { visit(labels[base + c - 1]) }
                if r > 0 {
                    let up = base - columns
                    if c > 0 { visit(labels[up + c - 1]) }
                    visit(labels[up + c])
                    if c + 1 < columns { visit(labels[up + c + 1]) }
                }
                if smallest == 0 {
                    smallest = Int32(parent.count)
                    parent.append(smallest)
                }
                labels[base + c] = smallest
            }
        }

        // Final labels in order of the roots' provisional labels, i.e. of first appearance.
        var final = [Int32](repeating: 0, count: parent.count)
        var count: Int32 = 0
        for p in 1..<parent.count {
            let root = find(Int32(p))
            if root == Int32(p) {
                count += 1
                final[p] = count
            } else {
                final[p] = final[Int(root)]
            }
        }

        var stats: [ComponentStats] = (0..<Int(count)).map {
            ComponentStats(
                label: Int32($0 + 1), cells: 0, sum: 0, max: -.infinity, minColumn: .max, minRow: .max,
                maxColumn: .min, maxRow: .min, sumColumn: 0, sumRow: 0, peakColumn: 0, peakRow: 0)
        }
        for r in 0..<rows {
            let base = r * columns
            for c in 0..<columns where labels[base + c] != 0 {
                let l = final[Int(labels[base + c])]
                labels[base + c] = l
                let s = scores[base + c]
                let i = Int(l) - 1
                stats[i].cells += 1
                stats[i].sum += Double(s)
                if s > stats[i].max {
                    stats[i].max = s
                    stats[i].peakColumn = c
                    stats[i].peakRow = r
                }
                stats[i].minColumn = Swift.min(stats[i].minColumn, c)
                stats[i].maxColumn = Swift.max(stats[i].maxColumn, c)
                stats[i].minRow = Swift.min(stats[i].minRow, r)
                stats[i].maxRow = Swift.max(stats[i].maxRow, r)
                stats[i].sumColumn += Double(c) + 0.5
                stats[i].sumRow += Double(r) + 0.5
            }
        }
        return (labels, stats)
    }
}
