import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

@Suite("knowledge-driven models: fuzzy and index overlays end to end")
struct OverlayCommandTests {
    func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    @Test("train --method fuzzy without deposits → score → targets names the layers")
    func fuzzyWithoutDeposits() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let t = try CLI.run(
            [
                "train", "--method", "fuzzy", "--evidence", s.a, "--evidence", s.b, "--transform", "b=minmax",
                "--expression", "gamma(0.8, a, or(a, b))", "--out", "fuzzy.json",
            ], in: dir)
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stdout.contains("method fuzzy (knowledge-driven): no deposits given"))
        #expect(t.stdout.contains("fuzzy overlay (Bonham-Carter 1994; ArcGIS Fuzzy Overlay): gamma(0.8, a, or(a, b))"))
        #expect(!t.stdout.contains("ROC AUC"))
        let model = try ModelFile.decode(Data(contentsOf: URL(fileURLWithPath: dir + "/fuzzy.json")))
        #expect(model.method == "fuzzy" && model.fuzzy?.expression == "gamma(0.8, a, or(a, b))" && model.additive == nil)
        #expect(model.formatVersion == ModelFile.currentVersion)
        #expect(model.training.validCells == Fixture.grid.cellCount && model.training.depositAUC == nil)

        let sc = try CLI.run(["score", "--model", "fuzzy.json", "--out", "map.tif", "--compress", "none"], in: dir)
        #expect(sc.status == 0, "\(sc.stderr)")
        // Every cell equals the expression applied by hand to the transformed layers.
        let map = try readRaster(dir + "/map.tif")
        let a = try readRaster(s.a)
        let b = try readRaster(s.b)
        let (lo, hi) = (Double(b.min()!), Double(b.max()!))
        let e = FuzzyExpression.gamma(0.8, [.layer(0), .or([.layer(0), .layer(1)])])
        for i in stride(from: 0, to: map.count, by: 13) {
            let expected = e.evaluate([Double(a[i]), (Double(b[i]) - lo) / (hi - lo)])
            #expect(abs(Double(map[i]) - expected) < 1e-5, "cell \(i)")
        }
        let ds = try RasterDataset.open(dir + "/map.tif")
        #expect(ds.bandDescription() == "fuzzy membership")

        let tg = try CLI.run(["targets", "map.tif", "--out", "targets.geojson", "--top", "3", "--json"], in: dir)
        #expect(tg.status == 0, "\(tg.stderr)")
        let report = try json(tg.stdout)
        #expect(report["explained"] as? Bool == true)
        let targets = report["targets"] as! [[String: Any]]
        #expect(!targets.isEmpty)
        for target in targets {
            let contributions = target["contributions"] as! [[String: Any]]
            let names = Set(contributions.map { $0["layer"] as! String })
            #expect(names == ["a", "b"])
            // The shares add up to the target's mean score (a membership).
            let total = contributions.map { $0["logit"] as! Double }.reduce(0, +)
            #expect(abs(total - (target["meanScore"] as! Double)) < 1e-4)
        }
        let geojson = try String(contentsOfFile: dir + "/targets.geojson", encoding: .utf8)
        #expect(geojson.contains("\"top_layers\": \"a") || geojson.contains("\"top_layers\": \"b"))
    }

    @Test("train --method index with deposits: weights, class scores and ROC AUC")
    func indexWithDeposits() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let t = try CLI.run(
            [
                "train", "--method", "index", "--deposits", s.deposits, "--evidence", s.a, "--categorical", "classes=\(s.b)",
                "--weight", "a=3", "--weight", "classes=1", "--class-score", "classes:7=10", "--class-score", "classes:2=4",
                "--out", "index.json",
            ], in: dir)
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stdout.contains("6 deposits used of 6 to evaluate it"))
        #expect(t.stdout.contains("ROC AUC on the deposits: "))
        #expect(t.stdout.contains("class 2 → 4, 7 → 10, others 0"))
        #expect(t.stdout.contains("75.0 %") && t.stdout.contains("25.0 %"))
        // a enters with its raw values: training says so.
        #expect(t.stderr.contains("a enters the index with its raw values"))
        let model = try ModelFile.decode(Data(contentsOf: URL(fileURLWithPath: dir + "/index.json")))
        #expect(model.index?.weights == ["a": 3, "classes": 1])
        #expect(model.index?.classScores == ["classes": ["7": 10, "2": 4]])
        let auc = try #require(model.training.depositAUC)
        #expect(auc > 0.5 && auc <= 1)

        let sc = try CLI.run(["score", "--model", "index.json", "--out", "map.tif", "--compress", "none"], in: dir)
        #expect(sc.status == 0, "\(sc.stderr)")
        let map = try readRaster(dir + "/map.tif")
        let a = try readRaster(s.a)
        let b = try readRaster(s.b)
        for i in stride(from: 0, to: map.count, by: 7) {
            let classScore: Double = b[i] == 7 ? 10 : b[i] == 2 ? 4 : 0
            #expect(abs(Double(map[i]) - (3 * Double(a[i]) + classScore) / 4) < 1e-5)
        }
        // validate agrees with the AUC training reported.
        let v = try CLI.run(["validate", "map.tif", "--deposits", s.deposits, "--json"], in: dir)
        #expect(abs((try json(v.stdout))["auc"] as! Double - auc) < 1e-9)
    }

    @Test(
        "user errors: one line naming the problem, no model written",
        arguments: [
            (
                ["--method", "fuzzy", "--expression", "and(a, b)"],
                "layer b ranges from 0.0 to 9.0; a fuzzy overlay combines memberships in [0, 1]", "b.tif"
            ),
            (["--method", "fuzzy", "--expression", "and(a, c)", "--transform", "b=minmax"], "unknown layer \"c\" (layers: a, b)", ""),
            (["--method", "fuzzy", "--transform", "b=minmax"], "--expression: a fuzzy model needs one", ""),
            (["--method", "index", "--weight", "z=2"], "--weight z: no layer is named z", ""),
            (["--method", "index", "--weight", "a=-1"], "--weight a: a weight is a positive number, got -1", ""),
            (["--method", "index", "--class-score", "a:1=2"], "a is a continuous layer", ""),
            (
                ["--method", "fuzzy", "--expression", "or(a, b)", "--transform", "b=minmax", "--weight", "a=2"],
                "--weight: only index models take it", ""
            ),
        ])
    func errors(arguments: [String], problem: String, file: String) throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let r = try CLI.run(["train", "--evidence", s.a, "--evidence", s.b, "--out", "m.json"] + arguments, in: dir)
        #expect(r.status != 0)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.contains(problem) && (file.isEmpty || r.stderr.contains(file)), "expected \(problem): \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/m.json"))
    }

    @Test func categoricalLayersNeedClassScores() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let r = try CLI.run(["train", "--method", "index", "--evidence", s.a, "--categorical", s.b, "--out", "m.json"], in: dir)
        #expect(r.status != 0)
        #expect(r.stderr.contains("b.tif") && r.stderr.contains("categorical layer b needs class scores"), "\(r.stderr)")
    }

    @Test func dataDrivenMethodsStillNeedDeposits() throws {
        for method in ["wofe", "logistic"] {
            let r = try CLI.run(["train", "--method", method, "--evidence", "a.tif", "--out", "m.json"])
            #expect(r.status != 0)
            #expect(r.stderr.contains("--deposits: give the known deposits (only fuzzy and index models do without)"), "\(r.stderr)")
        }
        let r = try CLI.run([
            "train", "--method", "wofe", "--deposits", "d.gpkg", "--evidence", "a.tif", "--expression", "a", "--out", "m.json",
        ])
        #expect(r.stderr.contains("--expression: only fuzzy models take it"), "\(r.stderr)")
    }
}

@Suite("study files with knowledge-driven models")
struct OverlayStudyTests {
    @Test("the demo's fuzzy study runs end to end and validates on deposits it did not use")
    func demoFuzzyStudy() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let r = try CLI.run(["run", CLI.demoData + "/demo-fuzzy.yaml", "--out", dir + "/study"])
        #expect(r.status == 0, "\(r.stderr)")
        let log = try String(contentsOfFile: dir + "/study/run.log", encoding: .utf8)
        #expect(
            log.contains("train: fuzzy on ")
                && log.contains("fuzzy overlay: gamma(0.9, or(thorium, magnetics), or(fault_distance, lithology))"))
        #expect(log.contains("lithology class scores: 3 → 0.3, 4 → 1, others 0"))
        #expect(log.contains("(the deposits did not shape this knowledge-driven model: this measures prediction)"))
        let validation =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/study/validation.json"))) as! [String: Any]
        let auc = validation["auc"] as! Double
        #expect(auc > 0.85, "AUC \(auc)")
        let model = try ModelFile.decode(Data(contentsOf: URL(fileURLWithPath: dir + "/study/model.json")))
        #expect(abs(model.training.depositAUC! - auc) < 1e-9)
        #expect(model.layers.map(\.name) == ["thorium", "magnetics", "fault_distance", "lithology"])
    }

    func study(_ text: String, in dir: String) throws -> String {
        let path = dir + "/study.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let base = """
        grid:
          reference: \(CLI.demoData)/thorium.tif
        layers:
          - raster: \(CLI.demoData)/thorium.tif
            transforms: [fuzzy-large]
          - name: lith
            categorical: \(CLI.demoData)/lithology.tif
        """

    @Test("an index study without deposits skips validation")
    func indexStudyWithoutDeposits() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let path = try study(
            Self.base + "\nmodel:\n  method: index\n  weights: {thorium: 1, lith: 3}\n  class_scores: {lith: {4: 1, 3: 0.5}}\n", in: dir)
        let r = try CLI.run(["run", path, "--out", dir + "/out"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let files = CLI.files(in: dir + "/out")
        #expect(files.contains("prospectivity.tif") && files.contains("run.log") && !files.contains("validation.json"))
        let log = try String(contentsOfFile: dir + "/out/run.log", encoding: .utf8)
        #expect(log.contains("train: index on no deposits (knowledge-driven)"))
        #expect(log.contains("index overlay weights: thorium 1 (25 %), lith 3 (75 %)"))
        #expect(log.contains("validate: skipped (no deposits)"))
    }

    @Test(
        "study file errors name the key",
        arguments: [
            (
                "\nmodel:\n  method: fuzzy\n  expression: and(thorium, lithx)\n",
                "model.expression: at character 14: unknown layer \"lithx\""
            ),
            ("\nmodel:\n  method: fuzzy\n", "model.expression: a fuzzy model needs one"),
            ("\nmodel:\n  method: fuzzy\n  expression: thorium\n  weights: {thorium: 2}\n", "model.weights: only index models take it"),
            ("\nmodel:\n  method: index\n  weights: {th: 2}\n", "model.weights.th: no layer is named th"),
            ("\nmodel:\n  method: index\n  weights: {thorium: 0}\n", "model.weights.thorium: a weight is a positive number"),
            ("\nmodel:\n  method: wofe\n  class_scores: {lith: {4: 1}}\n", "model.class_scores: only fuzzy and index models take it"),
            ("\nmodel:\n  method: index\n  class_scores: {lith: 4}\n", "model.class_scores.lith: give a mapping of class"),
            ("\nmodel:\n  method: wofe\n", "deposits: give the known deposits"),
            // Found when training, against the layer's legend.
            (
                "\nmodel:\n  method: index\n  class_scores: {lith: {granite: 1}}\n",
                "model: class scores for lith: \"granite\" is neither a class code nor a class name of lith: known classes 1 granite gneiss, 2 charnockite"
            ),
        ])
    func errors(model: String, problem: String) throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let path = try study(Self.base + model, in: dir)
        let r = try CLI.run(["run", path], in: dir)
        #expect(r.status != 0)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("study.yaml") && r.stderr.contains(problem), "expected \(problem): \(r.stderr)")
    }
}
