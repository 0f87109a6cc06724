import Foundation
import ProspectCore
import Testing

@testable import ProspectPipeline

/// The kernels of the training passes against their definitions: which cells of a tile train,
/// the infinite cells of a tile, the selection behind the background sample.
@Suite("Training passes: tile kernels against their definitions")
struct TrainingPassTests {
    static let widths = [0, 1, 7, 8, 9, 1023]

    /// `layers` buffers of `rows` rows of `width` cells, `stride` apart; nodata (−9999), NaN
    /// and ±Inf put in every lane position of different layers.
    static func tile(width: Int, rows: Int, layers: Int, seed: UInt64) -> StackTile {
        let stride = width + 3
        var rng = SplitMix64(seed: seed)
        let buffers = (0..<layers).map { k in
            let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, rows * stride))
            for i in b.indices {
                let lane = (i % stride) % 8
                let u = rng.nextUnit()
                b[i] =
                    u < 0.04 ? -9999 : u < 0.07 ? .nan : u < 0.09 ? (lane % 2 == 0 ? .infinity : -.infinity) : Float(100 * k) + Float(u)
                if (i % stride) % 8 == k % 8, u > 0.9 { b[i] = .nan }
            }
            return b
        }
        return StackTile(index: 0, window: Window(column: 16, row: 3, columns: width, rows: rows), stride: stride, buffers: buffers)
    }

    @Test("the training cells of a tile, both missing-data rules, with and without an area", arguments: widths)
    func trainingCells(width: Int) {
        let grid = Grid(columns: 1100, rows: 20, transform: .northUp(left: 0, top: 0, cellSize: 1))
        let tile = Self.tile(width: width, rows: 4, layers: 3, seed: UInt64(width))
        defer { tile.buffers.forEach { $0.deallocate() } }
        let areas: [TrainingArea] = [.all, .mask(grid: grid) { $0 % 3 != 1 }]
        for area in areas {
            for rule in MissingDataRule.allCases {
                let select = TrainingCells(area: area, rule: rule, nodata: [-9999, .nan, -9999], grid: grid)
                var offsets: [Int32] = []
                var flags: [UInt32] = []
                // Twice, so the second tile reuses the scratch of the first.
                for _ in 0..<2 {
                    let kept = select.offsets(of: tile, into: &offsets, flags: &flags)
                    #expect(Array(offsets[0..<kept]) == select.offsetsReference(of: tile), "\(rule), width \(width)")
                }
            }
        }
    }

    @Test("the infinite cells of a tile", arguments: widths)
    func infiniteCells(width: Int) {
        let tile = Self.tile(width: width, rows: 5, layers: 2, seed: 3)
        defer { tile.buffers.forEach { $0.deallocate() } }
        for b in tile.buffers {
            #expect(
                InfiniteCells.count(b, window: tile.window, stride: tile.stride)
                    == InfiniteCells.countReference(b, window: tile.window, stride: tile.stride))
        }
    }

    @Test("the value of each rank, as sorting gives it")
    func selection() {
        var rng = SplitMix64(seed: 4)
        for n in [1, 2, 3, 7, 100, 5000] {
            let values = Array(Set((0..<n).map { _ in rng.next() % 1_000_000 }))
            let sorted = values.sorted()
            for rank in Set([0, sorted.count / 3, sorted.count - 1]) {
                var a = values
                #expect(BackgroundSampler.select(&a, rank: rank) == sorted[rank], "rank \(rank) of \(sorted.count)")
            }
        }
    }

    @Test("the radix order of cells is the stable sort's")
    func cellOrder() {
        var rng = SplitMix64(seed: 5)
        for (n, range) in [(0, 1), (1, 1), (5, 1), (1000, 3000), (20_000, 1 << 30), (3000, 1 << 40)] {
            let cells = (0..<n).map { _ in Int(rng.next() % UInt64(range)) }
            #expect(BackgroundSampler.sortedOrder(cells) == cells.indices.sorted { (cells[$0], $0) < (cells[$1], $1) }, "\(n) in \(range)")
        }
    }
}
