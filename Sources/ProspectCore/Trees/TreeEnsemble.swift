import Foundation

/// One decision tree in array form. Node 0 is the root.
///
/// An internal node has `feature[i] ≥ 0` (a layer index), `threshold[i]` and children
/// `left[i]`, `right[i]`; a leaf has `feature[i] == -1` and its output in `value[i]`. For an
/// internal node `value[i]` is the cover-weighted mean of the leaves below it (the tree's
/// expected output at that node), which path contributions need.
public struct Tree: Codable, Sendable, Equatable {
    public var feature: [Int32]
    public var threshold: [Double]
    public var left: [Int32]
    public var right: [Int32]
    /// Where a missing value (NaN) goes, for imported models; Prospect's engine never sends a
    /// missing value into a tree (a cell missing in any layer is nodata).
    public var missingLeft: [Bool]
    public var value: [Double]
    /// Training cases (or hessian sum) that reached each node, when known.
    public var cover: [Double]?

    public init(
        feature: [Int32], threshold: [Double], left: [Int32], right: [Int32],
        missingLeft: [Bool], value: [Double], cover: [Double]? = nil
    ) {
        self.feature = feature
        self.threshold = threshold
        self.left = left
        self.right = right
        self.missingLeft = missingLeft
        self.value = value
        self.cover = cover
    }

    /// A single leaf.
    public static func leaf(_ value: Double) -> Tree {
        Tree(feature: [-1], threshold: [0], left: [-1], right: [-1], missingLeft: [true], value: [value])
    }

    public var nodeCount: Int { feature.count }

    /// Longest root-to-leaf path, in splits.
    public var depth: Int {
        func d(_ i: Int) -> Int { feature[i] < 0 ? 0 : 1 + max(d(Int(left[i])), d(Int(right[i]))) }
        return d(0)
    }

    /// Checks the arrays agree and every child index is in range; nil when sound.
    public var structuralProblem: String? {
        let n = feature.count
        guard n > 0 else { return "a tree has no nodes" }
        guard threshold.count == n, left.count == n, right.count == n, missingLeft.count == n, value.count == n,
            cover.map({ $0.count == n }) ?? true
        else { return "a tree's node arrays differ in length" }
        var seen = [Bool](repeating: false, count: n)
        var stack = [0]
        while let i = stack.popLast() {
            guard !seen[i] else { return "node \(i) is reached twice" }
            seen[i] = true
            guard feature[i] >= 0 else { continue }
            for c in [Int(left[i]), Int(right[i])] {
                guard c > 0, c < n else { return "node \(i) has a child \(c) out of range" }
                stack.append(c)
            }
        }
        return nil
    }
}

/// A tree ensemble in one general form, trained by Prospect (random forest, gradient boosting)
/// or imported (LightGBM, XGBoost).
public struct TreeEnsemble: Codable, Sendable, Equatable {
    /// How the trees' outputs become a probability.
    public enum Output: String, Codable, Sendable {
        /// `p = sigmoid(base + Σ leaf)`: gradient boosting (LightGBM and XGBoost `binary:logistic`).
        case logistic
        /// `p = base + (Σ leaf) / trees`: random forest, leaves holding class-1 fractions; with
        /// `logitOffset` δ, that mean's logit shifted by δ.
        case average
    }

    /// Which way a value equal to the threshold goes.
    public enum Comparison: String, Codable, Sendable {
        /// `x ≤ threshold` goes left (LightGBM, Prospect).
        case lessOrEqual
        /// `x < threshold` goes left (XGBoost).
        case less
    }

    public var output: Output
    public var comparison: Comparison
    public var base: Double
    public var featureCount: Int
    public var trees: [Tree]
    /// Averaged ensembles: a shift δ of the averaged probability's logit,
    /// `p' = p·e^δ / (p·e^δ + 1 − p)` (calibration in the large, `TreeMethod`); 0 and 1 stay
    /// as they are. Nil, as in files written before it existed, leaves the mean as it is. A
    /// boosted ensemble has no need of it: its shift is part of `base`.
    public var logitOffset: Double?

    public init(output: Output, comparison: Comparison, base: Double, featureCount: Int, trees: [Tree], logitOffset: Double? = nil) {
        self.output = output
        self.comparison = comparison
        self.base = base
        self.featureCount = featureCount
        self.trees = trees
        self.logitOffset = logitOffset
    }

    /// `e^δ` of `logitOffset` for an averaged ensemble that has one; nil otherwise.
    public var offsetFactor: Double? {
        guard output == .average, let d = logitOffset else { return nil }
        return Foundation.exp(d)
    }

    /// An averaged probability with `logitOffset` applied (`p` itself without one).
    @inlinable
    public static func shifted(_ p: Double, factor: Double) -> Double {
        let q = p * factor
        return q / (q + (1 - p))
    }

    /// The leaf `tree` sends `x` to (the scalar definition).
    @inlinable
    public func leaf(of tree: Tree, _ x: (Int) -> Double) -> Int {
        var i = 0
        while tree.feature[i] >= 0 {
            let v = x(Int(tree.feature[i]))
            let goLeft: Bool
            if v.isNaN {
                goLeft = tree.missingLeft[i]
            } else {
                goLeft = comparison == .lessOrEqual ? v <= tree.threshold[i] : v < tree.threshold[i]
            }
            i = Int(goLeft ? tree.left[i] : tree.right[i])
        }
        return i
    }

    /// The raw sum the output function is applied to: `base + Σ leaf` (logistic: the margin).
    public func margin(_ values: [Float]) -> Double {
        var sum = 0.0
        for tree in trees { sum += tree.value[leaf(of: tree) { Double(values[$0]) }] }
        switch output {
        case .logistic: return base + sum
        case .average: return base + sum / Double(max(trees.count, 1))
        }
    }

    /// The probability for one cell: the scalar reference the fast kernels are tested against.
    public func probability(_ values: [Float]) -> Double {
        let m = margin(values)
        switch output {
        case .logistic: return 1 / (1 + Foundation.exp(-m))
        case .average: return offsetFactor.map { Self.shifted(m, factor: $0) } ?? m
        }
    }

    /// Path contributions (Saabas): for each split on the way to the leaf, the change in the
    /// node's expected value is credited to the split's layer. They sum, with the trees' root
    /// values and `base`, to `margin` (logit units for logistic ensembles, probability for
    /// averaged ones, before any `logitOffset`).
    public func contributions(_ values: [Float]) -> [Double] {
        var out = [Double](repeating: 0, count: featureCount)
        let scale = output == .average ? 1 / Double(max(trees.count, 1)) : 1
        for tree in trees {
            var i = 0
            while tree.feature[i] >= 0 {
                let f = Int(tree.feature[i])
                let v = Double(values[f])
                let goLeft =
                    v.isNaN
                    ? tree.missingLeft[i]
                    : (comparison == .lessOrEqual ? v <= tree.threshold[i] : v < tree.threshold[i])
                let next = Int(goLeft ? tree.left[i] : tree.right[i])
                out[f] += (tree.value[next] - tree.value[i]) * scale
                i = next
            }
        }
        return out
    }

    /// Checks every tree and every feature index; nil when sound.
    public var structuralProblem: String? {
        guard !trees.isEmpty else { return "the ensemble has no trees" }
        for (t, tree) in trees.enumerated() {
            if let p = tree.structuralProblem { return "tree \(t): \(p)" }
            if let f = tree.feature.first(where: { $0 >= Int32(featureCount) }) {
                return "tree \(t) splits on layer \(f), but the model has \(featureCount) layers"
            }
        }
        return nil
    }
}
