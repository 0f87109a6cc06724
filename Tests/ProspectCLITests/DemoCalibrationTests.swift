import Foundation
import ProspectCore
import ProspectTestSupport
import Testing

/// Trees' maps are probabilities on the real prior: on the demo region their expected deposits
/// (`validate`'s `expected_deposits`) are within 25 % of the known deposit cells.
@Suite("Calibrated tree maps on the demo region", .serialized)
struct DemoCalibrationTests {
    @Test("rf and gbt: expected deposits within 25 % of the known deposit cells", arguments: ["gbt", "rf"])
    func expectedMatchesKnown(method: String) throws {
        let folder = try TemporaryFolder()
        let out = folder.path
        let demo = try CLI.run(["demo", "--data", CLI.demoData, "--out", out, "--method", method, "--no-cv", "--json"])
        try #require(demo.status == 0, "stderr: \(demo.stderr)")
        let v = try CLI.run(["validate", out + "/prospectivity_\(method).tif", "--deposits", CLI.demoData + "/deposits.gpkg", "--json"])
        try #require(v.status == 0, "stderr: \(v.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(v.stdout.utf8)) as? [String: Any])
        let expected = try #require(o["expected_deposits"] as? Double)
        let known = try #require(o["known_deposits"] as? Int)
        #expect(known == 61)
        #expect(abs(expected - Double(known)) <= 0.25 * Double(known), "\(method): expected \(expected) against \(known)")
        #expect(!v.stderr.contains("expected deposits"), "\(v.stderr)")
        // The model file says how: the prior correction, then the logit offset.
        let model = try ModelFile.decode(Data(contentsOf: URL(fileURLWithPath: out + "/model_\(method).json")))
        #expect(model.parameters["calibration"]?.hasPrefix("prior correction (King & Zeng 2001), then calibration in the large") == true)
        #expect(model.parameters["calibrationOffset"].flatMap(Double.init) != nil)
        #expect(model.parameters["expectedDepositsPriorCorrected"].flatMap(Double.init) != nil)
        let recorded = try #require(model.training.expectedDeposits)
        #expect(abs(recorded - Double(known)) < 0.01 * Double(known))
        let trees = try #require(model.trees)
        #expect((trees.logitOffset != nil) == (method == "rf"))
    }
}
