import Foundation

/// Shapley values of a tree ensemble's score, layer by layer: path-dependent TreeSHAP
/// (Lundberg, Erion & Lee 2018, "Consistent individualized feature attribution for tree
/// ensembles", Algorithm 2).
///
/// The value of a set S of layers at a cell is the tree's expected output when only the layers
/// in S are known: at a split on a known layer the cell's branch is followed, at any other split
/// both branches are averaged, weighted by the training cover that went each way (the
/// "path-dependent" conditional expectation). A layer's Shapley value is its marginal effect on
/// that value averaged over every order of adding the layers. For one tree the values add up
/// to the tree's output at the cell minus its expected output (`expectedValue`), and the
/// ensemble's are the sums (boosting) or means (forests) of its trees'.
///
/// Cover: a node's children take `cover[child] / cover[node]`; a tree without cover, or a node
/// whose cover is 0, splits evenly (what `TreeLearner` and `Tree.withExpectedValues` do for the
/// internal values). Missing values (NaN) go where `missingLeft` says, as in scoring.
///
/// **Logit units.** A boosted ensemble's margin `base + Σ leaf` is the logit, so its Shapley
/// values are logit contributions and the expected logit is `base + Σ E[tree]` (`base` holds
/// the base score and, for Prospect's trees, the prior correction and the calibration offset).
/// A forest averages probabilities, so its logit `logit(base + mean leaf)` is no sum over trees:
/// its Shapley values of the mean probability are carried into logit units by the ratio
/// `(logit(p) − logit(E[p])) / (p − E[p])` (the rescale rule of DeepLIFT, Shrikumar et al. 2017,
/// which SHAP's DeepExplainer applies to a model's link function). Signs and proportions stay
/// those of the exact probability attribution, and the contributions add up exactly to the
/// cell's logit minus the expected logit `logit(E[p])`. Probabilities are clamped to
/// [1e-12, 1 − 1e-12] first (a forest's mean can be exactly 0 or 1). A forest's `logitOffset`
/// δ (calibration in the large) shifts the cell's logit and the expected logit alike, so the
/// contributions are the same with it or without it; `logit` and `expectedLogit` are before it.
///
/// Cost: `O(leaves × depth²)` per tree and cell. A tree's values depend on the cell only
/// through which way it goes at each distinct split (for an oblivious tree, its leaf), so
/// `logitContributions(_:memo:)` computes them once per tree and per distinct set of decisions.
public struct TreeAttribution: Sendable {
    public let ensemble: TreeEnsemble
    /// Each tree's expected output under its cover (`expectedValue`).
    public let treeExpectations: [Double]
    /// Per tree, its distinct splits (layer, threshold, where missing goes) and each internal
    /// node's index among them (-1 for a leaf): the decisions a tree's values depend on.
    let splits: [[Split]]
    let nodeSplit: [[Int32]]

    struct Split: Hashable, Sendable {
        var feature: Int32
        var threshold: Double
        var missingLeft: Bool
    }

    public init(_ ensemble: TreeEnsemble) {
        self.ensemble = ensemble
        treeExpectations = ensemble.trees.map { Self.expectedValue($0) }
        var splits: [[Split]] = []
        var nodeSplit: [[Int32]] = []
        for tree in ensemble.trees {
            var index: [Split: Int32] = [:]
            var list: [Split] = []
            var map = [Int32](repeating: -1, count: tree.nodeCount)
            for i in 0..<tree.nodeCount where tree.feature[i] >= 0 {
                let s = Split(feature: tree.feature[i], threshold: tree.threshold[i], missingLeft: tree.missingLeft[i])
                if let k = index[s] {
                    map[i] = k
                } else {
                    index[s] = Int32(list.count)
                    map[i] = Int32(list.count)
                    list.append(s)
                }
            }
            splits.append(list)
            nodeSplit.append(map)
        }
        self.splits = splits
        self.nodeSplit = nodeSplit
    }

    /// The weight of each tree in the margin: 1 for boosting, 1 / trees for a forest.
    var treeScale: Double { ensemble.output == .average ? 1 / Double(max(ensemble.trees.count, 1)) : 1 }

    /// The ensemble's expected margin: `base + Σ E[tree]` (boosting), `base + mean E[tree]` (forest).
    public var expectedMargin: Double { ensemble.base + treeExpectations.reduce(0, +) * treeScale }

    /// The expected logit the contributions start from (before a forest's `logitOffset`).
    public var expectedLogit: Double {
        ensemble.output == .logistic ? expectedMargin : Self.logit(expectedMargin)
    }

    /// The cell's logit (before a forest's `logitOffset`): the margin for boosting, the logit
    /// of the clamped mean probability for a forest.
    public func logit(_ values: [Float]) -> Double {
        let m = ensemble.margin(values)
        return ensemble.output == .logistic ? m : Self.logit(m)
    }

    /// Shapley values of the margin (`TreeEnsemble.margin`) per layer: they add up to
    /// `margin(values) − expectedMargin`.
    public func marginContributions(_ values: [Float]) -> [Double] {
        var phi = [Double](repeating: 0, count: ensemble.featureCount)
        let scale = treeScale
        for tree in ensemble.trees {
            let goesLeft = { (i: Int) in self.ensemble.goesLeft(tree, node: i, Double(values[Int(tree.feature[i])])) }
            Self.shap(tree, goesLeft: goesLeft, scale: scale, into: &phi)
        }
        return phi
    }

    /// Logit contributions per layer: they add up to `logit(values) − expectedLogit`.
    public func logitContributions(_ values: [Float]) -> [Double] {
        toLogit(marginContributions(values), values: values)
    }

    /// Remembered values of each tree, by the decisions a cell makes at the tree's distinct
    /// splits (at most 64 of them; trees with more are computed for every cell).
    public struct Memo: Sendable {
        var tables: [[UInt64: [Double]]]
        public init(trees: Int) { tables = Array(repeating: [:], count: trees) }
    }

    /// `logitContributions(values)`, each tree's Shapley values taken from `memo` when a cell
    /// making the same decisions was explained before.
    public func logitContributions(_ values: [Float], memo: inout Memo) -> [Double] {
        precondition(memo.tables.count == ensemble.trees.count, "one memo table per tree")
        var phi = [Double](repeating: 0, count: ensemble.featureCount)
        let scale = treeScale
        for (t, tree) in ensemble.trees.enumerated() {
            let split = splits[t]
            guard split.count <= 64 else {
                let goesLeft = { (i: Int) in self.ensemble.goesLeft(tree, node: i, Double(values[Int(tree.feature[i])])) }
                Self.shap(tree, goesLeft: goesLeft, scale: scale, into: &phi)
                continue
            }
            var key: UInt64 = 0
            for (k, s) in split.enumerated() where ensemble.goesLeft(s, Double(values[Int(s.feature)])) { key |= 1 << UInt64(k) }
            if let known = memo.tables[t][key] {
                for k in phi.indices { phi[k] += known[k] }
                continue
            }
            var own = [Double](repeating: 0, count: ensemble.featureCount)
            let map = nodeSplit[t]
            Self.shap(tree, goesLeft: { key & (1 << UInt64(map[$0])) != 0 }, scale: scale, into: &own)
            memo.tables[t][key] = own
            for k in phi.indices { phi[k] += own[k] }
        }
        return toLogit(phi, values: values)
    }

    /// Margin Shapley values in logit units (see the type's discussion).
    func toLogit(_ phi: [Double], values: [Float]) -> [Double] {
        guard ensemble.output == .average else { return phi }
        let p = Self.clamped(ensemble.margin(values))
        let e = Self.clamped(expectedMargin)
        let ratio = abs(p - e) > 1e-12 ? (Self.logit(p) - Self.logit(e)) / (p - e) : 1 / (p * (1 - p))
        return phi.map { $0 * ratio }
    }

    static func clamped(_ p: Double) -> Double { min(max(p, 1e-12), 1 - 1e-12) }
    static func logit(_ p: Double) -> Double {
        let q = clamped(p)
        return Foundation.log(q / (1 - q))
    }

    // MARK: - One tree

    /// The shares of a node's cover its left and right children take (even without cover).
    @inlinable
    public static func fractions(_ tree: Tree, node i: Int) -> (left: Double, right: Double) {
        guard let cover = tree.cover, cover[i] > 0 else { return (0.5, 0.5) }
        return (cover[Int(tree.left[i])] / cover[i], cover[Int(tree.right[i])] / cover[i])
    }

    /// The tree's expected output: its leaves weighted by the product of `fractions` on the
    /// way down.
    public static func expectedValue(_ tree: Tree) -> Double {
        func e(_ i: Int) -> Double {
            guard tree.feature[i] >= 0 else { return tree.value[i] }
            let f = fractions(tree, node: i)
            return f.left * e(Int(tree.left[i])) + f.right * e(Int(tree.right[i]))
        }
        return e(0)
    }

    /// One element of the path of unique splits TreeSHAP carries down (Algorithm 2's m):
    /// the layer, the share of cover that reached here when it is unknown (`zero`), whether the
    /// cell goes this way when it is known (`one`), and the weight of the subsets of this size.
    struct PathElement {
        var feature: Int
        var zero: Double
        var one: Double
        var weight: Double
    }

    /// Adds `scale ×` the tree's path-dependent Shapley values to `phi` (Algorithm 2 of
    /// Lundberg et al. 2018, as in the `shap` package's `tree_shap_recursive`).
    ///
    /// Each level of the recursion keeps its copy of the path in one buffer, right after its
    /// parent's, so a call allocates once: (depth + 2)(depth + 3)/2 elements.
    /// - Parameter goesLeft: whether the cell goes left at internal node `i`.
    public static func shap(_ tree: Tree, goesLeft: (Int) -> Bool, scale: Double = 1, into phi: inout [Double]) {
        let d = tree.depth + 2
        let capacity = (d + 1) * (d + 2) / 2 + 1
        let buffer = UnsafeMutablePointer<PathElement>.allocate(capacity: capacity)
        buffer.initialize(repeating: PathElement(feature: -1, zero: 1, one: 1, weight: 1), count: capacity)
        defer { buffer.deallocate() }
        recurse(tree, node: 0, parent: buffer, depth: 0, zero: 1, one: 1, feature: -1, goesLeft: goesLeft, scale: scale, phi: &phi)
    }

    /// One node: `parent` holds the path so far (`depth + 1` elements, the first a placeholder
    /// at the root), which this call copies after itself and extends by the split that led here.
    private static func recurse(
        _ tree: Tree, node: Int, parent: UnsafeMutablePointer<PathElement>, depth parentDepth: Int, zero: Double, one: Double,
        feature: Int, goesLeft: (Int) -> Bool, scale: Double, phi: inout [Double]
    ) {
        var depth = parentDepth
        let path = parent + depth + 1
        path.update(from: parent, count: depth + 1)
        extend(path, depth: depth, zero: zero, one: one, feature: feature)
        guard tree.feature[node] >= 0 else {
            let v = tree.value[node] * scale
            guard depth > 0 else { return }
            for i in 1...depth {
                let w = unwoundSum(path, depth: depth, index: i)
                phi[path[i].feature] += w * (path[i].one - path[i].zero) * v
            }
            return
        }
        let split = Int(tree.feature[node])
        let left = goesLeft(node)
        let (hot, cold) = left ? (Int(tree.left[node]), Int(tree.right[node])) : (Int(tree.right[node]), Int(tree.left[node]))
        let f = fractions(tree, node: node)
        let (hotZero, coldZero) = left ? (f.left, f.right) : (f.right, f.left)
        var incomingZero = 1.0
        var incomingOne = 1.0
        // A layer split on before: undo its element and redo it with both splits' fractions.
        var k = 1
        while k <= depth && path[k].feature != split { k += 1 }
        if k <= depth {
            incomingZero = path[k].zero
            incomingOne = path[k].one
            unwind(path, depth: depth, index: k)
            depth -= 1
        }
        // A branch that neither the known nor the unknown layer reaches carries no weight (and
        // would divide by zero below).
        if hotZero * incomingZero != 0 || incomingOne != 0 {
            recurse(
                tree, node: hot, parent: path, depth: depth + 1, zero: hotZero * incomingZero, one: incomingOne, feature: split,
                goesLeft: goesLeft, scale: scale, phi: &phi)
        }
        if coldZero * incomingZero != 0 {
            recurse(
                tree, node: cold, parent: path, depth: depth + 1, zero: coldZero * incomingZero, one: 0, feature: split,
                goesLeft: goesLeft, scale: scale, phi: &phi)
        }
    }

    /// Algorithm 2's EXTEND: element `depth` is the new split; the subset-size weights follow.
    private static func extend(_ path: UnsafeMutablePointer<PathElement>, depth: Int, zero: Double, one: Double, feature: Int) {
        path[depth] = PathElement(feature: feature, zero: zero, one: one, weight: depth == 0 ? 1 : 0)
        let d1 = Double(depth + 1)
        var i = depth - 1
        while i >= 0 {
            path[i + 1].weight += one * path[i].weight * Double(i + 1) / d1
            path[i].weight = zero * path[i].weight * Double(depth - i) / d1
            i -= 1
        }
    }

    /// Algorithm 2's UNWIND: removes element `index` of the `depth + 1`, undoing its effect on
    /// the weights.
    private static func unwind(_ path: UnsafeMutablePointer<PathElement>, depth: Int, index: Int) {
        let one = path[index].one
        let zero = path[index].zero
        let d1 = Double(depth + 1)
        var next = path[depth].weight
        var i = depth - 1
        while i >= 0 {
            if one != 0 {
                let kept = path[i].weight
                path[i].weight = next * d1 / (Double(i + 1) * one)
                next = kept - path[i].weight * zero * Double(depth - i) / d1
            } else {
                path[i].weight = path[i].weight * d1 / (zero * Double(depth - i))
            }
            i -= 1
        }
        for j in index..<depth {
            path[j].feature = path[j + 1].feature
            path[j].zero = path[j + 1].zero
            path[j].one = path[j + 1].one
        }
    }

    /// The total weight of the path with element `index` unwound, without changing the path.
    private static func unwoundSum(_ path: UnsafeMutablePointer<PathElement>, depth: Int, index: Int) -> Double {
        let one = path[index].one
        let zero = path[index].zero
        var next = path[depth].weight
        var total = 0.0
        var i = depth - 1
        if one != 0 {
            while i >= 0 {
                let share = next / (Double(i + 1) * one)
                total += share
                next = path[i].weight - share * zero * Double(depth - i)
                i -= 1
            }
        } else {
            while i >= 0 {
                total += path[i].weight / (zero * Double(depth - i))
                i -= 1
            }
        }
        return total * Double(depth + 1)
    }

    // MARK: - Reference

    /// The tree's exact Shapley values by their definition, enumerating every subset of the
    /// layers the tree splits on: `φ_i = Σ_S |S|! (M − |S| − 1)! / M! · (v(S ∪ {i}) − v(S))`,
    /// with `v(S)` the path-dependent expectation (known layers follow the cell, the others
    /// average their children by cover). Exponential in the number of layers; for tests.
    public static func reference(_ tree: Tree, featureCount: Int, goesLeft: (Int) -> Bool) -> [Double] {
        let used = Array(Set(tree.feature.filter { $0 >= 0 }.map(Int.init))).sorted()
        let m = used.count
        var phi = [Double](repeating: 0, count: featureCount)
        guard m > 0 else { return phi }
        let position = Dictionary(uniqueKeysWithValues: used.enumerated().map { ($0.element, $0.offset) })
        func value(_ known: Int) -> Double {
            func v(_ i: Int) -> Double {
                guard tree.feature[i] >= 0 else { return tree.value[i] }
                if known & (1 << position[Int(tree.feature[i])]!) != 0 {
                    return v(Int(goesLeft(i) ? tree.left[i] : tree.right[i]))
                }
                let f = fractions(tree, node: i)
                return f.left * v(Int(tree.left[i])) + f.right * v(Int(tree.right[i]))
            }
            return v(0)
        }
        let values = (0..<(1 << m)).map(value)
        var factorial = [1.0]
        for k in 1...m { factorial.append(factorial[k - 1] * Double(k)) }
        for (p, feature) in used.enumerated() {
            var total = 0.0
            for s in 0..<(1 << m) where s & (1 << p) == 0 {
                let size = s.nonzeroBitCount
                total += factorial[size] * factorial[m - size - 1] / factorial[m] * (values[s | (1 << p)] - values[s])
            }
            phi[feature] = total
        }
        return phi
    }
}

extension TreeEnsemble {
    /// Whether a cell with value `v` goes left at internal node `i` of `tree` (`leaf(of:)`'s step).
    @inlinable
    public func goesLeft(_ tree: Tree, node i: Int, _ v: Double) -> Bool {
        if v.isNaN { return tree.missingLeft[i] }
        return comparison == .lessOrEqual ? v <= tree.threshold[i] : v < tree.threshold[i]
    }

    fileprivate func goesLeft(_ s: TreeAttribution.Split, _ v: Double) -> Bool {
        if v.isNaN { return s.missingLeft }
        return comparison == .lessOrEqual ? v <= s.threshold : v < s.threshold
    }
}
