import Dispatch
import Foundation
import ProspectCore
import Synchronization
import Testing

@testable import ProspectGDAL

@Suite struct ConcurrencyTests {
    /// One dataset handle per thread, as GDAL requires: concurrent windowed reads agree.
    @Test func eachThreadOpensItsOwnDataset() throws {
        let path = "/vsimem/concurrent-\(UUID().uuidString).tif"
        let grid = try utmGrid(columns: 64, rows: 64)
        let out = try RasterDataset.create(path, grid: grid, options: ["TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16"])
        let values = (0..<grid.cellCount).map { Float($0 % 251) }
        try values.withUnsafeBufferPointer { try out.write(window: grid.full, from: $0) }
        try out.close()

        let sums = Mutex([Double](repeating: -1, count: 8))
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            do {
                let ds = try RasterDataset.open(path)
                let window = Window(column: 0, row: i * 8, columns: 64, rows: 8)
                var buffer = [Float](repeating: 0, count: window.cellCount)
                try buffer.withUnsafeMutableBufferPointer { try ds.read(window: window, into: $0) }
                let sum = buffer.reduce(0.0) { $0 + Double($1) }
                sums.withLock { $0[i] = sum }
            } catch {}
        }
        let expected = (0..<8).map { i in values[(i * 512)..<((i + 1) * 512)].reduce(0.0) { $0 + Double($1) } }
        #expect(sums.withLock { $0 } == expected)
        GDAL.setConfigOption("PROSPECT_UNUSED_TEST_OPTION", nil)
    }
}
