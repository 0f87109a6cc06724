import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

@testable import ProspectCLI

/// The fixtures of Tests/Fixtures/trees (written by make_fixtures.py) as rasters.
enum ImportFixture {
    static let folder = CLI.packageRoot + "/Tests/Fixtures/trees"
    static let names = ["thorium", "magnetics", "fault_distance", "lithology"]
    /// 528 fixture rows → a 24 × 22 grid, one row per cell in row-major order.
    static let grid = Grid(
        columns: 24, rows: 22, transform: .northUp(left: 350_000, top: 2_380_000, cellSize: 100),
        crsName: "EPSG:32645")

    static func rows() throws -> [[Float]] {
        try String(contentsOfFile: folder + "/features.csv", encoding: .utf8).split(separator: "\n").dropFirst().map { line in
            try line.split(separator: ",").dropLast().map { Float(try #require(Double(String($0)))) }
        }
    }

    static func predictions(_ name: String) throws -> [Double] {
        try String(contentsOfFile: folder + "/" + name, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { try #require(Double(String($0))) }
    }

    /// One raster per feature in `dir`, named after the feature; returns NAME=PATH arguments.
    static func rasters(in dir: String) throws -> [String] {
        let rows = try rows()
        #expect(rows.count == grid.cellCount)
        return try names.enumerated().map { k, name in
            let path = try Fixture.raster(dir + "/\(name).tif", grid: grid) { c, r in rows[r * grid.columns + c][k] }
            return "\(name)=\(path)"
        }
    }

    /// Largest |map − library| over cells with data; cells with a NaN feature must be nodata.
    static func worstDifference(map: [Float], predictions: [Double], rows: [[Float]]) -> Double {
        var worst = 0.0
        for (i, row) in rows.enumerated() {
            if row.contains(where: \.isNaN) {
                if map[i] != -9999 { return .infinity }
            } else {
                worst = max(worst, abs(Double(map[i]) - predictions[i]))
            }
        }
        return worst
    }
}

@Suite("prospect import: LightGBM and XGBoost models scored over rasters")
struct ImportCommandTests {
    func importAndScore(
        _ library: String, dump: String, predictions: String, extra: [String] = [],
        layers: (String) throws -> [String]
    ) throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let args = try layers(dir)
        let imp = try CLI.run(
            ["import", "--from", library, ImportFixture.folder + "/" + dump, "--out", "model.json"] + args + extra, in: dir)
        #expect(imp.status == 0, "\(imp.stderr)")
        #expect(imp.stdout.contains("20 trees") && imp.stdout.contains("model written to model.json"), "\(imp.stdout)")
        let model = try ModelFile.decode(Data(contentsOf: URL(fileURLWithPath: dir + "/model.json")))
        #expect(model.method == library && model.trees != nil && model.formatVersion == 3)
        #expect(model.layers.map(\.name) == ImportFixture.names)
        let score = try CLI.run(["score", "--model", "model.json", "--out", "map.tif", "--compress", "none"], in: dir)
        #expect(score.status == 0, "\(score.stderr)")
        let worst = ImportFixture.worstDifference(
            map: try readRaster(dir + "/map.tif"),
            predictions: try ImportFixture.predictions(predictions),
            rows: try ImportFixture.rows())
        #expect(worst <= 1e-6, "largest difference from \(library)'s predictions: \(worst)")
        // Targets explain the map through the imported trees.
        let t = try CLI.run(["targets", "map.tif", "--out", "targets.geojson", "--min-cells", "1"], in: dir)
        #expect(t.status == 0, "\(t.stderr)")
        let geojson = try String(contentsOfFile: dir + "/targets.geojson", encoding: .utf8)
        #expect(geojson.contains("logit_thorium"))
    }

    @Test func lightGBMByName() throws {
        try importAndScore("lightgbm", dump: "lightgbm_model.json", predictions: "lightgbm_pred.csv") { dir in
            // Given in another order than the model's: matched by name.
            try ImportFixture.rasters(in: dir).reversed().flatMap { ["--evidence", $0] }
        }
    }

    @Test func xgboostFromAPreparedStack() throws {
        try importAndScore("xgboost", dump: "xgboost_model.json", predictions: "xgboost_pred.csv") { dir in
            let args = try ImportFixture.rasters(in: dir)
            // A stack with one more layer than the model has: it is left out.
            try Fixture.raster(dir + "/extra.tif", grid: ImportFixture.grid) { c, _ in Float(c) }
            let prep = try CLI.run(
                ["prepare", "--reference", dir + "/thorium.tif", "--out", "stack"]
                    + (args.map { String($0.split(separator: "=")[1]) } + [dir + "/extra.tif"]).flatMap { ["--raster", $0] },
                in: dir)
            #expect(prep.status == 0, "\(prep.stderr)")
            return ["--stack", "stack"]
        }
    }

    /// A model saved without feature names takes the layers in the order given.
    @Test func withoutFeatureNamesByPosition() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        var object = try #require(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: ImportFixture.folder + "/xgboost_model.json")))
                as? [String: Any])
        var learner = object["learner"] as! [String: Any]
        learner["feature_names"] = [String]()
        object["learner"] = learner
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: dir + "/unnamed.json"))
        let layers = try ImportFixture.rasters(in: dir).map { "th_" + $0 }  // other names
        let imp = try CLI.run(
            ["import", "--from", "xgboost", "unnamed.json", "--out", "model.json"] + layers.flatMap { ["--evidence", $0] }, in: dir)
        #expect(imp.status == 0, "\(imp.stderr)")
        let score = try CLI.run(["score", "--model", "model.json", "--out", "map.tif", "--compress", "none"], in: dir)
        #expect(score.status == 0, "\(score.stderr)")
        let worst = ImportFixture.worstDifference(
            map: try readRaster(dir + "/map.tif"),
            predictions: try ImportFixture.predictions("xgboost_pred.csv"), rows: try ImportFixture.rows())
        #expect(worst <= 1e-6)
        // Three layers for four unnamed features.
        let short = try CLI.run(
            ["import", "--from", "xgboost", "unnamed.json", "--out", "m2.json"] + layers.prefix(3).flatMap { ["--evidence", $0] }, in: dir)
        #expect(
            short.status == 1 && short.stderr.contains("unnamed.json") && short.stderr.contains("4 features but 3 layers"),
            "\(short.stderr)")
    }

    /// One line naming the file and the problem; no model written.
    func expectFailure(
        _ args: [String], in dir: String, naming file: String, problem: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let before = CLI.files(in: dir)
        let r = try CLI.run(["import"] + args + ["--out", "model.json"], in: dir)
        #expect(r.status == 1, sourceLocation: sourceLocation)
        #expect(r.stderr.split(separator: "\n").count == 1, "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(file) && r.stderr.contains(problem), "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(CLI.files(in: dir) == before, sourceLocation: sourceLocation)
    }

    @Test func badInput() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let layers = try ImportFixture.rasters(in: dir).flatMap { ["--evidence", $0] }
        let f = ImportFixture.folder
        let full = try Data(contentsOf: URL(fileURLWithPath: f + "/lightgbm_model.json"))
        try full.prefix(full.count / 3).write(to: URL(fileURLWithPath: dir + "/truncated.json"))
        try expectFailure(["--from", "lightgbm", "truncated.json"] + layers, in: dir, naming: "truncated.json", problem: "not valid JSON")
        try expectFailure(["--from", "lightgbm", "nothere.json"] + layers, in: dir, naming: "nothere.json", problem: "no such file")
        try expectFailure(
            ["--from", "lightgbm", f + "/xgboost_model.json"] + layers, in: dir,
            naming: "xgboost_model.json", problem: "--from xgboost")
        try expectFailure(
            ["--from", "xgboost", f + "/xgboost_multiclass.json"] + layers, in: dir,
            naming: "xgboost_multiclass.json", problem: "multiclass")
        try expectFailure(
            ["--from", "lightgbm", f + "/lightgbm_categorical.json"] + layers, in: dir,
            naming: "lightgbm_categorical.json", problem: "categorical split")
        // A feature the model splits on has no layer.
        try expectFailure(
            ["--from", "lightgbm", f + "/lightgbm_model.json"] + layers.prefix(6), in: dir,
            naming: "lightgbm_model.json", problem: "feature \"lithology\"")
        // A layer that is not a feature.
        try Fixture.raster(dir + "/extra.tif", grid: ImportFixture.grid) { c, _ in Float(c) }
        try expectFailure(
            ["--from", "lightgbm", f + "/lightgbm_model.json"] + layers + ["--evidence", "extra.tif"], in: dir,
            naming: "lightgbm_model.json", problem: "layer \"extra\" is not a feature")
        // Layers on different grids.
        try Fixture.raster(dir + "/other.tif") { c, _ in Float(c) }
        try expectFailure(
            ["--from", "lightgbm", f + "/lightgbm_model.json"] + layers.prefix(6) + ["--evidence", "lithology=other.tif"], in: dir,
            naming: "other.tif", problem: "does not match")
    }
}

@Suite("prospect import: parsing")
struct ImportParsingTests {
    @Test func options() throws {
        let parsed = try ProspectCommand.parseAsRoot(["import", "--from", "xgboost", "m.json", "--evidence", "a=a.tif", "--out", "o.json"])
        let command = try #require(parsed as? ProspectCommand.Import)
        #expect(command.library == .xgboost && command.dump == "m.json" && command.evidence == ["a=a.tif"])
        #expect(throws: (any Error).self) {
            try ProspectCommand.parseAsRoot(["import", "--from", "catboost", "m.json", "--stack", "s", "--out", "o.json"])
        }
        #expect(throws: (any Error).self) {
            try ProspectCommand.parseAsRoot(["import", "--from", "lightgbm", "m.json", "--out", "o.json"])
        }
        #expect(throws: (any Error).self) {
            try ProspectCommand.parseAsRoot(["import", "--from", "lightgbm", "--stack", "s", "--out", "o.json"])
        }
    }
}
