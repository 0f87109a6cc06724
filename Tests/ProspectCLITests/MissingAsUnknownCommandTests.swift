import Foundation
import ProspectCore
import ProspectGDAL
import ProspectPipeline
import ProspectTestSupport
import Testing

@Suite("train --missing-as-unknown: layers with holes weigh 0 there, with the missing-data variance")
struct MissingAsUnknownCommandTests {
    /// Layer a (continuous) has a hole over columns 0..<16, rows 0..<12; layer b (categorical)
    /// has a hole over columns 40..<48, rows 30..<40. One deposit, (10, 10), is in a's hole.
    static func holes(in dir: String) throws -> (a: String, b: String, deposits: String) {
        let a = try Fixture.raster(dir + "/a.tif") { c, r in c < 16 && r < 12 ? -9999 : Float(c) / 64 }
        let b = try Fixture.raster(dir + "/b.tif") { c, r in
            (40..<48).contains(c) && (30..<40).contains(r) ? -9999 : Float((c * 7 + r * 13) % 10)
        }
        let deposits = try Fixture.points(
            dir + "/deposits.gpkg",
            [(60, 10), (62, 20), (55, 30), (58, 40), (50, 5), (10, 10)].map { Fixture.centre($0.0, $0.1) })
        return (a, b, deposits)
    }

    static func model(_ dir: String, _ name: String) throws -> ModelFile {
        try ModelFile.decode(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
    }

    static func bands(_ path: String, count: Int) throws -> [[Float]] {
        try (1...count).map { try readRaster(path, band: $0, window: Fixture.grid.full) }
    }

    @Test("weights per layer equal those of the layer alone; scoring fills the holes; the std band holds the missing-data term")
    func trainAndScore() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Self.holes(in: dir)
        let common = ["--method", "wofe", "--deposits", s.deposits, "--unit-cell-km2", "0.01"]
        let t = try CLI.run(
            ["train"] + common + [
                "--evidence", "a=\(s.a)", "--categorical", "b=\(s.b)",
                "--missing-as-unknown", "--out", "m.json",
            ], in: dir)
        #expect(t.status == 0, "\(t.stderr)")
        for (args, name) in [
            (["--evidence", "a=\(s.a)"], "a.json"), (["--categorical", "b=\(s.b)"], "b.json"),
            (["--evidence", "a=\(s.a)", "--categorical", "b=\(s.b)"], "plain.json"),
        ] {
            let r = try CLI.run(["train"] + common + args + ["--out", name], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let m = try Self.model(dir, "m.json")
        let alone = [try Self.model(dir, "a.json"), try Self.model(dir, "b.json")]
        let plain = try Self.model(dir, "plain.json")
        let cells = Fixture.grid.cellCount
        // The training area is every cell with data in some layer; all six deposits count.
        #expect(m.training.validCells == cells && m.training.depositsUsed == 6 && m.training.depositsOnNodata == 0)
        #expect(abs(m.training.priorProbability! - 6 / (Double(cells) * 0.01 / 0.01)) < 1e-12)
        #expect(m.additive?.missing == .unknown && m.parameters["missing"] == "unknown")
        // Each layer's weights are those of the layer trained alone, on its own data area.
        for (k, name) in ["a", "b"].enumerated() {
            let rows = m.training.weights!.filter { $0.layer == name }
            #expect(!rows.isEmpty && rows == alone[k].training.weights!, "layer \(name)")
            #expect(m.additive!.terms[k] == alone[k].additive!.terms[0] && m.wofeVariance!.terms[k] == alone[k].wofeVariance!.terms[0])
        }
        #expect(alone[0].training.validCells == cells - 16 * 12 && alone[0].training.depositsUsed == 5)
        // Without the flag: the old rule, the deposit in a's hole left out, nothing recorded.
        #expect(plain.training.validCells == cells - 16 * 12 - 8 * 10 && plain.training.depositsUsed == 5)
        #expect(plain.additive?.missing == nil && plain.wofeVariance?.missingClasses == nil && plain.parameters["missing"] == nil)

        for (model, map) in [("m.json", "map.tif"), ("plain.json", "plain.tif")] {
            let sc = try CLI.run(["score", "--model", model, "--out", map, "--uncertainty"], in: dir)
            #expect(sc.status == 0, "\(sc.stderr)")
        }
        let out = try Self.bands(dir + "/map.tif", count: 3)
        let old = try Self.bands(dir + "/plain.tif", count: 3)
        let a = try Self.bands(s.a, count: 1)[0]
        let b = try Self.bands(s.b, count: 1)[0]
        let model = m.additive!
        let variance = m.wofeVariance!
        let classesA = try #require(variance.missingClasses?[0])
        let selectedA = try #require(m.training.weights!.first { $0.layer == "a" && $0.selected })
        #expect(classesA.weights == [selectedA.weights.wPlus, selectedA.weights.wMinus])
        #expect(abs(classesA.fractions[0] - Double(selectedA.cells) / Double(cells - 16 * 12)) < 1e-12)
        var checked = 0
        for i in 0..<cells {
            let (inA, inB) = (a[i] != -9999, b[i] != -9999)
            #expect(out[0][i] != -9999, "every cell has data in some layer")
            #expect((old[0][i] == -9999) == !(inA && inB))
            var logit = Double(model.intercept)
            var v = Double(variance.priorVariance)
            if inA {
                logit += Double(model.terms[0].contribution(a[i]))
                v += Double(variance.terms[0].contribution(a[i]))
            }
            if inB {
                logit += Double(model.terms[1].contribution(b[i]))
                v += Double(variance.terms[1].contribution(b[i]))
            }
            let p = 1 / (1 + exp(-logit))
            #expect(abs(Double(out[0][i]) - p) < 1e-5)
            if inA && inB {
                // No missing layer: the weights' part alone, P (1 − P) s(L).
                #expect(abs(Double(out[1][i]) - p * (1 - p) * v.squareRoot()) < 1e-5 * p * (1 - p) * v.squareRoot())
            } else if !inA {
                // Hand-computed: Σ over a's two classes of (P_c − P)² · area_c / area_a.
                let o = p / (1 - p)
                var missing = 0.0
                for (w, f) in [(selectedA.weights.wPlus, classesA.fractions[0]), (selectedA.weights.wMinus, classesA.fractions[1])] {
                    let pc = o * exp(w) / (1 + o * exp(w))
                    missing += (pc - p) * (pc - p) * f
                }
                let std = (p * p * (1 - p) * (1 - p) * v + missing).squareRoot()
                #expect(missing > 0 && abs(Double(out[1][i]) - std) < 1e-5 * std, "cell \(i)")
                #expect(abs(Double(out[2][i]) - p / std) < 1e-4 * (p / std))
                checked += 1
            }
        }
        #expect(checked == 16 * 12)
    }

    @Test("--missing-as-unknown is for wofe; a bad model.missing names the key")
    func errors() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Self.holes(in: dir)
        let r = try CLI.run(
            ["train", "--method", "logistic", "--deposits", s.deposits, "--evidence", s.a, "--missing-as-unknown", "--out", "m.json"],
            in: dir)
        #expect(r.status != 0 && r.stderr.contains("--missing-as-unknown: only wofe models take it"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/m.json"))
        let base = "grid:\n  reference: \(s.a)\nlayers:\n  - raster: \(s.a)\ndeposits: \(s.deposits)\nmodel:\n  method: wofe\n"
        for (text, problem) in [
            (base + "  missing: maybe\n", "model.missing: maybe is not one of nodata, unknown"),
            (base.replacingOccurrences(of: "wofe", with: "logistic") + "  missing: unknown\n", "model.missing: only wofe models take it"),
        ] {
            let path = dir + "/study.yaml"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let run = try CLI.run(["run", path], in: dir)
            #expect(
                run.status != 0 && run.stderr.split(separator: "\n").count == 1 && run.stderr.contains("study.yaml")
                    && run.stderr.contains(problem), "\(run.stderr)")
        }
        let path = dir + "/study.yaml"
        try (base + "  missing: unknown\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try StudyFile.load(path).training.wofe.missing == .unknown)
    }
}
