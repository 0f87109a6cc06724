import Foundation
import ProspectCore
import ProspectPipeline
import Testing

@Suite("study files: tree settings")
struct StudyFileTreeTests {
    static let rasters = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Rasters").path

    @Test("Rasters/demo-gbt.yaml reads as the demo study with gradient-boosted trees")
    func demoGBT() throws {
        let study = try StudyFile.load(Self.rasters + "/demo-gbt.yaml")
        let wofe = try StudyFile.load(Self.rasters + "/demo.yaml")
        #expect(study.layers == wofe.layers)
        #expect(study.training.method == .gbt)
        let t = study.training.trees
        #expect(t.trees == 100 && t.depth == 6 && t.learningRate == 0.1 && t.excludeBuffer == 250 && t.holdout == 0.25)
        #expect(study.training.sampling.seed == 1 && study.training.sampling.size == 1_000_000)
        #expect(study.score.extraBands && study.score.cog)
        #expect(!wofe.score.extraBands)
    }
}
