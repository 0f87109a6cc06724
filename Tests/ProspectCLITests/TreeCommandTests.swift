import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

@Suite("train --method rf/gbt, score, targets end to end")
struct TreeCommandTests {
    func model(_ path: String) throws -> ModelFile {
        try ModelFile.decode(Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test("gbt: train, score (cells equal the model by hand), targets explained")
    func gradientBoosting() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let t = try CLI.run(
            [
                "train", "--method", "gbt", "--deposits", s.deposits, "--evidence", s.a, "--evidence", s.b,
                "--trees", "40", "--depth", "3", "--learning-rate", "0.2", "--out", "gbt.json",
            ], in: dir)
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stdout.contains("gradient-boosted trees (learning rate 0.2): 40 oblivious trees"), "\(t.stdout)")
        #expect(t.stdout.contains("ROC AUC") && t.stdout.contains("on the training sample"))
        let m = try model(dir + "/gbt.json")
        #expect(m.formatVersion == 3 && m.method == "gbt" && m.additive == nil)
        let trees = try #require(m.trees)
        #expect(trees.trees.count == 40 && trees.output == .logistic && trees.featureCount == 2)
        #expect(m.training.trees?.importance.first?.layer == "a", "layer a carries the signal")
        #expect(m.training.layerRanking.first == "a")

        let sc = try CLI.run(["score", "--model", "gbt.json", "--out", "map.tif", "--compress", "none", "--uncertainty"], in: dir)
        #expect(sc.status == 0, "\(sc.stderr)")
        #expect(try RasterDataset.open(dir + "/map.tif").bandCount == 1, "boosting writes no extra band")
        let map = try readRaster(dir + "/map.tif")
        let a = try readRaster(s.a)
        let b = try readRaster(s.b)
        var worst = 0.0
        for i in stride(from: 0, to: map.count, by: 7) {
            worst = max(worst, abs(trees.probability([a[i], b[i]]) - Double(map[i])))
        }
        #expect(worst < 1e-6, "largest difference \(worst)")

        let tg = try CLI.run(["targets", "map.tif", "--out", "t.geojson", "--top", "3", "--json"], in: dir)
        #expect(tg.status == 0, "\(tg.stderr)")
        struct Report: Decodable {
            var explained: Bool
            var targets: [T]
        }
        struct T: Decodable { var contributions: [C] }
        struct C: Decodable {
            var layer: String
            var logit: Double
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(tg.stdout.utf8))
        #expect(report.explained && !report.targets.isEmpty)
        #expect(report.targets.allSatisfy { $0.contributions.count == 2 })
        #expect(report.targets.allSatisfy { $0.contributions.allSatisfy { $0.logit.isFinite } })
    }

    @Test("rf: score --uncertainty writes the ensemble spread as band 2; --exclude-buffer shrinks the background")
    func randomForest() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let plain = try CLI.run(
            [
                "train", "--method", "rf", "--deposits", s.deposits, "--evidence", s.a, "--evidence", s.b,
                "--trees", "30", "--depth", "4", "--holdout-scheme", "random", "--out", "rf0.json",
            ], in: dir)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout.contains("random forest: 30 oblivious trees") && plain.stdout.contains("out of bag"), "\(plain.stdout)")
        let t = try CLI.run(
            [
                "train", "--method", "rf", "--deposits", s.deposits, "--evidence", s.a, "--evidence", s.b,
                "--trees", "30", "--depth", "4", "--exclude-buffer", "300", "--out", "rf.json",
            ], in: dir)
        #expect(t.status == 0, "\(t.stderr)")
        let m0 = try model(dir + "/rf0.json")
        let m = try model(dir + "/rf.json")
        // 6 deposits, each with the cells within 300 m (3 cells) left out: fewer background cells.
        // Background cells: trained on plus held out (a quarter by default).
        func background(_ m: ModelFile) throws -> Int {
            let t = try #require(m.training.trees)
            return t.backgroundCells + (t.heldOutBackgroundCells ?? 0)
        }
        let all = try background(m0)
        let buffered = try background(m)
        #expect(all == 64 * 48 - 6)
        #expect(m0.training.trees?.heldOutBackgroundCells == Int((0.25 * Double(all)).rounded()))
        #expect(plain.stdout.contains("held-out ROC AUC") && plain.stdout.contains("(25 % of each)"), "\(plain.stdout)")
        // By default whole spatial blocks are held out, and the summary says so.
        #expect(m0.training.trees?.holdoutScheme == "random" && m.training.trees?.holdoutScheme == "blocks")
        #expect(t.stdout.contains("spatial blocks of") && t.stdout.contains("(about 25 % of each)"), "\(t.stdout)")
        #expect(buffered < all - 6 * 20 && buffered > all - 6 * 29)
        #expect(m.training.trees?.background == "random, excluding 300 m around deposits")
        #expect(m.parameters["excludeBufferMetres"] == "300.0")

        let sc = try CLI.run(["score", "--model", "rf.json", "--out", "map.tif", "--uncertainty"], in: dir)
        #expect(sc.status == 0, "\(sc.stderr)")
        let ds = try RasterDataset.open(dir + "/map.tif")
        #expect(ds.bandCount == 2)
        let p = try readRaster(dir + "/map.tif")
        let spread = try readRaster(dir + "/map.tif", band: 2)
        let a = try readRaster(s.a)
        let b = try readRaster(s.b)
        let ensemble = try #require(m.trees)
        for i in stride(from: 0, to: p.count, by: 11) {
            #expect(abs(Double(p[i]) - ensemble.probability([a[i], b[i]])) < 1e-6)
            #expect(abs(Double(spread[i]) - ensemble.spread([a[i], b[i]])) < 1e-4)
        }
        #expect(spread.contains { $0 > 0 }, "the trees disagree somewhere")
    }

    @Test("the model is the same whatever --threads")
    func threadsDoNotChangeTheModel() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        for method in ["rf", "gbt"] {
            for threads in ["1", "2", "3"] {
                let r = try CLI.run(
                    [
                        "train", "--method", method, "--deposits", s.deposits, "--evidence", s.a, "--evidence", s.b,
                        "--trees", "12", "--threads", threads, "--seed", "5", "--out", "\(method)\(threads).json",
                    ], in: dir)
                #expect(r.status == 0, "\(r.stderr)")
            }
            let models = try ["1", "2", "3"].map { try model(dir + "/\(method)\($0).json") }
            #expect(models[0].trees == models[1].trees && models[0].trees == models[2].trees, "\(method)")
        }
    }

    @Test(
        "tree options are checked",
        arguments: [
            ["--depth", "9"], ["--trees", "0"], ["--learning-rate", "0"],
            ["--exclude-buffer", "-1"], ["--threads", "0"], ["--holdout", "1"],
            ["--holdout", "-0.1"],
        ])
    func badOptions(arguments: [String]) throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let r = try CLI.run(
            ["train", "--method", "gbt", "--deposits", s.deposits, "--evidence", s.a, "--out", "m.json"] + arguments, in: dir)
        #expect(r.status != 0)
        #expect(r.stderr.contains(arguments[0]), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/m.json"))
    }

    @Test("a buffer that leaves no background is a one-line error naming the deposits")
    func bufferTooLarge() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let r = try CLI.run(
            [
                "train", "--method", "rf", "--deposits", s.deposits, "--evidence", s.a,
                "--exclude-buffer", "100000", "--out", "m.json",
            ], in: dir)
        #expect(r.status != 0)
        #expect(r.stderr.contains("deposits.gpkg") && r.stderr.contains("no valid background cell"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/m.json"))
    }
}
