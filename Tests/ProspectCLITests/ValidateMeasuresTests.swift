import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

/// `prospect validate`'s expected deposits, P-A intersection, capture and independent
/// deposits, against a separate brute-force computation on a map of 48 cells.
@Suite("validate: expected deposits, P-A, capture, validation deposits", .serialized)
struct ValidateMeasuresTests {
    static let grid = Grid(columns: 8, rows: 6, transform: Fixture.grid.transform, crsName: "EPSG:32645")
    static let nodata: Float = -9999

    /// Scores with many ties (steps of 0.05) and one nodata cell at (3, 2).
    static func value(_ c: Int, _ r: Int) -> Float {
        if c == 3 && r == 2 { return nodata }
        return Float((c * 5 + r * 3) % 17) * 0.05 + 0.01
    }

    /// Training deposits: five points, one on the nodata cell, two in one cell.
    static let training = [(7, 0), (6, 1), (3, 2), (5, 5), (5, 5), (1, 4)]
    /// Independent deposits: four points, one on a training deposit's cell.
    static let independent = [(7, 5), (4, 3), (2, 1), (6, 1)]

    /// Writes the map with `method` as its provenance, the two deposit sets; returns the folder.
    static func setUp(method: String?) throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        try Fixture.raster(folder.path + "/map.tif", grid: grid, nodata: nodata, tiled: false, value: value)
        if let method {
            let ds = try RasterDataset.open(folder.path + "/map.tif", update: true)
            try ds.setMetadata(["PROSPECT_METHOD": method])
            try ds.close()
        }
        try Fixture.points(folder.path + "/train.gpkg", training.map { Fixture.centre($0.0, $0.1) })
        try Fixture.points(folder.path + "/new.gpkg", independent.map { Fixture.centre($0.0, $0.1) })
        return folder
    }

    /// The reference: every valid cell's score, and each deposit set's distinct valid cells' scores.
    static func scores(_ deposits: [(Int, Int)]) -> (cells: [Float], deposits: [Float]) {
        var cells: [Float] = []
        for r in 0..<grid.rows { for c in 0..<grid.columns where value(c, r) != nodata { cells.append(value(c, r)) } }
        var seen = Set<Int>()
        var d: [Float] = []
        for (c, r) in deposits where value(c, r) != nodata && seen.insert(r * grid.columns + c).inserted { d.append(value(c, r)) }
        return (cells, d)
    }

    /// One vertex per distinct cell score, descending: (area %, deposit %) at or above it.
    static func curve(cells: [Float], deposits: [Float]) -> [(Double, Double)] {
        var out: [(Double, Double)] = [(0, 0)]
        for t in Set(cells).sorted(by: >) {
            let area = 100 * Double(cells.filter { $0 >= t }.count) / Double(cells.count)
            let share = 100 * Double(deposits.filter { $0 >= t }.count) / Double(deposits.count)
            out.append((area, share))
        }
        return out
    }

    static func capture(_ curve: [(Double, Double)], _ a: Double) -> Double {
        for (p, q) in zip(curve, curve.dropFirst()) where q.0 >= a && q.0 > p.0 {
            return p.1 + (a - p.0) / (q.0 - p.0) * (q.1 - p.1)
        }
        return 100
    }

    static func intersection(_ curve: [(Double, Double)]) -> (area: Double, deposit: Double) {
        for (p, q) in zip(curve, curve.dropFirst()) where p.0 + p.1 <= 100 && q.0 + q.1 >= 100 && q.0 + q.1 > p.0 + p.1 {
            let t = (100 - p.0 - p.1) / (q.0 + q.1 - p.0 - p.1)
            return (p.0 + t * (q.0 - p.0), p.1 + t * (q.1 - p.1))
        }
        return (.nan, .nan)
    }

    static func auc(cells: [Float], deposits: [Float]) -> Double {
        var s = 0.0
        for d in deposits { for c in cells { s += d > c ? 1 : (d == c ? 0.5 : 0) } }
        return s / Double(deposits.count * cells.count)
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func close(_ a: Any?, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
        guard let a = a as? Double else { return false }
        return abs(a - b) <= tolerance * max(1, abs(b))
    }

    @Test("expected deposits, capture and the P-A intersection equal the brute-force ones")
    func matchesReference() throws {
        let folder = try Self.setUp(method: "logistic")
        let r = try CLI.run(["validate", "map.tif", "--deposits", "train.gpkg", "--json"], in: folder.path)
        try #require(r.status == 0, "\(r.stderr)")
        let o = try Self.json(r.stdout)
        let (cells, deposits) = Self.scores(Self.training)
        #expect(deposits.count == 4 && cells.count == 47)
        #expect(o["known_deposits"] as? Int == 4 && o["depositsUsed"] as? Int == 4)
        // The map's values summed as Float cells, in double precision.
        #expect(Self.close(o["expected_deposits"], cells.reduce(0.0) { $0 + Double($1) }, 1e-12))
        #expect((o["expected_deposits_basis"] as? String)?.contains("probability per cell") == true)
        let curve = Self.curve(cells: cells, deposits: deposits)
        let capture = try #require(o["capture"] as? [String: Double])
        #expect(Set(capture.keys) == ["1", "5", "10", "20"])
        for (key, area) in [("1", 1.0), ("5", 5), ("10", 10), ("20", 20)] {
            #expect(Self.close(capture[key], Self.capture(curve, area)), "capture at \(key) %: \(capture[key] ?? .nan)")
        }
        let pa = Self.intersection(curve)
        #expect(Self.close(o["pa_intersection_area_percent"], pa.area))
        #expect(Self.close(o["pa_intersection_deposit_percent"], pa.deposit))
        #expect(Self.close(o["pa_normalized_density"], pa.deposit / pa.area))
        #expect(Self.close(o["auc"], Self.auc(cells: cells, deposits: deposits)))
        // Existing keys are kept; the validation keys are there, null.
        for key in ["map", "deposits", "depositsSkipped", "cells", "table", "curve", "warnings", "labels"] {
            #expect(o[key] != nil, "\(key)")
        }
        #expect(o["validation_auc"] is NSNull && o["prediction_curve"] is NSNull)
        let labels = try #require(o["labels"] as? [String: String])
        #expect(labels["auc"]?.contains("training deposits: fit") == true)
        #expect(labels["expected_deposits"] != nil && labels["pa_normalized_density"] != nil)
    }

    @Test("--validation-deposits: the prediction rate and AUC of the independent set beside the success rate")
    func independentDeposits() throws {
        let folder = try Self.setUp(method: "gbt")
        let r = try CLI.run(
            ["validate", "map.tif", "--deposits", "train.gpkg", "--validation-deposits", "new.gpkg", "--json"], in: folder.path)
        try #require(r.status == 0, "\(r.stderr)")
        let o = try Self.json(r.stdout)
        let (cells, deposits) = Self.scores(Self.independent)
        #expect(o["validation_deposits_used"] as? Int == 4 && o["validation_deposits_skipped"] as? Int == 0)
        #expect(Self.close(o["validation_auc"], Self.auc(cells: cells, deposits: deposits)))
        #expect(Self.close(o["auc"], Self.auc(cells: cells, deposits: Self.scores(Self.training).deposits)))
        // The prediction curve: one point per independent deposit, deposits descending.
        let points = try #require(o["prediction_curve"] as? [[String: Double]])
        let sorted = deposits.sorted(by: >)
        #expect(points.count == sorted.count)
        for (point, s) in zip(points, sorted) {
            let area = 100 * Double(cells.filter { $0 >= s }.count) / Double(cells.count)
            let share = 100 * Double(deposits.filter { $0 >= s }.count) / Double(deposits.count)
            #expect(Self.close(point["areaPercent"], area) && Self.close(point["depositPercent"], share))
        }
        let curve = Self.curve(cells: cells, deposits: deposits)
        let capture = try #require(o["validation_capture"] as? [String: Double])
        #expect(Self.close(capture["10"], Self.capture(curve, 10)))
        let pa = Self.intersection(curve)
        #expect(Self.close(o["validation_pa_intersection_area_percent"], pa.area))
        #expect(Self.close(o["validation_pa_normalized_density"], pa.deposit / pa.area))
        // (6, 1) is in both sets: counted and warned about.
        #expect(o["validation_deposits_sharing_cells"] as? Int == 1)
        #expect(
            r.stderr.contains("prospect: warning: 1 of the 4 validation deposit cells of new.gpkg are also deposit cells of train.gpkg"))
        // The text labels both curves.
        let text = try CLI.run(["validate", "map.tif", "--deposits", "train.gpkg", "--validation-deposits", "new.gpkg"], in: folder.path)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("success rate: training deposits (fit)"), "\(text.stdout)")
        #expect(text.stdout.contains("prediction rate: independent deposits"))
        #expect(text.stdout.contains("prediction: ROC AUC "))
        #expect(text.stdout.contains("P-A intersection, independent deposits (prediction)"))
    }

    @Test("expected against known: a warning beyond a factor of 1.5; none for maps that are not probabilities")
    func mismatchAndOverlays() throws {
        // Σ p over 47 cells is about 19 against 4 deposit cells: warned.
        let folder = try Self.setUp(method: "rf")
        let r = try CLI.run(["validate", "map.tif", "--deposits", "train.gpkg"], in: folder.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("prospect: warning: expected deposits (the sum of the map's probabilities over its valid cells) are "))
        #expect(r.stdout.contains("expected deposits ") && r.stdout.contains("against 4 known deposit cells"))
        for (method, why) in [("fuzzy", "memberships, not probabilities"), (nil, "carries no Prospect model")] {
            let f = try Self.setUp(method: method)
            let v = try CLI.run(["validate", "map.tif", "--deposits", "train.gpkg", "--json"], in: f.path)
            #expect(v.status == 0, "\(v.stderr)")
            let o = try Self.json(v.stdout)
            #expect(o["expected_deposits"] is NSNull)
            #expect((o["expected_deposits_basis"] as? String)?.contains(why) == true, "\(o["expected_deposits_basis"] ?? "")")
            #expect(o["known_deposits"] as? Int == 4)
            #expect(!v.stderr.contains("expected deposits"))
        }
    }

    @Test("a weights-of-evidence map without its embedded model: one line naming the map")
    func weightsOfEvidenceWithoutModel() throws {
        let folder = try Self.setUp(method: "wofe")
        let r = try CLI.run(["validate", "map.tif", "--deposits", "train.gpkg"], in: folder.path)
        #expect(r.status == 1)
        #expect(
            r.stderr
                == "prospect: error: map.tif: names method wofe but embeds no model (PROSPECT_MODEL_JSON) to read its unit cell from\n",
            "\(r.stderr)")
    }

    @Test("weights of evidence: probability per unit cell times unit cells per cell")
    func weightsOfEvidencePerUnitCell() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let t = try CLI.run(
            ["train", "--method", "wofe", "--deposits", s.deposits, "--evidence", s.a, "--unit-cell-km2", "0.04", "--out", "m.json"],
            in: dir)
        try #require(t.status == 0, "\(t.stderr)")
        let sc = try CLI.run(["score", "--model", "m.json", "--out", "map.tif"], in: dir)
        try #require(sc.status == 0, "\(sc.stderr)")
        let v = try CLI.run(["validate", "map.tif", "--deposits", s.deposits, "--json"], in: dir)
        try #require(v.status == 0, "\(v.stderr)")
        let o = try Self.json(v.stdout)
        let map = try readRaster(dir + "/map.tif")
        // Cells of 100 m (0.01 km²) are a quarter of a 0.04 km² unit cell.
        let sum = map.filter { $0 != -9999 && !$0.isNaN }.reduce(0.0) { $0 + Double($1) }
        #expect(Self.close(o["expected_deposits"], sum * 0.25, 1e-9), "\(o["expected_deposits"] ?? "")")
        #expect((o["expected_deposits_basis"] as? String)?.contains("unit cell of 0.04 km²") == true)
        // The model file records the same quantity over its training area.
        let model = try ModelFile.decode(Data(contentsOf: URL(fileURLWithPath: dir + "/m.json")))
        let recorded = try #require(model.training.expectedDeposits)
        #expect(abs(recorded - sum * 0.25) < 1e-3 * recorded)
    }

    @Test("train warns when the fitted model's expected deposits miss the deposit cells by more than 1.5 times")
    func trainingCheck() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        // The same evidence twice: weights of evidence counts it twice and over-predicts.
        try FileManager.default.copyItem(atPath: s.a, toPath: dir + "/a2.tif")
        let t = try CLI.run(
            [
                "train", "--method", "wofe", "--deposits", s.deposits, "--evidence", s.a, "--evidence", "a2=a2.tif",
                "--unit-cell-km2", "0.01", "--out", "m.json",
            ],
            in: dir)
        try #require(t.status == 0, "\(t.stderr)")
        #expect(t.stderr.contains("prospect: warning: the fitted model expects "), "\(t.stderr)")
        #expect(t.stderr.contains("deposits over its training area"))
        // One layer alone: T = n exactly for weights of evidence, no warning.
        let one = try CLI.run(
            ["train", "--method", "wofe", "--deposits", s.deposits, "--evidence", s.a, "--unit-cell-km2", "0.01", "--out", "m1.json"],
            in: dir)
        #expect(one.status == 0 && !one.stderr.contains("the fitted model expects"), "\(one.stderr)")
    }
}
