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
