import Foundation
import ProspectTestSupport
import Testing

@Suite("study files: prospect run")
struct StudyTests {
    @Test func demoStudyRunsEndToEnd() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let r = try CLI.run(["run", CLI.demoData + "/demo.yaml", "--out", dir + "/study", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let files = CLI.files(in: dir + "/study")
        for f in [
            "stack", "model.json", "weights.csv", "prospectivity.tif", "targets.geojson", "tiles.geojson", "validation.json", "run.log",
        ] {
            #expect(files.contains(f), "missing \(f) in \(files)")
        }
        #expect(CLI.files(in: dir + "/study/stack").contains("fault_distance.tif"))
        // The targets: the study's deposits counted, at most 2 km²
        // unless a single peak, and the CSV beside them.
        let targets =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: dir + "/study/targets.geojson"))) as! [String: Any]
        let properties = (targets["features"] as! [[String: Any]]).map { $0["properties"] as! [String: Any] }
        #expect(properties.count == 10)
        #expect(properties.allSatisfy { $0["known_deposits"] is Int && $0["expected_deposits"] is Double && $0["class"] == nil })
        #expect(properties.contains { ($0["known_deposits"] as! Int) > 0 })
        #expect(properties.allSatisfy { ($0["area_km2"] as! Double) <= 2 || ($0["pieces"] as! Int) > 1 })
        let csv = try String(contentsOfFile: dir + "/study/targets.csv", encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 11)
        let log = try String(contentsOfFile: dir + "/study/run.log", encoding: .utf8)
        #expect(
            log.contains("prepare:") && log.contains("train:") && log.contains("score:") && log.contains("targets:")
                && log.contains("validate:"))
        let validation =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/study/validation.json"))) as! [String: Any]
        let auc = validation["auc"] as! Double
        // The demo's weights of evidence reach AUC 0.917 on the committed layers; the study
        // recomputes fault distance from the fault lines and masks to the study area.
        #expect(auc > 0.85, "AUC \(auc)")
    }

    func study(_ text: String, in dir: String) throws -> String {
        let path = dir + "/study.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func unknownKeysAndBadValuesAreErrors() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let base = """
            grid:
              reference: \(CLI.demoData)/thorium.tif
            layers:
              - raster: \(CLI.demoData)/thorium.tif
            deposits: \(CLI.demoData)/deposits.gpkg
            """
        let cases: [(String, String)] = [
            (base + "\nmodel:\n  methd: wofe\n", "model.methd: unknown key"),
            (base + "\nmodel:\n  method: forest\n", "model.method: forest is not one of"),
            (base.replacingOccurrences(of: "raster:", with: "rastr:"), "layers[0]: give exactly one of"),
            (
                base.replacingOccurrences(of: "/thorium.tif\ndeposits", with: "/thorium.tif\n    transforms: [fuzzy-wide]\ndeposits"),
                "layers[0] (thorium).transforms"
            ),
            ("grid: [1, 2\n", "not valid YAML"),
            (base.replacingOccurrences(of: "deposits:", with: "# deposits:"), "deposits:"),
            (base + "\noutputs:\n  targets: {rank_by: best}\n", "outputs.targets.rank_by: give one of expected, peak, mean, got best"),
        ]
        for (text, problem) in cases {
            let path = try study(text, in: dir)
            let r = try CLI.run(["run", path], in: dir)
            #expect(r.status != 0)
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
            #expect(r.stderr.contains("study.yaml") && r.stderr.contains(problem), "expected \(problem): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/study-output/run.log"))
        }
    }
}
