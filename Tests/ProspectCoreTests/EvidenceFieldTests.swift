import Foundation
import Synchronization
import Testing

@testable import ProspectCore

/// Random features for the evidence tests: short and long lines in every direction, points,
/// exactly horizontal and vertical lines, features on cell centres and features outside the grid.
enum EvidenceFixtures {
    /// A grid of `columns × rows` cells of `cell` metres with its top-left corner at (x, y).
    static func grid(columns: Int, rows: Int, cell: Double, left: Double = 500_000, top: Double = 7_000_000) -> Grid {
        Grid(columns: columns, rows: rows, transform: .northUp(left: left, top: top, cellSize: cell))
    }

    static func segments(count: Int, in grid: Grid, seed: UInt64, maxLength: Double) -> [Segment] {
        var rng = SplitMix64(seed: seed)
        let e = grid.extent
        let w = e.maxX - e.minX
        let h = e.maxY - e.minY
        let cell = grid.transform.cellWidth
        var out: [Segment] = []
        for k in 0..<count {
            // A quarter of the features start up to 20 % outside the grid.
            let margin = k % 4 == 0 ? 0.2 : 0
            let x = e.minX - margin * w + rng.nextUnit() * w * (1 + 2 * margin)
            let y = e.minY - margin * h + rng.nextUnit() * h * (1 + 2 * margin)
            let length = rng.nextUnit() * maxLength
            let angle = rng.nextUnit() * 2 * Double.pi
            switch k % 6 {
            case 0: out.append(Segment(x: x, y: y))
            case 1: out.append(Segment(x0: x, y0: y, x1: x + length, y1: y))
            case 2: out.append(Segment(x0: x, y0: y, x1: x, y1: y - length))
            case 3:
                // From one cell centre to another: ends exactly on centres.
                let c = grid.transform.cell(x: x, y: y)
                let (cx, cy) = grid.transform.map(column: c.column.rounded(.down) + 0.5, row: c.row.rounded(.down) + 0.5)
                out.append(Segment(x0: cx, y0: cy, x1: cx + 3 * cell, y1: cy - 2 * cell))
            default: out.append(Segment(x0: x, y0: y, x1: x + length * cos(angle), y1: y + length * sin(angle)))
            }
        }
        return out
    }

    /// Windows that cut the grid at odd places, plus the whole grid.
    static func windows(_ g: Grid) -> [Window] {
        [
            g.full,
            Window(column: 0, row: 0, columns: 1, rows: 1),
            Window(column: 3, row: 5, columns: g.columns - 7, rows: 9),
            Window(column: g.columns - 13, row: g.rows - 11, columns: 13, rows: 11),
            Window(column: 0, row: 17, columns: g.columns, rows: g.rows - 17),
        ]
    }

    static func part(_ full: [Float], of g: Grid, _ w: Window) -> [Float] {
        var out: [Float] = []
        for r in w.row..<(w.row + w.rows) { out += full[(r * g.columns + w.column)..<(r * g.columns + w.column + w.columns)] }
        return out
    }

    static func distance(_ index: SegmentIndex, _ g: Grid, _ w: Window) -> [Float] {
        var out = [Float](repeating: -1, count: w.cellCount)
        out.withUnsafeMutableBufferPointer { DistanceField.compute(index: index, grid: g, window: w, into: $0) }
        return out
    }

    static func pointDensity(_ index: SegmentIndex, _ g: Grid, _ w: Window, _ radius: Double) -> [Float] {
        var out = [Float](repeating: -1, count: w.cellCount)
        out.withUnsafeMutableBufferPointer { DensityField.computePoints(index: index, grid: g, window: w, radius: radius, into: $0) }
        return out
    }

    static func lineDensity(_ index: SegmentIndex, _ g: Grid, _ w: Window, _ radius: Double) -> [Float] {
        var out = [Float](repeating: -1, count: w.cellCount)
        out.withUnsafeMutableBufferPointer { DensityField.computeLines(index: index, grid: g, window: w, radius: radius, into: $0) }
        return out
    }
}

@Suite("Segment geometry")
struct SegmentGeometryTests {
    @Test func pointToSegmentDistance() {
        let s = Segment(x0: 0, y0: 0, x1: 10, y1: 0)
        #expect(s.distance(x: 5, y: 3) == 3)
        #expect(s.distance(x: -3, y: 4) == 5)
        #expect(s.distance(x: 13, y: -4) == 5)
        #expect(Segment(x: 1, y: 1).distance(x: 4, y: 5) == 5)
    }

    @Test func chordLengths() {
        let r = 10.0
        // Through the centre: a diameter.
        #expect(abs(Segment(x0: -50, y0: 0, x1: 50, y1: 0).lengthInside(diskAtX: 0, y: 0, radius: r) - 20) < 1e-12)
        // From the centre outward: a radius.
        #expect(abs(Segment(x0: 0, y0: 0, x1: 0, y1: 40).lengthInside(diskAtX: 0, y: 0, radius: r) - 10) < 1e-12)
        // Fully inside: its own length.
        #expect(abs(Segment(x0: -3, y0: 2, x1: 4, y1: -1).lengthInside(diskAtX: 0, y: 0, radius: r) - (58.0).squareRoot()) < 1e-12)
        // A chord at distance 6: 2·√(100 − 36) = 16.
        #expect(abs(Segment(x0: -30, y0: 6, x1: 30, y1: 6).lengthInside(diskAtX: 0, y: 0, radius: r) - 16) < 1e-12)
        // Tangent, outside, a point, and a long line far away at a shallow angle.
        #expect(Segment(x0: -30, y0: 10, x1: 30, y1: 10).lengthInside(diskAtX: 0, y: 0, radius: r) == 0)
        #expect(Segment(x0: 11, y0: -30, x1: 11, y1: 30).lengthInside(diskAtX: 0, y: 0, radius: r) == 0)
        #expect(Segment(x: 1, y: 1).lengthInside(diskAtX: 0, y: 0, radius: r) == 0)
        let far = Segment(x0: -1e6, y0: 8 - 1e-3, x1: 1e6, y1: 8 + 1e-3)
        #expect(abs(far.lengthInside(diskAtX: 0, y: 0, radius: r) - 12) < 1e-6)
    }

    @Test func rectangleDistanceAndClipping() {
        let rect = Rect(minX: 0, minY: 0, maxX: 10, maxY: 10)
        // Crossing without an end inside.
        #expect(SegmentGeometry(Segment(x0: -5, y0: 5, x1: 15, y1: 6)).distanceSquared(toRect: rect) == 0)
        // Passing the corner (10, 10) diagonally at distance √2.
        let corner = SegmentGeometry(Segment(x0: 22, y0: 0, x1: 0, y1: 22)).distanceSquared(toRect: rect)
        #expect(abs(corner - 2) < 1e-12)
        #expect(SegmentGeometry(Segment(x: 13, y: 14)).distanceSquared(toRect: rect) == 25)
    }
}

@Suite("Segment index")
struct SegmentIndexTests {
    @Test("nearest and disk queries match brute force", arguments: [1, 2, 7, 150])
    func queriesMatchBruteForce(count: Int) throws {
        let g = EvidenceFixtures.grid(columns: 60, rows: 40, cell: 25)
        let segments = EvidenceFixtures.segments(count: count, in: g, seed: UInt64(count), maxLength: 400)
        let index = SegmentIndex(segments)
        var rng = SplitMix64(seed: 11)
        let e = g.extent
        for k in 0..<300 {
            // Some queries far outside the indexed area.
            let spread = k % 5 == 0 ? 20.0 : 1.2
            let x = e.minX + (rng.nextUnit() - 0.5) * spread * (e.maxX - e.minX)
            let y = e.minY + (rng.nextUnit() - 0.5) * spread * (e.maxY - e.minY)
            let distances = segments.map { $0.distance(x: x, y: y) }
            let best = distances.min()!
            let found = try #require(index.nearest(x: x, y: y))
            #expect(found.distance == best)
            #expect(distances[found.segment] == best)
            let radius = rng.nextUnit() * 300
            #expect(index.segments(intersectingDiskAtX: x, y: y, radius: radius) == distances.indices.filter { distances[$0] <= radius })
            let near = index.nearest(x: x, y: y, within: radius)
            #expect((near?.distance) == (best <= radius ? best : nil))
        }
    }

    @Test func emptyAndDegenerate() {
        let empty = SegmentIndex([])
        #expect(empty.nearest(x: 0, y: 0) == nil)
        #expect(empty.segments(intersectingDiskAtX: 0, y: 0, radius: 1e9).isEmpty)
        // All features on one point, or on one horizontal line.
        let same = SegmentIndex(points: [(x: 5, y: 5), (x: 5, y: 5)])
        #expect(same.containsOnlyPoints)
        #expect(same.nearest(x: 8, y: 9)?.distance == 5)
        let line = SegmentIndex((0..<10).map { Segment(x0: Double($0) * 100, y0: 0, x1: Double($0) * 100 + 50, y1: 0) })
        #expect(!line.containsOnlyPoints)
        #expect(line.nearest(x: 75, y: 0)?.distance == 25)
        #expect(line.segments(intersectingDiskAtX: 75, y: 0, radius: 25) == [0, 1])
    }
}

@Suite("Distance field against its brute-force reference")
struct DistanceFieldTests {
    @Test("fast equals reference in every window", arguments: [(1, 1), (2, 7), (60, 3), (200, 4)])
    func matchesReference(count: Int, seed: UInt64) {
        let g = EvidenceFixtures.grid(columns: 150, rows: 90, cell: 20)
        let segments = EvidenceFixtures.segments(count: count, in: g, seed: seed, maxLength: 800)
        let index = SegmentIndex(segments)
        let full = DistanceField.reference(segments: segments, grid: g, window: g.full)
        for w in EvidenceFixtures.windows(g) {
            let fast = EvidenceFixtures.distance(index, g, w)
            let ref = EvidenceFixtures.part(full, of: g, w)
            let worst = zip(fast, ref).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-3, "window \(w): max difference \(worst) m")
            #expect(fast == ref, "window \(w)")
        }
    }

    @Test("a grid far larger than the features")
    func sparseFeatures() {
        let g = EvidenceFixtures.grid(columns: 160, rows: 140, cell: 100)
        // Three short faults in a 300 m patch near one corner, and a point outside the grid.
        let x = 500_000 + 1_200.0
        let y = 7_000_000 - 1_500.0
        let segments = [
            Segment(x0: x, y0: y, x1: x + 300, y1: y - 100),
            Segment(x0: x + 50, y0: y - 300, x1: x + 50, y1: y),
            Segment(x0: x, y0: y - 150, x1: x + 250, y1: y - 150),
            Segment(x: 500_000 + 30_000, y: 7_000_000 + 9_000),
        ]
        let fast = EvidenceFixtures.distance(SegmentIndex(segments), g, g.full)
        let ref = DistanceField.reference(segments: segments, grid: g, window: g.full)
        #expect(fast == ref)
        #expect(fast.max()! > 10_000)
    }

    @Test("a dense cluster seen from far away", arguments: [(250.0, 1_500.0), (5_400.0, -4_000.0)])
    func farCluster(x: Double, y: Double) {
        // 150 segments in a 400 m patch, on a grid 6 km × 5 km: most tiles see a front of many
        // segments at nearly equal distances (the sorted, early-exit leaves).
        let g = EvidenceFixtures.grid(columns: 120, rows: 100, cell: 50)
        var rng = SplitMix64(seed: 9)
        let segments = (0..<150).map { _ in
            let x0 = 500_000 + x + rng.nextUnit() * 400
            let y0 = 7_000_000 - 5_000 + y + rng.nextUnit() * 400
            return Segment(x0: x0, y0: y0, x1: x0 + (rng.nextUnit() - 0.5) * 300, y1: y0 + (rng.nextUnit() - 0.5) * 300)
        }
        let fast = EvidenceFixtures.distance(SegmentIndex(segments), g, g.full)
        #expect(fast == DistanceField.reference(segments: segments, grid: g, window: g.full))
    }

    @Test func noFeaturesGiveInfinity() {
        let g = EvidenceFixtures.grid(columns: 9, rows: 5, cell: 30)
        let fast = EvidenceFixtures.distance(SegmentIndex([]), g, g.full)
        #expect(fast.allSatisfy { $0 == .infinity })
        #expect(DistanceField.reference(segments: [], grid: g, window: g.full).allSatisfy { $0 == .infinity })
        #expect(EvidenceFixtures.distance(SegmentIndex([]), g, Window(column: 0, row: 0, columns: 0, rows: 3)).isEmpty)
    }

    @Test func knownDistances() {
        // 4 × 3 cells of 10 m: centres x = 5, 15, 25, 35 and y = 25, 15, 5. A vertical line
        // x = 15, 0 ≤ y ≤ 20: row 0 is 5 m beyond its top end (15, 20).
        let g = EvidenceFixtures.grid(columns: 4, rows: 3, cell: 10, left: 0, top: 30)
        let index = SegmentIndex([Segment(x0: 15, y0: 0, x1: 15, y1: 20)])
        let top: [Float] = [Float(125.0.squareRoot()), 5, Float(125.0.squareRoot()), Float(425.0.squareRoot())]
        #expect(EvidenceFixtures.distance(index, g, g.full) == top + [10, 0, 10, 20] + [10, 0, 10, 20])
    }
}

@Suite("Point and line density against their brute-force references")
struct DensityFieldTests {
    @Test("point density equals the reference exactly", arguments: [(1, 35.0), (40, 55.0), (300, 120.0), (300, 7.0)])
    func pointsMatchReference(count: Int, radius: Double) {
        let g = EvidenceFixtures.grid(columns: 130, rows: 80, cell: 10)
        var rng = SplitMix64(seed: UInt64(count))
        let e = g.extent
        var points = (0..<count).map { _ in
            (x: e.minX - 50 + rng.nextUnit() * (e.maxX - e.minX + 100), y: e.minY - 50 + rng.nextUnit() * (e.maxY - e.minY + 100))
        }
        // Points exactly `radius` from a cell centre, on a row and on a column: counted (≤).
        points += [(x: e.minX + 45 + radius, y: e.maxY - 25), (x: e.minX + 65, y: e.maxY - 35 - radius)]
        let index = SegmentIndex(points: points)
        let full = DensityField.referencePoints(points: points, grid: g, window: g.full, radius: radius)
        for w in EvidenceFixtures.windows(g) {
            #expect(EvidenceFixtures.pointDensity(index, g, w, radius) == EvidenceFixtures.part(full, of: g, w), "window \(w)")
        }
    }

    @Test func knownPointDensity() {
        // 5 × 5 cells of 10 m, centres 5…45; one point on the centre (25, 25), radius 20 m:
        // the 13 centres within 20 m (the cross of 5 and the 8 at √(10² + 10²)) hold
        // 1 / (π · 0.0004 km²); the corners and the rest hold 0.
        let g = EvidenceFixtures.grid(columns: 5, rows: 5, cell: 10, left: 0, top: 50)
        let d = EvidenceFixtures.pointDensity(SegmentIndex(points: [(x: 25, y: 25)]), g, g.full, 20)
        let one = Float(1 / (Double.pi * 0.0004))
        #expect(d.filter { $0 == one }.count == 13)
        #expect(d.filter { $0 == 0 }.count == 12)
        #expect(d[0] == 0 && d[2] == one && d[6] == one && d[12] == one)
    }

    @Test("line density matches the reference", arguments: [(1, 40.0), (30, 60.0), (150, 150.0), (150, 6.0)])
    func linesMatchReference(count: Int, radius: Double) {
        let g = EvidenceFixtures.grid(columns: 130, rows: 80, cell: 10)
        var segments = EvidenceFixtures.segments(count: count, in: g, seed: UInt64(count) + 7, maxLength: 600)
        // Tangent to the circle of the centre (45, −25) from the grid corner, crossing it,
        // and fully inside it.
        let (x, y) = (g.extent.minX + 45, g.extent.maxY - 25)
        segments += [
            Segment(x0: x - 500, y0: y + radius, x1: x + 500, y1: y + radius),
            Segment(x0: x - 500, y0: y - radius / 2, x1: x + 500, y1: y - radius / 3),
            Segment(x0: x - radius / 4, y0: y, x1: x + radius / 5, y1: y + radius / 6),
        ]
        let index = SegmentIndex(segments)
        let full = DensityField.referenceLines(segments: segments, grid: g, window: g.full, radius: radius)
        for w in EvidenceFixtures.windows(g) {
            let fast = EvidenceFixtures.lineDensity(index, g, w, radius)
            let ref = EvidenceFixtures.part(full, of: g, w)
            for (a, b) in zip(fast, ref) {
                #expect(abs(a - b) <= 1e-5 * max(abs(b), 1e-3), "window \(w): \(a) vs \(b)")
            }
        }
    }

    @Test func knownLineDensity() {
        // A 1 km line through the centre of a single 10 m cell, radius 100 m: 200 m inside a
        // circle of π·0.01 km², i.e. 0.2 / (0.01 π) km/km².
        let g = EvidenceFixtures.grid(columns: 1, rows: 1, cell: 10, left: 0, top: 10)
        let index = SegmentIndex([Segment(x0: -495, y0: 5, x1: 505, y1: 5)])
        let d = EvidenceFixtures.lineDensity(index, g, g.full, 100)
        #expect(abs(Double(d[0]) - 0.2 / (0.01 * Double.pi)) < 1e-4)
        #expect(EvidenceFixtures.lineDensity(SegmentIndex([]), g, g.full, 100) == [0])
    }
}

@Suite("Banded parallel fill")
struct BandedFillTests {
    struct WriteFailed: Error {}

    @Test("bands arrive once, in order, with their values", arguments: [(1, 7), (2, 7), (3, 1), (4, 50), (2, 200)])
    func ordered(threads: Int, rowsPerBand: Int) throws {
        let g = EvidenceFixtures.grid(columns: 17, rows: 103, cell: 1)
        var rows: [Int] = []
        try BandedFill.fill(
            grid: g, rowsPerBand: rowsPerBand, threads: threads,
            body: { w, out in
                #expect(out.count == w.cellCount)
                for r in 0..<w.rows { for c in 0..<w.columns { out[r * w.columns + c] = Float((w.row + r) * 1000 + c) } }
                // Uneven work so later bands often finish first.
                if w.row % 3 == 0 { usleep(200) }
            },
            write: { w, values in
                #expect(w.column == 0 && w.columns == g.columns && w.row == rows.count)
                for r in 0..<w.rows {
                    for c in 0..<w.columns { #expect(values[r * w.columns + c] == Float((w.row + r) * 1000 + c)) }
                    rows.append(w.row + r)
                }
            })
        #expect(rows == Array(0..<g.rows))
    }

    @Test("a failing write stops the fill and is rethrown", arguments: [1, 2, 4])
    func failure(threads: Int) {
        let g = EvidenceFixtures.grid(columns: 5, rows: 60, cell: 1)
        var written: [Int] = []
        #expect(throws: WriteFailed.self) {
            try BandedFill.fill(
                grid: g, rowsPerBand: 4, threads: threads,
                body: { _, out in
                    for i in 0..<out.count { out[i] = 1 }
                },
                write: { w, _ in
                    if w.row == 12 { throw WriteFailed() }
                    written.append(w.row)
                })
        }
        #expect(written == [0, 4, 8])
    }

    @Test("a write that fails while later bands are computed leaves no buffer held", arguments: [2, 4])
    func failureWithBandsWaiting(threads: Int) {
        // The failing write waits until the other workers have finished later bands, which then
        // are never written: the fill must still end cleanly (their buffers go back to the pool).
        let g = EvidenceFixtures.grid(columns: 5, rows: 80, cell: 1)
        let computed = Mutex(0)
        #expect(throws: WriteFailed.self) {
            try BandedFill.fill(
                grid: g, rowsPerBand: 4, threads: threads,
                body: { w, out in
                    for i in 0..<out.count { out[i] = Float(w.row) }
                    computed.withLock { $0 += 1 }
                },
                write: { w, _ in
                    let deadline = Date().addingTimeInterval(2)
                    while computed.withLock({ $0 }) < min(threads, 4) && Date() < deadline { usleep(1000) }
                    throw WriteFailed()
                })
        }
    }

    @Test("distance bands equal the whole-grid field")
    func distanceBands() throws {
        let g = EvidenceFixtures.grid(columns: 70, rows: 45, cell: 30)
        let segments = EvidenceFixtures.segments(count: 40, in: g, seed: 3, maxLength: 900)
        let index = SegmentIndex(segments)
        var assembled: [Float] = []
        try BandedFill.fill(
            grid: g, rowsPerBand: 8, threads: 2,
            body: { w, out in
                DistanceField.compute(index: index, grid: g, window: w, into: out)
            }, write: { _, values in assembled += values })
        #expect(assembled == DistanceField.reference(segments: segments, grid: g, window: g.full))
    }
}
