import Foundation
import ProspectCore
import ProspectGDAL
import ProspectTestSupport
import Testing

/// `train --count-deposits points|cells`, `--min-deposits`, `--min-area-percent` and
/// `--threshold` on a continuous layer, end to end.
@Suite("train: deposits counted as points or cells; the smallest automatic cut; thresholds on --evidence layers")
struct WofECountingTests {
    /// Class 1 in the 8 columns on the left (384 cells of 0.01 km² = 384 unit cells), class 2
    /// in the other 56 (2688). Eight points: three in cell (2, 2), one in (5, 30), four in class
    /// 2 cells of their own; so 4 of 8 points in class 1, or 2 of 6 deposit cells.
    static func data(in dir: String) throws -> (g: String, a: String, deposits: String) {
        let g = try Fixture.raster(dir + "/g.tif") { c, _ in c < 8 ? 1 : 2 }
        let a = try Fixture.raster(dir + "/a.tif") { c, _ in Float(c) }
        let (x, y) = Fixture.centre(2, 2)
        let xy =
            [(x - 20, y + 20), (x, y), (x + 20, y - 20)]
            + [(5, 30), (20, 5), (30, 10), (40, 20), (50, 40)].map { Fixture.centre($0.0, $0.1) }
        return (g, a, try Fixture.points(dir + "/deposits.gpkg", xy))
    }

    /// Bonham-Carter (1994): W± = ln[(D_B/D) / ((A_B − D_B)/(A − D))] with areas in unit cells
    /// and each deposit on a unit cell; s²(W+) = 1/D_B + 1/(A_B − D_B).
    static func byHand(area: Double, db: Double, t: Double, d: Double) -> (wPlus: Double, sPlus: Double, wMinus: Double, sMinus: Double) {
        (
            log((db / d) / ((area - db) / (t - d))), (1 / db + 1 / (area - db)).squareRoot(),
            log(((d - db) / d) / ((t - area - d + db) / (t - d))), (1 / (d - db) + 1 / (t - area - d + db)).squareRoot()
        )
    }

    @Test("points: three points in one cell count three times; cells: once (the default)", arguments: ["points", "cells", nil])
    func counting(mode: String?) throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Self.data(in: dir)
        let r = try CLI.run(
            [
                "train", "--deposits", s.deposits, "--categorical", "g=\(s.g)", "--unit-cell-km2", "0.01", "--out", "m.json",
                "--weights-table", "w.csv",
            ]
                + (mode.map { ["--count-deposits", $0] } ?? []), in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let points = mode == "points"
        let (d, db) = points ? (8.0, 4.0) : (6.0, 2.0)
        #expect(r.stdout.contains("6 deposits used of 8") && r.stdout.contains("2 sharing a cell"), "\(r.stdout)")
        #expect(r.stdout.contains("deps = \(points ? "deposit points" : "deposit cells") (N(D) = \(Int(d)))"), "\(r.stdout)")
        let model = try ModelFile.decode(try Data(contentsOf: URL(fileURLWithPath: dir + "/m.json")))
        #expect(model.parameters["countDeposits"] == (points ? "points" : "cells"))
        #expect(model.training.countDeposits == (points ? .points : .cells) && model.training.depositsCounted == Int(d))
        #expect(abs(model.training.priorProbability! - d / 3072) < 1e-15)
        #expect(abs(Double(model.wofeVariance!.priorVariance) - Double(Float(1 / d))) == 0)
        #expect(model.training.conditionalIndependence?.observed == Int(d))
        let row = try #require(model.training.weights?.first { $0.code == 1 })
        let expected = Self.byHand(area: 384, db: db, t: 3072, d: d)
        #expect(row.deposits == Int(db))
        for (got, want) in [
            (row.weights.wPlus, expected.wPlus), (row.weights.sWPlus, expected.sPlus),
            (row.weights.wMinus, expected.wMinus), (row.weights.sWMinus, expected.sMinus),
            (row.weights.contrast, expected.wPlus - expected.wMinus),
            (row.weights.sContrast, (expected.sPlus * expected.sPlus + expected.sMinus * expected.sMinus).squareRoot()),
        ] {
            #expect(abs(got - want) < 1e-12, "\(got) vs \(want)")
        }
        let csv = try String(contentsOfFile: dir + "/w.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv[0].hasSuffix(",note,deposits_counted_as"))
        #expect(csv.dropFirst().allSatisfy { $0.hasSuffix(points ? ",points" : ",cells") })
    }

    @Test("one point per cell: points and cells give the same model")
    func onePointPerCell() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        var files: [String] = []
        for mode in ["points", "cells"] {
            let r = try CLI.run(
                [
                    "train", "--deposits", s.deposits, "--evidence", "a=\(s.a)", "--categorical", "b=\(s.b)", "--unit-cell-km2", "0.01",
                    "--count-deposits", mode, "--out", "\(mode).json",
                ], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
            let model = try ModelFile.decode(try Data(contentsOf: URL(fileURLWithPath: dir + "/\(mode).json")))
            files.append("\(model.payload)")
        }
        #expect(files[0] == files[1])
    }

    @Test("--min-deposits and --min-area-percent steer the automatic cut; short classes are noted; --threshold cuts an --evidence layer")
    func minimumAndThreshold() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Self.data(in: dir)
        func train(_ extra: [String], _ out: String) throws -> (CLIResult, [WofEClassRow]) {
            let r = try CLI.run(
                [
                    "train", "--deposits", s.deposits, "--evidence", "a=\(s.a)", "--unit-cell-km2", "0.01", "--out", out + ".json",
                    "--weights-table", out + ".csv",
                ] + extra, in: dir)
            guard r.status == 0 else { return (r, []) }
            let model = try ModelFile.decode(try Data(contentsOf: URL(fileURLWithPath: dir + "/\(out).json")))
            return (r, model.training.weights ?? [])
        }
        // The deposit cells' values of a: 2, 5, 20, 30, 40, 50. Without a minimum the strongest
        // cut is x <= 5 (two deposits on 6 columns); at least three deposits: a wider one.
        let (free, freeRows) = try train(["--min-deposits", "1"], "free")
        #expect(free.status == 0, "\(free.stderr)")
        let freeCut = try #require(freeRows.first { $0.selected })
        #expect(freeCut.deposits < 3)
        let (r, rows) = try train([], "default")
        let cut = try #require(rows.first { $0.selected })
        #expect(cut.deposits >= 3 && cut.belowMinimum == nil)
        #expect(rows.filter { $0.deposits < 3 }.allSatisfy { $0.belowMinimum?.contains("minimum 3") == true })
        #expect(r.stdout.contains("at least 3 deposits and 0 % of the layer's area"), "\(r.stdout)")
        let csv = try String(contentsOfFile: dir + "/default.csv", encoding: .utf8)
        #expect(csv.contains("below the minimum for the automatic cut: 2 deposits, minimum 3"))
        // An area minimum no pattern meets: the layer adds nothing, with a warning.
        let (none, noneRows) = try train(["--min-area-percent", "99"], "none")
        #expect(none.status == 0 && noneRows.allSatisfy { !$0.selected })
        #expect(none.stderr.contains("prospect: warning: a: no cumulative class") && none.stderr.contains("--threshold a=VALUE"))
        // A threshold on the continuous layer, at a value no deposit has: x <= 10.5 holds two of
        // six deposits on 11 of 64 columns, denser than the rest, so it is the pattern.
        let (t, tRows) = try train(["--threshold", "a=10.5"], "threshold")
        #expect(t.status == 0, "\(t.stderr)")
        let chosen = try #require(tRows.first { $0.selected })
        #expect(chosen.label == "<= 10.5" && chosen.cells == 11 * 48 && chosen.deposits == 2)
        #expect(chosen.belowMinimum != nil)
        let model = try ModelFile.decode(try Data(contentsOf: URL(fileURLWithPath: dir + "/threshold.json")))
        #expect(model.parameters["thresholds"] == "a=10.5")
        // A threshold beyond the data is one line naming the option.
        let (bad, _) = try train(["--threshold", "a=100"], "bad")
        #expect(bad.status == 1 && bad.stderr.contains("--threshold a: threshold 100 puts no cell in the pattern x >= 100"))
    }
}
