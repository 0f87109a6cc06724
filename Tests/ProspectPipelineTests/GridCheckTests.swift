import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

@testable import ProspectPipeline

@Suite("Evidence layers on one grid")
struct GridCheckTests {
    func raster(_ path: String, crs: String) throws {
        let grid = Grid(
            columns: 20, rows: 10, transform: .northUp(left: 350_000, top: 2_380_000, cellSize: 100),
            crsWKT: try SpatialReference(userInput: crs).wkt)
        try writeRaster(path, grid: grid, values: [Float](repeating: 1, count: grid.cellCount))
    }

    @Test("the same CRS written as an EPSG code and as a PROJ string is one grid; another CRS is not")
    func crsComparedByPROJ() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        try raster(dir + "/epsg.tif", crs: "EPSG:32645")
        try raster(dir + "/proj.tif", crs: "+proj=utm +zone=45 +datum=WGS84 +units=m +no_defs")
        try raster(dir + "/other.tif", crs: "EPSG:32644")
        let stack = try EvidenceStack.open([
            LayerSpec(argument: dir + "/epsg.tif", kind: .continuous),
            LayerSpec(argument: dir + "/proj.tif", kind: .continuous),
        ])
        #expect(stack.layers.count == 2)
        #expect(throws: PipelineError.self) {
            try EvidenceStack.open([
                LayerSpec(argument: dir + "/epsg.tif", kind: .continuous),
                LayerSpec(argument: dir + "/other.tif", kind: .continuous),
            ])
        }
    }
}
