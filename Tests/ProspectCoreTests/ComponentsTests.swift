import Foundation
import Testing

@testable import ProspectCore

@Suite struct ComponentsTests {
    private static let nodata: Float = 100

    /// Threshold 0.5; `N` is nodata (100, which would pass the threshold if it were read).
    ///
    ///     0.6  0.7  0    0    0    0
    ///     0.8  0    0    0    0    0.9
    ///     0    0.6  0.95 0    0    0.55
    ///     N    0    0    0    0    0
    ///     0.75 0    0    0    0    0
    ///
    /// The blob at the top-left and the pair (1,2)-(2,2) touch diagonally at (0,1)/(1,2): one
    /// component under 8-connectivity. The right-hand pair is a second, (0,4) a third (the nodata
    /// cell at (0,3) would otherwise join it to the first).
    private static let grid: [Float] = [
        0.6, 0.7, 0, 0, 0, 0,
        0.8, 0, 0, 0, 0, 0.9,
        0, 0.6, 0.95, 0, 0, 0.55,
        nodata, 0, 0, 0, 0, 0,
        0.75, 0, 0, 0, 0, 0,
    ]

    @Test func labelsAndStats() throws {
        let (labels, stats) = Self.grid.withUnsafeBufferPointer {
            ConnectedComponents.label(scores: $0, columns: 6, rows: 5, threshold: 0.5, isValid: { $0 != Self.nodata })
        }
        #expect(
            labels == [
                1, 1, 0, 0, 0, 0,
                1, 0, 0, 0, 0, 2,
                0, 1, 1, 0, 0, 2,
                0, 0, 0, 0, 0, 0,
                3, 0, 0, 0, 0, 0,
            ])
        #expect(stats.count == 3)
        #expect(stats.map(\.label) == [1, 2, 3])
        let a = stats[0]
        #expect(a.cells == 5)
        #expect(abs(a.sum - 3.65) < 1e-6)
        #expect(abs(a.mean - 0.73) < 1e-6)
        #expect(a.max == 0.95)
        #expect((a.peakColumn, a.peakRow) == (2, 2))
        #expect((a.minColumn, a.minRow, a.maxColumn, a.maxRow) == (0, 0, 2, 2))
        #expect(a.sumColumn == 0.5 + 1.5 + 0.5 + 1.5 + 2.5)
        #expect(a.sumRow == 0.5 + 0.5 + 1.5 + 2.5 + 2.5)
        let b = stats[1]
        #expect(b.cells == 2 && b.max == 0.9 && (b.peakColumn, b.peakRow) == (5, 1))
        #expect((b.minColumn, b.minRow, b.maxColumn, b.maxRow) == (5, 1, 5, 2))
        #expect(b.centroid.column == 5.5 && b.centroid.row == 2)
        let c = stats[2]
        #expect(c.cells == 1 && c.sum == Double(Float(0.75)) && (c.minColumn, c.minRow) == (0, 4))
    }

    @Test func nodataCountedWouldMerge() {
        // Sanity check of the fixture: treating the nodata cell as valid joins components 1 and 3.
        let (_, stats) = Self.grid.withUnsafeBufferPointer {
            ConnectedComponents.label(scores: $0, columns: 6, rows: 5, threshold: 0.5, isValid: { !$0.isNaN })
        }
        #expect(stats.count == 2)
    }

    /// Shapes whose halves get different provisional labels and merge later in the scan.
    ///
    ///     1 0 1 0 0 1
    ///     1 0 1 0 1 0
    ///     1 1 1 0 0 0
    @Test func latermergesKeepFirstAppearanceOrder() {
        let grid: [Float] = [
            1, 0, 1, 0, 0, 1,
            1, 0, 1, 0, 1, 0,
            1, 1, 1, 0, 0, 0,
        ]
        let (labels, stats) = grid.withUnsafeBufferPointer {
            ConnectedComponents.label(scores: $0, columns: 6, rows: 3, threshold: 1, isValid: { _ in true })
        }
        #expect(
            labels == [
                1, 0, 1, 0, 0, 2,
                1, 0, 1, 0, 2, 0,
                1, 1, 1, 0, 0, 0,
            ])
        #expect(stats.map(\.cells) == [7, 2])
    }

    @Test func emptyAndFull() {
        let empty: [Float] = []
        let (l0, s0) = empty.withUnsafeBufferPointer {
            ConnectedComponents.label(scores: $0, columns: 0, rows: 0, threshold: 0, isValid: { _ in true })
        }
        #expect(l0.isEmpty && s0.isEmpty)
        let full = [Float](repeating: 1, count: 12)
        let (l1, s1) = full.withUnsafeBufferPointer {
            ConnectedComponents.label(scores: $0, columns: 4, rows: 3, threshold: 0, isValid: { _ in true })
        }
        #expect(l1.allSatisfy { $0 == 1 } && s1.count == 1 && s1[0].cells == 12)
    }

    @Test func matchesFloodFillOnRandomGrids() {
        var rng = SplitMix64(seed: 11)
        for _ in 0..<20 {
            let columns = Int(rng.next() % 30) + 1
            let rows = Int(rng.next() % 30) + 1
            let grid: [Float] = (0..<(columns * rows)).map { _ in rng.nextUnit() < 0.1 ? .nan : Float(rng.nextUnit()) }
            let (labels, stats) = grid.withUnsafeBufferPointer {
                ConnectedComponents.label(scores: $0, columns: columns, rows: rows, threshold: 0.55, isValid: { !$0.isNaN })
            }
            // Reference: flood fill in row-major order of seeds.
            var reference = [Int32](repeating: 0, count: grid.count)
            var next: Int32 = 0
            for start in grid.indices where grid[start] >= 0.55 && reference[start] == 0 {
                next += 1
                reference[start] = next
                var stack = [start]
                while let i = stack.popLast() {
                    let r = i / columns
                    let c = i % columns
                    for dr in -1...1 {
                        for dc in -1...1 {
                            let rr = r + dr
                            let cc = c + dc
                            guard rr >= 0, rr < rows, cc >= 0, cc < columns else { continue }
                            let j = rr * columns + cc
                            if grid[j] >= 0.55, reference[j] == 0 {
                                reference[j] = next
                                stack.append(j)
                            }
                        }
                    }
                }
            }
            #expect(labels == reference)
            #expect(stats.count == Int(next))
            #expect(stats.map(\.cells).reduce(0, +) == reference.filter { $0 != 0 }.count)
        }
    }
}
