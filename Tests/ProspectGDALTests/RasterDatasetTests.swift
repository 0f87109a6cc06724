import Foundation
import ProspectCore
import ProspectTestSupport
import Testing

@testable import ProspectGDAL

@Suite struct RasterDatasetTests {
    @Test func createWriteReadRoundTrip() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/roundtrip.tif"
            let grid = try utmGrid(columns: 20, rows: 15)
            var values = (0..<grid.cellCount).map { Float($0) * 0.5 }
            values[7] = -9999
            let out = try RasterDataset.create(
                path, grid: grid, type: .float32,
                options: ["TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16", "COMPRESS=DEFLATE"])
            try out.setNodata(-9999)
            try out.setMetadata(["PROSPECT_VERSION": "0.1", "MODEL": "weights-of-evidence"])
            out.setBandDescription("score")
            try values.withUnsafeBufferPointer { try out.write(window: grid.full, from: $0) }
            try out.close()
            try out.close()  // second close is harmless

            let ds = try RasterDataset.open(path)
            #expect(ds.path == path)
            #expect(ds.driverName == "GTiff")
            #expect(ds.bandCount == 1)
            #expect(ds.dataType() == .float32)
            #expect(ds.nodata() == -9999)
            #expect(ds.blockSize() == (16, 16))
            #expect(ds.bandDescription() == "score")
            let meta = ds.metadata()
            #expect(meta["PROSPECT_VERSION"] == "0.1")
            #expect(meta["MODEL"] == "weights-of-evidence")
            let back = ds.grid
            #expect(back.crsName == "EPSG:32645")
            #expect(back.hasSameCells(as: grid) && back.crsName == grid.crsName)
            #expect(back.transform == grid.transform)

            var read = [Float](repeating: .nan, count: grid.cellCount)
            try read.withUnsafeMutableBufferPointer { try ds.read(window: grid.full, into: $0) }
            #expect(read == values)

            // A window in the middle, row-major and window-wide.
            let window = Window(column: 3, row: 4, columns: 5, rows: 2)
            var part = [Float](repeating: .nan, count: window.cellCount)
            try part.withUnsafeMutableBufferPointer { try ds.read(window: window, into: $0) }
            #expect(part[0] == values[4 * 20 + 3])
            #expect(part[6] == values[5 * 20 + 4])

            let stats = try #require(try ds.statistics())
            let valid = values.enumerated().filter { $0.offset != 7 }.map { Double($0.element) }
            let mean = valid.reduce(0, +) / Double(valid.count)
            #expect(stats.min == 0)
            #expect(stats.max == Double(values.last!))
            #expect(abs(stats.mean - mean) < 1e-6)
            let variance = valid.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(valid.count)
            #expect(abs(stats.stdDev - variance.squareRoot()) < 1e-9)
            let rough = try #require(try ds.statistics(approximate: true))
            #expect(rough.min == stats.min && rough.max == stats.max)
            try ds.close()
            #expect(!FileManager.default.fileExists(atPath: path + ".aux.xml"))
        }
    }

    @Test func windowOutsideTheRasterThrows() throws {
        let grid = try utmGrid(columns: 8, rows: 8)
        let ds = try RasterDataset.create("/vsimem/outside-\(UUID().uuidString).tif", grid: grid)
        var buffer = [Float](repeating: 0, count: 16)
        #expect(throws: GDALError.self) {
            try buffer.withUnsafeMutableBufferPointer { try ds.read(window: Window(column: 6, row: 6, columns: 4, rows: 4), into: $0) }
        }
    }

    @Test func allNodataHasNoStatistics() throws {
        let grid = try utmGrid(columns: 4, rows: 4)
        let ds = try RasterDataset.create("/vsimem/nodata-\(UUID().uuidString).tif", grid: grid)
        try ds.setNodata(-1)
        let values = [Float](repeating: -1, count: 16)
        try values.withUnsafeBufferPointer { try ds.write(window: grid.full, from: $0) }
        #expect(try ds.statistics() == nil)
    }

    @Test func readBlockMatchesRead() throws {
        let path = "/vsimem/blocks-\(UUID().uuidString).tif"
        let grid = try utmGrid(columns: 40, rows: 20)
        let ds = try RasterDataset.create(path, grid: grid, type: .float32, options: ["TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16"])
        let values = (0..<grid.cellCount).map { Float($0 % 97) - 13.25 }
        try values.withUnsafeBufferPointer { try ds.write(window: grid.full, from: $0) }
        try ds.close()

        let input = try RasterDataset.open(path)
        let block = input.blockSize()
        let count = input.blockCount()
        #expect(count == (3, 2))
        var tile = [Float](repeating: .nan, count: block.columns * block.rows)
        for by in 0..<count.rows {
            for bx in 0..<count.columns {
                try tile.withUnsafeMutableBytes { try input.readBlock(blockColumn: bx, blockRow: by, into: $0.baseAddress!) }
                let window = Window(column: bx * 16, row: by * 16, columns: 16, rows: 16).intersection(grid.full)!
                var expected = [Float](repeating: .nan, count: window.cellCount)
                try expected.withUnsafeMutableBufferPointer { try input.read(window: window, into: $0) }
                for r in 0..<window.rows {
                    for c in 0..<window.columns {
                        #expect(tile[r * block.columns + c] == expected[r * window.columns + c])
                    }
                }
            }
        }
    }

    @Test func writeBlockThenRead() throws {
        let grid = try utmGrid(columns: 16, rows: 16)
        let ds = try RasterDataset.create(
            "/vsimem/wb-\(UUID().uuidString).tif", grid: grid, type: .int16,
            options: ["TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16"])
        var cells = (0..<256).map { Int16($0 - 100) }
        try cells.withUnsafeMutableBytes { try ds.writeBlock(blockColumn: 0, blockRow: 0, from: $0.baseAddress!) }
        var read = [Float](repeating: 0, count: 256)
        try read.withUnsafeMutableBufferPointer { try ds.read(window: grid.full, into: $0) }
        #expect(read == cells.map(Float.init))
    }

    @Test func missingFileIsReported() {
        let path = "/nonexistent/\(UUID().uuidString).tif"
        #expect(throws: GDALError(path: path, message: "no such file")) { try RasterDataset.open(path) }
    }

    @Test func textFileIsNotARaster() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/notes.txt"
            try writeText("these are field notes, not a raster\n", to: path)
            let error = try #require(throws: GDALError.self) { try RasterDataset.open(path) }
            #expect(error.path == path)
            #expect(error.message.hasPrefix("not a raster that GDAL can read"))
            #expect(error.description.hasPrefix("\(path): "))
        }
    }

    @Test func vectorFileHasNoRasterBands() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/points.geojson"
            try writeText(
                #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[87,27]}}]}"#,
                to: path)
            #expect(throws: GDALError(path: path, message: "has no raster bands")) { try RasterDataset.open(path) }
        }
    }

    @Test func truncatedGeoTIFFFailsCleanly() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/truncated.tif"
            let grid = try utmGrid(columns: 64, rows: 64)
            let out = try RasterDataset.create(path, grid: grid)
            let values = (0..<grid.cellCount).map { Float($0) }
            try values.withUnsafeBufferPointer { try out.write(window: grid.full, from: $0) }
            try out.close()
            let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try handle.truncate(atOffset: UInt64(size / 2))
            try handle.close()

            let error = try #require(throws: GDALError.self) {
                let ds = try RasterDataset.open(path)
                var buffer = [Float](repeating: 0, count: grid.cellCount)
                try buffer.withUnsafeMutableBufferPointer { try ds.read(window: ds.grid.full, into: $0) }
            }
            #expect(error.path == path)
        }
    }

    @Test func createWithUnknownDriverThrows() throws {
        let grid = try utmGrid(columns: 2, rows: 2)
        #expect(throws: GDALError.self) { try RasterDataset.create("/vsimem/x.tif", grid: grid, driver: "NoSuchDriver") }
    }
}
