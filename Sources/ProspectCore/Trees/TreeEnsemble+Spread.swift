import Foundation

extension TreeEnsemble {
    /// Each tree's output for one cell, in the ensemble's own units (a leaf value).
    public func treeOutputs(_ values: [Float]) -> [Double] {
        trees.map { tree in tree.value[leaf(of: tree) { Double(values[$0]) }] }
    }

    /// The ensemble spread of a forest: the standard deviation (population form, divided by
    /// the number of trees) of the trees' outputs for one cell. The scalar definition the fast
    /// kernels are tested against.
    ///
    /// For an averaged ensemble (random forest) each tree's output is its own estimate of the
    /// probability, so the spread says how much the trees disagree about this cell (a
    /// bootstrap-ensemble uncertainty, as in Meinshausen 2006 and Coulston et al. 2016). It is
    /// not defined for boosted ensembles, whose trees are successive corrections rather than
    /// estimates of the same quantity.
    public func spread(_ values: [Float]) -> Double {
        let outputs = treeOutputs(values)
        let mean = outputs.reduce(0, +) / Double(max(outputs.count, 1))
        let variance = outputs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(outputs.count, 1))
        return variance.squareRoot()
    }

    /// Trees whose every level splits all its nodes on one layer and threshold, with every leaf
    /// at the same depth (oblivious or symmetric trees, as CatBoost grows them); nil when every
    /// tree is, else the first reason one is not.
    public var obliviousProblem: String? {
        for (t, tree) in trees.enumerated() {
            if let problem = tree.obliviousLevels().problem { return "tree \(t): \(problem)" }
        }
        return nil
    }
}

extension Tree {
    /// The tree read as an oblivious tree: one (layer, threshold) per level, root first, and the
    /// leaf values in the order of the leaf index `Σ_l right_l << (depth − 1 − l)`.
    func obliviousLevels() -> (splits: [(feature: Int32, threshold: Double)], leaves: [Double], problem: String?) {
        var level = [0]
        var splits: [(feature: Int32, threshold: Double)] = []
        while true {
            let splitting = level.filter { feature[$0] >= 0 }
            if splitting.isEmpty { break }
            guard splitting.count == level.count else {
                return ([], [], "level \(splits.count) mixes leaves and splits")
            }
            let f = feature[level[0]]
            let t = threshold[level[0]]
            for i in level where feature[i] != f || !(threshold[i] == t || (threshold[i].isNaN && t.isNaN)) {
                return ([], [], "level \(splits.count) splits on more than one layer or threshold")
            }
            splits.append((f, t))
            level = level.flatMap { [Int(left[$0]), Int(right[$0])] }
        }
        return (splits, level.map { value[$0] }, nil)
    }
}
