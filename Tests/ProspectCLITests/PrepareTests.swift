import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

/// Vector inputs for the prepare tests, in the fixture grid's CRS (UTM 45N) unless stated.
enum VectorFixture {
    /// A polygon ring from corner coordinates (closed).
    static func box(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> [(x: Double, y: Double)] {
        [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    }

    /// The fixture grid's extent: x 350 000…356 400, y 2 375 200…2 380 000.
    static let g = Fixture.grid.extent

    /// One vertical fault at x = 352 000 (a cell edge) across the grid.
    @discardableResult
    static func faults(_ path: String, crs: SpatialReference? = nil) throws -> String {
        let f = GeoJSONFeature(line: [(352_000, g.minY - 1000), (352_000, g.maxY + 1000)], properties: [("id", .int(1))])
        try VectorWriter.write(path: path, driver: "GPKG", layerName: "faults", features: [f], crs: crs ?? Fixture.utm())
        return path
    }

    /// Two rock units: "granite" west of x = 353 000, "basalt" in a box in the east.
    @discardableResult
    static func geology(_ path: String) throws -> String {
        let features = [
            GeoJSONFeature(rings: [box(g.minX, g.minY, 353_000, g.maxY)], properties: [("rock", .string("granite"))]),
            GeoJSONFeature(rings: [box(354_000, 2_376_000, 356_000, 2_379_000)], properties: [("rock", .string("basalt"))]),
        ]
        try VectorWriter.write(path: path, driver: "GPKG", layerName: "geology", features: features, crs: Fixture.utm())
        return path
    }

    /// A study area covering the west half of the grid.
    @discardableResult
    static func studyArea(_ path: String) throws -> String {
        let f = GeoJSONFeature(rings: [box(g.minX - 500, g.minY - 500, 353_200, g.maxY + 500)], properties: [("name", .string("west"))])
        try VectorWriter.write(path: path, driver: "GPKG", layerName: "study_area", features: [f], crs: Fixture.utm())
        return path
    }
}

@Suite("prepare aligns layers and turns vectors into evidence")
struct PrepareTests {
    func grid(of path: String) throws -> Grid { try RasterDataset.open(path).grid }

    func values(_ path: String) throws -> (values: [Float], nodata: Float?) {
        (try readRaster(path), try RasterDataset.open(path).nodata().map { Float($0) })
    }

    @Test func referenceGridRastersAndVectors() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        // A raster at twice the resolution: coarsened by averaging onto the 100 m grid.
        var fine = Fixture.grid
        fine.columns *= 2
        fine.rows *= 2
        fine.transform = .northUp(left: 350_000, top: 2_380_000, cellSize: 50)
        try Fixture.raster(dir + "/fine.tif", grid: fine) { c, r in Float(c % 2 == 0 ? 1 : 3) }
        try VectorFixture.faults(dir + "/faults.gpkg")
        try VectorFixture.geology(dir + "/geology.gpkg")
        let r = try CLI.run(
            [
                "prepare", "--reference", s.a, "--out", "stack",
                "--raster", "fine=fine.tif", "--categorical", "classes=" + s.b,
                "--distance", "fault_distance=faults.gpkg",
                "--rasterize", "rock=geology.gpkg:geology:rock",
                "--inside", "geology_inside=geology.gpkg",
            ], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains("deprecated"), "\(r.stderr)")
        let reference = try grid(of: s.a)
        for name in ["fine", "classes", "fault_distance", "rock", "geology_inside"] {
            let g = try grid(of: "\(dir)/stack/\(name).tif")
            #expect(g.hasSameCells(as: reference), "\(name): \(g) vs \(reference)")
        }
        // Averaging: every 100 m cell covers two columns of 1 and two of 3.
        let fineValues = try values(dir + "/stack/fine.tif").values
        #expect(fineValues.allSatisfy { abs($0 - 2) < 1e-5 }, "\(fineValues.prefix(4))")
        // Distance: the fault is at x = 352 000, so a cell centre in column c is |350 050 + 100c − 352 000| away.
        let distance = try values(dir + "/stack/fault_distance.tif").values
        for c in [0, 5, 19, 20, 40, 63] {
            let expected = abs(350_050 + 100 * Double(c) - 352_000)
            #expect(abs(Double(distance[7 * 64 + c]) - expected) < 0.01, "column \(c): \(distance[7 * 64 + c]) vs \(expected)")
        }
        // Classes: granite (code 2 in sorted order basalt=1, granite=2) west of 353 000, 0 elsewhere but in the basalt box.
        let rock = try values(dir + "/stack/rock.tif").values
        #expect(rock[10 * 64 + 5] == 2)
        #expect(rock[10 * 64 + 35] == 0)
        #expect(rock[20 * 64 + 50] == 1)
        let manifest =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/stack/stack.json"))) as! [String: Any]
        let layers = manifest["layers"] as! [[String: Any]]
        #expect(layers.map { $0["name"] as! String } == ["fine", "classes", "fault_distance", "rock", "geology_inside"])
        let rockLegend = layers[3]["legend"] as? [String: String]
        #expect(rockLegend == ["0": "none", "1": "basalt", "2": "granite"])
        #expect(layers[3]["kind"] as? String == "categorical")
        #expect(layers[0]["method"] as? String == "warp average")
        let vrt = try RasterDataset.open(dir + "/stack/stack.vrt")
        #expect(vrt.bandCount == 5)
        #expect(!CLI.files(in: dir).contains { $0.hasPrefix(".stack") }, "staging folder left: \(CLI.files(in: dir))")

        // The stack trains and scores; the legend reaches the model.
        let t = try CLI.run(
            [
                "train", "--stack", "stack", "--deposits", s.deposits, "--method", "logistic",
                "--transform", "fault_distance=log:offset=1", "--transform", "fault_distance=zscore",
                "--out", "model.json",
            ], in: dir)
        #expect(t.status == 0, "\(t.stderr)")
        let model = try String(contentsOfFile: dir + "/model.json", encoding: .utf8)
        #expect(model.contains("granite"))
        #expect(model.contains("\"log:offset=1.0\""), "transforms are stored resolved")
        #expect(model.contains("zscore:mean="))
        let sc = try CLI.run(["score", "--model", "model.json", "--stack", "stack", "--out", "map.tif"], in: dir)
        #expect(sc.status == 0, "\(sc.stderr)")
    }

    @Test func resamplingChosenByName() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let ref = try Fixture.raster(dir + "/ref.tif") { c, _ in Float(c) }
        var fine = Fixture.grid
        fine.columns *= 2
        fine.rows *= 2
        fine.transform = .northUp(left: 350_000, top: 2_380_000, cellSize: 50)
        try Fixture.raster(dir + "/fine.tif", grid: fine) { c, _ in Float(c % 2 == 0 ? 1 : 3) }
        let r = try CLI.run(
            [
                "prepare", "--reference", ref, "--out", "stack", "--raster", "fine.tif=fine",
                "--resampling", "fine=max",
            ], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        // The older PATH=NAME order still works, with a one-line warning.
        #expect(r.stderr == "prospect: warning: --raster fine.tif=fine: PATH=NAME is deprecated; write NAME=PATH (fine=fine.tif)\n")
        // Every 100 m cell covers 50 m cells of 1 and 3: the maximum, not the default average of 2.
        #expect(try values(dir + "/stack/fine.tif").values.allSatisfy { $0 == 3 })
        let manifest =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/stack/stack.json"))) as! [String: Any]
        let layers = manifest["layers"] as! [[String: Any]]
        #expect(layers[0]["method"] as? String == "warp max")
    }

    @Test func crsGridStudyAreaAndAssumedCRS() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        try VectorFixture.studyArea(dir + "/area.gpkg")
        // Points without a CRS: a CSV of x/y.
        var csv = "id,x,y\n"
        for i in 0..<20 { csv += "\(i),\(350_500 + Double(i) * 100),\(2_377_500 + Double(i % 3) * 100)\n" }
        try csv.write(toFile: dir + "/pts.csv", atomically: true, encoding: .utf8)
        try VectorFixture.faults(dir + "/faults.gpkg")
        let r = try CLI.run(
            [
                "prepare", "--crs", "EPSG:32645", "--cell-size", "200", "--study-area", "area.gpkg",
                "--out", "out", "--distance", "faults.gpkg=d", "--density", "pts.csv@500=density",
                "--assume-crs", "pts.csv=EPSG:32645",
            ], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let g = try grid(of: dir + "/out/d.tif")
        // The study area's extent snapped outward to 200 m: 349 400…353 200 × 2 374 600…2 380 600.
        #expect(g.transform.originX == 349_400 && g.transform.originY == 2_380_600)
        #expect(g.columns == 19 && g.rows == 30)
        let (d, nodata) = try values(dir + "/out/density.tif")
        #expect(nodata == -9999)
        // Every cell of this grid lies inside the study area here except none; values are densities ≥ 0.
        #expect(d.allSatisfy { $0 == -9999 || $0 >= 0 })
        #expect(d.contains { $0 > 0 })
    }
}

@Suite("prepare refuses bad input with one clear line and leaves no stack")
struct PrepareBadInputTests {
    /// Runs prepare into `out` and expects failure naming `file` and `problem`, with no
    /// stack.json and no staging folder left.
    func expectFailure(
        _ args: [String], in dir: String, naming file: String, problem: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let before = CLI.files(in: dir)
        let r = try CLI.run(["prepare"] + args + ["--out", "stack"], in: dir)
        #expect(r.status != 0, sourceLocation: sourceLocation)
        #expect(r.stderr.split(separator: "\n").count == 1, "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(file), "should name \(file): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(problem), "should say \(problem): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(CLI.files(in: dir) == before, "left behind: \(CLI.files(in: dir).subtracting(before))", sourceLocation: sourceLocation)
    }

    func reference(in dir: String) throws -> String {
        try Fixture.raster(dir + "/ref.tif") { c, _ in Float(c) }
    }

    @Test func emptyVectorLayer() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let ref = try reference(in: dir)
        try VectorWriter.write(path: dir + "/empty.gpkg", driver: "GPKG", layerName: "faults", features: [], crs: Fixture.utm())
        try expectFailure(["--reference", ref, "--distance", "empty.gpkg"], in: dir, naming: "empty.gpkg", problem: "has no features")
    }

    @Test func unknownField() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let ref = try reference(in: dir)
        try VectorFixture.geology(dir + "/geology.gpkg")
        try expectFailure(
            ["--reference", ref, "--rasterize", "geology.gpkg:lithology"], in: dir,
            naming: "geology.gpkg", problem: "has no field lithology (fields: rock)")
    }

    @Test func invalidGeometries() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let ref = try reference(in: dir)
        // A self-intersecting "bow tie".
        let bowTie = GeoJSONFeature(
            rings: [[(351_000, 2_376_000), (353_000, 2_378_000), (353_000, 2_376_000), (351_000, 2_378_000), (351_000, 2_376_000)]],
            properties: [("rock", .string("x"))])
        try VectorWriter.write(path: dir + "/bad.gpkg", driver: "GPKG", layerName: "units", features: [bowTie], crs: Fixture.utm())
        try expectFailure(["--reference", ref, "--rasterize", "bad.gpkg:rock"], in: dir, naming: "bad.gpkg", problem: "invalid geometr")
        // --make-valid repairs it.
        let r = try CLI.run(["prepare", "--reference", ref, "--rasterize", "bad.gpkg:rock", "--make-valid", "--out", "ok"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test func inputOutsideTheGrid() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let ref = try reference(in: dir)
        var far = Fixture.grid
        far.transform = .northUp(left: 500_000, top: 2_380_000, cellSize: 100)
        try Fixture.raster(dir + "/far.tif", grid: far) { _, _ in 1 }
        try expectFailure(["--reference", ref, "--raster", "far.tif"], in: dir, naming: "far.tif", problem: "does not overlap")
        let polygon = GeoJSONFeature(
            rings: [VectorFixture.box(600_000, 2_000_000, 601_000, 2_001_000)], properties: [("rock", .string("x"))])
        try VectorWriter.write(path: dir + "/farpoly.gpkg", driver: "GPKG", layerName: "units", features: [polygon], crs: Fixture.utm())
        try expectFailure(
            ["--reference", ref, "--rasterize", "farpoly.gpkg:rock"], in: dir, naming: "farpoly.gpkg", problem: "does not overlap")
    }

    @Test func unknownResampling() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let ref = try reference(in: dir)
        try expectFailure(
            ["--reference", ref, "--raster", "copy=ref.tif", "--resampling", "copy=near"], in: dir, naming: "--resampling",
            problem: "METHOD one of nearest, bilinear, cubic, average, mode, min, max, median, got copy=near")
    }

    @Test func csvWithoutCoordinates() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let ref = try reference(in: dir)
        try "id,name,grade\n1,a,2.5\n2,b,3.1\n".write(toFile: dir + "/assays.csv", atomically: true, encoding: .utf8)
        try expectFailure(
            ["--reference", ref, "--density", "assays.csv@500", "--assume-crs", "EPSG:32645"], in: dir,
            naming: "assays.csv", problem: "coordinate columns")
    }

    @Test func missingCRS() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let ref = try reference(in: dir)
        try "id,x,y\n1,351000,2377000\n2,352000,2378000\n".write(toFile: dir + "/pts.csv", atomically: true, encoding: .utf8)
        try expectFailure(["--reference", ref, "--distance", "pts.csv"], in: dir, naming: "pts.csv", problem: "--assume-crs")
        // A raster without a CRS too.
        let ds = try RasterDataset.create(
            dir + "/nocrs.tif", grid: Grid(columns: 8, rows: 8, transform: .northUp(left: 350_000, top: 2_380_000, cellSize: 500)))
        try ds.close()
        try expectFailure(["--reference", ref, "--raster", "nocrs.tif"], in: dir, naming: "nocrs.tif", problem: "--assume-crs")
        // A CRS GDAL does not know is an error naming the option, not taken as none given.
        try expectFailure(
            ["--reference", ref, "--raster", "nocrs.tif", "--assume-crs", "NOTACRS"], in: dir, naming: "nocrs.tif",
            problem: "--assume-crs NOTACRS is not a CRS GDAL knows")
        try expectFailure(
            ["--reference", ref, "--distance", "pts.csv", "--assume-crs", "NOTACRS"], in: dir, naming: "pts.csv",
            problem: "--assume-crs NOTACRS is not a CRS GDAL knows")
    }

    @Test func aFailureLeavesAnEarlierStackAlone() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let ref = try reference(in: dir)
        try VectorFixture.faults(dir + "/faults.gpkg")
        let ok = try CLI.run(["prepare", "--reference", ref, "--distance", "faults.gpkg", "--out", "stack"], in: dir)
        #expect(ok.status == 0, "\(ok.stderr)")
        let before = CLI.files(in: dir + "/stack")
        let bad = try CLI.run(
            [
                "prepare", "--reference", ref, "--distance", "faults.gpkg", "--rasterize", "faults.gpkg:nofield",
                "--out", "stack",
            ], in: dir)
        #expect(bad.status != 0)
        #expect(CLI.files(in: dir + "/stack") == before)
        #expect(!CLI.files(in: dir).contains { $0.hasPrefix(".stack") })
    }
}
