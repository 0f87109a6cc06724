import ArgumentParser
import Foundation
import ProspectCore
import ProspectPipeline

/// `prospect train` options for random forests and gradient-boosted trees.
struct TreeArguments: ParsableArguments {
    @Option(help: "rf/gbt: number of trees (default: \(TreeOptions.pipelineDefault.trees)).")
    var trees: Int?
    @Option(help: "rf/gbt: levels per tree, 1 to 8 (oblivious trees: 2^depth leaves; default: \(TreeOptions.pipelineDefault.depth)).")
    var depth: Int?
    @Option(
        name: .customLong("learning-rate"),
        help: "gbt: shrinkage of each tree's leaf values (default: \(TreeOptions.pipelineDefault.learningRate)).")
    var learningRate: Double?
    @Option(name: .customLong("exclude-buffer"), help: "rf/gbt: leave cells within this many metres of a deposit out of the background.")
    var excludeBuffer: Double?
    @Option(
        help:
            "rf/gbt: fraction of the deposit cells and of the background cells (drawn by --seed) kept out of training to measure a held-out ROC AUC; 0 trains on all (default: \(TreeOptions.defaultHoldout))."
    )
    var holdout: Double?
    @Option(
        name: .customLong("holdout-scheme"),
        help:
            "rf/gbt: blocks holds out whole square blocks of the map (--block-km), so held-out deposits are not beside training ones; random draws cells one by one (default: blocks)."
    )
    var holdoutScheme: HoldoutScheme?

    /// Hands the given flags to the options layer, which checks them.
    func fill(_ settings: inout TrainingSettings) {
        settings.trees = trees
        settings.depth = depth
        settings.learningRate = learningRate
        settings.excludeBuffer = excludeBuffer
        settings.holdout = holdout
        settings.holdoutScheme = holdoutScheme
    }
}

/// The tree part of a training summary.
enum TreeText {
    static func render(_ t: TreeTrainingSummary, parameters: [String: String]) -> String {
        let name = t.method == "rf" ? "random forest" : "gradient-boosted trees (learning rate \(parameters["learningRate"] ?? "?"))"
        var out =
            "\(name): \(t.trees) oblivious trees, depth \(t.depth); \(t.depositCells) deposit cells (weight \(format(t.depositWeight, 3)) each) "
        out += "against \(t.backgroundCells) background cells (\(t.background))\n"
        out += "ROC AUC \(format(t.auc, 4)) (\(t.aucKind == "out-of-bag" ? "out of bag" : "on the training sample"))\n"
        if let line = TreeTrainingSummary.heldOutText(t) { out += line + "\n" }
        var table = [["layer", "gain", "share"]]
        for i in t.importance { table.append([i.layer, String(format: "%.4g", i.gain), format(100 * i.share, 1) + " %"]) }
        out += Reports.table(table)
        return out
    }
}
