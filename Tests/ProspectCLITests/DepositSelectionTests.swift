import Foundation
import ProspectCore
import ProspectGDAL
import ProspectPipeline
import ProspectTestSupport
import Testing

/// `--deposits-where` and `--deposits-id` on `train` and `validate`, and a study's
/// `deposits: {path:, where:, id:}`.
@Suite("deposits chosen by an attribute filter and named by a field")
struct DepositSelectionTests {
    /// Seven points with id, name, commodity and size: five gold (one outside the grid), two
    /// copper. The gold sits where layer a is high.
    static func deposits(in dir: String) throws -> (a: String, b: String, deposits: String) {
        let s = try Fixture.stack(in: dir)
        let rows: [(c: Int, r: Int, name: String, commodity: String, size: Int)] = [
            (60, 10, "Alpha", "Au", 3), (62, 20, "Bravo", "Au", 1), (55, 30, "Charlie", "Au", 2), (58, 40, "Delta", "Au", 5),
            (200, 5, "Echo", "Au", 2), (10, 10, "Foxtrot", "Cu", 4), (20, 30, "Golf", "Cu", 1),
        ]
        let features = rows.enumerated().map { i, p in
            let (x, y) = Fixture.centre(p.c, p.r)
            return GeoJSONFeature(
                rings: [[(x, y)]],
                properties: [
                    ("id", .string("D\(i + 1)")), ("name", .string(p.name)), ("commodity", .string(p.commodity)), ("size", .int(p.size)),
                ])
        }
        let path = dir + "/deposits.gpkg"
        try? FileManager.default.removeItem(atPath: path)
        try VectorWriter.write(path: path, driver: "GPKG", layerName: "deposits", features: features, crs: Fixture.utm())
        return (s.a, s.b, path)
    }

    static func train(_ extra: [String], in dir: String, out: String = "m.json") throws -> CLIResult {
        try CLI.run(
            ["train", "--deposits", "deposits.gpkg", "--evidence", "a=a.tif", "--unit-cell-km2", "0.01", "--out", out] + extra, in: dir)
    }

    @Test("--deposits-where keeps the matching points; --deposits-id names them in the skipped list; the model records both")
    func trainFiltered() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        _ = try Self.deposits(in: dir)
        let r = try Self.train(["--deposits-where", "commodity = 'Au' AND size >= 2", "--deposits-id", "name"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        // Alpha, Charlie, Delta and Echo match; Echo lies outside the grid.
        #expect(r.stdout.contains("3 deposits used of 4 (1 outside the grid"), "\(r.stdout)")
        #expect(r.stdout.contains("skipped Echo: outside the evidence grid"), "\(r.stdout)")
        let model = try ModelFile.decode(try Data(contentsOf: URL(fileURLWithPath: dir + "/m.json")))
        #expect(model.training.depositsGiven == 4 && model.training.depositsUsed == 3)
        #expect(model.parameters["depositsWhere"] == "commodity = 'Au' AND size >= 2" && model.parameters["depositsID"] == "name")
        // Without a filter every point counts; without --deposits-id the id field names them.
        let all = try Self.train([], in: dir, out: "all.json")
        #expect(
            all.stdout.contains("6 deposits used of 7") && all.stdout.contains("skipped D5: outside the evidence grid"), "\(all.stdout)")
        // The id field is matched without regard to case.
        let upper = try Self.train(["--deposits-id", "NAME"], in: dir, out: "upper.json")
        #expect(upper.status == 0 && upper.stdout.contains("skipped Echo:"), "\(upper.stderr)")
    }

    @Test(
        "a bad clause, a clause nothing matches, an unknown id field: one line naming the option, exit 1, nothing written",
        arguments: [
            (["--deposits-where", "commodity ="], "prospect: error: --deposits-where: "),
            (["--deposits-where", "nope = 1"], "prospect: error: --deposits-where: "),
            (
                ["--deposits-where", "commodity = 'Zn'"],
                "prospect: error: --deposits-where: no point of the deposits matches commodity = 'Zn'"
            ),
            (
                ["--deposits-id", "nope"],
                "prospect: error: --deposits-id: the deposits have no field nope (fields: id, name, commodity, size)"
            ),
        ])
    func badSelection(extra: [String], message: String) throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        _ = try Self.deposits(in: dir)
        let before = CLI.files(in: dir)
        let r = try Self.train(extra, in: dir)
        #expect(r.status == 1)
        #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.hasPrefix(message), "\(r.stderr)")
        #expect(CLI.files(in: dir) == before)
    }

    @Test("validate takes the same selection and names its skipped deposits")
    func validateFiltered() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        _ = try Self.deposits(in: dir)
        #expect(try Self.train([], in: dir).status == 0)
        #expect(try CLI.run(["score", "--model", "m.json", "--out", "map.tif"], in: dir).status == 0)
        let v = try CLI.run(
            ["validate", "map.tif", "--deposits", "deposits.gpkg", "--deposits-where", "commodity = 'Au'", "--deposits-id", "name"], in: dir
        )
        #expect(v.status == 0, "\(v.stderr)")
        #expect(
            v.stdout.contains("4 deposit cells (1 deposits skipped") && v.stdout.contains("skipped Echo: outside the map"), "\(v.stdout)")
        let j = try CLI.run(
            ["validate", "map.tif", "--deposits", "deposits.gpkg", "--deposits-where", "commodity = 'Cu'", "--json"], in: dir)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        #expect(obj["depositsUsed"] as? Int == 2 && obj["depositsWhere"] as? String == "commodity = 'Cu'")
        let bad = try CLI.run(["validate", "map.tif", "--deposits", "deposits.gpkg", "--deposits-id", "nope"], in: dir)
        #expect(bad.status == 1 && bad.stderr.hasPrefix("prospect: error: --deposits-id: the deposits have no field nope"))
    }

    @Test("a study's deposits mapping: path, where and id; a bad clause or field is refused before the first step")
    func study() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        _ = try Self.deposits(in: dir)
        func write(_ deposits: String) throws {
            try """
            output: out
            grid:
              reference: a.tif
            layers:
              - name: a
                raster: a.tif
            deposits: \(deposits)
            model:
              method: wofe
              unit_cell_km2: 0.01
              count_deposits: points
            """.write(toFile: dir + "/study.yaml", atomically: true, encoding: .utf8)
        }
        try write("{path: deposits.gpkg, layer: deposits, where: \"commodity = 'Au'\", id: name}")
        let study = try StudyFile.load(dir + "/study.yaml")
        #expect(study.deposits == VectorSource(path: dir + "/deposits.gpkg", layer: "deposits"))
        #expect(study.depositSelection == DepositSelection(filter: "commodity = 'Au'", idField: "name"))
        #expect(study.training.wofe.countDeposits == .points)
        let r = try CLI.run(["run", "study.yaml"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let model = try ModelFile.decode(try Data(contentsOf: URL(fileURLWithPath: dir + "/out/model.json")))
        #expect(model.training.depositsGiven == 5 && model.parameters["depositsWhere"] == "commodity = 'Au'")
        let validation = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/out/validation.json"))) as? [String: Any])
        #expect(validation["depositsUsed"] as? Int == 4)

        for (deposits, message) in [
            ("{path: deposits.gpkg, where: \"commodity =\"}", "study.yaml: deposits.where: "),
            ("{path: deposits.gpkg, id: nope}", "study.yaml: deposits.id: the deposits have no field nope"),
            ("{path: deposits.gpkg, wher: x}", "study.yaml: deposits.wher: unknown key"),
            ("{where: x}", "study.yaml: deposits.path: missing"),
        ] {
            try? FileManager.default.removeItem(atPath: dir + "/out")
            try write(deposits)
            let bad = try CLI.run(["run", "study.yaml"], in: dir)
            #expect(bad.status == 1)
            #expect(bad.stderr.split(separator: "\n").count == 1 && bad.stderr.hasPrefix("prospect: error: " + message), "\(bad.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
        }
    }
}
