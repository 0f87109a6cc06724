import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

/// Bad input: one line on stderr naming the file and the problem, a non-zero exit status, and
/// no output left behind (not even a hidden partial file).
@Suite("Bad input gives one clear line and leaves nothing behind")
struct BadInputTests {
    /// Runs a command that must fail; checks the message names `file` and contains `problem`,
    /// and that `dir` holds exactly the files it held before.
    func expectFailure(
        _ args: [String], in dir: String, naming file: String, problem: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let before = CLI.files(in: dir)
        let r = try CLI.run(args, in: dir)
        #expect(r.status != 0, sourceLocation: sourceLocation)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(file), "stderr should name \(file): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(problem), "stderr should say \(problem): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(
            CLI.files(in: dir) == before, "files left behind: \(CLI.files(in: dir).subtracting(before))", sourceLocation: sourceLocation)
    }

    func trainArgs(evidence: [String], deposits: String) -> [String] {
        ["train", "--method", "wofe", "--deposits", deposits, "--out", "model.json"] + evidence.flatMap { ["--evidence", $0] }
    }

    @Test func missingRaster() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        try expectFailure(
            trainArgs(evidence: [s.a, dir + "/nothere.tif"], deposits: s.deposits), in: dir,
            naming: "nothere.tif", problem: "no such file")
    }

    @Test func nonRaster() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        try "not a raster\n".write(toFile: dir + "/notes.tif", atomically: true, encoding: .utf8)
        try expectFailure(
            trainArgs(evidence: [s.a, dir + "/notes.tif"], deposits: s.deposits), in: dir,
            naming: "notes.tif", problem: "not a raster")
    }

    @Test func truncatedRaster() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        // A model trained on good files, then one input truncated: scoring must fail cleanly.
        let ok = try CLI.run(trainArgs(evidence: [s.a, s.b], deposits: s.deposits), in: dir)
        #expect(ok.status == 0, "\(ok.stderr)")
        let data = try Data(contentsOf: URL(fileURLWithPath: s.b))
        try data.prefix(data.count / 3).write(to: URL(fileURLWithPath: s.b))
        try expectFailure(
            ["score", "--model", "model.json", "--out", "map.tif", "--compress", "none"], in: dir,
            naming: "b.tif", problem: "read failed")
    }

    @Test func depositsWithNoPoints() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        try #"{"type":"FeatureCollection","features":[]}"#.write(toFile: dir + "/empty.geojson", atomically: true, encoding: .utf8)
        try expectFailure(
            trainArgs(evidence: [s.a], deposits: dir + "/empty.geojson"), in: dir,
            naming: "empty.geojson", problem: "no point")
    }

    @Test func depositsOutsideTheGrid() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let far = try Fixture.points(dir + "/far.gpkg", [(900_000, 1_000_000), (910_000, 1_000_000)])
        try expectFailure(trainArgs(evidence: [s.a], deposits: far), in: dir, naming: "far.gpkg", problem: "falls on the evidence grid")
    }

    @Test("some deposits outside the grid are reported, the rest used")
    func someDepositsOutside() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let mixed = try Fixture.points(dir + "/mixed.gpkg", [Fixture.centre(60, 10), Fixture.centre(62, 20), (900_000, 1_000_000)])
        let r = try CLI.run(trainArgs(evidence: [s.a], deposits: mixed), in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("2 deposits used of 3 (1 outside the grid"))
        #expect(r.stdout.contains("skipped P3: outside the evidence grid"))
    }

    @Test("deposits in another CRS are reprojected onto the grid")
    func depositsInAnotherCRS() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let utmPoints = [(60, 10), (62, 20), (55, 30), (58, 40), (50, 5), (10, 10)].map { Fixture.centre($0.0, $0.1) }
        let lonlat = try CoordinateTransformer(from: Fixture.utm(), to: SpatialReference(epsg: 4326)).transform(
            utmPoints.map { (x: $0.0, y: $0.1) })
        let wgs = try Fixture.points(dir + "/wgs84.gpkg", lonlat.map { ($0.x, $0.y) }, crs: SpatialReference(epsg: 4326))
        let a = try CLI.run(["train", "--deposits", s.deposits, "--evidence", s.a, "--out", "m1.json", "--json"], in: dir)
        let b = try CLI.run(["train", "--deposits", wgs, "--evidence", s.a, "--out", "m2.json", "--json"], in: dir)
        #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
        struct T: Decodable {
            var depositsUsed: Int
            var depositsOutsideGrid: Int
        }
        let ta = try JSONDecoder().decode(T.self, from: Data(a.stdout.utf8))
        let tb = try JSONDecoder().decode(T.self, from: Data(b.stdout.utf8))
        #expect(ta.depositsUsed == 6 && tb.depositsUsed == 6 && tb.depositsOutsideGrid == 0)
        // Same cells, so the same weights.
        let m1 = try String(contentsOfFile: dir + "/m1.json", encoding: .utf8)
        let m2 = try String(contentsOfFile: dir + "/m2.json", encoding: .utf8)
        let strip = { (s: String) in s.split(separator: "\n").filter { !$0.contains("\"created\"") }.joined() }
        #expect(strip(m1) == strip(m2))
    }

    @Test("deposits with no CRS are refused unless --assume-crs gives one, never guessed")
    func depositsWithoutCRS() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let features = [(60, 10), (62, 20), (55, 30)].map { Fixture.centre($0.0, $0.1) }.map {
            GeoJSONFeature(rings: [[($0.0, $0.1)]], properties: [("id", .string("X"))])
        }
        try VectorWriter.write(
            path: dir + "/nocrs.shp", driver: "ESRI Shapefile", layerName: "nocrs", features: features, crs: Fixture.utm())
        try FileManager.default.removeItem(atPath: dir + "/nocrs.prj")
        try expectFailure(
            trainArgs(evidence: [s.a], deposits: dir + "/nocrs.shp"), in: dir,
            naming: "nocrs.shp", problem: "declares no CRS; give its CRS with --assume-crs")
        let r = try CLI.run(trainArgs(evidence: [s.a], deposits: dir + "/nocrs.shp") + ["--assume-crs", "EPSG:32645"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("nocrs.shp declares no CRS") && r.stderr.contains("EPSG:32645"))
        #expect(r.stdout.contains("3 deposits used of 3"))
    }

    @Test func allNodataLayer() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let empty = try Fixture.raster(dir + "/empty.tif") { _, _ in -9999 }
        try expectFailure(
            trainArgs(evidence: [s.a, empty], deposits: s.deposits), in: dir, naming: "empty.tif", problem: "every cell is nodata")
    }

    @Test("an all-nodata layer found while scoring: named, and the map is not left behind")
    func allNodataLayerWhileScoring() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        #expect(try CLI.run(trainArgs(evidence: [s.a, s.b], deposits: s.deposits), in: dir).status == 0)
        try Fixture.raster(dir + "/blank.tif") { _, _ in -9999 }
        try expectFailure(
            ["score", "--model", "model.json", "--out", "map.tif", "--evidence", "b=blank.tif"], in: dir,
            naming: "blank.tif", problem: "every cell is nodata")
    }

    @Test func gridMismatchNamesBothGrids() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        var other = Fixture.grid
        other.transform.originX += 50
        let shifted = try Fixture.raster(dir + "/shifted.tif", grid: other) { c, _ in Float(c) }
        let before = CLI.files(in: dir)
        let r = try CLI.run(trainArgs(evidence: [s.a, shifted], deposits: s.deposits), in: dir)
        #expect(r.status != 0)
        #expect(r.stderr.contains("shifted.tif") && r.stderr.contains("a.tif") && r.stderr.contains("350050"))
        #expect(CLI.files(in: dir) == before)
    }

    @Test func malformedModel() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        try "{ this is not json".write(toFile: dir + "/model.json", atomically: true, encoding: .utf8)
        try expectFailure(
            ["score", "--model", "model.json", "--out", "map.tif"], in: dir, naming: "model.json",
            problem: "not valid JSON: line 1, column 3: expected a key in quotes")
    }

    @Test func modelFromANewerVersion() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        #expect(try CLI.run(trainArgs(evidence: [s.a], deposits: s.deposits), in: dir).status == 0)
        let text = try String(contentsOfFile: dir + "/model.json", encoding: .utf8)
            .replacingOccurrences(of: "\"formatVersion\" : \(ModelFile.currentVersion)", with: "\"formatVersion\" : 99")
        try text.write(toFile: dir + "/model.json", atomically: true, encoding: .utf8)
        try expectFailure(
            ["score", "--model", "model.json", "--out", "map.tif"], in: dir, naming: "model.json", problem: "version 99 is newer")
    }

    @Test func modelNamingAMissingLayer() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        #expect(try CLI.run(trainArgs(evidence: [s.a, s.b], deposits: s.deposits), in: dir).status == 0)
        try FileManager.default.removeItem(atPath: s.b)
        try expectFailure(["score", "--model", "model.json", "--out", "map.tif"], in: dir, naming: "b.tif", problem: "does not exist")
        // An override naming a layer the model does not have.
        try expectFailure(
            ["score", "--model", "model.json", "--out", "map.tif", "--evidence", "zzz=\(s.a)"], in: dir,
            naming: "model.json", problem: "no layer named \"zzz\"")
    }
}
