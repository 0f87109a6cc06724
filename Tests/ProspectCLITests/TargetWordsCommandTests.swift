import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

/// Class names and units from the inputs' GDAL metadata, through `prepare`, `train`, `score`
/// and `targets`, to the words that explain each target.
@Suite("Legends and units reach the targets' explanations")
struct TargetWordsCommandTests {
    static func manifestLayers(_ path: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(manifest["layers"] as? [[String: Any]])
    }

    @Test("prepare reads a raster attribute table (side file, Arc/Info VAT) and a unit; targets speak in them")
    func prepareToTargets() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        // A GeoTIFF whose classes only its .aux.xml raster attribute table names.
        var grid = Fixture.grid
        grid.crsWKT = try Fixture.utm().wkt
        try writeRaster(dir + "/rock.tif", grid: grid, type: .byte, nodata: 0) { c, _ in c >= 48 ? 70 : 12 }
        let rat = """
            <PAMDataset><PAMRasterBand band="1"><GDALRasterAttributeTable tableType="thematic">
            <FieldDefn index="0"><Name>VALUE</Name><Type>0</Type><Usage>0</Usage></FieldDefn>
            <FieldDefn index="1"><Name>LABEL</Name><Type>2</Type><Usage>0</Usage></FieldDefn>
            <Row index="0"><F>12</F><F>Quartzite</F></Row><Row index="1"><F>70</F><F>Graphite paraschist</F></Row>
            </GDALRasterAttributeTable></PAMRasterBand></PAMDataset>
            """
        try rat.write(toFile: dir + "/rock.tif.aux.xml", atomically: true, encoding: .utf8)
        // An Arc/Info grid with a value attribute table (VALUE, COUNT, CLASS).
        try writeArcInfoGrid(parent: dir, name: "geology", grid: Fixture.grid, classes: [(1, "granite"), (2, "basalt")]) { c, _ in
            Int32(c < 32 ? 1 : 2)
        }
        // A continuous raster declaring its unit.
        let a = try RasterDataset.open(s.a, update: true)
        try a.setUnitType("ppm")
        try a.close()
        try VectorFixture.faults(dir + "/faults.gpkg")
        let r = try CLI.run(
            [
                "prepare", "--reference", s.a, "--out", "stack", "--raster", "a=\(s.a)", "--categorical", "rock=rock.tif",
                "--categorical", "geology=geology", "--distance", "fault_distance=faults.gpkg",
            ], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let layers = try Self.manifestLayers(dir + "/stack/stack.json")
        let byName = Dictionary(uniqueKeysWithValues: layers.map { ($0["name"] as! String, $0) })
        #expect(byName["rock"]?["legend"] as? [String: String] == ["12": "Quartzite", "70": "Graphite paraschist"])
        #expect(byName["geology"]?["legend"] as? [String: String] == ["1": "granite", "2": "basalt"])
        #expect(byName["a"]?["units"] as? String == "ppm")
        #expect(byName["fault_distance"]?["units"] as? String == "m")
        // The prepared GeoTIFFs carry the units themselves.
        let preparedA = try RasterDataset.open(dir + "/stack/a.tif").unitType()
        let preparedD = try RasterDataset.open(dir + "/stack/fault_distance.tif").unitType()
        #expect(preparedA == "ppm")
        #expect(preparedD == "m")

        let t = try CLI.run(["train", "--stack", "stack", "--deposits", s.deposits, "--out", "model.json"], in: dir)
        #expect(t.status == 0, "\(t.stderr)")
        #expect(try CLI.run(["score", "--model", "model.json", "--out", "map.tif"], in: dir).status == 0)
        let g = try CLI.run(["targets", "map.tif", "--out", "t.geojson", "--top", "3"], in: dir)
        #expect(g.status == 0, "\(g.stderr)")
        // The deposits lie on the east, where rock is Graphite paraschist and layer a is high.
        #expect(g.stdout.contains("T001: Main evidence (logit above the prior): "), "\(g.stdout)")
        #expect(g.stdout.contains("rock = Graphite paraschist") || g.stdout.contains("a ≥ "), "\(g.stdout)")
        #expect(!g.stdout.contains("code 70"), "\(g.stdout)")
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/t.geojson"))
        let geojson = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let features = try #require(geojson["features"] as? [[String: Any]])
        let first = try #require(features.first?["properties"] as? [String: Any])
        let evidence = try #require(first["evidence"] as? [String])
        #expect(!evidence.isEmpty)
        for phrase in evidence where phrase.hasPrefix("a ") { #expect(phrase.contains(" ppm"), "\(phrase)") }
        for phrase in evidence where phrase.hasPrefix("fault_distance") { #expect(phrase.contains(" m"), "\(phrase)") }
        #expect((first["explanation"] as? String)?.hasPrefix("Main evidence") == true)
    }
}
