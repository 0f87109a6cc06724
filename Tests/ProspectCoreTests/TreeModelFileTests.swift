import Foundation
import Testing

@testable import ProspectCore

@Suite("Model files holding trained tree ensembles")
struct TrainedTreeModelFileTests {
    static let summary = TrainingSummary(
        validCells: 10, cellAreaKm2: 1, depositsGiven: 2, depositsUsed: 2, depositsOutsideGrid: 0,
        depositsOnNodata: 0, depositsSharingCell: 0, layerRanking: ["a", "b"])

    static func file(_ trees: TreeEnsemble) -> ModelFile {
        var s = summary
        s.trees = TreeTrainingSummary(
            method: "gbt", trees: trees.trees.count, depth: 3, depositCells: 2, backgroundCells: 8,
            background: "random", depositWeight: 4, auc: 0.75, aucKind: "training",
            importance: [.init(layer: "a", gain: 3, share: 0.75), .init(layer: "b", gain: 1, share: 0.25)])
        return ModelFile(
            tool: "test", created: "",
            layers: [ModelLayer(name: "a", path: "a.tif", kind: .continuous), ModelLayer(name: "b", path: "b.tif", kind: .categorical)],
            payload: .trees(trees, origin: .gradientBoosting), parameters: ["trees": "5"], training: s)
    }

    @Test("trees survive the model file exactly, and score as before")
    func roundTrip() throws {
        for ensemble in [
            SyntheticTrees.oblivious(trees: 5, depth: 3, layers: 2, seed: 1),
            SyntheticTrees.general(trees: 5, depth: 4, layers: 2, output: .average, comparison: .less, seed: 2),
        ] {
            let data = try Self.file(ensemble).encoded()
            #expect(String(decoding: data, as: UTF8.self).contains("\"formatVersion\" : 3"))
            let back = try ModelFile.decode(data)
            #expect(back.trees == ensemble)
            #expect(back.additive == nil && back.method == "gbt")
            #expect(back.training.trees == Self.file(ensemble).training.trees)
            let scorer = back.scorer(nodata: [-1, -1])
            #expect(scorer is CompiledTrees && scorer.layerCount == 2)
            var out: [Float] = [0]
            let a: [Float] = [0.3]
            let b: [Float] = [0.7]
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    out.withUnsafeMutableBufferPointer { scorer.score(layers: [pa, pb], outputs: [$0], outputNodata: -5) }
                }
            }
            #expect(abs(Double(out[0]) - ensemble.probability([0.3, 0.7])) <= 1e-6)
        }
    }

    @Test("a file with trees and an additive model, or trees on too few layers, is refused")
    func refused() throws {
        let additive = AdditiveModel(intercept: 0, terms: [.linear(coefficient: 1, center: 0), .linear(coefficient: 1, center: 0)])
        let both = try ModelPayloadTests.edited(Self.file(SyntheticTrees.oblivious(trees: 2, depth: 2, layers: 2, seed: 1))) {
            $0["model"] = try ModelPayloadTests.jsonObject(additive)
        }
        #expect(throws: ModelFile.FormatError.self) { try ModelFile.decode(both) }

        let wide = Self.file(SyntheticTrees.oblivious(trees: 2, depth: 2, layers: 3, seed: 1))
        do {
            _ = try ModelFile.decode(wide.encoded())
            Issue.record("decoded a model whose trees use 3 layers over 2")
        } catch let e as ModelFile.FormatError {
            #expect(e.message.contains("2 layers but the trees read 3"))
        }

        var ensemble = SyntheticTrees.oblivious(trees: 2, depth: 2, layers: 2, seed: 1)
        ensemble.trees[1].left[0] = 99
        let broken = Self.file(ensemble)
        #expect(throws: ModelFile.FormatError.self) { try ModelFile.decode(broken.encoded()) }
    }

    @Test("version 2 files (additive models) still read")
    func version2() throws {
        let v2 = ModelFile(
            tool: "test", created: "", layers: [ModelLayer(name: "a", path: "a.tif", kind: .continuous)],
            payload: .logistic(AdditiveModel(intercept: 0.5, terms: [.linear(coefficient: 1, center: 0)])), parameters: [:],
            training: Self.summary)
        let text = String(decoding: try v2.encoded(), as: UTF8.self).replacingOccurrences(
            of: "\"formatVersion\" : 3", with: "\"formatVersion\" : 2")
        let back = try ModelFile.decode(Data(text.utf8))
        #expect(back.formatVersion == 2 && back.trees == nil && back.additive?.intercept == 0.5)
        #expect(back.scorer(nodata: [.nan]) is CompiledModel)
    }
}
