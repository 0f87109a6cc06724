import Foundation
import ProspectCore
import ProspectTestSupport
import Testing

@testable import ProspectGDAL

/// The GDAL utilities (warp, vector translate, COG, VRT) write under a temporary name and
/// rename on success: a failure leaves the destination as it was and no temporary behind.
@Suite struct AtomicOutputTests {
    /// A GeoTIFF on `grid` cut to half its size: it opens, but reading its lower rows fails.
    func writeTruncatedRaster(_ path: String, grid: Grid) throws {
        try writeRaster(path, grid: grid, values: (0..<grid.cellCount).map(Float.init))
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(size / 2))
        try handle.close()
    }

    @Test func failedWarpKeepsTheOldDestination() throws {
        try withTemporaryDirectory { dir in
            let grid = try utmGrid(columns: 64, rows: 64)
            let source = dir + "/truncated.tif"
            let destination = dir + "/out.tif"
            try writeTruncatedRaster(source, grid: grid)
            let old = [Float](repeating: 7, count: grid.cellCount)
            try writeRaster(destination, grid: grid, values: old)
            let error = try #require(throws: GDALError.self) {
                try GDALAlgorithms.warp(
                    source: source, destination: destination, grid: grid, resampling: .nearest,
                    destinationNodata: -1, creationOptions: [])
            }
            #expect(error.path == destination)
            #expect(error.message.hasPrefix("could not warp \(source) ("))
            #expect(try fileNames(in: dir) == ["out.tif", "truncated.tif"])
            #expect(try readRaster(destination) == old)
        }
    }

    @Test func failedVRTKeepsTheOldDestination() throws {
        try withTemporaryDirectory { dir in
            let utm = try utmGrid(columns: 2, rows: 2)
            let lonLat = try lonLatGrid(columns: 2, rows: 2, left: 87, top: 27, cellSize: 0.001)
            try writeRaster(dir + "/a.tif", grid: utm, values: [1, 2, 3, 4])
            try writeRaster(dir + "/b.tif", grid: lonLat, values: [1, 2, 3, 4])
            let destination = dir + "/stack.vrt"
            let old = "<VRTDataset/>\n"
            try writeText(old, to: destination)
            // GDAL skips a source in another CRS, so the VRT gets one band for two sources.
            let error = try #require(throws: GDALError.self) {
                try GDALAlgorithms.buildVRT(
                    sources: [dir + "/a.tif", dir + "/b.tif"], destination: destination,
                    bandNames: ["a", "b"])
            }
            #expect(error.path == destination)
            #expect(error.message.hasPrefix("has 1 bands for 2 sources ("))
            #expect(try fileNames(in: dir) == ["a.tif", "b.tif", "stack.vrt"])
            #expect(try String(contentsOfFile: destination, encoding: .utf8) == old)
        }
    }

    @Test func cogIntoAMissingFolderLeavesNothing() throws {
        try withTemporaryDirectory { dir in
            let grid = try utmGrid(columns: 4, rows: 4)
            let source = dir + "/plain.tif"
            let destination = dir + "/missing/cog.tif"
            try writeRaster(source, grid: grid, values: (0..<grid.cellCount).map(Float.init))
            let error = try #require(throws: GDALError.self) {
                try GDALAlgorithms.translateToCOG(source: source, destination: destination, creationOptions: [])
            }
            #expect(error.path == destination)
            #expect(error.message.hasPrefix("could not write a COG ("))
            #expect(try fileNames(in: dir) == ["plain.tif"])
        }
    }

    @Test func failedVectorTranslateKeepsTheOldDestination() throws {
        try withTemporaryDirectory { dir in
            let source = dir + "/zones.geojson"
            let destination = dir + "/zones.gpkg"
            try writeText(polygonsGeoJSON([(#""zone":1"#, rectangle(87, 27, 87.01, 27.01))]), to: source)
            try writeText("old", to: destination)
            // An option ogr2ogr rejects only once the output exists: a field that the layer lacks.
            let error = try #require(throws: GDALError.self) {
                try GDALAlgorithms.vectorTranslate(
                    VectorDataset.open(source), arguments: ["-f", "GPKG", "-select", "nosuchfield"],
                    destination: destination, layerName: "zones")
            }
            #expect(error.path == destination)
            #expect(error.message.hasPrefix("could not write a copy of \(source) ("))
            #expect(try fileNames(in: dir) == ["zones.geojson", "zones.gpkg"])
            #expect(try String(contentsOfFile: destination, encoding: .utf8) == "old")
        }
    }
}
