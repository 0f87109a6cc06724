import Foundation
import ProspectTestSupport
import Testing

/// Every regular file under `dir` (hidden ones included) with its bytes.
private func snapshot(_ dir: String) -> [String: Data] {
    var files: [String: Data] = [:]
    for path in FileManager.default.subpaths(atPath: dir) ?? [] {
        var isDir: ObjCBool = false
        let full = dir + "/" + path
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue else { continue }
        files[path] = FileManager.default.contents(atPath: full) ?? Data()
    }
    return files
}

/// Runs `arguments` in `dir` and checks that the run was refused: a non-zero status, one line
/// on stderr that contains `message`, and every file under `dir` as it was, byte for byte,
/// with none added (no temporary left) and none removed.
private func expectRefused(
    _ arguments: [String], in dir: String, saying message: String, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let before = snapshot(dir)
    let r = try CLI.run(arguments, in: dir)
    #expect(r.status != 0, "exit 0: \(r.stdout)", sourceLocation: sourceLocation)
    #expect(r.stderr.split(separator: "\n").count == 1, "stderr: \(r.stderr)", sourceLocation: sourceLocation)
    #expect(r.stderr.contains(message), "expected \(message): \(r.stderr)", sourceLocation: sourceLocation)
    let after = snapshot(dir)
    #expect(
        Set(after.keys) == Set(before.keys), "added or removed: \(Set(after.keys).symmetricDifference(before.keys))",
        sourceLocation: sourceLocation)
    for (name, bytes) in before where after[name] != nil && after[name] != bytes {
        Issue.record("\(name) changed", sourceLocation: sourceLocation)
    }
}

/// A folder with two layers, deposits, a logistic model of them and its map.
private func scoredFixture(_ dir: String) throws {
    let s = try Fixture.stack(in: dir)
    let train = try CLI.run(
        ["train", "--method", "logistic", "--deposits", s.deposits, "--evidence", s.a, "--evidence", s.b, "--out", "model.json"], in: dir)
    try #require(train.status == 0, "\(train.stderr)")
    let score = try CLI.run(["score", "--model", "model.json", "--out", "map.tif"], in: dir)
    try #require(score.status == 0, "\(score.stderr)")
}

@Suite("Inputs are sacred: no command overwrites its own inputs")
struct InputsAreSacredTests {
    @Test("score refuses to write over the model, its layers or the stack it reads")
    func score() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        try scoredFixture(dir)
        try expectRefused(
            ["score", "--model", "model.json", "--out", "a.tif"], in: dir,
            saying: "prospect: error: a.tif: --out would overwrite an input of this command (evidence layer a)")
        try expectRefused(
            ["score", "--model", "model.json", "--out", "model.json"], in: dir,
            saying: "prospect: error: model.json: --out would overwrite an input of this command (the model)")
        try expectRefused(
            ["score", "--model", "model.json", "--evidence", "a=map.tif", "--out", "map.tif"], in: dir,
            saying: "map.tif: --out would overwrite an input of this command (evidence layer a)")
        // Spelled another way, or through a symbolic link, it is still the same file.
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.tif", withDestinationPath: "b.tif")
        try expectRefused(
            ["score", "--model", "model.json", "--out", "./link.tif"], in: dir,
            saying: "--out would overwrite an input of this command (evidence layer b)")
        let prepare = try CLI.run(["prepare", "--reference", "a.tif", "--out", "stack", "--raster", "a.tif", "--raster", "b.tif"], in: dir)
        try #require(prepare.status == 0, "\(prepare.stderr)")
        try expectRefused(
            ["score", "--model", "model.json", "--stack", "stack", "--out", "stack/stack.json"], in: dir,
            saying: "stack/stack.json: --out would overwrite an input of this command (the stack's manifest)")
    }

    @Test("train refuses to write over its deposits, its layers, or one output over the other")
    func train() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let common = ["train", "--deposits", "deposits.gpkg", "--evidence", s.a, "--categorical", s.b, "--unit-cell-km2", "0.01"]
        try expectRefused(
            common + ["--out", "deposits.gpkg"], in: dir,
            saying: "prospect: error: deposits.gpkg: --out would overwrite an input of this command (the deposits)")
        try expectRefused(
            common + ["--out", "model.json", "--weights-table", "b.tif"], in: dir,
            saying: "b.tif: --weights-table would overwrite an input of this command (evidence layer b)")
        try expectRefused(
            common + ["--out", "model.json", "--weights-table", "model.json"], in: dir,
            saying: "model.json: --weights-table would overwrite another output of this command (--out)")
    }

    @Test("targets refuses to write over the map, or the tiles over the targets")
    func targets() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        try scoredFixture(dir)
        let earlier = try CLI.run(["targets", "map.tif", "--out", "t.geojson"], in: dir)
        try #require(earlier.status == 0, "\(earlier.stderr)")
        try expectRefused(
            ["targets", "map.tif", "--out", "map.tif"], in: dir,
            saying: "prospect: error: map.tif: --out would overwrite an input of this command (the map)")
        try expectRefused(
            ["targets", "map.tif", "--out", "t.geojson", "--tiles-out", "t.geojson"], in: dir,
            saying: "prospect: error: t.geojson: --tiles-out would overwrite another output of this command (--out)")
        try expectRefused(
            ["targets", "map.tif", "--out", "a.tif"], in: dir,
            saying: "a.tif: --out would overwrite an input of this command (an evidence layer of the map's model)")
    }

    @Test("import refuses to write over the model it imports")
    func importDump() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        try FileManager.default.copyItem(atPath: ImportFixture.folder + "/lightgbm_model.json", toPath: dir + "/dump.json")
        let layers = try ImportFixture.rasters(in: dir).flatMap { ["--evidence", $0] }
        try expectRefused(
            ["import", "--from", "lightgbm", "dump.json", "--out", "dump.json"] + layers, in: dir,
            saying: "prospect: error: dump.json: --out would overwrite an input of this command (the model being imported)")
    }

    @Test("prepare refuses to replace an input in its output folder with the prepared copy")
    func prepare() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        try FileManager.default.createDirectory(atPath: dir + "/D", withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: s.a, toPath: dir + "/D/x.tif")
        try expectRefused(
            ["prepare", "--reference", "a.tif", "--out", "D", "--raster", "D/x.tif"], in: dir,
            saying: "prospect: error: D/x.tif: --out would overwrite an input of this command (the raster of layer x)")
        // An input in the folder that the run does not write is left alone, and allowed.
        let r = try CLI.run(["prepare", "--reference", "a.tif", "--out", "D", "--raster", "y=D/x.tif"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(CLI.files(in: dir + "/D") == ["x.tif", "y.tif", "stack.vrt", "stack.json"])
    }

    @Test("a study whose output folder holds its inputs is refused before anything is written")
    func study() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        for sub in ["stack", "in"] {
            try FileManager.default.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: false)
            try Fixture.stack(in: dir + "/" + sub)
        }
        func study(_ inputs: String) -> String {
            """
            grid:
              reference: in/a.tif
            layers:
              - raster: \(inputs)/a.tif
              - raster: \(inputs)/b.tif
            deposits: \(inputs)/deposits.gpkg
            output: .
            """
        }
        // The prepared layers would land on the layers they are made from.
        try study("stack").write(toFile: dir + "/study.yaml", atomically: true, encoding: .utf8)
        try expectRefused(
            ["run", "study.yaml"], in: dir,
            saying: "prospect: error: stack/a.tif: the study's output would overwrite an input of this command (the raster of layer a)")
        // The log would land on the study file.
        try study("in").write(toFile: dir + "/run.log", atomically: true, encoding: .utf8)
        try expectRefused(
            ["run", "run.log"], in: dir,
            saying: "prospect: error: run.log: the study's output would overwrite an input of this command (the study file)")
    }
}
