import Foundation
import ProspectCore
import ProspectTestSupport
import Testing

@testable import ProspectGDAL

/// Raster attribute tables and category names as GDAL reads them from `.aux.xml` side files
/// (GeoTIFF keeps its table there) and VRTs.
@Suite struct RasterLegendTests {
    /// A 4 × 4 Byte GeoTIFF of codes 1…4 (one row each).
    static func codes(_ path: String) throws {
        try writeRaster(path, grid: try utmGrid(columns: 4, rows: 4), type: .byte) { _, r in Float(r + 1) }
    }

    /// A `<GDALRasterAttributeTable>` of the given columns (name, type 0 integer / 1 real /
    /// 2 string, usage) and rows.
    static func table(_ columns: [(String, Int, Int)], _ rows: [[String]], attributes: String = "") -> String {
        var xml = "<GDALRasterAttributeTable\(attributes) tableType=\"thematic\">\n"
        for (i, c) in columns.enumerated() {
            xml += "<FieldDefn index=\"\(i)\"><Name>\(c.0)</Name><Type>\(c.1)</Type><Usage>\(c.2)</Usage></FieldDefn>\n"
        }
        for (i, row) in rows.enumerated() { xml += "<Row index=\"\(i)\">" + row.map { "<F>\($0)</F>" }.joined() + "</Row>\n" }
        return xml + "</GDALRasterAttributeTable>\n"
    }

    /// Writes the GeoTIFF of codes with `band` (XML inside `<PAMRasterBand>`) as its side file.
    static func withSideFile(_ dir: String, _ band: String) throws -> String {
        let path = dir + "/classes.tif"
        try codes(path)
        try writeText("<PAMDataset><PAMRasterBand band=\"1\">\(band)</PAMRasterBand></PAMDataset>\n", to: path + ".aux.xml")
        return path
    }

    @Test("GFU_Name and GFU_MinMax columns give names by class value")
    func nameAndValueByUsage() throws {
        try withTemporaryDirectory { dir in
            // The name column is not the first text column: usage decides.
            let rat = Self.table(
                [("Remark", 2, 0), ("Value", 0, 5), ("Count", 0, 1), ("Rock", 2, 2)],
                [["x", "3", "10", "Graphite paraschist"], ["y", "7", "4", "Black shale"], ["z", "9", "1", " "]])
            let ds = try RasterDataset.open(try Self.withSideFile(dir, rat))
            #expect(ds.legend() == [3: "Graphite paraschist", 7: "Black shale"])
        }
    }

    @Test("without a name usage: a NAME/LABEL/UNIT/DESCRIPTION column, codes from a VALUE column")
    func nameAndValueByColumnName() throws {
        try withTemporaryDirectory { dir in
            let rat = Self.table(
                [("Comment", 2, 0), ("VALUE", 0, 0), ("Unit", 2, 0)],
                [["a", "11", "Schist"], ["b", "12", "Granite"]])
            let ds = try RasterDataset.open(try Self.withSideFile(dir, rat))
            #expect(ds.legend() == [11: "Schist", 12: "Granite"])
        }
    }

    @Test("no code column: linear binning, else the row index")
    func codeFromBinningOrRow() throws {
        try withTemporaryDirectory { dir in
            let binned = Self.table([("Label", 2, 0)], [["ten"], ["eleven"]], attributes: " Row0Min=\"10\" BinSize=\"1\"")
            let first = try RasterDataset.open(try Self.withSideFile(dir, binned)).legend()
            #expect(first == [10: "ten", 11: "eleven"])
            try FileManager.default.removeItem(atPath: dir + "/classes.tif.aux.xml")
            let plain = Self.table([("Label", 2, 0)], [["zero"], ["one"], ["two"]])
            let second = try RasterDataset.open(try Self.withSideFile(dir, plain)).legend()
            #expect(second == [0: "zero", 1: "one", 2: "two"])
        }
    }

    @Test("GFU_Min and GFU_Max: every whole code of the range; fractional codes are skipped")
    func ranges() throws {
        try withTemporaryDirectory { dir in
            let rat = Self.table(
                [("Min", 1, 3), ("Max", 1, 4), ("Name", 2, 2)],
                [["1", "3", "low"], ["3.5", "3.7", "none"], ["4", "4", "high"]])
            let legend = try RasterDataset.open(try Self.withSideFile(dir, rat)).legend()
            #expect(legend == [1: "low", 2: "low", 3: "low", 4: "high"])
        }
    }

    @Test("category names alone (a side file drops them when it holds a table too)")
    func categoryNames() throws {
        try withTemporaryDirectory { dir in
            let band = "<CategoryNames><Category></Category><Category>one</Category><Category>uno</Category></CategoryNames>"
            let ds = try RasterDataset.open(try Self.withSideFile(dir, band))
            #expect(ds.categoryNames() == ["", "one", "uno"])
            #expect(ds.legend() == [1: "one", 2: "uno"])
        }
    }

    /// A VRT over the codes with `band` (XML inside `<VRTRasterBand>`).
    static func vrt(_ dir: String, _ band: String) throws -> String {
        try Self.codes(dir + "/codes.tif")
        let vrt = """
            <VRTDataset rasterXSize="4" rasterYSize="4">
              <GeoTransform>500000, 10, 0, 3000100, 0, -10</GeoTransform>
              <VRTRasterBand dataType="Byte" band="1">
                \(band)
                <SimpleSource><SourceFilename relativeToVRT="1">codes.tif</SourceFilename><SourceBand>1</SourceBand></SimpleSource>
              </VRTRasterBand>
            </VRTDataset>
            """
        try writeText(vrt, to: dir + "/codes.vrt")
        return dir + "/codes.vrt"
    }

    @Test("a VRT's attribute table; category names win over it for the same code")
    func vrtTable() throws {
        try withTemporaryDirectory { dir in
            let rat = Self.table([("VALUE", 0, 0), ("DESCRIPTION", 2, 0)], [["1", "Graphite paraschist"], ["2", "Quartzite"]])
            let legend = try RasterDataset.open(try Self.vrt(dir, rat)).legend()
            #expect(legend == [1: "Graphite paraschist", 2: "Quartzite"])
            let none = try RasterDataset.open(dir + "/codes.tif").legend()
            #expect(none.isEmpty)
            let both =
                "<CategoryNames><Category></Category><Category>one</Category><Category>uno</Category></CategoryNames>"
                + Self.table([("Value", 0, 5), ("Name", 2, 2)], [["2", "two"], ["4", "four"]])
            let merged = try RasterDataset.open(try Self.vrt(dir, both)).legend()
            #expect(merged == [1: "one", 2: "uno", 4: "four"])
        }
    }

    @Test("the unit of a band's values round-trips; unset is nil")
    func unitType() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/d.tif"
            let ds = try RasterDataset.create(path, grid: try utmGrid(columns: 2, rows: 2), type: .float32)
            #expect(ds.unitType() == nil)
            try ds.setUnitType("m")
            try ds.close()
            let unit = try RasterDataset.open(path).unitType()
            #expect(unit == "m")
            #expect(!FileManager.default.fileExists(atPath: path + ".aux.xml"), "a GeoTIFF keeps its unit in the file")
        }
    }
}
