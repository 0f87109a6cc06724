import Foundation
import ProspectTestSupport
import Testing

/// `prospect cv` on the demo region, every method; its bad options; and a study's `validation.cv`.
@Suite("prospect cv: cross-validation through the CLI", .serialized)
struct CrossValidationCommandTests {
    /// Two demo layers and its deposits, three folds: quick for every method.
    static var demo: [String] {
        let d = CLI.demoData
        return [
            "cv", "--deposits", d + "/deposits.gpkg", "--evidence", "thorium=\(d)/thorium.tif", "--categorical",
            "lithology=\(d)/lithology.tif", "--folds", "3",
        ]
    }

    static let methods: [(String, [String])] = [
        ("wofe", ["--unit-cell-km2", "0.01"]),
        ("logistic", ["--background", "20000"]),
        ("rf", ["--trees", "8", "--depth", "3", "--background", "20000"]),
        ("gbt", ["--trees", "8", "--depth", "3", "--background", "20000"]),
        ("fuzzy", ["--expression", "or(thorium, lithology)", "--transform", "thorium=fuzzy-large", "--class-score", "lithology:4=1"]),
        ("index", ["--weight", "thorium=2", "--weight", "lithology=1", "--transform", "thorium=minmax", "--class-score", "lithology:4=1"]),
    ]

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("--json has the keys, folds that add up, and AUCs in [0, 1], for every method", arguments: methods.map(\.0))
    func jsonKeys(method: String) throws {
        let extra = Self.methods.first { $0.0 == method }!.1
        let r = try CLI.run(Self.demo + ["--method", method, "--json"] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        let o = try Self.object(r.stdout)
        for key in ["scheme", "block_km", "folds", "mean_auc", "sd_auc", "pooled_auc", "curve", "seed", "method"] {
            #expect(o[key] != nil, "\(method): no \(key)")
        }
        #expect(o["method"] as? String == method && o["scheme"] as? String == "blocks" && o["seed"] as? Int == 1)
        #expect((o["block_km"] as? Double ?? 0) > 0)
        let folds = try #require(o["folds"] as? [[String: Any]])
        #expect(folds.count == 3)
        for (i, f) in folds.enumerated() {
            for key in ["fold", "auc", "deposits", "cells", "area_km2"] { #expect(f[key] != nil, "\(method): fold without \(key)") }
            #expect(f["fold"] as? Int == i + 1)
            let auc = try #require(f["auc"] as? Double)
            #expect((0...1).contains(auc))
        }
        #expect(folds.compactMap { $0["deposits"] as? Int }.reduce(0, +) == o["deposits"] as? Int)
        #expect(folds.compactMap { $0["cells"] as? Int }.reduce(0, +) == o["cells"] as? Int)
        let pooled = try #require(o["pooled_auc"] as? Double)
        #expect(pooled > 0.6, "\(method): pooled AUC \(pooled)")
        let curve = try #require(o["curve"] as? [[String: Double]])
        #expect(curve.count == o["deposits"] as? Int && curve.last?["deposit_percent"] == 100)
    }

    @Test("the text says these are predictions on deposits each model never saw")
    func text() throws {
        let r = try CLI.run(Self.demo + ["--method", "wofe", "--unit-cell-km2", "0.01", "--block-km", "3"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("blocks of 3 km (60 cells): as given"), "\(r.stdout)")
        #expect(r.stdout.contains("cross-validated (spatial blocks of 3 km, 3 folds): AUC "), "\(r.stdout)")
        #expect(r.stdout.contains("pooled out-of-fold AUC ") && r.stdout.contains("on deposits each model never saw"))
        let random = try CLI.run(Self.demo + ["--method", "wofe", "--unit-cell-km2", "0.01", "--scheme", "random"])
        #expect(random.status == 0, "\(random.stderr)")
        #expect(random.stdout.contains("cross-validated (random cells, 3 folds)"), "\(random.stdout)")
    }

    @Test("the same JSON for --threads 1 and 2, and for two runs; another seed, other folds")
    func deterministic() throws {
        let args = Self.demo + ["--method", "gbt", "--trees", "8", "--depth", "3", "--background", "20000", "--json"]
        let one = try CLI.run(args + ["--threads", "1"])
        let two = try CLI.run(args + ["--threads", "2"])
        let again = try CLI.run(args + ["--threads", "2"])
        #expect(one.status == 0 && two.status == 0, "\(one.stderr) \(two.stderr)")
        #expect(one.stdout == two.stdout && two.stdout == again.stdout)
        let other = try CLI.run(args + ["--threads", "2", "--seed", "9"])
        #expect(other.status == 0, "\(other.stderr)")
        let a = try Self.object(one.stdout)["folds"] as? [[String: Any]]
        let b = try Self.object(other.stdout)["folds"] as? [[String: Any]]
        #expect(a?.map { $0["cells"] as? Int } != b?.map { $0["cells"] as? Int })
    }

    @Test(
        "bad options are one line naming the flag, exit 1",
        arguments: [
            (["--folds", "1"], "--folds: give 2 to 100 folds, got 1"),
            (["--folds", "101"], "--folds: give 2 to 100 folds, got 101"),
            (["--block-km", "0"], "--block-km: give a positive number of km, got 0"),
            (["--block-km", "nan"], "--block-km: give a positive number of km, got nan"),
            (["--block-km", "100"], "--block-km: blocks of 100 km make 1 block on the map (512 × 512 cells of 0.05 km); give at most"),
            (["--block-km", "2", "--scheme", "random"], "--block-km: the random scheme deals single cells and takes no block size"),
            (["--method", "gbt", "--holdout", "0.2"], "--holdout: cross-validation holds whole folds out"),
            (["--method", "wofe", "--threads", "0"], "--threads: give at least 1, got 0"),
        ])
    func badOptions(arguments: [String], message: String) throws {
        let folder = try TemporaryFolder()
        let r = try CLI.run(Self.demo + arguments, in: folder.path)
        #expect(r.status == 1)
        #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.hasPrefix("prospect: error: "), "\(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(CLI.files(in: folder.path).isEmpty)
    }

    @Test(
        "--help prints the help alone, whatever else is given",
        arguments: [["cv", "--help"], ["cv", "--folds", "1", "-h"], ["train", "--out", "m.json", "--evidence", "a.tif", "--help"]])
    func help(arguments: [String]) throws {
        let r = try CLI.run(arguments)
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("OVERVIEW: "))
    }

    @Test("without deposits: a one-line error")
    func needsDeposits() throws {
        let d = CLI.demoData
        let r = try CLI.run([
            "cv", "--method", "index", "--evidence", "thorium=\(d)/thorium.tif", "--transform", "thorium=minmax",
        ])
        #expect(r.status == 1)
        #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains("--deposits"), "\(r.stderr)")
    }

    @Test("a study's validation.cv writes cv.json and the log gives both AUCs, saying which is which")
    func study() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let text = """
            grid:
              reference: \(s.a)
            layers:
              - name: a
                raster: \(s.a)
              - name: b
                raster: \(s.b)
            deposits: \(s.deposits)
            model:
              method: logistic
            validation:
              cv: {folds: 2, block_km: 1.6, scheme: blocks, seed: 4}
            """
        try text.write(toFile: dir + "/study.yaml", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", dir + "/study.yaml", "--out", dir + "/out", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try Self.object(r.stdout)
        #expect(summary["cvAUC"] is Double && summary["auc"] is Double)
        #expect((summary["files"] as? [String])?.contains("cv.json") == true)
        let cv = try Self.object(try String(contentsOfFile: dir + "/out/cv.json", encoding: .utf8))
        #expect(cv["method"] as? String == "logistic" && cv["scheme"] as? String == "blocks" && cv["seed"] as? Int == 4)
        #expect(cv["block_km"] as? Double == 1.6 && (cv["folds"] as? [Any])?.count == 2)
        let log = try String(contentsOfFile: dir + "/out/run.log", encoding: .utf8)
        #expect(log.contains("(fit on training deposits)"), "\(log)")
        #expect(log.contains("cross-validated (spatial blocks of 1.6 km, 2 folds)") && log.contains("→ cv.json"), "\(log)")
        #expect(log.contains("cross-validated (pooled out of fold), deposits the model never saw"), "\(log)")

        // cv: true takes every default; unknown keys and bad values name the key.
        let defaults = text.replacingOccurrences(of: "cv: {folds: 2, block_km: 1.6, scheme: blocks, seed: 4}", with: "cv: true")
        try defaults.write(toFile: dir + "/defaults.yaml", atomically: true, encoding: .utf8)
        let d = try CLI.run(["run", dir + "/defaults.yaml", "--out", dir + "/defaults"])
        #expect(d.status == 0, "\(d.stderr)")
        let dcv = try Self.object(try String(contentsOfFile: dir + "/defaults/cv.json", encoding: .utf8))
        #expect((dcv["folds"] as? [Any])?.count == 5 && dcv["seed"] as? Int == 1)
        for (bad, message) in [
            ("cv: {folds: 2, bogus: 1}", "validation.cv.bogus: unknown key"),
            ("cv: {scheme: stripes}", "validation.cv.scheme: stripes is not one of blocks, random"),
            ("cv: {folds: 2, block_km: 50}", "validation.cv.block_km: blocks of 50 km make 1 block on the map"),
        ] {
            try text.replacingOccurrences(of: "cv: {folds: 2, block_km: 1.6, scheme: blocks, seed: 4}", with: bad)
                .write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
            let b = try CLI.run(["run", dir + "/bad.yaml", "--out", dir + "/bad"])
            #expect(b.status == 1)
            #expect(b.stderr.split(separator: "\n").count == 1 && b.stderr.contains(message), "\(b.stderr)")
        }
    }
}
