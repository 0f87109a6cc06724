/// Euclidean distance from every cell centre to the nearest segment or point, in map units.
///
/// This is the "distance to fault" evidence layer: exact point-to-segment distances from the
/// centre of each cell, not the cell-centre-to-rasterised-cell distances of a raster proximity
/// tool. Cells get `+infinity` when there are no features.
public enum DistanceField {
    /// Side of the square tiles the fast path starts from, in cells.
    public static let tileSize = 64
    /// Tiles of at most this many cells are no longer subdivided.
    static let leafCells = 64
    /// Leaves with more candidates than this sort them and stop early per cell.
    static let sortedCandidates = 2

    /// Brute-force reference: for every cell centre of `window`, the minimum over all segments
    /// of the exact point-to-segment distance.
    ///
    /// - Returns: `window.cellCount` distances, row-major; `+infinity` when `segments` is empty.
    public static func reference(segments: [Segment], grid: Grid, window: Window) -> [Float] {
        let centers = CellCenters(grid: grid, window: window)
        let geometry = segments.map(SegmentGeometry.init)
        var out = [Float](repeating: .infinity, count: window.cellCount)
        for r in 0..<window.rows {
            for c in 0..<window.columns {
                var best = Double.infinity
                for g in geometry { best = min(best, g.distanceSquared(x: centers.xs[c], y: centers.ys[r])) }
                out[r * window.columns + c] = Float(best.squareRoot())
            }
        }
        return out
    }

    /// Exact distances by hierarchical culling of candidate segments; equals `reference`.
    ///
    /// The window is cut into tiles of `tileSize` cells. For a tile, let `R` be the rectangle
    /// spanned by its cell centres, `c` the centre of `R` and `s*` the segment nearest `c`
    /// (found with `SegmentIndex.nearest`). Every cell `p` of the tile has
    /// `dist(p) ≤ dist(p, s*) ≤ U`, where `U` is the largest distance from a corner of `R` to
    /// `s*` (distance to a convex set is a convex function, so its maximum over `R` is at a
    /// corner). Hence only segments within `U` of `R` can be nearest to a cell of the tile.
    /// When more than one segment qualifies, the tile is split in four and the same test is
    /// run on each quarter with the parent's candidates as the pool. Tiles of one candidate or
    /// at most `leafCells` cells are finished per cell: with up to `sortedCandidates`
    /// candidates by trying them all, with more by trying them in order of a linear lower
    /// bound and stopping at the first that cannot beat the best (see `DistanceWorker.leaf`),
    /// which keeps a tile facing a distant cluster of features to one or two evaluations per
    /// cell. The minimum is taken over the same squared distances as `reference`
    /// (`SegmentGeometry.distanceSquared`), so the results agree bit for bit, in any window.
    ///
    /// The three sizes were chosen by timing 8192² grids with segments spread over the grid,
    /// packed into a small part of it, and twenty times denser.
    ///
    /// - Parameters:
    ///   - output: at least `window.cellCount` floats; receives the distances row-major, or
    ///     `+infinity` everywhere when the index is empty.
    public static func compute(
        index: SegmentIndex, grid: Grid, window: Window,
        into output: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(output.count >= window.cellCount, "output holds the window")
        guard window.cellCount > 0 else { return }
        guard !index.isEmpty else {
            for i in 0..<window.cellCount { output[i] = .infinity }
            return
        }
        var worker = DistanceWorker(
            index: index, centers: CellCenters(grid: grid, window: window),
            stride: window.columns, output: output.baseAddress!)
        let t = tileSize
        for r0 in stride(from: 0, to: window.rows, by: t) {
            for c0 in stride(from: 0, to: window.columns, by: t) {
                worker.tile(columns: c0, min(c0 + t, window.columns), rows: r0, min(r0 + t, window.rows))
            }
        }
    }
}

/// The per-window state of `DistanceField.compute`: cell centres, a stack of candidate lists
/// (one range per level of subdivision) and a row of squared distances.
struct DistanceWorker {
    let index: SegmentIndex
    let centers: CellCenters
    let stride: Int
    let output: UnsafeMutablePointer<Float>
    var candidates: [Int32] = []
    var best: [Double] = Array(repeating: .infinity, count: DistanceField.tileSize)
    var sorted: [(support: Double, geometry: SegmentGeometry)] = []
    var visits: SegmentIndex.Visits

    init(index: SegmentIndex, centers: CellCenters, stride: Int, output: UnsafeMutablePointer<Float>) {
        self.index = index
        self.centers = centers
        self.stride = stride
        self.output = output
        visits = SegmentIndex.Visits(index)
        candidates.reserveCapacity(256)
    }

    /// A top-level tile: its nearest segment from the index, then its candidates.
    mutating func tile(columns c0: Int, _ c1: Int, rows r0: Int, _ r1: Int) {
        let rect = centers.rect(columns: c0, c1, rows: r0, r1)
        var best = Double.infinity
        var found = -1
        index.scanNearest(x: rect.centerX, y: rect.centerY, best: &best, found: &found)
        let bound = Self.cornerBound(index.geometry[found], rect)
        candidates.removeAll(keepingCapacity: true)
        index.collect(near: rect, within: bound, into: &candidates, visits: &visits)
        solve(columns: c0, c1, rows: r0, r1, candidates: 0, candidates.count)
    }

    /// Largest distance from a corner of `rect` to `g`: an upper bound of the distance from any
    /// point of `rect` to the nearest segment.
    static func cornerBound(_ g: SegmentGeometry, _ rect: Rect) -> Double {
        max(
            max(g.distanceSquared(x: rect.minX, y: rect.minY), g.distanceSquared(x: rect.maxX, y: rect.minY)),
            max(g.distanceSquared(x: rect.minX, y: rect.maxY), g.distanceSquared(x: rect.maxX, y: rect.maxY))
        )
        .squareRoot()
    }

    /// Finishes a tile whose candidates are `candidates[lo ..< hi]`.
    mutating func solve(columns c0: Int, _ c1: Int, rows r0: Int, _ r1: Int, candidates lo: Int, _ hi: Int) {
        let w = c1 - c0
        let h = r1 - r0
        guard hi - lo > 1, w * h > DistanceField.leafCells else {
            leaf(columns: c0, c1, rows: r0, r1, candidates: lo, hi)
            return
        }
        let cm = w > 1 ? c0 + w / 2 : c1
        let rm = h > 1 ? r0 + h / 2 : r1
        for (a0, a1) in [(r0, rm), (rm, r1)] where a1 > a0 {
            for (b0, b1) in [(c0, cm), (cm, c1)] where b1 > b0 {
                let rect = centers.rect(columns: b0, b1, rows: a0, a1)
                let cx = rect.centerX
                let cy = rect.centerY
                var nearest = Int32(-1)
                var best = Double.infinity
                for k in lo..<hi {
                    let d = index.geometry[Int(candidates[k])].distanceSquared(x: cx, y: cy)
                    if d < best {
                        best = d
                        nearest = candidates[k]
                    }
                }
                let bound = Self.cornerBound(index.geometry[Int(nearest)], rect)
                let limit = bound * (1 + 1e-9) + 1e-9 * index.bucketSize
                let limit2 = limit * limit
                let start = candidates.count
                for k in lo..<hi {
                    let id = candidates[k]
                    if index.geometry[Int(id)].distanceSquared(toRect: rect) <= limit2 { candidates.append(id) }
                }
                solve(columns: b0, b1, rows: a0, a1, candidates: start, candidates.count)
                candidates.removeSubrange(start...)
            }
        }
    }

    /// Per cell, the minimum over the candidates.
    ///
    /// A few candidates are tried on every cell, one row at a time with the candidates outer,
    /// so the inner loop over the row's cells vectorises. Many candidates (a tile far from a
    /// cluster of features sees a whole front of them at nearly equal distances) are first
    /// sorted by their support `h_s = max(u·(a − c), u·(b − c))` along the unit vector `u`
    /// pointing from the nearest segment towards the tile centre `c`. For every point `x` of
    /// `s`, `|p − x| ≥ u·(p − x) ≥ u·(p − c) − h_s`, so a cell can stop at the first candidate
    /// whose bound exceeds the best distance found: far from the features `u` is nearly the
    /// direction to every cell's nearest point and one or two candidates are evaluated.
    mutating func leaf(columns c0: Int, _ c1: Int, rows r0: Int, _ r1: Int, candidates lo: Int, _ hi: Int) {
        if hi - lo > DistanceField.sortedCandidates {
            sortedLeaf(columns: c0, c1, rows: r0, r1, candidates: lo, hi)
            return
        }
        let w = c1 - c0
        let geometry = index.geometry
        centers.xs.withUnsafeBufferPointer { xsAll in
            best.withUnsafeMutableBufferPointer { bestRow in
                candidates.withUnsafeBufferPointer { ids in
                    let xs = xsAll.baseAddress! + c0
                    let best = bestRow.baseAddress!
                    for r in r0..<r1 {
                        let y = centers.ys[r]
                        for j in 0..<w { best[j] = .infinity }
                        for k in lo..<hi {
                            let g = geometry[Int(ids[k])]
                            for j in 0..<w { best[j] = min(best[j], g.distanceSquared(x: xs[j], y: y)) }
                        }
                        let out = output + r * stride + c0
                        for j in 0..<w { out[j] = Float(best[j].squareRoot()) }
                    }
                }
            }
        }
    }

    /// `leaf` for many candidates: sorted by support, with an early exit per cell.
    mutating func sortedLeaf(columns c0: Int, _ c1: Int, rows r0: Int, _ r1: Int, candidates lo: Int, _ hi: Int) {
        let rect = centers.rect(columns: c0, c1, rows: r0, r1)
        let cx = rect.centerX
        let cy = rect.centerY
        var nearest = index.geometry[Int(candidates[lo])]
        var best = Double.infinity
        for k in lo..<hi {
            let g = index.geometry[Int(candidates[k])]
            let d = g.distanceSquared(x: cx, y: cy)
            if d < best {
                best = d
                nearest = g
            }
        }
        let (qx, qy) = nearest.nearestPoint(x: cx, y: cy)
        let length = ((cx - qx) * (cx - qx) + (cy - qy) * (cy - qy)).squareRoot()
        let ux = length > 0 ? (cx - qx) / length : 1
        let uy = length > 0 ? (cy - qy) / length : 0
        sorted.removeAll(keepingCapacity: true)
        for k in lo..<hi {
            let g = index.geometry[Int(candidates[k])]
            let h = max(ux * (g.ax - cx) + uy * (g.ay - cy), ux * (g.bx - cx) + uy * (g.by - cy))
            sorted.append((h, g))
        }
        sorted.sort { $0.support > $1.support }
        for r in r0..<r1 {
            let y = centers.ys[r]
            let out = output + r * stride
            for c in c0..<c1 {
                let x = centers.xs[c]
                let along = ux * (x - cx) + uy * (y - cy)
                var best = Double.infinity
                for (h, g) in sorted {
                    // A lower bound of the distance to this and every later candidate; the
                    // margin covers its rounding (about 1e-9 m in tile-centred coordinates).
                    let bound = along - h - 1e-6
                    if bound > 0, bound * bound > best { break }
                    best = min(best, g.distanceSquared(x: x, y: y))
                }
                out[c] = Float(best.squareRoot())
            }
        }
    }
}
