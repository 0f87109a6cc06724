import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

@Suite("train: cumulative weights of evidence, uncertainty bands and independence tests")
struct WofECommandTests {
    @Test("--ascending/--descending/--threshold/--generalize train a model whose score writes std and confidence")
    func cumulativeTrainAndScore() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let t = try CLI.run(
            [
                "train", "--method", "wofe", "--deposits", s.deposits, "--unit-cell-km2", "0.01",
                "--descending", "high=\(s.a)", "--ascending", "low=\(s.a)", "--categorical", "b=\(s.b)",
                "--threshold", "high=0.5", "--generalize", "b=0,1/2,3", "--out", "m.json",
                "--weights-table", "w.csv",
            ], in: dir)
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stdout.contains("conditional independence (Agterberg & Cheng 2002): n = 6 deposits"))
        #expect(t.stdout.contains("pairwise independence on the deposit cells"))
        #expect(t.stdout.contains(">= 0.5 *"))
        let model = try ModelFile.decode(try Data(contentsOf: URL(fileURLWithPath: dir + "/m.json")))
        #expect(model.formatVersion == ModelFile.currentVersion)
        #expect(model.wofeVariance?.terms.count == 3)
        #expect(abs(Double(model.wofeVariance!.priorVariance) - 1.0 / 6) < 1e-7)
        #expect(model.parameters["descending"] == "high" && model.parameters["ascending"] == "low")
        let rows = try #require(model.training.weights)
        // Every cumulative class of the 64 values, in both layers, with generalized columns.
        #expect(rows.filter { $0.layer == "high" }.count == 64)
        #expect(rows.filter { $0.layer == "low" }.count == 64)
        #expect(rows.filter { $0.layer == "high" && $0.selected }.map(\.label) == [">= 0.5"])
        #expect(rows.allSatisfy { $0.generalizedClass != nil && $0.generalizedWeight!.isFinite })
        let b = rows.filter { $0.layer == "b" }
        #expect(b.first { $0.code == 1 }?.generalizedClass == 0 && b.first { $0.code == 3 }?.generalizedClass == 2)
        let ci = try #require(model.training.conditionalIndependence)
        #expect(ci.observed == 6 && ci.expected > 0 && ci.standardDeviation > 0)
        #expect(model.training.pairwiseIndependence?.count == 3)
        let csv = try String(contentsOfFile: dir + "/w.csv", encoding: .utf8)
        #expect(
            csv.hasPrefix("layer,class,code,threshold,direction,")
                && csv.contains("generalized_class,generalized_weight,generalized_std,note"))
        #expect(csv.split(separator: "\n").count == 1 + 64 + 64 + 10)

        let sc = try CLI.run(["score", "--model", "m.json", "--out", "map.tif", "--uncertainty"], in: dir)
        #expect(sc.status == 0, "\(sc.stderr)")
        let ds = try RasterDataset.open(dir + "/map.tif")
        #expect(ds.bandCount == 3)
        #expect(ds.bandDescription(band: 2) == "posterior_std" && ds.bandDescription(band: 3) == "confidence")
        let bands = try (1...3).map { try readRaster(dir + "/map.tif", band: $0, window: Fixture.grid.full) }
        for i in 0..<Fixture.grid.cellCount where bands[0][i] != -9999 {
            #expect(bands[1][i] > 0 && abs(bands[2][i] - bands[0][i] / bands[1][i]) <= 1e-4 * bands[2][i])
        }
        // The JSON summary carries the tests.
        let j = try CLI.run(
            [
                "train", "--method", "wofe", "--deposits", s.deposits, "--unit-cell-km2", "0.01",
                "--descending", "high=\(s.a)", "--out", "m2.json", "--json",
            ], in: dir)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        #expect((obj["conditionalIndependence"] as? [String: Any])?["observed"] as? Int == 6)
    }

    @Test(
        "bad weights-of-evidence options are one-line errors",
        arguments: [
            (["--threshold", "nope=1"], "no layer is named nope"),
            (["--threshold", "b=1"], "--threshold b: b is a categorical layer"),
            (["--threshold", "high=5"], "leaves no cell in the pattern"),
            (["--threshold", "high=-5"], "puts every cell in the pattern"),
            (["--generalize", "high=1,2"], "high is not a categorical layer"),
            (["--generalize", "b=1,2/2"], "--generalize b: give groups of whole-number class codes"),
            (["--threshold", "high=x"], "--threshold: give NAME=VALUE with a number"),
            (["--method", "logistic"], "--ascending/--descending high: only wofe models take it"),
        ])
    func badOptions(extra: [String], message: String) throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let r = try CLI.run(
            [
                "train", "--deposits", s.deposits, "--unit-cell-km2", "0.01", "--descending", "high=\(s.a)",
                "--categorical", "b=\(s.b)", "--out", "m.json",
            ] + extra, in: dir)
        #expect(r.status != 0)
        #expect((r.stderr + r.stdout).contains(message), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/m.json"))
    }
}
