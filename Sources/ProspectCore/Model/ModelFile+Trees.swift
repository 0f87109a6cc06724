import Foundation

extension ModelFile {
    /// Why a tree payload does not fit the file's layers; nil when it does.
    var treeProblem: String? {
        guard let trees else { return nil }
        guard trees.featureCount == layers.count else {
            return "\(layers.count) layers but the trees read \(trees.featureCount) features"
        }
        return trees.structuralProblem
    }
}
