import Foundation

extension ModelFile {
    /// A model file holding a tree ensemble (imported from LightGBM or XGBoost, or trained).
    public init(tool: String, created: String, method: String, layers: [ModelLayer], trees: TreeEnsemble,
                parameters: [String: String], training: TrainingSummary) {
        self.init(tool: tool, created: created, method: method, layers: layers, parameters: parameters, training: training)
        self.trees = trees
    }

    /// Why a tree payload does not fit the file's layers; nil when it does.
    var treeProblem: String? {
        guard let trees else { return nil }
        guard trees.featureCount == layers.count else {
            return "\(layers.count) layers but the trees read \(trees.featureCount) features"
        }
        return trees.structuralProblem
    }
}
