import Foundation
import ProspectCore

extension StudyRunner {
    /// What `run.log` says of a trained tree ensemble: its shape, its training-sample or
    /// out-of-bag AUC and its held-out AUC. Empty for other models.
    static func treeLines(_ model: ModelFile) -> [String] {
        guard let t = model.training.trees else { return [] }
        let name = t.method == "rf" ? "random forest" : "gradient-boosted trees"
        var lines = ["\(name): \(t.trees) oblivious trees, depth \(t.depth); \(t.depositCells) deposit cells against \(t.backgroundCells) background cells (\(t.background))"]
        lines.append("ROC AUC \(String(format: "%.4f", t.auc)) \(t.aucKind == "out-of-bag" ? "out of bag" : "on the training sample")")
        if let held = TreeTrainingSummary.heldOutText(t) { lines.append(held) }
        return lines
    }
}

extension StudyRunner {
    /// " (band 2: ensemble_spread)" when the study asks for the model's extra bands and it has some.
    static func extraBandsNote(_ model: ModelFile, options: ScoreOptions) -> String {
        guard options.extraBands else { return "" }
        let names = model.scorer(nodata: model.layers.map { _ in -9999 }).extraBands
        guard !names.isEmpty else { return "" }
        return " (" + names.enumerated().map { "band \($0.offset + 2): \($0.element)" }.joined(separator: ", ") + ")"
    }
}
