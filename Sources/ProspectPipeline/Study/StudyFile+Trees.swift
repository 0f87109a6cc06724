import Foundation
import ProspectCore

extension StudyFile {
    /// The study keys of random forests and gradient-boosted trees, and the `prospect train`
    /// option each stands for.
    static let treeKeys: [(key: String, option: String)] = [
        ("trees", "--trees"), ("depth", "--depth"), ("learning_rate", "--learning-rate"),
        ("exclude_buffer", "--exclude-buffer"), ("holdout", "--holdout"),
    ]

    /// Reads the tree settings of a study's `model:` mapping:
    ///
    /// ```yaml
    /// model:
    ///   method: gbt                 # or rf
    ///   trees: 100
    ///   depth: 6                    # 1 to 8 levels (oblivious trees)
    ///   learning_rate: 0.1          # gbt only
    ///   exclude_buffer: 500         # metres around deposits left out of the background
    ///   holdout: 0.25               # share of each class kept out to measure a held-out AUC
    ///   background: 1000000         # background sample size (shared with logistic)
    ///   seed: 1
    /// ```
    /// - Throws: `PipelineError` naming the study file and the key at fault: a tree key for a
    ///   method that grows no trees, or a value out of range.
    static func treeOptions(_ model: inout KeyReader, method: TrainingOptions.Method, path: String) throws -> TreeOptions {
        var options = TreeOptions.pipelineDefault
        let isTree = method == .rf || method == .gbt
        for (key, _) in treeKeys where model.map[key] != nil {
            guard isTree else {
                throw PipelineError(path, "model.\(key): only rf and gbt models take \(key) (method is \(method.rawValue))")
            }
        }
        if model.map["learning_rate"] != nil, method != .gbt {
            throw PipelineError(path, "model.learning_rate: only gbt models take a learning rate (method is \(method.rawValue))")
        }
        if let v = try model.int("trees") {
            guard v >= 1 else { throw PipelineError(path, "model.trees: give at least 1, got \(v)") }
            options.trees = v
        }
        if let v = try model.int("depth") {
            guard (1...8).contains(v) else { throw PipelineError(path, "model.depth: give 1 to 8 levels, got \(v)") }
            options.depth = v
        }
        if let v = try model.double("learning_rate") {
            guard v > 0, v <= 1 else { throw PipelineError(path, "model.learning_rate: give a number in (0, 1], got \(v)") }
            options.learningRate = v
        }
        if let v = try model.double("exclude_buffer") {
            guard v >= 0 else { throw PipelineError(path, "model.exclude_buffer: give non-negative metres, got \(v)") }
            options.excludeBuffer = v
        }
        if let v = try model.double("holdout") {
            guard v >= 0, v < 1 else { throw PipelineError(path, "model.holdout: give a fraction at least 0 and below 1, got \(v)") }
            options.holdout = v
        }
        return options
    }
}

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
