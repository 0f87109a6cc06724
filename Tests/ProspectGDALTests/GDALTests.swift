import Testing

@testable import ProspectGDAL

@Suite struct GDALTests {
    @Test func versionsAreReported() {
        GDAL.initialize()
        GDAL.initialize()  // idempotent
        #expect(GDAL.version.hasPrefix("3."))
        #expect(GDAL.projVersion.split(separator: ".").count >= 2)
    }

    @Test func errorDescriptionNamesFileAndProblem() {
        let error = GDALError(path: "x.tif", message: "no such file")
        #expect(error.description == "x.tif: no such file")
        #expect(error == GDALError(path: "x.tif", message: "no such file"))
    }

    @Test func dataTypeNames() {
        #expect(RasterDataType.float32.gdalName == "Float32")
        #expect(RasterDataType.byte.gdalName == "Byte")
        #expect(RasterDataType.float64.byteSize == 8)
    }
}
