/// A straight line segment in map coordinates (metres); a point is a segment of length zero.
///
/// Polylines are passed as their consecutive segments, points as `Segment(x: y:)`. Coordinates
/// are in the grid's CRS: the evidence fields measure Euclidean distances and lengths in it.
public struct Segment: Equatable, Hashable, Sendable, Codable {
    public var x0: Double
    public var y0: Double
    public var x1: Double
    public var y1: Double

    public init(x0: Double, y0: Double, x1: Double, y1: Double) {
        self.x0 = x0
        self.y0 = y0
        self.x1 = x1
        self.y1 = y1
    }

    /// A point: a segment whose two ends coincide.
    public init(x: Double, y: Double) {
        self.init(x0: x, y0: y, x1: x, y1: y)
    }

    public var length: Double { ((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0)).squareRoot() }
    public var isPoint: Bool { x0 == x1 && y0 == y1 }

    /// Exact Euclidean distance from (x, y) to the nearest point of the segment.
    public func distance(x: Double, y: Double) -> Double {
        SegmentGeometry(self).distanceSquared(x: x, y: y).squareRoot()
    }

    /// Length of the part of the segment inside the closed disk of `radius` centred at (x, y).
    public func lengthInside(diskAtX x: Double, y: Double, radius: Double) -> Double {
        SegmentGeometry(self).chordLength(x: x, y: y, radiusSquared: radius * radius)
    }
}

/// A segment prepared for repeated distance evaluations: start point, direction and the
/// reciprocal of its squared length (0 for a point).
///
/// Every evidence kernel and its reference evaluate distances through these functions, so the
/// fast paths and the references agree to the last bit cell by cell.
@usableFromInline
struct SegmentGeometry: Sendable {
    @usableFromInline let ax: Double
    @usableFromInline let ay: Double
    @usableFromInline let dx: Double
    @usableFromInline let dy: Double
    @usableFromInline let inverseLengthSquared: Double

    @inlinable
    init(_ s: Segment) {
        ax = s.x0
        ay = s.y0
        dx = s.x1 - s.x0
        dy = s.y1 - s.y0
        let l2 = dx * dx + dy * dy
        inverseLengthSquared = l2 > 0 ? 1 / l2 : 0
    }

    @inlinable var bx: Double { ax + dx }
    @inlinable var by: Double { ay + dy }

    /// Squared distance from (x, y) to the segment: the projection parameter
    /// `t = ((p − a)·d) / |d|²` clamped to [0, 1], then `|p − (a + t d)|²`.
    @inlinable
    func distanceSquared(x: Double, y: Double) -> Double {
        let wx = x - ax
        let wy = y - ay
        var t = (wx * dx + wy * dy) * inverseLengthSquared
        t = t < 0 ? 0 : t
        t = t > 1 ? 1 : t
        let ex = wx - t * dx
        let ey = wy - t * dy
        return ex * ex + ey * ey
    }

    /// The point of the segment nearest (x, y).
    @inlinable
    func nearestPoint(x: Double, y: Double) -> (x: Double, y: Double) {
        var t = ((x - ax) * dx + (y - ay) * dy) * inverseLengthSquared
        t = t < 0 ? 0 : t
        t = t > 1 ? 1 : t
        return (ax + t * dx, ay + t * dy)
    }

    /// Length of the segment inside the closed disk of squared radius `r2` centred at (x, y).
    ///
    /// With `f = a − c`, the points `a + t d` inside the circle solve `|d|² t² + 2 (f·d) t +
    /// |f|² − r² ≤ 0`. The discriminant is written `|d|² r² − (f × d)²` (Lagrange's identity),
    /// which does not cancel catastrophically for long segments far from the centre. The roots
    /// are clipped to [0, 1] and the parameter interval is scaled by `|d|`.
    @inlinable
    func chordLength(x: Double, y: Double, radiusSquared r2: Double) -> Double {
        let a = dx * dx + dy * dy
        guard a > 0 else { return 0 }
        let fx = ax - x
        let fy = ay - y
        let cross = fx * dy - fy * dx
        let disc = a * r2 - cross * cross
        guard disc > 0 else { return 0 }
        let b = fx * dx + fy * dy
        let s = disc.squareRoot()
        var t0 = (-b - s) / a
        var t1 = (-b + s) / a
        t0 = t0 < 0 ? 0 : t0
        t1 = t1 > 1 ? 1 : t1
        return t1 > t0 ? (t1 - t0) * a.squareRoot() : 0
    }

    /// Squared distance between the segment and the axis-aligned rectangle (0 when they meet).
    ///
    /// Two disjoint convex sets are nearest at a vertex of one and the boundary of the other:
    /// here an end of the segment and the rectangle, or a corner of the rectangle and the
    /// segment. Whether they meet is decided by Liang–Barsky clipping (Liang & Barsky 1984).
    @inlinable
    func distanceSquared(toRect r: Rect) -> Double {
        if clips(r) { return 0 }
        var best = r.distanceSquared(x: ax, y: ay)
        best = min(best, r.distanceSquared(x: bx, y: by))
        best = min(best, distanceSquared(x: r.minX, y: r.minY))
        best = min(best, distanceSquared(x: r.maxX, y: r.minY))
        best = min(best, distanceSquared(x: r.minX, y: r.maxY))
        best = min(best, distanceSquared(x: r.maxX, y: r.maxY))
        return best
    }

    /// True when the segment meets the closed rectangle (Liang–Barsky parametric clipping).
    @inlinable
    func clips(_ r: Rect) -> Bool {
        var t0 = 0.0
        var t1 = 1.0
        @inline(__always) func edge(_ p: Double, _ q: Double) -> Bool {
            if p == 0 { return q >= 0 }
            let t = q / p
            if p < 0 {
                if t > t1 { return false }
                if t > t0 { t0 = t }
            } else {
                if t < t0 { return false }
                if t < t1 { t1 = t }
            }
            return true
        }
        return edge(-dx, ax - r.minX) && edge(dx, r.maxX - ax) && edge(-dy, ay - r.minY) && edge(dy, r.maxY - ay)
    }
}

/// A closed axis-aligned rectangle in map coordinates.
@usableFromInline
struct Rect: Sendable {
    @usableFromInline var minX: Double
    @usableFromInline var minY: Double
    @usableFromInline var maxX: Double
    @usableFromInline var maxY: Double

    @inlinable
    init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX
        self.minY = minY
        self.maxX = maxX
        self.maxY = maxY
    }

    @inlinable var centerX: Double { 0.5 * (minX + maxX) }
    @inlinable var centerY: Double { 0.5 * (minY + maxY) }

    @inlinable
    func distanceSquared(x: Double, y: Double) -> Double {
        let ex = x < minX ? minX - x : (x > maxX ? x - maxX : 0)
        let ey = y < minY ? minY - y : (y > maxY ? y - maxY : 0)
        return ex * ex + ey * ey
    }

    @inlinable
    func expanded(by d: Double) -> Rect {
        Rect(minX: minX - d, minY: minY - d, maxX: maxX + d, maxY: maxY + d)
    }
}
