import Foundation

extension ModelFile {
    /// A model file holding a tree ensemble (imported from LightGBM or XGBoost, or trained).
    public init(tool: String, created: String, method: String, layers: [ModelLayer], trees: TreeEnsemble,
                parameters: [String: String], training: TrainingSummary) {
        self.format = Self.formatName
        self.formatVersion = Self.currentVersion
        self.tool = tool
        self.created = created
        self.method = method
        self.layers = layers
        self.trees = trees
        self.parameters = parameters
        self.training = training
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
