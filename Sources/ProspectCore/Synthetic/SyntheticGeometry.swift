/// Plane geometry for the synthetic province: polygons, segments and distance rasters.
enum SyntheticGeometry {
    typealias Point = (x: Double, y: Double)

    /// Signed area of a ring by the shoelace formula (positive when counter-clockwise).
    /// A closing vertex equal to the first is allowed.
    static func signedArea(_ ring: [Point]) -> Double {
        guard ring.count >= 3 else { return 0 }
        var sum = 0.0
        for k in ring.indices {
            let a = ring[k]
            let b = ring[(k + 1) % ring.count]
            sum += a.x * b.y - b.x * a.y
        }
        return sum / 2
    }

    /// Even–odd point-in-polygon test (ray crossing).
    static func contains(_ ring: [Point], x: Double, y: Double) -> Bool {
        var inside = false
        var j = ring.count - 1
        for i in ring.indices {
            let a = ring[i]
            let b = ring[j]
            if (a.y > y) != (b.y > y) {
                let xCross = a.x + (y - a.y) / (b.y - a.y) * (b.x - a.x)
                if x < xCross { inside.toggle() }
            }
            j = i
        }
        return inside
    }

    /// Cells of `grid` (north-up) whose centres lie inside `ring`, by scanline with the even–odd
    /// rule; the same answer as `contains` at every cell centre.
    static func mask(_ ring: [Point], grid: Grid) -> [Bool] {
        let t = grid.transform
        var mask = [Bool](repeating: false, count: grid.cellCount)
        var crossings = [Double]()
        for r in 0..<grid.rows {
            let y = t.originY + (Double(r) + 0.5) * t.cellHeight
            crossings.removeAll(keepingCapacity: true)
            var j = ring.count - 1
            for i in ring.indices {
                let a = ring[i]
                let b = ring[j]
                if (a.y > y) != (b.y > y) {
                    crossings.append(a.x + (y - a.y) / (b.y - a.y) * (b.x - a.x))
                }
                j = i
            }
            crossings.sort()
            var k = 0
            while k + 1 < crossings.count {
                // Centres with x in [x0, x1) are inside (x < x1 and not x < x0).
                let c0 = max(0, Int(((crossings[k] - t.originX) / t.cellWidth - 0.5).rounded(.up)))
                let c1 = min(grid.columns, Int(((crossings[k + 1] - t.originX) / t.cellWidth - 0.5).rounded(.up)))
                if c1 > c0 { for c in c0..<c1 { mask[r * grid.columns + c] = true } }
                k += 2
            }
        }
        return mask
    }

    /// Squared distance from (px, py) to the segment a–b.
    @inline(__always)
    static func segmentDistance2(_ px: Double, _ py: Double, _ ax: Double, _ ay: Double, _ bx: Double, _ by: Double) -> Double {
        let dx = bx - ax
        let dy = by - ay
        let len2 = dx * dx + dy * dy
        var t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0
        t = min(1, max(0, t))
        let ex = ax + t * dx - px
        let ey = ay + t * dy - py
        return ex * ex + ey * ey
    }

    /// Exact Euclidean distance (map units) from every cell centre of a north-up `grid` to the
    /// nearest segment of `lines`.
    ///
    /// The grid is cut into 16 × 16-cell tiles. For a tile with centre `m` and half-diagonal `h`,
    /// the nearest segment of any of its cells lies within `min_s d(m, s) + 2h` of `m`; only
    /// those candidate segments are measured cell by cell, so the result equals brute force.
    static func distanceToLines(_ lines: [[Point]], grid: Grid) -> [Float] {
        var ax = [Double]()
        var ay = [Double]()
        var bx = [Double]()
        var by = [Double]()
        for line in lines where line.count >= 2 {
            for k in 1..<line.count {
                ax.append(line[k - 1].x)
                ay.append(line[k - 1].y)
                bx.append(line[k].x)
                by.append(line[k].y)
            }
        }
        var out = [Float](repeating: .infinity, count: grid.cellCount)
        guard !ax.isEmpty else { return out }
        let t = grid.transform
        let tile = 16
        var candidates = [Int]()
        var tileDistance = [Double](repeating: 0, count: ax.count)
        for tr in stride(from: 0, to: grid.rows, by: tile) {
            let r1 = min(grid.rows, tr + tile)
            for tc in stride(from: 0, to: grid.columns, by: tile) {
                let c1 = min(grid.columns, tc + tile)
                let mx = t.originX + Double(tc + c1) / 2 * t.cellWidth
                let my = t.originY + Double(tr + r1) / 2 * t.cellHeight
                let hx = Double(c1 - tc) / 2 * abs(t.cellWidth)
                let hy = Double(r1 - tr) / 2 * abs(t.cellHeight)
                let h = (hx * hx + hy * hy).squareRoot()
                var upper = Double.infinity
                for s in ax.indices {
                    let d = segmentDistance2(mx, my, ax[s], ay[s], bx[s], by[s]).squareRoot()
                    tileDistance[s] = d
                    upper = min(upper, d + h)
                }
                candidates.removeAll(keepingCapacity: true)
                for s in ax.indices where tileDistance[s] - h <= upper { candidates.append(s) }
                out.withUnsafeMutableBufferPointer { o in
                    for r in tr..<r1 {
                        let py = t.originY + (Double(r) + 0.5) * t.cellHeight
                        for c in tc..<c1 {
                            let px = t.originX + (Double(c) + 0.5) * t.cellWidth
                            var best = Double.infinity
                            for s in candidates {
                                best = min(best, segmentDistance2(px, py, ax[s], ay[s], bx[s], by[s]))
                            }
                            o[r * grid.columns + c] = Float(best.squareRoot())
                        }
                    }
                }
            }
        }
        return out
    }

    /// Separable box blur of radius `radius` cells, edges clamped, repeated `passes` times
    /// (three passes approximate a Gaussian; Wells 1986).
    static func boxBlur(_ values: inout [Float], columns: Int, rows: Int, radius: Int, passes: Int) {
        guard radius > 0, columns > 0, rows > 0 else { return }
        var line = [Double](repeating: 0, count: max(columns, rows))
        let norm = 1 / Double(2 * radius + 1)
        values.withUnsafeMutableBufferPointer { v in
            line.withUnsafeMutableBufferPointer { tmp in
                for _ in 0..<passes {
                    for r in 0..<rows {
                        blurLine(v.baseAddress! + r * columns, count: columns, stride: 1, radius: radius, norm: norm, tmp: tmp.baseAddress!)
                    }
                    for c in 0..<columns {
                        blurLine(v.baseAddress! + c, count: rows, stride: columns, radius: radius, norm: norm, tmp: tmp.baseAddress!)
                    }
                }
            }
        }
    }

    private static func blurLine(
        _ p: UnsafeMutablePointer<Float>, count n: Int, stride: Int, radius: Int,
        norm: Double, tmp: UnsafeMutablePointer<Double>
    ) {
        for i in 0..<n { tmp[i] = Double(p[i * stride]) }
        var sum = 0.0
        for k in -radius...radius { sum += tmp[min(n - 1, max(0, k))] }
        for i in 0..<n {
            p[i * stride] = Float(sum * norm)
            sum += tmp[min(n - 1, i + radius + 1)] - tmp[max(0, i - radius)]
        }
    }
}
