import Foundation
import ProspectCore
import ProspectTestSupport
import Testing

@testable import ProspectGDAL

@Suite struct BuildVRTTests {
    @Test func twoRastersMakeTwoNamedBands() throws {
        try withTemporaryDirectory { dir in
            let grid = try utmGrid(columns: 6, rows: 4)
            let a = (0..<grid.cellCount).map { Float($0) }
            let b = (0..<grid.cellCount).map { Float($0) * -2 }
            try writeRaster(dir + "/a.tif", grid: grid, values: a)
            try writeRaster(dir + "/b.tif", grid: grid, values: b, nodata: -9999)
            let vrt = dir + "/stack.vrt"
            try GDALAlgorithms.buildVRT(sources: [dir + "/a.tif", dir + "/b.tif"], destination: vrt, bandNames: ["magnetics", "gravity"])
            #expect(try fileNames(in: dir) == ["a.tif", "b.tif", "stack.vrt"])

            let ds = try RasterDataset.open(vrt)
            #expect(ds.bandCount == 2)
            #expect(ds.bandDescription(band: 1) == "magnetics" && ds.bandDescription(band: 2) == "gravity")
            #expect(ds.grid.hasSameCells(as: grid))
            #expect(ds.nodata(band: 2) == -9999)
            #expect(try readRaster(vrt, band: 1) == a && readRaster(vrt, band: 2) == b)

            let xml = try String(contentsOfFile: vrt, encoding: .utf8)
            #expect(xml.contains(#"<SourceFilename relativeToVRT="1">a.tif</SourceFilename>"#))
            #expect(xml.contains(#"<SourceFilename relativeToVRT="1">b.tif</SourceFilename>"#))
        }
    }

    @Test func missingSourceThrows() throws {
        try withTemporaryDirectory { dir in
            let grid = try utmGrid(columns: 2, rows: 2)
            try writeRaster(dir + "/a.tif", grid: grid, values: [1, 2, 3, 4])
            #expect(throws: GDALError(path: dir + "/none.tif", message: "no such file")) {
                try GDALAlgorithms.buildVRT(
                    sources: [dir + "/a.tif", dir + "/none.tif"], destination: dir + "/s.vrt", bandNames: ["a", "b"])
            }
            #expect(try fileNames(in: dir) == ["a.tif"])
        }
    }
}

@Suite struct VSITests {
    @Test func removeDirectoryFreesMemoryFiles() throws {
        let folder = try VSI.makeScratchDirectory()
        #expect(folder.hasPrefix("/vsimem/prospect-"))
        try VSI.makeDirectory(folder + "/sub")
        let grid = try utmGrid(columns: 2, rows: 2)
        try writeRaster(folder + "/a.tif", grid: grid, values: [1, 2, 3, 4])
        try writeRaster(folder + "/sub/b.tif", grid: grid, values: [1, 2, 3, 4])
        #expect(VSI.exists(folder + "/a.tif") && VSI.exists(folder + "/sub/b.tif"))
        VSI.remove(folder + "/a.tif")
        #expect(!VSI.exists(folder + "/a.tif") && VSI.exists(folder + "/sub/b.tif"))
        VSI.removeDirectory(folder)
        #expect(!VSI.exists(folder + "/sub/b.tif") && !VSI.exists(folder))
    }
}
