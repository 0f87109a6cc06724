import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

/// Models and rasters with numbers that cannot score: refused on load, or treated as missing.
@Suite("Model numbers checked on load; wide class codes and infinite cells score")
struct ModelCheckCommandTests {
    func train(_ method: String, _ evidence: [String], deposits: String, out: String, in dir: String) throws -> CLIResult {
        try CLI.run(["train", "--method", method, "--deposits", deposits, "--out", out, "--unit-cell-km2", "0.01"] + evidence, in: dir)
    }

    @Test("score refuses a model with a NaN intercept: non-zero exit, one line naming the file")
    func nanIntercept() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let r = try train("logistic", ["--evidence", s.a], deposits: s.deposits, out: "good.json", in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        var model = try #require(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/good.json"))) as? [String: Any])
        var additive = try #require(model["model"] as? [String: Any])
        additive["intercept"] = "nan"
        model["model"] = additive
        try JSONSerialization.data(withJSONObject: model).write(to: URL(fileURLWithPath: dir + "/bad.json"))
        let bad = try CLI.run(["score", "--model", "bad.json", "--out", "map.tif"], in: dir)
        #expect(bad.status != 0)
        let lines = bad.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(bad.stderr)")
        #expect(bad.stderr.contains("bad.json") && bad.stderr.contains("malformed model file: the intercept is nan"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/map.tif"))
    }

    @Test("weights of evidence and logistic regression train and score class codes up to 2^31 − 1", arguments: ["wofe", "logistic"])
    func wideCodes(method: String) throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        var grid = Fixture.grid
        grid.crsWKT = try Fixture.utm().wkt
        let codes: [Float] = [1, 2_000_000, 2_147_483_647]
        try writeRaster(dir + "/units.tif", grid: grid, type: .int32, nodata: -1) { c, r in codes[(c / 16 + r / 16) % 3] }
        let r = try train(method, ["--evidence", s.a, "--categorical", "units=units.tif"], deposits: s.deposits, out: "m.json", in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let scored = try CLI.run(["score", "--model", "m.json", "--out", "map.tif"], in: dir)
        #expect(scored.status == 0, "\(scored.stderr)")
        let map = try readRaster(dir + "/map.tif")
        #expect(map.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 }, "every cell scored")
    }

    @Test("±Inf cells are missing: training warns per layer, scoring leaves them nodata", arguments: ["wofe", "logistic"])
    func infiniteCells(method: String) throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let inf = try Fixture.raster(dir + "/thorium.tif") { c, r in
            r == 0 && c < 12 ? (c.isMultiple(of: 2) ? .infinity : -.infinity) : Float((c * 3 + r) % 17)
        }
        let r = try train(method, ["--evidence", s.a, "--evidence", inf], deposits: s.deposits, out: "m.json", in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("thorium.tif: 12 cells hold ±Inf; treated as missing"), "\(r.stderr)")
        let scored = try CLI.run(["score", "--model", "m.json", "--out", "map.tif"], in: dir)
        #expect(scored.status == 0, "\(scored.stderr)")
        let map = try readRaster(dir + "/map.tif")
        let ds = try RasterDataset.open(dir + "/map.tif")
        let nodata = try #require(ds.nodata())
        for c in 0..<12 { #expect(Double(map[c]) == nodata || map[c].isNaN, "cell \(c): \(map[c])") }
        #expect(map[Fixture.grid.columns + 5] != Float(nodata) && map[Fixture.grid.columns + 5].isFinite)
    }
}
