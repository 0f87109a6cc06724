import Foundation
import ProspectGDAL
import ProspectTestSupport
import Testing

/// `prospect run` checks every input of the study before its first step: a mistyped path,
/// layer or field is one line naming the study key and the file, and nothing is written.
@Suite("study files: inputs checked before the first step")
struct StudyInputTests {
    /// A study of every kind of input, in `dir`; it runs as it is.
    static func study(in dir: String) throws -> String {
        let s = try Fixture.stack(in: dir)
        try VectorFixture.faults(dir + "/faults.gpkg")
        try VectorFixture.geology(dir + "/geology.gpkg")
        let g = VectorFixture.g
        let area = GeoJSONFeature(rings: [VectorFixture.box(g.minX, g.minY, g.maxX, g.maxY)], properties: [("name", .string("all"))])
        try VectorWriter.write(path: dir + "/area.gpkg", driver: "GPKG", layerName: "area", features: [area], crs: Fixture.utm())
        try "name,east,north\nA,351000,2379000\n".write(toFile: dir + "/noxy.csv", atomically: false, encoding: .utf8)
        try "not a raster\n".write(toFile: dir + "/notes.tif", atomically: false, encoding: .utf8)
        try "not a vector\n".write(toFile: dir + "/notes.txt", atomically: false, encoding: .utf8)
        #expect(s.a == dir + "/a.tif" && s.deposits == dir + "/deposits.gpkg")
        return """
            output: out
            grid:
              reference: a.tif
            study_area: area.gpkg
            layers:
              - name: a
                raster: a.tif
              - name: b
                categorical: b.tif
              - name: fd
                distance: faults.gpkg
              - name: rock
                rasterize: geology.gpkg
                field: rock
              - name: dens
                density: deposits.gpkg
                radius: 500
              - name: basalt
                inside: geology.gpkg:geology
            deposits: deposits.gpkg
            model:
              method: logistic
            """
    }

    static let cases: [(typo: (String, String), message: String)] = [
        (("reference: a.tif", "reference: a.tiff"), "grid.reference: no such file a.tiff"),
        (("study_area: area.gpkg", "study_area: areas.gpkg"), "study_area: no such file areas.gpkg"),
        (("raster: a.tif", "raster: aa.tif"), "layers[0] (a).raster: no such file aa.tif"),
        (("raster: a.tif", "raster: notes.tif"), "layers[0] (a).raster: notes.tif: not a raster that GDAL can read"),
        (("categorical: b.tif", "categorical: bb.tif"), "layers[1] (b).categorical: no such file bb.tif"),
        (("distance: faults.gpkg", "distance: faultz.gpkg"), "layers[2] (fd).distance: no such file faultz.gpkg"),
        (
            ("distance: faults.gpkg", "distance: faults.gpkg:fault"),
            "layers[2] (fd).distance: faults.gpkg: has no layer named fault (layers: faults)"
        ),
        (("rasterize: geology.gpkg", "rasterize: geologie.gpkg"), "layers[3] (rock).rasterize: no such file geologie.gpkg"),
        (("field: rock", "field: rocks"), "layers[3] (rock).field: geology.gpkg: layer geology has no field rocks (fields: rock)"),
        (("density: deposits.gpkg", "density: deposit.gpkg"), "layers[4] (dens).density: no such file deposit.gpkg"),
        (
            ("inside: geology.gpkg:geology", "inside: geology.gpkg:geo"),
            "layers[5] (basalt).inside: geology.gpkg: has no layer named geo (layers: geology)"
        ),
        (("deposits: deposits.gpkg", "deposits: deposits.gpkgg"), "deposits: no such file deposits.gpkgg"),
        (
            ("deposits: deposits.gpkg", "deposits: deposits.gpkg:depo"),
            "deposits: deposits.gpkg: has no layer named depo (layers: deposits)"
        ),
        (("deposits: deposits.gpkg", "deposits: noxy.csv"), "deposits: noxy.csv: has no coordinate columns"),
        (("deposits: deposits.gpkg", "deposits: points.csv"), "deposits: no such file points.csv"),
        (("deposits: deposits.gpkg", "deposits: notes.txt"), "deposits: notes.txt: not a vector file that GDAL can read"),
    ]

    @Test("each kind of input mistyped: one line naming the key and the file, exit 1, no output folder")
    func mistypedInputs() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let base = try Self.study(in: dir)
        for (typo, message) in Self.cases {
            #expect(base.contains(typo.0), "\(typo.0)")
            try base.replacingOccurrences(of: typo.0, with: typo.1).write(toFile: dir + "/study.yaml", atomically: true, encoding: .utf8)
            let r = try CLI.run(["run", "study.yaml"], in: dir)
            #expect(r.status == 1)
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
            #expect(r.stderr.hasPrefix("prospect: error: study.yaml: " + message), "expected \(message): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/out"), "\(message): the output folder was made")
        }
        // The study itself is sound: each failure above is its one typo.
        try base.write(toFile: dir + "/study.yaml", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", "study.yaml"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(CLI.files(in: dir + "/out").contains("run.log"))
    }

    @Test("a study in another folder names its files as the study file does")
    func filesAreNamedRelativeToTheStudy() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let base = try Self.study(in: dir)
        try FileManager.default.createDirectory(atPath: dir + "/studies", withIntermediateDirectories: true)
        let text = base.replacingOccurrences(of: "deposits: deposits.gpkg", with: "deposits: ../deposit.gpkg")
            .replacingOccurrences(of: ": a.tif", with: ": ../a.tif").replacingOccurrences(of: ": b.tif", with: ": ../b.tif")
            .replacingOccurrences(of: ": area.gpkg", with: ": ../area.gpkg").replacingOccurrences(
                of: ": faults.gpkg", with: ": ../faults.gpkg"
            )
            .replacingOccurrences(of: ": geology.gpkg", with: ": ../geology.gpkg")
            .replacingOccurrences(of: "density: deposits.gpkg", with: "density: ../deposits.gpkg")
        try text.write(toFile: dir + "/studies/s.yaml", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", "studies/s.yaml"], in: dir)
        #expect(r.status == 1)
        #expect(r.stderr == "prospect: error: studies/s.yaml: deposits: no such file ../deposit.gpkg\n", "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/studies/out"))
    }
}
