import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

@Suite("study files: random forests and gradient-boosted trees")
struct StudyTreeTests {
    /// A study over the two-layer fixture stack with `model` (YAML lines under `model:`) and `outputs`.
    func study(in dir: String, model: String, outputs: String = "") throws -> String {
        let s = try Fixture.stack(in: dir)
        let text = """
            name: fixture
            grid:
              reference: \(s.a)
            layers:
              - name: a
                raster: \(s.a)
              - name: b
                raster: \(s.b)
            deposits: \(s.deposits)
            model:
            \(model.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
            outputs:
              targets: { top: 3 }
            \(outputs.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
            """
        let path = dir + "/study.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func model(_ path: String) throws -> ModelFile {
        try ModelFile.decode(Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test("a gbt study runs prepare → train → score → targets → validate with its tree keys")
    func gradientBoostingStudy() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let path = try study(
            in: dir,
            model: """
                method: gbt
                trees: 25
                depth: 3
                learning_rate: 0.2
                exclude_buffer: 150
                holdout: 0.34
                holdout_scheme: random
                background: 2000
                seed: 4
                """, outputs: "uncertainty: true")
        let r = try CLI.run(["run", path, "--out", dir + "/out"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let m = try model(dir + "/out/model.json")
        let trees = try #require(m.trees)
        #expect(m.method == "gbt" && trees.trees.count == 25 && trees.output == .logistic)
        #expect(m.parameters["learningRate"] == "0.2" && m.parameters["depth"] == "3" && m.parameters["seed"] == "4")
        #expect(m.parameters["excludeBufferMetres"] == "150.0" && m.parameters["holdout"] == "0.34")
        let summary = try #require(m.training.trees)
        // 6 deposit cells: 2 held out (0.34 · 6 rounded), 4 trained on; 2000 background cells drawn, 680 held out.
        #expect(summary.heldOutDepositCells == 2 && summary.depositCells == 4)
        #expect(summary.heldOutBackgroundCells == 680 && summary.backgroundCells == 1320)
        #expect(summary.background == "random, excluding 150 m around deposits")
        let auc = try #require(summary.heldOutAUC)
        let log = try String(contentsOfFile: dir + "/out/run.log", encoding: .utf8)
        #expect(log.contains("gradient-boosted trees: 25 oblivious trees"), "\(log)")
        #expect(log.contains(String(format: "held-out ROC AUC %.4f on 2 deposit and 680 background cells", auc)), "\(log)")
        #expect(log.contains("validate: ROC AUC"))
        // Boosting has no extra band, even when the study asks for uncertainty.
        #expect(try RasterDataset.open(dir + "/out/prospectivity.tif").bandCount == 1)
        for f in ["targets.geojson", "tiles.geojson", "validation.json", "run.log"] {
            #expect(CLI.files(in: dir + "/out").contains(f), "missing \(f)")
        }
    }

    @Test("a forest study with uncertainty: true writes the ensemble spread as band 2")
    func forestSpread() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let path = try study(in: dir, model: "method: rf\ntrees: 12\ndepth: 3", outputs: "uncertainty: true")
        let r = try CLI.run(["run", path, "--out", dir + "/out"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let ds = try RasterDataset.open(dir + "/out/prospectivity.tif")
        #expect(ds.bandCount == 2)
        let log = try String(contentsOfFile: dir + "/out/run.log", encoding: .utf8)
        #expect(log.contains("(band 2: ensemble_spread)") && log.contains("out of bag") && log.contains("held-out ROC AUC"), "\(log)")
        // The default holdout is 0.25 of each class.
        #expect(try model(dir + "/out/model.json").training.trees?.holdout == TreeOptions.defaultHoldout)

        // Without the key, one band.
        let plain = try study(in: dir, model: "method: rf\ntrees: 12\ndepth: 3")
        #expect(try CLI.run(["run", plain, "--out", dir + "/plain"], in: dir).status == 0)
        #expect(try RasterDataset.open(dir + "/plain/prospectivity.tif").bandCount == 1)
    }

    @Test(
        "tree keys: unknown ones, ones for another method and bad values are one-line errors naming the key",
        arguments: [
            ("method: gbt\ntress: 10", "model.tress: unknown key"),
            ("method: rf\nlearning_rate: 0.1", "model.learning_rate: only gbt"),
            ("method: wofe\ntrees: 10", "model.trees: only rf and gbt"),
            ("method: logistic\nexclude_buffer: 100", "model.exclude_buffer: only rf and gbt"),
            ("method: gbt\ndepth: 9", "model.depth: give 1 to 8"),
            ("method: gbt\nholdout: 1", "model.holdout:"),
            ("method: rf\ntrees: many", "model.trees: expected a whole number"),
        ])
    func badTreeKeys(model text: String, problem: String) throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let path = try study(in: dir, model: text)
        let r = try CLI.run(["run", path, "--out", dir + "/out"], in: dir)
        #expect(r.status != 0)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("study.yaml") && r.stderr.contains(problem), "expected \(problem): \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/run.log"))
    }
}
