import Foundation
import Testing

@testable import ProspectCore

@Suite("Overlay models in the model file")
struct OverlayModelFileTests {
    static let layers = [
        ModelLayer(name: "thorium", path: "thorium.tif", kind: .continuous, transforms: [.fuzzyLarge(midpoint: 15, spread: 5)]),
        ModelLayer(name: "fault_distance", path: "fd.tif", kind: .continuous, transforms: [.fuzzySmall(midpoint: 500, spread: 3)]),
        ModelLayer(name: "lithology", path: "lith.tif", kind: .categorical),
    ]
    static let summary = TrainingSummary(
        validCells: 10, cellAreaKm2: 0.0025, depositsGiven: 0, depositsUsed: 0, depositsOutsideGrid: 0,
        depositsOnNodata: 0, depositsSharingCell: 0, layerRanking: [])

    static func fuzzyFile(
        _ expression: String = "gamma(0.9, thorium, or(fault_distance, lithology))",
        classScores: [String: [String: Double]] = ["lithology": ["4": 1, "3": 0.5]]
    ) -> ModelFile {
        ModelFile(
            tool: "test", created: "", layers: layers, payload: .fuzzy(FuzzyOverlayModel(expression: expression, classScores: classScores)),
            parameters: [:], training: summary)
    }

    static func indexFile(
        weights: [String: Double] = ["thorium": 3, "fault_distance": 1, "lithology": 2],
        classScores: [String: [String: Double]] = ["lithology": ["4": 10, "3": 5]]
    ) -> ModelFile {
        ModelFile(
            tool: "test", created: "", layers: layers, payload: .index(WeightedIndexModel(weights: weights, classScores: classScores)),
            parameters: [:], training: summary)
    }

    @Test func fuzzyRoundTrip() throws {
        let file = Self.fuzzyFile()
        let data = try file.encoded()
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"expression\" : \"gamma(0.9, thorium, or(fault_distance, lithology))\""))
        #expect(text.contains("\"formatVersion\" : 3") && text.contains("\"method\" : \"fuzzy\""))
        #expect(!text.contains("\"model\"") && !text.contains("\"index\""))
        let back = try ModelFile.decode(data)
        #expect(back.fuzzy == file.fuzzy && back.additive == nil && back.index == nil)
        let scorer = try #require(back.scorer(nodata: [-9999, -9999, 0]) as? FuzzyOverlay)
        #expect(scorer.expression == .gamma(0.9, [.layer(0), .or([.layer(1), .layer(2)])]))
        #expect(scorer.classTables[2] == ClassTable(codes: [3, 4], scores: [0.5, 1]))
        #expect(scorer.contributionUnit == "membership" && scorer.extraBands.isEmpty)
    }

    @Test func indexRoundTrip() throws {
        let file = Self.indexFile()
        let back = try ModelFile.decode(try file.encoded())
        #expect(back.index == file.index && back.method == "index")
        let scorer = try #require(back.scorer(nodata: [-9999, -9999, 0]) as? WeightedIndexOverlay)
        #expect(scorer.weights == [3, 1, 2])
        // (3·0.5 + 1·0.25 + 2·10) / 6
        let c = scorer.contributions(values: [0.5, 0.25, 4])
        #expect(abs(c.reduce(0, +) - 21.75 / 6) < 1e-9)
        #expect(scorer.contributionUnit == "index")
    }

    @Test(
        "malformed overlays are refused with the problem named",
        arguments: [
            (fuzzyFile("and(thorium, magnetics)"), "unknown layer \"magnetics\""),
            (fuzzyFile(classScores: [:]), "categorical layer \"lithology\" has no class scores"),
            (fuzzyFile(classScores: ["lithology": ["4": 10]]), "lithology class 4: a membership lies in [0, 1], got 10.0"),
            (
                fuzzyFile(classScores: ["lithology": ["4": 1], "thorium": ["1": 1]]),
                "class scores for \"thorium\", which is a continuous layer"
            ),
            (fuzzyFile(classScores: ["lithology": ["four": 1]]), "lithology class \"four\": a class is a whole-number code"),
            (indexFile(weights: ["thorium": 3, "lithology": 2]), "layer \"fault_distance\" has no weight"),
            (indexFile(weights: ["thorium": 3, "fault_distance": 0, "lithology": 2]), "the weight of \"fault_distance\" must be positive"),
            (
                indexFile(weights: ["thorium": 3, "fault_distance": 1, "lithology": 2, "k": 1]),
                "weight for \"k\", which is not a model layer"
            ),
        ])
    func malformed(file: ModelFile, problem: String) throws {
        let data = try file.encoded()
        do {
            _ = try ModelFile.decode(data)
            Issue.record("decoded")
        } catch let e as ModelFile.FormatError {
            #expect(e.message.hasPrefix("malformed model file: ") && e.message.contains(problem), "\(e.message)")
        }
    }

    @Test func exactlyOnePayload() throws {
        let index = try #require(ModelPayloadTests.object(Self.indexFile())["index"])
        let both = try ModelPayloadTests.edited(Self.fuzzyFile()) { $0["index"] = index }
        #expect(ModelPayloadTests.refusal(both) == "malformed model file: it must hold exactly one model (found 2)")
    }
}
