import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

@Suite("Subcommands on small stacks")
struct CommandTests {
    @Test(
        "every subcommand's help shows an example",
        arguments: ["info", "prepare", "train", "run", "score", "targets", "validate", "demo", "bench", "generate-demo"])
    func helpHasExample(command: String) throws {
        let r = try CLI.run([command, "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("Example"))
        #expect(r.stdout.contains("prospect \(command)"))
    }

    @Test("info describes rasters and vectors")
    func info() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let r = try CLI.run(["info", s.a, s.deposits])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("64 × 48 cells of 100.0 × 100.0"))
        #expect(r.stdout.contains("EPSG:32645"))
        #expect(r.stdout.contains("blocks 16 × 16"))
        #expect(r.stdout.contains("6 Point features"))
        let j = try CLI.run(["info", s.a, "--json"])
        let parsed = try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [[String: Any]]
        #expect(parsed?.count == 1)
        // Describing a file writes nothing beside it (no .aux.xml).
        #expect(!CLI.files(in: dir).contains { $0.hasSuffix(".aux.xml") })
    }

    @Test("score writes a COG with overviews, and plain tiles with --compress none; validate prints JSON with auc")
    func scoreAndValidate() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        for method in ["wofe", "logistic"] {
            let t = try CLI.run(
                [
                    "train", "--method", method, "--deposits", s.deposits, "--evidence", "alpha=\(s.a)",
                    "--categorical", "beta=\(s.b)", "--out", "\(method).json", "--unit-cell-km2", "0.01",
                ], in: dir)
            #expect(t.status == 0, "\(t.stderr)")
            let cog = try CLI.run(["score", "--model", "\(method).json", "--out", "\(method)-cog.tif", "--cog"], in: dir)
            #expect(cog.status == 0, "\(cog.stderr)")
            let ds = try RasterDataset.open(dir + "/\(method)-cog.tif")
            #expect(ds.metadata(domain: "IMAGE_STRUCTURE")["LAYOUT"] == "COG")
            let plain = try CLI.run(["score", "--model", "\(method).json", "--out", "\(method).tif", "--compress", "none"], in: dir)
            #expect(plain.status == 0)
            let p = try RasterDataset.open(dir + "/\(method).tif")
            #expect(p.metadata(domain: "IMAGE_STRUCTURE")["COMPRESSION"] == nil)
            // Input blocks under 64 × 64 are read in 256 × 256 windows, and written so.
            #expect(p.blockSize().columns == 256)
            let v = try CLI.run(["validate", "\(method).tif", "--deposits", s.deposits, "--json"], in: dir)
            #expect(v.status == 0, "\(v.stderr)")
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(v.stdout.utf8)) as? [String: Any])
            let auc = try #require(obj["auc"] as? Double)
            #expect(auc > 0.7, "deposits sit where alpha is high")
            #expect((obj["curve"] as? [Any])?.isEmpty == false)
        }
        #expect(!CLI.files(in: dir).contains { $0.hasPrefix(".") }, "no hidden partial files remain")
    }

    @Test("targets ranks tiles and writes RFC 7946 polygons")
    func targets() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        #expect(
            try CLI.run(["train", "--method", "logistic", "--deposits", s.deposits, "--evidence", s.a, "--out", "m.json"], in: dir).status
                == 0)
        #expect(try CLI.run(["score", "--model", "m.json", "--out", "map.tif"], in: dir).status == 0)
        let r = try CLI.run(
            ["targets", "map.tif", "--out", "t.geojson", "--tiles-out", "tiles.geojson", "--tile-size", "800", "--top", "3"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("rank"))
        // UTM 45N around easting 350–356 km, northing 2375–2380 km: lon ≈ 85.55–85.62, lat ≈ 21.46–21.5.
        try GeoJSONCheck.validate(dir + "/t.geojson", expectFeatures: true, lon: 85.5...85.7, lat: 21.4...21.6)
        try GeoJSONCheck.validate(dir + "/tiles.geojson", expectFeatures: true, lon: 85.5...85.7, lat: 21.4...21.6)
        let json = try CLI.run(["targets", "map.tif", "--out", "t2.geojson", "--json"], in: dir)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let targets = try #require(obj["targets"] as? [[String: Any]])
        #expect(!targets.isEmpty)
        #expect((targets.first?["contributions"] as? [[String: Any]])?.first?["layer"] as? String == "a")
        // Without deposits the text says they were not counted, and the JSON has nulls, not zeros.
        #expect(r.stdout.contains("known deposits not counted: give --deposits to count them"))
        #expect(targets.allSatisfy { $0["known_deposits"] is NSNull && $0["expected_deposits"] is Double })
        // With them: counted, and a CSV with the same rows.
        let d = try CLI.run(["targets", "map.tif", "--out", "t3.gpkg", "--deposits", s.deposits, "--csv", "t3.csv", "--json"], in: dir)
        #expect(d.status == 0, "\(d.stderr)")
        let withDeposits = try #require(try JSONSerialization.jsonObject(with: Data(d.stdout.utf8)) as? [String: Any])
        let counted = try #require(withDeposits["targets"] as? [[String: Any]])
        #expect(counted.allSatisfy { $0["known_deposits"] is Int && $0["greenfield"] is Bool })
        let csv = try String(contentsOfFile: dir + "/t3.csv", encoding: .utf8)
        #expect(csv.split(separator: "\n").count == counted.count + 1)
        let bad = try CLI.run(["targets", "map.tif", "--out", "t4.geojson", "--rank-by", "best"], in: dir)
        #expect(bad.status != 0 && bad.stderr.contains("--rank-by"))
    }
}
