import ArgumentParser
import ProspectPipeline
import Testing

@testable import ProspectCLI

@Suite("Command-line parsing: knowledge-driven models")
struct OverlayParsingTests {
    @Test func trainOverlayOptions() throws {
        let parsed = try ProspectCommand.parseAsRoot([
            "train", "--method", "index", "--evidence", "a.tif", "--categorical", "geo=l.tif",
            "--weight", "a=3", "--weight", "geo=1.5", "--class-score", "geo:4=10",
            "--class-score", "geo:mafic schist=2", "--out", "m.json",
        ])
        let train = try #require(parsed as? ProspectCommand.Train)
        #expect(train.training.deposits == nil && train.training.method == .index)
        let options = try train.training.settings().options(layers: [
            .init(name: "a", kind: .continuous), .init(name: "geo", kind: .categorical),
        ])
        .overlay
        #expect(options.weights == ["a": 3, "geo": 1.5])
        #expect(options.classScores == ["geo": ["4": 10, "mafic schist": 2]])
        let fuzzy = try #require(
            try ProspectCommand.parseAsRoot([
                "train", "--method", "fuzzy", "--evidence", "a.tif",
                "--expression", "and(a)", "--out", "m.json",
            ]) as? ProspectCommand.Train)
        #expect(fuzzy.training.expression == "and(a)")
    }

    @Test("malformed --weight and --class-score are refused", arguments: ["a", "a=", "=2", "a=0", "a=x"])
    func badWeights(argument: String) {
        var settings = TrainingSettings(method: .index)
        #expect(throws: OptionError.self) {
            try settings.add(thresholds: [], groups: [], weights: [argument], classScores: [])
            _ = try settings.options(layers: [.init(name: "a", kind: .continuous)])
        }
    }

    @Test(arguments: ["geo=1", "geo:=1", ":4=1", "geo:4=", "geo:4=x"])
    func badClassScores(argument: String) {
        var settings = TrainingSettings(method: .index)
        #expect(throws: OptionError.self) {
            try settings.add(thresholds: [], groups: [], weights: [], classScores: [argument])
            _ = try settings.options(layers: [.init(name: "geo", kind: .categorical)])
        }
    }

    @Test func demoRefusesOverlays() {
        #expect(throws: (any Error).self) { try ProspectCommand.parseAsRoot(["demo", "--method", "fuzzy"]) }
    }
}
