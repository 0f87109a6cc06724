import Foundation
import ProspectCore
import ProspectTestSupport
import Testing

@testable import ProspectGDAL

@Suite struct WarpTests {
    /// A 40 × 40 lon/lat raster of 0.001° cells centred on the middle of `grid`, each cell holding its index.
    func lonLatSource(around grid: Grid, path: String) throws -> Grid {
        let utm = try SpatialReference(epsg: 32645)
        let wgs = try SpatialReference(epsg: 4326)
        let middle = grid.transform.map(column: Double(grid.columns) / 2, row: Double(grid.rows) / 2)
        let centre = try CoordinateTransformer(from: utm, to: wgs).transform([middle])[0]
        let source = try lonLatGrid(
            columns: 40, rows: 40, left: (centre.x * 1000).rounded() / 1000 - 0.02,
            top: (centre.y * 1000).rounded() / 1000 + 0.02, cellSize: 0.001)
        try writeRaster(path, grid: source, values: (0..<source.cellCount).map(Float.init))
        return source
    }

    @Test func lonLatRasterOntoUTMGrid() throws {
        try withTemporaryDirectory { dir in
            let grid = try utmGrid(columns: 20, rows: 20, cellSize: 50)
            let sourcePath = dir + "/lonlat.tif"
            let output = dir + "/warped.tif"
            let source = try lonLatSource(around: grid, path: sourcePath)
            try GDALAlgorithms.warp(
                source: sourcePath, destination: output, grid: grid, resampling: .nearest,
                destinationNodata: -1, creationOptions: ["COMPRESS=DEFLATE"])
            #expect(try fileNames(in: dir) == ["lonlat.tif", "warped.tif"])
            let ds = try RasterDataset.open(output)
            #expect(ds.dataType() == .float32)
            #expect(ds.bandCount == 1)
            #expect(ds.grid.hasSameCells(as: grid))
            #expect(try #require(ds.spatialReference).isSame(SpatialReference(epsg: 32645)))
            #expect(ds.blockSize() == (256, 256))  // tiled
            #expect(ds.nodata() == -1)
            #expect(ds.metadata(domain: "IMAGE_STRUCTURE")["COMPRESSION"] == "DEFLATE")

            // Nearest neighbour: each cell holds the index of the source cell under its centre.
            let values = try readRaster(output)
            let toLonLat = try CoordinateTransformer(from: SpatialReference(epsg: 32645), to: SpatialReference(epsg: 4326))
            var checked = 0
            for row in 0..<grid.rows {
                for column in 0..<grid.columns {
                    let centre = grid.transform.map(column: Double(column) + 0.5, row: Double(row) + 0.5)
                    let lonLat = try toLonLat.transform([centre])[0]
                    let at = source.transform.cell(x: lonLat.x, y: lonLat.y)
                    let nearEdge = [at.column, at.row].contains { abs($0 - $0.rounded()) < 0.05 }
                    #expect(values[row * grid.columns + column] != -1, "cell (\(column), \(row)) is covered")
                    guard !nearEdge else { continue }  // gdalwarp's approximate transformer may tip these
                    let expected = Float(Int(at.row) * source.columns + Int(at.column))
                    #expect(values[row * grid.columns + column] == expected, "cell (\(column), \(row))")
                    checked += 1
                }
            }
            #expect(checked > 300)
        }
    }

    @Test func averageOfFourFinerCells() throws {
        try withTemporaryDirectory { dir in
            let fine = try utmGrid(columns: 8, rows: 8, cellSize: 5)
            let grid = try utmGrid(columns: 4, rows: 4, cellSize: 10)
            let values: [Float] = (0..<fine.cellCount).map { i in
                let base = Float((i * 37) % 11)
                return base + 0.25 * Float(i % 3)
            }
            let sourcePath = dir + "/fine.tif"
            let output = dir + "/coarse.tif"
            try writeRaster(sourcePath, grid: fine, values: values)
            let size = try GDALAlgorithms.sourceCellSize(source: sourcePath, grid: grid)
            #expect(size.width == 5 && size.height == 5)
            try GDALAlgorithms.warp(
                source: sourcePath, destination: output, grid: grid, resampling: .average,
                destinationNodata: -9999, creationOptions: [])
            let coarse = try readRaster(output)
            for row in 0..<4 {
                for column in 0..<4 {
                    let top = 2 * row * 8 + 2 * column
                    let bottom = top + 8
                    let mean: Float = (values[top] + values[top + 1] + values[bottom] + values[bottom + 1]) / 4
                    #expect(abs(coarse[row * 4 + column] - mean) < 1e-5, "cell (\(column), \(row))")
                }
            }
        }
    }

    @Test func nodataPropagates() throws {
        try withTemporaryDirectory { dir in
            let fine = try utmGrid(columns: 8, rows: 8, cellSize: 5)  // x 500000…500040
            let grid = try utmGrid(columns: 5, rows: 4, cellSize: 10)  // x 500000…500050: column 4 is outside the source
            var values = [Float](repeating: 2, count: fine.cellCount)
            for (c, r) in [(0, 0), (1, 0), (0, 1), (1, 1)] { values[r * 8 + c] = -9999 }  // coarse cell (0, 0): all nodata
            values[0 * 8 + 2] = -9999  // coarse cell (1, 0): one of four is nodata
            values[1 * 8 + 3] = 6
            let sourcePath = dir + "/fine.tif"
            let output = dir + "/coarse.tif"
            try writeRaster(sourcePath, grid: fine, values: values, nodata: -9999)
            try GDALAlgorithms.warp(
                source: sourcePath, destination: output, grid: grid, resampling: .average,
                destinationNodata: -1, creationOptions: [])
            let coarse = try readRaster(output)
            #expect(coarse[0] == -1)
            #expect(abs(coarse[1] - (2 + 2 + 6) / 3) < 1e-5)  // the nodata cell is left out of the mean
            #expect(coarse[2] == 2)
            for row in 0..<4 { #expect(coarse[row * 5 + 4] == -1, "outside the source, row \(row)") }
            #expect(try RasterDataset.open(output).nodata() == -1)

            // A source without a nodata value, told one.
            let plainPath = dir + "/plain.tif"
            let plainOutput = dir + "/plain-coarse.tif"
            try writeRaster(plainPath, grid: fine, values: values.map { $0 == -9999 ? 0 : $0 })
            try GDALAlgorithms.warp(
                source: plainPath, destination: plainOutput, grid: grid, resampling: .average,
                sourceNodata: 0, destinationNodata: -1, creationOptions: [])
            #expect(try readRaster(plainOutput) == coarse)
        }
    }

    @Test func nonOverlappingSourceThrows() throws {
        try withTemporaryDirectory { dir in
            let grid = try utmGrid(columns: 10, rows: 10)
            let far = Grid(
                columns: 4, rows: 4, transform: .northUp(left: 600_000, top: 3_000_100, cellSize: 10),
                crsWKT: grid.crsWKT, crsName: grid.crsName)
            let sourcePath = dir + "/far.tif"
            try writeRaster(sourcePath, grid: far, values: Array(repeating: 1, count: 16))
            let error = try #require(throws: GDALError.self) {
                try GDALAlgorithms.warp(
                    source: sourcePath, destination: dir + "/out.tif", grid: grid, resampling: .nearest,
                    destinationNodata: -1, creationOptions: [])
            }
            #expect(error.path == sourcePath)
            #expect(
                error.message
                    == "does not overlap the grid (source extent [600000, 3000060, 600040, 3000100] in EPSG:32645 vs grid [500000, 3000000, 500100, 3000100])"
            )
            #expect(try fileNames(in: dir) == ["far.tif"])
        }
    }

    @Test func sourceOnAnotherBodyIsRefusedNamingIt() throws {
        try withTemporaryDirectory { dir in
            let grid = try utmGrid(columns: 10, rows: 10)
            let mars = try SpatialReference(userInput: "+proj=longlat +R=3396190 +no_defs")
            let source = Grid(columns: 4, rows: 4, transform: .northUp(left: 0, top: 1, cellSize: 0.25), crsWKT: mars.wkt)
            let sourcePath = dir + "/mars.tif"
            try writeRaster(sourcePath, grid: source, values: Array(repeating: 1, count: 16))
            let error = try #require(throws: GDALError.self) {
                try GDALAlgorithms.warp(
                    source: sourcePath, destination: dir + "/out.tif", grid: grid, resampling: .nearest,
                    destinationNodata: -1, creationOptions: [])
            }
            #expect(error.path == sourcePath)
            #expect(error.message.hasPrefix("no coordinate transformation from "), "\(error.message)")
            #expect(try fileNames(in: dir) == ["mars.tif"])
        }
    }

    @Test func sourceWithoutCRSNeedsAnAssumption() throws {
        try withTemporaryDirectory { dir in
            let grid = try utmGrid(columns: 6, rows: 5)
            let bare = Grid(columns: grid.columns, rows: grid.rows, transform: grid.transform)  // no CRS
            let values = (0..<grid.cellCount).map { Float($0) * 1.5 }
            let sourcePath = dir + "/bare.tif"
            let output = dir + "/out.tif"
            try writeRaster(sourcePath, grid: bare, values: values)
            #expect(throws: GDALError(path: sourcePath, message: "has no CRS; give one with --assume-crs")) {
                try GDALAlgorithms.warp(
                    source: sourcePath, destination: output, grid: grid, resampling: .bilinear,
                    destinationNodata: -1, creationOptions: [])
            }
            #expect(throws: GDALError(path: sourcePath, message: "has no CRS; give one with --assume-crs")) {
                try GDALAlgorithms.sourceCellSize(source: sourcePath, grid: grid)
            }
            let utm = try SpatialReference(epsg: 32645)
            try GDALAlgorithms.warp(
                source: sourcePath, destination: output, grid: grid, resampling: .nearest,
                assumedSourceCRS: utm, destinationNodata: -1, creationOptions: [])
            #expect(try readRaster(output) == values)
            #expect(try #require(RasterDataset.open(output).spatialReference).isSame(utm))
            // An assumption does not override a CRS the source has: a lon/lat assumption here would not overlap.
            try GDALAlgorithms.warp(
                source: output, destination: dir + "/again.tif", grid: grid, resampling: .nearest,
                assumedSourceCRS: SpatialReference(epsg: 4326), destinationNodata: -1, creationOptions: [])
            #expect(try readRaster(dir + "/again.tif") == values)
        }
    }

    @Test func sourceCellSizeInGridUnits() throws {
        try withTemporaryDirectory { dir in
            let grid = try utmGrid(columns: 20, rows: 20, cellSize: 50)
            let sourcePath = dir + "/lonlat.tif"
            _ = try lonLatSource(around: grid, path: sourcePath)
            // 0.001° at 27°N: about 99 m east–west and 111 m north–south.
            let size = try GDALAlgorithms.sourceCellSize(source: sourcePath, grid: grid)
            #expect((96...102).contains(size.width))
            #expect((108...113).contains(size.height))
        }
    }

    @Test func everyResamplingRunsOnAMultiBandSource() throws {
        try withTemporaryDirectory { dir in
            let fine = try utmGrid(columns: 8, rows: 8, cellSize: 5)
            let grid = try utmGrid(columns: 4, rows: 4, cellSize: 10)
            let sourcePath = dir + "/two.tif"
            let ds = try RasterDataset.create(sourcePath, grid: fine, bands: 2)
            let ones = [Float](repeating: 1, count: fine.cellCount)
            let sevens = [Float](repeating: 7, count: fine.cellCount)
            try ones.withUnsafeBufferPointer { try ds.write(band: 1, window: fine.full, from: $0) }
            try sevens.withUnsafeBufferPointer { try ds.write(band: 2, window: fine.full, from: $0) }
            try ds.close()
            for method in Resampling.allCases {
                let output = dir + "/\(method).tif"
                try GDALAlgorithms.warp(
                    source: sourcePath, destination: output, grid: grid, resampling: method,
                    destinationNodata: -1, creationOptions: [])
                let out = try RasterDataset.open(output)
                #expect(out.bandCount == 1, "\(method)")
                #expect(try readRaster(output) == Array(repeating: 1, count: 16), "\(method)")
            }
        }
    }
}
