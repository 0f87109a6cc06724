import ProspectCore
import Testing

@testable import ProspectGDAL

/// Polygons traced from cells (`CellRingTracer`) are OGC-valid (GEOS `IsValid`), cover exactly
/// their cells and keep their holes, on maps made to break naive tracing.
@Suite struct CellRingValidityTests {
    /// Parses a picture: `.` is 0, digits are labels, one row per line.
    static func picture(_ text: String) -> (labels: [Int32], columns: Int) {
        let lines = text.split(separator: "\n").map { $0.filter { !$0.isWhitespace } }
        let columns = lines[0].count
        precondition(lines.allSatisfy { $0.count == columns })
        return (lines.flatMap { $0.map { $0 == "." ? 0 : Int32(String($0))! } }, columns)
    }

    static func trace(_ labels: [Int32], columns: Int, labelCount: Int) -> CellRingTracer {
        var tracer = CellRingTracer(columns: columns, labelCount: labelCount)
        for r in 0..<(labels.count / columns) {
            labels[(r * columns)..<((r + 1) * columns)].withUnsafeBufferPointer { tracer.add(row: $0) }
        }
        tracer.finish()
        return tracer
    }

    /// Grid vertices as map coordinates, rows growing southwards.
    static func mapped(_ polygons: [[[GridVertex]]]) -> [[[PolygonGeometry.Point]]] {
        polygons.map { $0.map { $0.map { (x: Double($0.x), y: -Double($0.y)) } } }
    }

    /// Checks every label: valid, its area equals its cells, each of its cell centres inside
    /// it and every other cell centre outside.
    static func check(_ labels: [Int32], columns: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let labelCount = Int(labels.max() ?? 0)
        let tracer = trace(labels, columns: columns, labelCount: labelCount)
        for label in 1...max(1, labelCount) where labelCount > 0 {
            let polygons = mapped(tracer.polygons(of: Int32(label)))
            let cells = labels.filter { $0 == Int32(label) }.count
            if cells == 0 {
                #expect(polygons.isEmpty, sourceLocation: sourceLocation)
                continue
            }
            #expect(try PolygonGeometry.isValid(polygons), "label \(label) is not valid", sourceLocation: sourceLocation)
            #expect(try PolygonGeometry.area(polygons) == Double(cells), "label \(label)", sourceLocation: sourceLocation)
            for (i, l) in labels.enumerated() {
                let centre = (x: Double(i % columns) + 0.5, y: -(Double(i / columns) + 0.5))
                let inside = try PolygonGeometry.isValid(polygons, containing: centre)
                #expect(inside == (l == Int32(label)), "cell \(i) of label \(l) against label \(label)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func cornerTouchingCells() throws {
        // Two cells touching at a corner, a diagonal staircase and a checkerboard.
        try Self.check(Self.picture("1.\n.1").labels, columns: 2)
        try Self.check(Self.picture("1...\n.1..\n..1.\n...1").labels, columns: 4)
        let board = Self.picture("1.1.1\n.1.1.\n1.1.1\n.1.1.")
        try Self.check(board.labels, columns: board.columns)
        let tracer = Self.trace(board.labels, columns: board.columns, labelCount: 1)
        #expect(tracer.polygons(of: 1).count == 10)  // one part per cell
    }

    @Test func ringTouchingItself() throws {
        // A C-shape whose ends touch at a corner: a shell and a hole touching at one point.
        let c = Self.picture(
            """
            111
            1.1
            11.
            """)
        try Self.check(c.labels, columns: c.columns)
        let polygons = Self.trace(c.labels, columns: 3, labelCount: 1).polygons(of: 1)
        #expect(polygons.count == 1)
        #expect(polygons.first?.count == 2)  // shell and hole
        // Holes touching each other at corners, and a diamond of holes around an island.
        let diamond = Self.picture(
            """
            1111111
            1111111
            111.111
            11.1.11
            111.111
            1111111
            """)
        try Self.check(diamond.labels, columns: diamond.columns)
        let two = Self.picture(
            """
            11111
            1.111
            11.11
            11111
            """)
        try Self.check(two.labels, columns: two.columns)
    }

    @Test func holesAndIslands() throws {
        // A hole with an island inside it, and one-cell islands.
        let map = Self.picture(
            """
            1111111.2
            1.....1..
            1.111.1.2
            1.1.1.1..
            1.111.1.3
            1.....1..
            1111111.2
            """)
        try Self.check(map.labels, columns: map.columns)
        let tracer = Self.trace(map.labels, columns: map.columns, labelCount: 3)
        let one = tracer.polygons(of: 1)
        #expect(one.count == 2)  // the frame (with its hole) and the island (with its own hole)
        #expect(one.map(\.count) == [2, 2])
        #expect(tracer.polygons(of: 2).count == 3)
        #expect(tracer.polygons(of: 3).map(\.count) == [1])
    }

    @Test func adjacentLabelsShareEdgesWithoutOverlap() throws {
        let map = Self.picture(
            """
            1122
            1222
            1.23
            .333
            """)
        try Self.check(map.labels, columns: map.columns)
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6])
    func randomMaps(seed: UInt64) throws {
        // Noise thresholded at different densities, labelled by 8-connected component.
        var rng = SplitMix64(seed: seed)
        let columns = 13
        let rows = 11
        let density = [0.3, 0.45, 0.55, 0.65, 0.5, 0.4][Int(seed) - 1]
        let scores = (0..<(columns * rows)).map { _ in Float(Double.random(in: 0..<1, using: &rng) < density ? 1 : 0) }
        let (labels, _) = scores.withUnsafeBufferPointer {
            ConnectedComponents.label(scores: $0, columns: columns, rows: rows, threshold: 0.5, isValid: { _ in true })
        }
        try Self.check(labels, columns: columns)
    }
}
