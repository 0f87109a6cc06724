/// A uniform bucket grid over segments, for "nearest segment" and "segments near a disk or a
/// rectangle" queries.
///
/// The buckets tile the bounding box of the segments. A segment is listed in every bucket it
/// passes through (Liang–Barsky clipping against each bucket of its bounding box), so a query
/// only visits the buckets its region overlaps. The bucket side defaults to the side of a square
/// holding one segment on average over the bounding box, but at least half the mean segment
/// length, and at most about `4 n + 64` buckets are made: a few cells to a few kilometres for
/// typical fault and dyke maps.
public struct SegmentIndex: Sendable {
    /// The indexed segments, in the order given.
    public let segments: [Segment]
    /// Side of a bucket in map units.
    public let bucketSize: Double
    /// True when every segment is a point (`SegmentIndex(points:)`).
    public let containsOnlyPoints: Bool

    @usableFromInline let geometry: [SegmentGeometry]
    /// Bounding box of all segments.
    let bounds: Rect
    let bucketColumns: Int
    let bucketRows: Int
    /// Bucket `k` (row-major, `k = row · bucketColumns + column`) lists
    /// `entries[starts[k] ..< starts[k + 1]]`.
    let starts: [Int]
    let entries: [Int32]

    /// Indexes `segments`.
    ///
    /// - Parameters:
    ///   - segments: finite coordinates; fewer than 2³¹ segments.
    ///   - bucketSize: side of a bucket in map units; chosen from the data when nil.
    public init(_ segments: [Segment], bucketSize: Double? = nil) {
        precondition(segments.count < Int(Int32.max), "at most 2³¹ − 1 segments")
        self.segments = segments
        self.geometry = segments.map(SegmentGeometry.init)
        self.containsOnlyPoints = segments.allSatisfy(\.isPoint)
        guard !segments.isEmpty else {
            bounds = Rect(minX: 0, minY: 0, maxX: 0, maxY: 0)
            self.bucketSize = 1
            bucketColumns = 0
            bucketRows = 0
            starts = [0]
            entries = []
            return
        }
        var minX = Double.infinity
        var minY = Double.infinity
        var maxX = -Double.infinity
        var maxY = -Double.infinity
        var totalLength = 0.0
        for s in segments {
            precondition(s.x0.isFinite && s.y0.isFinite && s.x1.isFinite && s.y1.isFinite, "segment coordinates are finite")
            minX = min(minX, s.x0, s.x1)
            maxX = max(maxX, s.x0, s.x1)
            minY = min(minY, s.y0, s.y1)
            maxY = max(maxY, s.y0, s.y1)
            totalLength += s.length
        }
        let bounds = Rect(minX: minX, minY: minY, maxX: maxX, maxY: maxY)
        self.bounds = bounds
        let n = Double(segments.count)
        let width = maxX - minX
        let height = maxY - minY
        var b = bucketSize ?? max((width * height / n).squareRoot(), max(width, height) / n, 0.5 * totalLength / n)
        // At most about 4n + 64 buckets, and never a zero or subnormal side.
        let limit = 4 * n + 64
        b = max(
            b, (width * height / limit).squareRoot(), max(width, height) / limit, 1e-9 * max(1, abs(minX), abs(maxX), abs(minY), abs(maxY)))
        precondition(b > 0 && b.isFinite, "bucket size is positive")
        self.bucketSize = b
        let columns = max(1, Int((width / b).rounded(.down)) + 1)
        let rows = max(1, Int((height / b).rounded(.down)) + 1)
        bucketColumns = columns
        bucketRows = rows

        // Two passes: count the entries of each bucket, then fill them (compressed rows).
        var counts = [Int](repeating: 0, count: columns * rows + 1)
        let geometry = self.geometry
        func forEachBucket(of s: SegmentGeometry, _ body: (Int) -> Void) {
            let i0 = Self.clampIndex((min(s.ax, s.bx) - minX) / b, columns)
            let i1 = Self.clampIndex((max(s.ax, s.bx) - minX) / b, columns)
            let j0 = Self.clampIndex((min(s.ay, s.by) - minY) / b, rows)
            let j1 = Self.clampIndex((max(s.ay, s.by) - minY) / b, rows)
            let single = i0 == i1 || j0 == j1
            // Buckets are padded by a hair so rounding never drops a segment on a bucket edge.
            let pad = 1e-9 * b
            for j in j0...j1 {
                for i in i0...i1 {
                    if !single {
                        let r = Rect(
                            minX: minX + Double(i) * b - pad, minY: minY + Double(j) * b - pad,
                            maxX: minX + Double(i + 1) * b + pad, maxY: minY + Double(j + 1) * b + pad)
                        if !s.clips(r) { continue }
                    }
                    body(j * columns + i)
                }
            }
        }
        for s in geometry { forEachBucket(of: s) { counts[$0 + 1] += 1 } }
        for k in 0..<columns * rows { counts[k + 1] += counts[k] }
        var fill = counts
        var entries = [Int32](repeating: 0, count: counts[columns * rows])
        for (id, s) in geometry.enumerated() {
            forEachBucket(of: s) { k in
                entries[fill[k]] = Int32(id)
                fill[k] += 1
            }
        }
        starts = counts
        self.entries = entries
    }

    /// Indexes points, each as a segment of length zero.
    public init(points: [(x: Double, y: Double)], bucketSize: Double? = nil) {
        self.init(points.map { Segment(x: $0.x, y: $0.y) }, bucketSize: bucketSize)
    }

    public var count: Int { segments.count }
    public var isEmpty: Bool { segments.isEmpty }

    /// The nearest segment to (x, y) among those at distance ≤ `radius`, or nil when there is none.
    ///
    /// Rings of buckets are visited outward from the bucket nearest the point until the next
    /// ring cannot hold anything nearer. For a point outside the bucket grid, with `q` its
    /// projection on the grid, every point `x` of the grid has `|p − x|² ≥ |p − q|² + |q − x|²`,
    /// so far-away queries also stop after a few rings.
    /// - Returns: the index in `segments` and the exact distance; of equally near segments, the
    ///   first one found.
    public func nearest(x: Double, y: Double, within radius: Double = .infinity) -> (segment: Int, distance: Double)? {
        guard !isEmpty, radius >= 0 else { return nil }
        var best = radius * radius
        var found = -1
        scanNearest(x: x, y: y, best: &best, found: &found)
        return found >= 0 ? (found, best.squareRoot()) : nil
    }

    /// The core of `nearest`: improves (`best`, `found`) where a segment is at squared distance
    /// below `best` (or equal to it while nothing is found).
    @usableFromInline
    func scanNearest(x: Double, y: Double, best: inout Double, found: inout Int) {
        let b = bucketSize
        let qx = min(max(x, bounds.minX), bounds.maxX)
        let qy = min(max(y, bounds.minY), bounds.maxY)
        let outside = (x - qx) * (x - qx) + (y - qy) * (y - qy)
        let ci = Self.clampIndex((qx - bounds.minX) / b, bucketColumns)
        let cj = Self.clampIndex((qy - bounds.minY) / b, bucketRows)
        let rings = max(bucketColumns, bucketRows)
        for k in 0...rings {
            // Shrunk by a hair: rounding may put q in the bucket next to the one holding it.
            let gap = max(0, Double(k - 1) * b - 1e-9 * b)
            if outside + gap * gap > best { break }
            for j in max(0, cj - k)...min(bucketRows - 1, cj + k) {
                let edgeRow = j == cj - k || j == cj + k
                let step = edgeRow ? 1 : max(1, 2 * k)
                var i = ci - k
                while i <= ci + k {
                    defer { i += step }
                    guard i >= 0, i < bucketColumns else { continue }
                    let cell = bucketRect(i, j)
                    if cell.distanceSquared(x: x, y: y) > best { continue }
                    let bucket = j * bucketColumns + i
                    for e in starts[bucket]..<starts[bucket + 1] {
                        let id = Int(entries[e])
                        let d = geometry[id].distanceSquared(x: x, y: y)
                        if d < best || (found < 0 && d <= best) {
                            best = d
                            found = id
                        }
                    }
                }
            }
        }
    }

    /// Indices (ascending) of the segments at distance ≤ `radius` from (x, y), i.e. that meet
    /// the closed disk.
    public func segments(intersectingDiskAtX x: Double, y: Double, radius: Double) -> [Int] {
        guard radius >= 0 else { return [] }
        var ids: [Int32] = []
        forEachEntry(near: Rect(minX: x, minY: y, maxX: x, maxY: y), within: radius) { ids.append($0) }
        let r2 = radius * radius
        Self.keepUnique(&ids, from: 0) { geometry[Int($0)].distanceSquared(x: x, y: y) <= r2 }
        return ids.map(Int.init)
    }

    /// Marks of the segments already seen by a query, for `collect`: one per worker.
    struct Visits {
        var marks: [UInt32]
        var query: UInt32 = 0

        init(_ index: SegmentIndex) { marks = Array(repeating: 0, count: index.count) }

        /// Starts a query: every segment is unseen.
        mutating func next() {
            if query == .max {
                for k in marks.indices { marks[k] = 0 }
                query = 0
            }
            query += 1
        }
    }

    /// Appends to `ids` the ascending indices of the segments within `distance` of `rect`
    /// (by `SegmentGeometry.distanceSquared(toRect:)`, with a relative slack of 1e-9 so rounding
    /// never drops one that is exactly at the distance).
    ///
    /// Each segment is tested once (`visits` marks those seen), and buckets farther than
    /// `distance` from `rect` are skipped: from far away only the front of a cluster is read.
    func collect(near rect: Rect, within distance: Double, into ids: inout [Int32], visits: inout Visits) {
        let first = ids.count
        let d = distance * (1 + 1e-9) + 1e-9 * bucketSize
        let d2 = d * d
        visits.next()
        let query = visits.query
        visits.marks.withUnsafeMutableBufferPointer { marks in
            forEachEntry(near: rect, within: d) { id in
                guard marks[Int(id)] != query else { return }
                marks[Int(id)] = query
                if geometry[Int(id)].distanceSquared(toRect: rect) <= d2 { ids.append(id) }
            }
        }
        ids[first...].sort()
    }

    /// Calls `body` with every entry of the buckets within `distance` of `rect` (a segment
    /// listed in several of them comes several times).
    func forEachEntry(near rect: Rect, within distance: Double, _ body: (Int32) -> Void) {
        guard !isEmpty else { return }
        let region = rect.expanded(by: distance)
        guard region.maxX >= bounds.minX, region.minX <= bounds.maxX,
            region.maxY >= bounds.minY, region.minY <= bounds.maxY
        else { return }
        let b = bucketSize
        let i0 = Self.clampIndex((region.minX - bounds.minX) / b, bucketColumns)
        let i1 = Self.clampIndex((region.maxX - bounds.minX) / b, bucketColumns)
        let j0 = Self.clampIndex((region.minY - bounds.minY) / b, bucketRows)
        let j1 = Self.clampIndex((region.maxY - bounds.minY) / b, bucketRows)
        let d2 = distance * distance
        for j in j0...j1 {
            // The gap between the rectangle and this row of buckets, in y.
            let bottom = bounds.minY + Double(j) * b
            let top = bottom + b
            let gy = max(0, bottom - rect.maxY, rect.minY - top)
            for i in i0...i1 {
                let left = bounds.minX + Double(i) * b
                let right = left + b
                let gx = max(0, left - rect.maxX, rect.minX - right)
                if gx * gx + gy * gy > d2 { continue }
                let bucket = j * bucketColumns + i
                for e in starts[bucket]..<starts[bucket + 1] { body(entries[e]) }
            }
        }
    }

    /// Sorts `ids[first...]`, drops duplicates and the ids failing `keep`.
    static func keepUnique(_ ids: inout [Int32], from first: Int, where keep: (Int32) -> Bool) {
        guard ids.count > first else { return }
        ids[first...].sort()
        var out = first
        var previous: Int32 = -1
        for k in first..<ids.count {
            let id = ids[k]
            if id == previous { continue }
            previous = id
            if keep(id) {
                ids[out] = id
                out += 1
            }
        }
        ids.removeSubrange(out...)
    }

    func bucketRect(_ i: Int, _ j: Int) -> Rect {
        let b = bucketSize
        return Rect(
            minX: bounds.minX + Double(i) * b, minY: bounds.minY + Double(j) * b,
            maxX: bounds.minX + Double(i + 1) * b, maxY: bounds.minY + Double(j + 1) * b)
    }

    /// `floor(v)` clamped to `0 ..< count` (NaN and infinities included).
    static func clampIndex(_ v: Double, _ count: Int) -> Int {
        guard v > 0 else { return 0 }
        guard v < Double(count - 1) else { return count - 1 }
        return Int(v)
    }
}
