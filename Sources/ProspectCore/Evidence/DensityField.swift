/// Density of points or lines within a circular neighbourhood of each cell centre, per km².
///
/// As ArcGIS Spatial Analyst's Point Density and Line Density ("How Line Density works"):
/// a circle of the search radius is centred on each cell centre; point density is the number of
/// points in the circle divided by its area, line density the length of the parts of the lines
/// inside the circle divided by its area. Map units are taken as metres and the results given
/// per square kilometre: points/km² and km of line per km². Unlike ArcGIS, which writes NoData
/// where the circle holds nothing, these fields hold 0 there; no population field is applied.
public enum DensityField {
    /// Side of the square tiles the fast paths work in, in cells.
    public static let tileSize = 64

    /// Points per km² for one point in a circle of `radius` metres.
    static func pointScale(radius: Double) -> Double { 1e6 / (Double.pi * radius * radius) }
    /// km per km² for one metre of line in a circle of `radius` metres.
    static func lineScale(radius: Double) -> Double { 1e3 / (Double.pi * radius * radius) }

    /// Brute-force point density: for each cell centre, the points at distance ≤ `radius`
    /// (as `dx² + dy² ≤ radius²`), divided by the circle's area in km².
    ///
    /// - Returns: `window.cellCount` densities, row-major.
    public static func referencePoints(
        points: [(x: Double, y: Double)], grid: Grid, window: Window,
        radius: Double
    ) -> [Float] {
        reference(grid: grid, window: window, radius: radius, scale: pointScale(radius: radius)) { x, y, r2 in
            var count = 0
            for p in points where within(x - p.x, y - p.y, r2) { count += 1 }
            return Double(count)
        }
    }

    /// Brute-force line density: for each cell centre, the summed length of the segments inside
    /// the closed disk of `radius` (exact segment–circle intersection), in km per km².
    ///
    /// - Returns: `window.cellCount` densities, row-major.
    public static func referenceLines(segments: [Segment], grid: Grid, window: Window, radius: Double) -> [Float] {
        let geometry = segments.map(SegmentGeometry.init)
        return reference(grid: grid, window: window, radius: radius, scale: lineScale(radius: radius)) { x, y, r2 in
            var length = 0.0
            for g in geometry { length += g.chordLength(x: x, y: y, radiusSquared: r2) }
            return length
        }
    }

    /// The brute-force loop of both references: `amount(x, y, radius²)` at each cell centre,
    /// times `scale`.
    static func reference(
        grid: Grid, window: Window, radius: Double, scale: Double, _ amount: (_ x: Double, _ y: Double, _ r2: Double) -> Double
    ) -> [Float] {
        precondition(radius > 0 && radius.isFinite, "the search radius is positive")
        let centers = CellCenters(grid: grid, window: window)
        let r2 = radius * radius
        var out = [Float](repeating: 0, count: window.cellCount)
        for r in 0..<window.rows {
            for c in 0..<window.columns {
                out[r * window.columns + c] = Float(amount(centers.xs[c], centers.ys[r], r2) * scale)
            }
        }
        return out
    }

    /// The point-in-circle test shared by the reference and the fast path.
    @inline(__always)
    static func within(_ dx: Double, _ dy: Double, _ r2: Double) -> Bool { dx * dx + dy * dy <= r2 }

    /// Point density by row intervals; equals `referencePoints` exactly.
    ///
    /// For each tile of `tileSize` cells, the index gives the points within `radius` of the
    /// tile's cell centres. In each row, a point covers the contiguous run of cells whose centre
    /// is within the radius: its ends are estimated from `√(r² − dy²)` and then settled with
    /// the same test as the reference, and the run is added to the row with a difference array.
    /// The cost is one step per point and row plus one per cell, however large the radius.
    ///
    /// - Parameters:
    ///   - index: built with `SegmentIndex(points:)`: each segment counts as its first end.
    ///   - output: at least `window.cellCount` floats, row-major.
    public static func computePoints(
        index: SegmentIndex, grid: Grid, window: Window, radius: Double,
        into output: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(radius > 0 && radius.isFinite, "the search radius is positive")
        precondition(index.containsOnlyPoints, "point density needs an index of points")
        precondition(output.count >= window.cellCount, "output holds the window")
        guard window.cellCount > 0 else { return }
        let centers = CellCenters(grid: grid, window: window)
        let r2 = radius * radius
        let scale = pointScale(radius: radius)
        var runs = [Int32](repeating: 0, count: tileSize + 1)
        forEachTileRow(index: index, centers: centers, window: window, radius: radius, output: output) { ids, row, r, c0, c1 in
            for j in 0...(c1 - c0) { runs[j] = 0 }
            let y = centers.ys[r]
            for id in ids {
                let p = index.geometry[Int(id)]
                guard
                    let (a, b) = run(
                        x: p.ax, dy: y - p.ay, r2: r2, centers: centers,
                        columns: c0, c1)
                else { continue }
                runs[a - c0] += 1
                runs[b + 1 - c0] -= 1
            }
            var count: Int32 = 0
            for c in c0..<c1 {
                count += runs[c - c0]
                row[c] = Float(Double(count) * scale)
            }
        }
    }

    /// Calls `body` for each row of each `tileSize` tile of `window` with the ids the index
    /// gives within `radius` of the tile's cell centres (ascending) and the row's output; a row
    /// of a tile with no candidate is set to 0 without calling it.
    @inline(__always)
    static func forEachTileRow(
        index: SegmentIndex, centers: CellCenters, window: Window, radius: Double,
        output: UnsafeMutableBufferPointer<Float>,
        _ body: (_ ids: [Int32], _ row: UnsafeMutablePointer<Float>, _ r: Int, _ c0: Int, _ c1: Int) -> Void
    ) {
        let t = tileSize
        var ids: [Int32] = []
        var visits = SegmentIndex.Visits(index)
        let out = output.baseAddress!
        for r0 in stride(from: 0, to: window.rows, by: t) {
            let r1 = min(r0 + t, window.rows)
            for c0 in stride(from: 0, to: window.columns, by: t) {
                let c1 = min(c0 + t, window.columns)
                ids.removeAll(keepingCapacity: true)
                index.collect(near: centers.rect(columns: c0, c1, rows: r0, r1), within: radius, into: &ids, visits: &visits)
                for r in r0..<r1 {
                    let row = out + r * window.columns
                    guard !ids.isEmpty else {
                        for c in c0..<c1 { row[c] = 0 }
                        continue
                    }
                    body(ids, row, r, c0, c1)
                }
            }
        }
    }

    /// The window columns in `c0 ..< c1` whose centres pass `within(xs[c] − x, dy, r2)`, as a
    /// closed range, or nil when there are none.
    ///
    /// `dx² + dy²` grows with `|dx|` and `xs` increases with the column, so the passing columns
    /// are contiguous around the column nearest `x`; the analytic ends are corrected a step at
    /// a time with the exact test.
    static func run(
        x: Double, dy: Double, r2: Double, centers: CellCenters,
        columns c0: Int, _ c1: Int
    ) -> (Int, Int)? {
        let rest = r2 - dy * dy
        guard rest >= 0 else { return nil }
        let half = rest.squareRoot()
        let xs = centers.xs
        let x0 = xs[0]
        let width = centers.cellWidth
        @inline(__always) func column(_ v: Double) -> Int {
            let f = ((v - x0) / width).rounded()
            return f < Double(c0) ? c0 : (f > Double(c1 - 1) ? c1 - 1 : Int(f))
        }
        @inline(__always) func inside(_ c: Int) -> Bool { within(xs[c] - x, dy, r2) }
        // The column whose centre is nearest x (checked against its neighbours for rounding).
        var m = column(x)
        if m > c0, abs(xs[m - 1] - x) < abs(xs[m] - x) { m -= 1 }
        if m < c1 - 1, abs(xs[m + 1] - x) < abs(xs[m] - x) { m += 1 }
        guard inside(m) else { return nil }
        var a = min(column(x - half), m)
        while a > c0, inside(a - 1) { a -= 1 }
        while !inside(a) { a += 1 }
        var b = max(column(x + half), m)
        while b < c1 - 1, inside(b + 1) { b += 1 }
        while !inside(b) { b -= 1 }
        return (a, b)
    }

    /// Line density by candidate segments per tile and row; equals `referenceLines` to rounding.
    ///
    /// For each tile of `tileSize` cells, the index gives the segments within `radius` of the
    /// tile's cell centres (ascending, so lengths add up in the reference's order). In each row
    /// a segment can only reach the cells whose centres lie within `radius` (plus one cell) of
    /// its part inside the band `|y − y_row| ≤ radius`; for those cells its exact chord length
    /// (`SegmentGeometry.chordLength`) is added.
    ///
    /// - Parameters:
    ///   - output: at least `window.cellCount` floats, row-major.
    public static func computeLines(
        index: SegmentIndex, grid: Grid, window: Window, radius: Double,
        into output: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(radius > 0 && radius.isFinite, "the search radius is positive")
        precondition(output.count >= window.cellCount, "output holds the window")
        guard window.cellCount > 0 else { return }
        let centers = CellCenters(grid: grid, window: window)
        let r2 = radius * radius
        let scale = lineScale(radius: radius)
        let reach = radius * (1 + 1e-9)
        let xs = centers.xs
        let x0 = xs[0]
        let width = centers.cellWidth
        var sums = [Double](repeating: 0, count: tileSize)
        forEachTileRow(index: index, centers: centers, window: window, radius: radius, output: output) { ids, row, r, c0, c1 in
            for j in 0..<(c1 - c0) { sums[j] = 0 }
            let y = centers.ys[r]
            for id in ids {
                let g = index.geometry[Int(id)]
                // The part of the segment in the band |y' − y| ≤ reach, as t ∈ [ta, tb].
                var ta = 0.0
                var tb = 1.0
                if g.dy == 0 {
                    if abs(g.ay - y) > reach { continue }
                } else {
                    let u = (y - reach - g.ay) / g.dy
                    let v = (y + reach - g.ay) / g.dy
                    ta = max(ta, min(u, v))
                    tb = min(tb, max(u, v))
                    if ta > tb { continue }
                }
                let xa = g.ax + ta * g.dx
                let xb = g.ax + tb * g.dx
                let lo = ((min(xa, xb) - reach - x0) / width).rounded(.down) - 1
                let hi = ((max(xa, xb) + reach - x0) / width).rounded(.up) + 1
                guard hi >= Double(c0), lo <= Double(c1 - 1) else { continue }
                let a = max(c0, Int(max(lo, Double(c0))))
                let b = min(c1 - 1, Int(min(hi, Double(c1 - 1))))
                guard a <= b else { continue }
                for c in a...b { sums[c - c0] += g.chordLength(x: xs[c], y: y, radiusSquared: r2) }
            }
            for c in c0..<c1 { row[c] = Float(sums[c - c0] * scale) }
        }
    }
}
