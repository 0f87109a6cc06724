import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

@testable import ProspectPipeline

/// A file, CRS or dataset that cannot be read is an error naming it, never nodata or a default.
@Suite("Read failures are reported")
struct ReadErrorTests {
    let grid = Grid(columns: 64, rows: 48, transform: .northUp(left: 350_000, top: 2_380_000, cellSize: 100))

    func utm(_ g: Grid) throws -> Grid {
        var g = g
        g.crsWKT = try SpatialReference(epsg: 32645).wkt
        return g
    }

    @Test("a grid CRS GDAL cannot read stops the cell area, naming the file")
    func unreadableGridCRS() throws {
        var g = grid
        g.crsWKT = "NOT A CRS"
        let error = try #require(throws: PipelineError.self) { try CellArea.km2(of: g, file: "layer.tif") }
        #expect(error.path == "layer.tif")
        #expect(error.message.hasPrefix("its CRS cannot be read"))
        // No CRS at all is a plain grid, measured in its own units.
        #expect(try CellArea.km2(of: grid, file: "layer.tif") == (0.01, false))
        #expect(try CellArea.km2(of: utm(grid), file: "layer.tif") == (0.01, false))
    }

    @Test("a staged layer that fails to read stops prepare with GDAL's error, not a layer of nodata")
    func stagedReadFailure() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let g = try utm(grid)
        try writeRaster(dir + "/ref.tif", grid: g, values: [Float](repeating: 1, count: g.cellCount))
        let raw = dir + "/raw.tif"
        try writeRaster(raw, grid: g, values: (0..<g.cellCount).map(Float.init), blockSize: 16)
        let context = try Context(
            request: PrepareRequest(grid: .reference(dir + "/ref.tif"), outputDirectory: dir + "/out"),
            scratch: dir, staging: dir)
        // Whole: every cell comes through.
        let stats = try context.finish(from: raw, to: dir + "/whole.tif")
        #expect(stats.valid == g.cellCount)
        // Truncated: the tiles past the cut cannot be read.
        let size = try #require(try FileManager.default.attributesOfItem(atPath: raw)[.size] as? Int)
        #expect(truncate(raw, off_t(size / 2)) == 0)
        let error = try #require(throws: GDALError.self) { try context.finish(from: raw, to: dir + "/cut.tif") }
        #expect(error.path == raw)
        #expect(error.message.hasPrefix("read failed"))
    }

    @Test("truth.json beside the demo rasters: none is fine, a malformed one is an error naming it")
    func demoTruth() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        #expect(try DemoRegion.hiddenModel(in: dir) == nil)
        try "{\"intercept\": ".write(toFile: dir + "/truth.json", atomically: true, encoding: .utf8)
        let error = try #require(throws: PipelineError.self) { try DemoRegion.hiddenModel(in: dir) }
        #expect(error.path == dir + "/truth.json")
        #expect(error.message.hasPrefix("not the demo's hidden model"))
    }
}
