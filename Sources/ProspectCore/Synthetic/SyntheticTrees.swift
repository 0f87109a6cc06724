/// Seeded random tree ensembles for tests and benchmarks.
public enum SyntheticTrees {
    /// An ensemble of oblivious trees: each level splits on a random layer at one of
    /// `thresholdsPerLayer` thresholds spread over `range` (as a binned learner picks them).
    public static func oblivious(
        trees: Int, depth: Int, layers: Int, output: TreeEnsemble.Output = .logistic,
        comparison: TreeEnsemble.Comparison = .lessOrEqual, thresholdsPerLayer: Int = 64,
        range: ClosedRange<Double> = 0...1, seed: UInt64
    ) -> TreeEnsemble {
        var rng = SplitMix64(seed: seed)
        let grid = (0..<layers).map { _ in
            (0..<thresholdsPerLayer).map { _ in range.lowerBound + rng.nextUnit() * (range.upperBound - range.lowerBound) }
        }
        var out: [Tree] = []
        for _ in 0..<trees {
            let levels = (0..<depth).map { _ -> (Int32, Double) in
                let f = Int(rng.next() % UInt64(layers))
                return (Int32(f), grid[f][Int(rng.next() % UInt64(thresholdsPerLayer))])
            }
            var tree = Tree(feature: [], threshold: [], left: [], right: [], missingLeft: [], value: [])
            // Complete tree, breadth-first: node i has children 2i + 1 and 2i + 2.
            let internalCount = (1 << depth) - 1
            for i in 0..<(internalCount + (1 << depth)) {
                if i < internalCount {
                    var level = 0
                    while (1 << (level + 1)) - 1 <= i { level += 1 }
                    tree.feature.append(levels[level].0)
                    tree.threshold.append(levels[level].1)
                    tree.left.append(Int32(2 * i + 1))
                    tree.right.append(Int32(2 * i + 2))
                    tree.value.append(0)
                } else {
                    tree.feature.append(-1)
                    tree.threshold.append(0)
                    tree.left.append(-1)
                    tree.right.append(-1)
                    tree.value.append(leafValue(output, &rng))
                }
                tree.missingLeft.append(rng.next() & 1 == 0)
            }
            out.append(tree.withExpectedValues())
        }
        return TreeEnsemble(
            output: output, comparison: comparison, base: output == .logistic ? -2 : 0,
            featureCount: layers, trees: out)
    }

    /// An ensemble of unbalanced trees (leaves at any depth up to `depth`, every node its own
    /// layer and threshold), as gradient-boosting libraries grow them.
    ///
    /// - Parameter thresholdsPerLayer: thresholds drawn from a grid of this many values per
    ///   layer, as histogram-based libraries (LightGBM, XGBoost `hist`, at most 255 bins by
    ///   default) place them; nil draws every threshold anywhere in `range`.
    public static func general(
        trees: Int, depth: Int, layers: Int, output: TreeEnsemble.Output = .logistic,
        comparison: TreeEnsemble.Comparison = .lessOrEqual, thresholdsPerLayer: Int? = nil,
        range: ClosedRange<Double> = 0...1, seed: UInt64
    ) -> TreeEnsemble {
        var rng = SplitMix64(seed: seed)
        let grid = thresholdsPerLayer.map { m in
            (0..<layers).map { _ in (0..<m).map { _ in range.lowerBound + rng.nextUnit() * (range.upperBound - range.lowerBound) } }
        }
        var out: [Tree] = []
        for _ in 0..<trees {
            var tree = Tree(feature: [], threshold: [], left: [], right: [], missingLeft: [], value: [])
            func grow(_ level: Int) -> Int32 {
                let i = tree.feature.count
                tree.feature.append(-1)
                tree.threshold.append(0)
                tree.left.append(-1)
                tree.right.append(-1)
                tree.missingLeft.append(rng.next() & 1 == 0)
                tree.value.append(0)
                if level < depth && (level < 2 || rng.nextUnit() < 0.75) {
                    let f = Int(rng.next() % UInt64(layers))
                    tree.feature[i] = Int32(f)
                    if let grid {
                        tree.threshold[i] = grid[f][Int(rng.next() % UInt64(grid[f].count))]
                    } else {
                        tree.threshold[i] = range.lowerBound + rng.nextUnit() * (range.upperBound - range.lowerBound)
                    }
                    let l = grow(level + 1)
                    let r = grow(level + 1)
                    tree.left[i] = l
                    tree.right[i] = r
                } else {
                    tree.value[i] = leafValue(output, &rng)
                }
                return Int32(i)
            }
            _ = grow(0)
            out.append(tree.withExpectedValues())
        }
        return TreeEnsemble(
            output: output, comparison: comparison, base: output == .logistic ? -1.5 : 0,
            featureCount: layers, trees: out)
    }

    static func leafValue(_ output: TreeEnsemble.Output, _ rng: inout SplitMix64) -> Double {
        output == .logistic ? (rng.nextUnit() - 0.5) * 0.6 : rng.nextUnit()
    }
}

extension Tree {
    /// The tree with every internal node's value set to the mean of its two children's (equal
    /// cover), so path contributions are defined.
    func withExpectedValues() -> Tree {
        var t = self
        func fill(_ i: Int) -> Double {
            guard t.feature[i] >= 0 else { return t.value[i] }
            t.value[i] = (fill(Int(t.left[i])) + fill(Int(t.right[i]))) / 2
            return t.value[i]
        }
        _ = fill(0)
        return t
    }
}
