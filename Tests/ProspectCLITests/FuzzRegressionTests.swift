import Foundation
import ProspectTestSupport
import Testing

/// Inputs the fuzz targets (Fuzz/, scripts/fuzz.sh) found crashing Prospect, kept as commands.
@Suite("Fuzzing finds: each crash found is a one-line error now")
struct FuzzRegressionTests {
    /// study-yaml, first minute: a mapping key that is a list or a mapping trapped in Yams's
    /// constructor (it force-unwraps a text key).
    @Test(arguments: ["? [a, b]\n: 1\n", "grid: {[x]: 1}\n", "layers:\n  - {? {a: 1} : 2}\n"])
    func studyKeyThatIsNotText(text: String) throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        try text.write(toFile: dir + "/study.yaml", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", "study.yaml"], in: dir)
        #expect(r.status == 1)
        #expect(
            r.stderr == "prospect: error: study.yaml: a mapping key is itself a list or a mapping; keys are names (text)\n", "\(r.stderr)")
    }

    /// study-yaml, after 5 minutes: YAML 1.1 base-60 integers are multiplied out by Yams with
    /// overflowing arithmetic, which trapped on `-3111111111111111111:3`.
    @Test(arguments: ["-3111111111111111111:3\n", "model:\n  seed: 1:30\n"])
    func baseSixtyNumbers(text: String) throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        try text.write(toFile: dir + "/study.yaml", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", "study.yaml"], in: dir)
        #expect(r.status == 1)
        #expect(
            r.stderr.hasPrefix("prospect: error: study.yaml: ")
                && r.stderr.hasSuffix("is a base-60 number (like 1:30); write it in decimal\n"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }
}

extension FuzzRegressionTests {
    /// csv-points, first seconds: a deposit far off the grid (y = -1e200) is a cell row beyond
    /// Int, and converting it trapped (`Grid.cellIndex`) in `train` and `validate`.
    @Test(arguments: ["-1e200", "1e300", "1.7976931348623157e308"])
    func depositFarOffTheGrid(y: String) throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let inside = [(60, 10), (62, 20), (55, 30), (58, 40), (50, 5)].map { Fixture.centre($0.0, $0.1) }
        var csv = "id,x,y\n"
        for (i, p) in inside.enumerated() { csv += "P\(i),\(p.0),\(p.1)\n" }
        csv += "far,350050,\(y)\n"
        try csv.write(toFile: dir + "/deposits.csv", atomically: true, encoding: .utf8)
        let r = try CLI.run(
            [
                "train", "--method", "logistic", "--deposits", "deposits.csv", "--assume-crs", "EPSG:32645", "--evidence", "a=" + s.a,
                "--out", "m.json", "--json",
            ], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(summary?["depositsGiven"] as? Int == 6)
        #expect(summary?["depositsOutsideGrid"] as? Int == 1)
        // Alone, it is one line naming the file.
        try "id,x,y\nfar,350050,\(y)\n".write(toFile: dir + "/far.csv", atomically: true, encoding: .utf8)
        let v = try CLI.run(["validate", "--deposits", "far.csv", "--assume-crs", "EPSG:32645", s.a], in: dir)
        #expect(v.status == 1)
        #expect(v.stderr.hasPrefix("prospect: error: far.csv: none of its 1 points falls on the evidence grid"), "\(v.stderr)")
        #expect(v.stderr.split(separator: "\n").count == 1)
    }
}
