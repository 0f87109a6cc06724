/// A vertex of the cell grid: column and row of a cell corner (0…columns, 0…rows).
public struct GridVertex: Hashable, Sendable {
    public var x: Int32
    public var y: Int32
    public init(x: Int32, y: Int32) {
        self.x = x
        self.y = y
    }
}

/// Polygons of labelled cells, built from the cells' edges one row at a time.
///
/// Feed the rows of a label grid in order (`add(row:)`, 0 = no label), then `finish()`; each
/// label's cells then come out as OGC-valid polygons (`polygons(of:)`): the union of its closed
/// cell squares, one polygon per 4-connected group of its cells (so an 8-connected region
/// whose cells touch only at a corner becomes a multipolygon whose parts touch at that corner),
/// with holes, and islands inside holes as further parts.
///
/// Each cell edge between a labelled cell and a cell of another label is a directed edge with
/// the labelled cell on its right (rows counted downwards, so shells run clockwise on the
/// screen, counter-clockwise in map coordinates where y grows northwards). Collinear edges
/// are merged as the rows arrive. Rings are walked from edge to edge; at a corner where the
/// label holds only two diagonal cells the walk turns right, hugging the cell it follows, so
/// the two cells stay apart. A ring that then passes a corner twice (a C-shape whose ends
/// touch diagonally) is cut there into two rings, which touch at that point: the OGC Simple
/// Features rules let rings touch at a point but forbid a ring to touch itself. Rings with
/// positive area (cell units, rows down) are shells, the others holes; each hole goes to the
/// smallest shell around the centre of a cell beside it.
///
/// Memory: two rows of labels and the merged edges of the labels traced (about one per corner).
public struct CellRingTracer {
    /// A merged edge: from `a` to `b`, horizontal or vertical.
    struct Segment {
        var a: GridVertex
        var b: GridVertex
    }

    public let columns: Int
    /// Labels 1…`labelCount` are traced; larger labels are ignored.
    public let labelCount: Int
    private var previous: [Int32]
    private var row = 0
    private var segments: [[Segment]]
    /// Open vertical runs at each vertical line x: the label and the row where the run began.
    private var openSouth: [(label: Int32, start: Int32)]
    private var openNorth: [(label: Int32, start: Int32)]
    private var finished = false

    public init(columns: Int, labelCount: Int) {
        precondition(columns >= 1 && labelCount >= 0, "a tracer needs at least one column")
        self.columns = columns
        self.labelCount = labelCount
        previous = [Int32](repeating: 0, count: columns)
        segments = [[Segment]](repeating: [], count: labelCount + 1)
        openSouth = [(label: Int32, start: Int32)](repeating: (0, 0), count: columns + 1)
        openNorth = [(label: Int32, start: Int32)](repeating: (0, 0), count: columns + 1)
    }

    /// The number of rows added so far.
    public var rows: Int { row }

    @inline(__always) private func traced(_ label: Int32) -> Bool { label > 0 && Int(label) <= labelCount }

    /// Adds the next row of labels (`columns` of them; 0 and labels above `labelCount` are
    /// not traced).
    public mutating func add(row labels: UnsafeBufferPointer<Int32>) {
        precondition(!finished && labels.count == columns, "a row holds `columns` labels")
        horizontalEdges(above: previous, below: labels)
        verticalEdges(labels)
        for c in 0..<columns { previous[c] = labels[c] }
        row += 1
    }

    /// Closes the bottom of the last row; call once, after the last `add(row:)`.
    public mutating func finish() {
        precondition(!finished, "finish() is called once")
        let empty = [Int32](repeating: 0, count: columns)
        empty.withUnsafeBufferPointer { horizontalEdges(above: previous, below: $0) }
        for x in 0...columns {
            closeSouth(x)
            closeNorth(x)
        }
        finished = true
    }

    /// Edges on the line between two rows: eastward for a label below (its cell on the right),
    /// westward for a label above; runs of one label merged.
    private mutating func horizontalEdges<A: Collection<Int32>>(above: A, below: UnsafeBufferPointer<Int32>) where A.Index == Int {
        let y = Int32(row)
        var east: (label: Int32, start: Int) = (0, 0)
        var west: (label: Int32, start: Int) = (0, 0)
        for c in 0...columns {
            let a = c < columns ? above[c] : 0
            let b = c < columns ? below[c] : 0
            let eastLabel: Int32 = a != b && traced(b) ? b : 0
            let westLabel: Int32 = a != b && traced(a) ? a : 0
            if eastLabel != east.label {
                if east.label != 0 {
                    segments[Int(east.label)].append(
                        Segment(a: GridVertex(x: Int32(east.start), y: y), b: GridVertex(x: Int32(c), y: y)))
                }
                east = (eastLabel, c)
            }
            if westLabel != west.label {
                if west.label != 0 {
                    segments[Int(west.label)].append(
                        Segment(a: GridVertex(x: Int32(c), y: y), b: GridVertex(x: Int32(west.start), y: y)))
                }
                west = (westLabel, c)
            }
        }
    }

    /// Edges between the cells of one row: southward for a label on the west, northward for a
    /// label on the east; each continues the run of the row above when the label is the same.
    private mutating func verticalEdges(_ labels: UnsafeBufferPointer<Int32>) {
        for x in 0...columns {
            let a = x > 0 ? labels[x - 1] : 0
            let b = x < columns ? labels[x] : 0
            let south: Int32 = a != b && traced(a) ? a : 0
            let north: Int32 = a != b && traced(b) ? b : 0
            if openSouth[x].label != south {
                closeSouth(x)
                if south != 0 { openSouth[x] = (south, Int32(row)) }
            }
            if openNorth[x].label != north {
                closeNorth(x)
                if north != 0 { openNorth[x] = (north, Int32(row)) }
            }
        }
    }

    private mutating func closeSouth(_ x: Int) {
        let run = openSouth[x]
        guard run.label != 0 else { return }
        segments[Int(run.label)].append(
            Segment(a: GridVertex(x: Int32(x), y: run.start), b: GridVertex(x: Int32(x), y: Int32(row))))
        openSouth[x] = (0, 0)
    }

    private mutating func closeNorth(_ x: Int) {
        let run = openNorth[x]
        guard run.label != 0 else { return }
        segments[Int(run.label)].append(
            Segment(a: GridVertex(x: Int32(x), y: Int32(row)), b: GridVertex(x: Int32(x), y: run.start)))
        openNorth[x] = (0, 0)
    }

    /// Forgets a label's edges (once its polygons are taken), to free their memory.
    public mutating func release(_ label: Int32) {
        segments[Int(label)] = []
    }

    /// The polygons of one label's cells: each an exterior ring, then its holes; rings closed
    /// (last vertex = first), in grid vertices (columns right, rows down). Shells are
    /// clockwise with rows down, holes counter-clockwise. Empty when the label has no cells.
    /// Parts are ordered by their first vertex, row-major.
    public func polygons(of label: Int32) -> [[[GridVertex]]] {
        precondition(finished, "call finish() first")
        precondition(traced(label), "label out of range")
        return Self.assemble(segments[Int(label)])
    }

    static func assemble(_ segments: [Segment]) -> [[[GridVertex]]] {
        guard !segments.isEmpty else { return [] }
        // Outgoing segments of each start vertex (one, or two at a corner shared diagonally).
        var outgoing: [GridVertex: (Int, Int)] = [:]
        outgoing.reserveCapacity(segments.count)
        for (i, s) in segments.enumerated() {
            if let o = outgoing[s.a] { outgoing[s.a] = (o.0, i) } else { outgoing[s.a] = (i, -1) }
        }
        var used = [Bool](repeating: false, count: segments.count)
        var loops: [[GridVertex]] = []
        for first in segments.indices where !used[first] {
            // Walk one closed ring.
            var ring: [GridVertex] = [segments[first].a]
            var current = first
            while true {
                used[current] = true
                let s = segments[current]
                ring.append(s.b)
                guard let next = outgoing[s.b] else { preconditionFailure("cell edges form closed rings") }
                var chosen = next.0
                if next.1 >= 0 {
                    // Two ways on: turn right (rows down), hugging the cell followed.
                    chosen = turnsRight(from: s, to: segments[next.0]) ? next.0 : next.1
                }
                if used[chosen] { break }
                current = chosen
            }
            precondition(ring.first == ring.last, "a ring closes where it began")
            loops += splitAtRepeatedVertices(ring)
        }
        return nest(loops)
    }

    /// Whether going from `a` into `b` is a right turn with rows counted downwards.
    static func turnsRight(from a: Segment, to b: Segment) -> Bool {
        let ax = Int(a.b.x) - Int(a.a.x)
        let ay = Int(a.b.y) - Int(a.a.y)
        let bx = Int(b.b.x) - Int(b.a.x)
        let by = Int(b.b.y) - Int(b.a.y)
        // With y down, a right turn has a positive cross product.
        return ax * by - ay * bx > 0
    }

    /// Cuts a closed ring wherever it passes a vertex twice into rings that touch there.
    static func splitAtRepeatedVertices(_ ring: [GridVertex]) -> [[GridVertex]] {
        var stack: [GridVertex] = []
        var position: [GridVertex: Int] = [:]
        var loops: [[GridVertex]] = []
        for v in ring.dropLast() {
            if let i = position[v] {
                // stack[i...] then v closes a loop.
                var loop = Array(stack[i...])
                for u in loop.dropFirst() { position[u] = nil }
                loop.append(v)
                loops.append(loop)
                stack.removeSubrange((i + 1)...)
            } else {
                position[v] = stack.count
                stack.append(v)
            }
        }
        stack.append(stack[0])
        loops.append(stack)
        return loops.map(dropCollinear)
    }

    /// Removes vertices where a ring goes straight on (left where merged edges were cut).
    static func dropCollinear(_ ring: [GridVertex]) -> [GridVertex] {
        var open = Array(ring.dropLast())
        guard open.count > 4 else { return ring }
        var kept: [GridVertex] = []
        let n = open.count
        for i in 0..<n {
            let p = open[(i + n - 1) % n]
            let v = open[i]
            let q = open[(i + 1) % n]
            let cross = (Int(v.x) - Int(p.x)) * (Int(q.y) - Int(v.y)) - (Int(v.y) - Int(p.y)) * (Int(q.x) - Int(v.x))
            if cross != 0 { kept.append(v) }
        }
        open = kept
        // Start at the smallest vertex (row-major), for a deterministic ring.
        if let start = open.indices.min(by: { (open[$0].y, open[$0].x) < (open[$1].y, open[$1].x) }) {
            open = Array(open[start...] + open[..<start])
        }
        return open + [open[0]]
    }

    /// Twice the signed area (shoelace), rows down: positive for shells.
    static func doubleArea(_ ring: [GridVertex]) -> Int {
        var sum = 0
        for i in 0..<(ring.count - 1) {
            sum += Int(ring[i].x) * Int(ring[i + 1].y) - Int(ring[i + 1].x) * Int(ring[i].y)
        }
        return sum
    }

    /// Groups rings into polygons: each hole into the smallest shell around it.
    static func nest(_ loops: [[GridVertex]]) -> [[[GridVertex]]] {
        var shells: [(ring: [GridVertex], area: Int, box: (Int32, Int32, Int32, Int32))] = []
        var holes: [[GridVertex]] = []
        for loop in loops {
            let a = doubleArea(loop)
            if a > 0 {
                shells.append((loop, a, boundingBox(loop)))
            } else {
                holes.append(loop)
            }
        }
        shells.sort { ($0.ring[0].y, $0.ring[0].x) < ($1.ring[0].y, $1.ring[0].x) }
        var polygons = shells.map { [$0.ring] }
        for hole in holes {
            // The centre of the cell on the hole's side of its first edge (left, rows down).
            let a = hole[0]
            let b = hole[1]
            let dx = (Int(b.x) - Int(a.x)).signum()
            let dy = (Int(b.y) - Int(a.y)).signum()
            let px = 2 * Int(a.x) + dx + dy  // doubled coordinates: cell centres are odd
            let py = 2 * Int(a.y) + dy - dx
            var best = -1
            for (i, s) in shells.enumerated() {
                if shells.count > 1 {
                    guard 2 * Int(s.box.0) < px, px < 2 * Int(s.box.2), 2 * Int(s.box.1) < py, py < 2 * Int(s.box.3) else { continue }
                    guard contains(s.ring, doubledX: px, doubledY: py) else { continue }
                }
                if best < 0 || s.area < shells[best].area { best = i }
            }
            precondition(best >= 0, "every hole lies in a shell")
            polygons[best].append(hole)
        }
        return polygons
    }

    static func boundingBox(_ ring: [GridVertex]) -> (Int32, Int32, Int32, Int32) {
        var box = (Int32.max, Int32.max, Int32.min, Int32.min)
        for v in ring {
            box.0 = min(box.0, v.x)
            box.1 = min(box.1, v.y)
            box.2 = max(box.2, v.x)
            box.3 = max(box.3, v.y)
        }
        return box
    }

    /// Even–odd ray casting of a point at odd doubled coordinates (a cell centre), which never
    /// lies on a ring of whole vertices.
    static func contains(_ ring: [GridVertex], doubledX px: Int, doubledY py: Int) -> Bool {
        var inside = false
        for i in 0..<(ring.count - 1) {
            let a = ring[i]
            let b = ring[i + 1]
            guard a.x == b.x else { continue }  // horizontal edges never cross a horizontal ray at an odd y
            let x = 2 * Int(a.x)
            let y0 = 2 * Int(min(a.y, b.y))
            let y1 = 2 * Int(max(a.y, b.y))
            if x > px, y0 < py, py < y1 { inside.toggle() }
        }
        return inside
    }
}
