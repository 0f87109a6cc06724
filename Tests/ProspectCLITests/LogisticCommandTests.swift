import Foundation
import ProspectCore
import ProspectTestSupport
import Testing

@Suite("train --method logistic: standard errors in the summary and the model file; too few deposits per parameter")
struct LogisticCommandTests {
    @Test("the summary prints every coefficient's standard error and z, the intercept's standard error; the model file keeps them")
    func standardErrors() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let r = try CLI.run(
            ["train", "--method", "logistic", "--deposits", s.deposits, "--evidence", "alpha=\(s.a)", "--out", "m.json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let model = try ModelFile.decode(try Data(contentsOf: URL(fileURLWithPath: dir + "/m.json")))
        let row = try #require(model.training.coefficients?.first)
        let se = try #require(row.standardError)
        #expect(se > 0 && abs(row.z! - row.coefficient / se) < 1e-9 * abs(row.z!))
        let interceptSE = try #require(model.training.interceptStandardError)
        #expect(interceptSE > 0)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("(intercept)") && $0.contains(String(format: "%.3g", interceptSE)) }, "\(r.stdout)")
        #expect(
            lines.contains {
                $0.hasPrefix("alpha") && $0.contains(String(format: "%.3g", se)) && $0.contains(String(format: "%.2f", row.z!))
            },
            "\(r.stdout)")
        // Six deposit cells for one slope: fewer than ten per parameter.
        #expect(
            r.stderr.contains(
                "prospect: warning: logistic: 1 parameter for 6 deposit cells (fewer than 10 per parameter); expect overfitting"))
    }

    @Test("a class layer's dummies count as parameters: 10 for 6 deposit cells")
    func parametersCounted() throws {
        let folder = try TemporaryFolder()
        let dir = folder.path
        let s = try Fixture.stack(in: dir)
        let r = try CLI.run(
            [
                "train", "--method", "logistic", "--deposits", s.deposits, "--evidence", "alpha=\(s.a)", "--categorical", "beta=\(s.b)",
                "--out", "m.json",
            ], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stderr.contains("logistic: 10 parameters for 6 deposit cells (fewer than 10 per parameter); expect overfitting"),
            "\(r.stderr)")
    }
}
