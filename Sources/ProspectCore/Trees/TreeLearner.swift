import Dispatch
import Foundation

/// Grows random forests and gradient-boosted ensembles of oblivious trees on binned layers.
///
/// **Oblivious trees.** Every level of a tree splits all its nodes on one layer and threshold,
/// chosen level by level as the split with the largest gain summed over the level's nodes
/// (CatBoost's symmetric trees: Prokhorenkova et al. 2018). A tree of depth d is then d
/// (layer, threshold) pairs and 2^d leaf values, which the engine scores with SIMD compares and
/// one table look-up per tree (`CompiledTrees`), the layout that makes 100 trees fast enough for
/// whole grids. The price is some flexibility per tree, which boosting and bagging recover.
///
/// **Gradient boosting** (Friedman 2001; Newton steps as in XGBoost, Chen & Guestrin 2016) for
/// the class-weighted binary logistic loss: per tree, gradients `g = w(p − y)` and hessians
/// `h = w·p(1 − p)` over a seeded row sample; a level's gain is
/// `Σ_nodes G_L²/(H_L + λ) + G_R²/(H_R + λ) − G²/(H + λ)`; leaf values `−η·G/(H + λ)`.
///
/// **Random forest** (Breiman 2001): per tree a bootstrap sample (n draws with replacement) and
/// at each level √(layers) candidate layers; the gain is the class-weighted Gini decrease,
/// computed as the weighted variance reduction of the 0/1 label,
/// `Σ_nodes S_L²/W_L + S_R²/W_R − S²/W` (S: weighted deposits, W: weight); a leaf holds its
/// weighted deposit fraction. Out-of-bag cells give an honest AUC.
///
/// **Class weights.** Deposits are rare: by default each deposit cell weighs
/// `background cells / deposit cells`, so both classes weigh the same in total.
///
/// **From the weighted sample to a per-cell probability.** With deposit weight `w` and a
/// background sample holding a fraction `f` of the background population, the weighted-sample
/// log-odds exceed the per-cell log-odds by `log w − log f` (the prior correction of King &
/// Zeng 2001, as for logistic regression here). Boosting subtracts it from the base score;
/// a forest maps each leaf's fraction q to `sigmoid(logit q + log f − log w)`, so each tree is
/// a per-cell probability estimate and the forest their mean. With balanced weights the
/// correction is `log(deposit cells / background population)`, the prior log-odds.
///
/// **Determinism.** Every random choice comes from `SplitMix64` seeded by (seed, tree). Work
/// is split only where the result cannot change: boosting builds each layer's histograms on
/// its own thread (each summed in row order) and updates rows in disjoint ranges; a forest
/// grows whole trees in parallel and merges their out-of-bag votes in tree order. The model is
/// bit-identical for every thread count.
public enum TreeLearner {
    public enum Method: String, Sendable, CaseIterable {
        case randomForest = "rf"
        case gradientBoosting = "gbt"
    }

    /// A grown ensemble and what training measured.
    public struct Fit: Sendable {
        public var ensemble: TreeEnsemble
        public var bins: FeatureBins
        /// Total split gain per layer.
        public var gain: [Double]
        /// ROC AUC: out of bag (forests) or on the training sample (boosting).
        public var auc: Double
        public var aucKind: String
        public var depositWeight: Double
        /// Deepest tree grown.
        public var depth: Int
        /// The prior correction applied, `log f − log w` (King & Zeng 2001): added to the base
        /// score (boosting) or to each leaf's logit (forests).
        public var priorCorrection: Double = 0
        /// The cells kept out of training and the ensemble's ROC AUC on them, when
        /// `options.holdout` > 0 (`fit`'s holdout path).
        public var heldOut: HeldOut? = nil
    }

    /// Grows an ensemble.
    /// - Parameters:
    ///   - columns: one array of values per layer, all valid, `labels.count` long.
    ///   - labels: true for deposit cells.
    ///   - backgroundFraction: the background sample's share of the background population it was
    ///     drawn from (1 when it is all of it), for the prior correction.
    ///   - groups: each row's group (a spatial block): with `options.holdout` > 0, whole groups
    ///     are held out (`groupHoldoutRows`); nil draws rows one by one (`holdoutRows`).
    ///   - seed: every random choice derives from it.
    public static func fit(
        _ method: Method, columns: [[Float]], labels: [Bool], options: TreeOptions,
        backgroundFraction: Double = 1, groups: [Int]? = nil, seed: UInt64
    ) -> Fit {
        precondition(!columns.isEmpty && columns.allSatisfy { $0.count == labels.count }, "one value per sample and layer")
        precondition((1...ObliviousLayout.maxDepth).contains(options.depth), "depth 1 to 8")
        precondition(options.trees >= 1, "at least one tree")
        let positives = labels.filter { $0 }.count
        let negatives = labels.count - positives
        precondition(positives > 0 && negatives > 0, "deposits and background both present")
        if options.holdout > 0 {
            return fitHoldingOut(
                method, columns: columns, labels: labels, options: options,
                backgroundFraction: backgroundFraction, groups: groups, seed: seed)
        }
        let bins = FeatureBins(columns: columns, maxBins: options.maxBins)
        let data = Data(
            bins: bins, columns: columns, labels: labels, options: options,
            depositWeight: options.depositWeight ?? Double(negatives) / Double(positives))
        // Weighted-sample log-odds minus per-cell log-odds: log w − log f.
        let correction = log(backgroundFraction) - log(data.depositWeight)
        switch method {
        case .gradientBoosting: return boost(data, correction: correction, seed: seed)
        case .randomForest: return forest(data, correction: correction, seed: seed)
        }
    }

    /// The training sample, binned, with per-row weights.
    struct Data: Sendable {
        let bins: FeatureBins
        let binned: [[UInt8]]
        let labels: [Bool]
        let weights: [Double]
        let options: TreeOptions
        let depositWeight: Double
        var rows: Int { labels.count }
        var layers: Int { binned.count }

        init(bins: FeatureBins, columns: [[Float]], labels: [Bool], options: TreeOptions, depositWeight: Double) {
            self.bins = bins
            self.binned = bins.binned(columns)
            self.labels = labels
            self.weights = labels.map { $0 ? depositWeight : 1 }
            self.options = options
            self.depositWeight = depositWeight
        }
    }

    // MARK: gradient boosting

    static func boost(_ d: Data, correction: Double, seed: UInt64) -> Fit {
        let o = d.options
        let n = d.rows
        let k = d.layers
        let positiveWeight = d.weights.enumerated().reduce(0.0) { $0 + (d.labels[$1.offset] ? $1.element : 0) }
        let base = log(positiveWeight / (d.weights.reduce(0, +) - positiveWeight))
        var margin = [Double](repeating: base, count: n)
        var g = [Double](repeating: 0, count: n)
        var h = [Double](repeating: 0, count: n)
        var leaf = [UInt8](repeating: 0, count: n)
        var gain = [Double](repeating: 0, count: k)
        var trees: [Tree] = []
        var deepest = 0
        let allowedCount = max(1, min(k, Int((Double(k) * (o.layerFraction ?? 1)).rounded(.up))))
        for t in 0..<o.trees {
            var rng = SplitMix64(seed: treeSeed(seed, t))
            // Gradients and hessians of the weighted logistic loss at the current margins.
            margin.withUnsafeBufferPointer { m in
                g.withUnsafeMutableBufferPointer { gp in
                    h.withUnsafeMutableBufferPointer { hp in
                        let shared = UnsafeTransfer((m, gp, hp))
                        parallelRanges(n, threads: o.threads) { range in
                            let (m, g, h) = shared.value
                            for i in range {
                                let p = 1 / (1 + exp(-m[i]))
                                let w = d.weights[i]
                                g[i] = w * (p - (d.labels[i] ? 1 : 0))
                                h[i] = w * p * (1 - p)
                            }
                        }
                    }
                }
            }
            // Row sample and allowed layers for this tree.
            var sample: [Int32] = []
            sample.reserveCapacity(Int(Double(n) * o.rowSample) + 16)
            for i in 0..<n where o.rowSample >= 1 || rng.nextUnit() < o.rowSample { sample.append(Int32(i)) }
            if sample.isEmpty { sample = [0] }
            let allowed = chooseLayers(k, count: allowedCount, &rng)
            for i in 0..<n { leaf[i] = 0 }
            var splits: [(layer: Int, bin: Int)] = []
            let (rows, gradients, hessians) = (sample, g, h)
            for level in 0..<o.depth {
                let nodes = 1 << level
                let current = leaf
                let results = parallelMap(allowed.count, threads: o.threads) { a -> (gain: Double, bin: Int) in
                    bestBoostSplit(d, layer: allowed[a], nodes: nodes, sample: rows, leaf: current, g: gradients, h: hessians)
                }
                var best = (gain: 0.0, layer: -1, bin: -1)
                for (a, r) in results.enumerated() where r.gain > best.gain { best = (r.gain, allowed[a], r.bin) }
                guard takeSplit(d, best, gain: &gain, splits: &splits, leaf: &leaf) else { break }
            }
            // Newton leaf values over the sample.
            let leaves = 1 << splits.count
            var G = [Double](repeating: 0, count: leaves)
            var H = [Double](repeating: 0, count: leaves)
            for i in sample {
                G[Int(leaf[Int(i)])] += g[Int(i)]
                H[Int(leaf[Int(i)])] += h[Int(i)]
            }
            let values = (0..<leaves).map { -o.learningRate * G[$0] / (H[$0] + o.l2) }
            margin.withUnsafeMutableBufferPointer { m in
                let shared = UnsafeTransfer(m)
                leaf.withUnsafeBufferPointer { lp in
                    let leafShared = UnsafeTransfer(lp)
                    parallelRanges(n, threads: o.threads) { range in
                        for i in range { shared.value[i] += values[Int(leafShared.value[i])] }
                    }
                }
            }
            trees.append(obliviousTree(d, splits: splits, leaves: values, cover: H))
            deepest = max(deepest, splits.count)
        }
        let ensemble = TreeEnsemble(
            output: .logistic, comparison: .lessOrEqual, base: base + correction,
            featureCount: k, trees: trees)
        return Fit(
            ensemble: ensemble, bins: d.bins, gain: gain, auc: auc(scores: margin, labels: d.labels),
            aucKind: "training", depositWeight: d.depositWeight, depth: deepest, priorCorrection: correction)
    }

    /// The best threshold on one layer for boosting: (gain summed over nodes, bin), gain 0 when none.
    static func bestBoostSplit(
        _ d: Data, layer: Int, nodes: Int, sample: [Int32], leaf: [UInt8],
        g: [Double], h: [Double]
    ) -> (gain: Double, bin: Int) {
        let o = d.options
        let b = d.bins.binCount(layer)
        guard b > 1 else { return (0, -1) }
        var histogram = SplitHistogram<Int32>(nodes: nodes, bins: b)
        let column = d.binned[layer]
        column.withUnsafeBufferPointer { col in
            leaf.withUnsafeBufferPointer { lf in
                for i32 in sample {
                    let i = Int(i32)
                    let slot = Int(lf[i]) * b + Int(col[i])
                    histogram.first[slot] += g[i]
                    histogram.second[slot] += h[i]
                    histogram.count[slot] += 1
                }
            }
        }
        // first: gradients G, second: hessians H.
        let gains = histogram.thresholdGains { node in
            node.first * node.first / (node.second + o.l2)
        } split: { parent, l, r in
            guard Int(l.count) >= o.minSamplesLeaf, Int(r.count) >= o.minSamplesLeaf,
                l.second >= o.minHessianLeaf, r.second >= o.minHessianLeaf
            else { return nil }
            return l.first * l.first / (l.second + o.l2) + r.first * r.first / (r.second + o.l2) - parent
        }
        return bestOf(gains)
    }

    // MARK: random forest

    static func forest(_ d: Data, correction: Double, seed: UInt64) -> Fit {
        let o = d.options
        let n = d.rows
        let k = d.layers
        let candidates = max(
            1,
            min(
                k,
                o.layerFraction.map { Int((Double(k) * $0).rounded(.up)) }
                    ?? Int(Double(k).squareRoot().rounded())))
        var trees: [Tree] = []
        var gain = [Double](repeating: 0, count: k)
        var oobSum = [Double](repeating: 0, count: n)
        var oobCount = [Int32](repeating: 0, count: n)
        var deepest = 0
        var next = 0
        // Whole trees in parallel, a batch of `threads` at a time, merged in tree order.
        while next < o.trees {
            let batch = min(max(o.threads, 1), o.trees - next)
            let first = next
            let grown = parallelMap(batch, threads: o.threads) { j in
                growForestTree(d, candidates: candidates, correction: correction, seed: treeSeed(seed, first + j))
            }
            for r in grown {
                trees.append(r.tree)
                for l in 0..<k { gain[l] += r.gain[l] }
                deepest = max(deepest, r.depth)
                for i in 0..<n where !r.inBag[i] {
                    oobSum[i] += r.values[Int(r.leaf[i])]
                    oobCount[i] += 1
                }
            }
            next += batch
        }
        var scores: [Double] = []
        var labels: [Bool] = []
        for i in 0..<n where oobCount[i] > 0 {
            scores.append(oobSum[i] / Double(oobCount[i]))
            labels.append(d.labels[i])
        }
        let ensemble = TreeEnsemble(output: .average, comparison: .lessOrEqual, base: 0, featureCount: k, trees: trees)
        return Fit(
            ensemble: ensemble, bins: d.bins, gain: gain, auc: auc(scores: scores, labels: labels),
            aucKind: "out-of-bag", depositWeight: d.depositWeight, depth: deepest, priorCorrection: correction)
    }

    struct ForestTree: Sendable {
        var tree: Tree
        var gain: [Double]
        var depth: Int
        var inBag: [Bool]
        var leaf: [UInt8]
        var values: [Double]
    }

    static func growForestTree(_ d: Data, candidates: Int, correction: Double, seed: UInt64) -> ForestTree {
        let o = d.options
        let n = d.rows
        let k = d.layers
        var rng = SplitMix64(seed: seed)
        var draws = [UInt32](repeating: 0, count: n)
        for _ in 0..<n { draws[Int(rng.next() % UInt64(n))] += 1 }
        var bag: [Int32] = []
        for i in 0..<n where draws[i] > 0 { bag.append(Int32(i)) }
        let w = (0..<n).map { d.weights[$0] * Double(draws[$0]) }
        var leaf = [UInt8](repeating: 0, count: n)
        var gain = [Double](repeating: 0, count: k)
        var splits: [(layer: Int, bin: Int)] = []
        for level in 0..<o.depth {
            let nodes = 1 << level
            var best = (gain: 0.0, layer: -1, bin: -1)
            for layer in chooseLayers(k, count: candidates, &rng).sorted() {
                let r = bestForestSplit(d, layer: layer, nodes: nodes, bag: bag, draws: draws, w: w, leaf: leaf)
                if r.gain > best.gain { best = (r.gain, layer, r.bin) }
            }
            guard takeSplit(d, best, gain: &gain, splits: &splits, leaf: &leaf) else { break }
        }
        let leaves = 1 << splits.count
        var W = [Double](repeating: 0, count: leaves)
        var S = W
        for i32 in bag {
            let i = Int(i32)
            W[Int(leaf[i])] += w[i]
            if d.labels[i] { S[Int(leaf[i])] += w[i] }
        }
        // Weighted deposit fraction per leaf; an empty leaf takes its nearest non-empty ancestor's.
        var fractions = [Double](repeating: .nan, count: leaves)
        var levelW = W
        var levelS = S
        var width = leaves
        var ancestors: [[Double]] = []
        while true {
            ancestors.append((0..<width).map { levelW[$0] > 0 ? levelS[$0] / levelW[$0] : .nan })
            if width == 1 { break }
            width /= 2
            levelW = (0..<width).map { levelW[2 * $0] + levelW[2 * $0 + 1] }
            levelS = (0..<width).map { levelS[2 * $0] + levelS[2 * $0 + 1] }
        }
        for j in 0..<leaves {
            var q = Double.nan
            var up = 0
            while q.isNaN && up < ancestors.count {
                q = ancestors[up][j >> up]
                up += 1
            }
            fractions[j] = q.isNaN ? 0 : q
        }
        // Each leaf as a per-cell probability (prior correction).
        let factor = exp(correction)
        let values = fractions.map { q in q * factor / (q * factor + (1 - q)) }
        return ForestTree(
            tree: obliviousTree(d, splits: splits, leaves: values, cover: W), gain: gain, depth: splits.count,
            inBag: draws.map { $0 > 0 }, leaf: leaf, values: values)
    }

    /// The best threshold on one layer for a forest: (weighted Gini decrease over nodes, bin).
    static func bestForestSplit(
        _ d: Data, layer: Int, nodes: Int, bag: [Int32], draws: [UInt32], w: [Double],
        leaf: [UInt8]
    ) -> (gain: Double, bin: Int) {
        let b = d.bins.binCount(layer)
        guard b > 1 else { return (0, -1) }
        var histogram = SplitHistogram<UInt32>(nodes: nodes, bins: b)
        let column = d.binned[layer]
        for i32 in bag {
            let i = Int(i32)
            let slot = Int(leaf[i]) * b + Int(column[i])
            histogram.first[slot] += w[i]
            if d.labels[i] { histogram.second[slot] += w[i] }
            histogram.count[slot] += draws[i]
        }
        // first: weight W, second: deposit weight S.
        let minimum = UInt32(max(d.options.minSamplesLeaf, 0))
        let gains = histogram.thresholdGains { node in
            node.first > 0 ? node.second * node.second / node.first : nil
        } split: { parent, l, r in
            guard l.count >= minimum, r.count >= minimum, l.first > 0, r.first > 0 else { return nil }
            return l.second * l.second / l.first + r.second * r.second / r.first - parent
        }
        return bestOf(gains)
    }

    // MARK: shared

    /// Two sums and a count for each (node, bin) of one layer, at `node · bins + bin`: what a
    /// split search over that layer's thresholds needs.
    struct SplitHistogram<Count: FixedWidthInteger> {
        /// The sums of one node, or of the part of it on one side of a threshold.
        struct Sums {
            var first = 0.0
            var second = 0.0
            var count: Count = 0
        }

        let nodes: Int
        let bins: Int
        var first: [Double]
        var second: [Double]
        var count: [Count]

        init(nodes: Int, bins: Int) {
            self.nodes = nodes
            self.bins = bins
            first = [Double](repeating: 0, count: nodes * bins)
            second = first
            count = [Count](repeating: 0, count: nodes * bins)
        }

        /// The gain of each threshold `j` (bins ≤ j left, the rest right), summed over nodes.
        ///
        /// - Parameters:
        ///   - parent: the term of a whole node, subtracted from each of its splits; nil leaves
        ///     the node out.
        ///   - split: the gain of one node's split from (parent term, left sums, right sums);
        ///     nil when the split is not allowed.
        /// - Returns: `bins − 1` gains.
        func thresholdGains(parent: (Sums) -> Double?, split: (Double, Sums, Sums) -> Double?) -> [Double] {
            var gains = [Double](repeating: 0, count: bins - 1)
            for node in 0..<nodes {
                let row = node * bins
                var total = Sums()
                for j in 0..<bins {
                    total.first += first[row + j]
                    total.second += second[row + j]
                    total.count += count[row + j]
                }
                guard let parentTerm = parent(total) else { continue }
                var left = Sums()
                for j in 0..<(bins - 1) {
                    left.first += first[row + j]
                    left.second += second[row + j]
                    left.count += count[row + j]
                    let right = Sums(first: total.first - left.first, second: total.second - left.second, count: total.count - left.count)
                    if let gain = split(parentTerm, left, right) { gains[j] += gain }
                }
            }
            return gains
        }
    }

    /// The largest gain and its bin (the first on ties); (0, −1) when none is positive.
    static func bestOf(_ gains: [Double]) -> (gain: Double, bin: Int) {
        var best = (gain: 0.0, bin: -1)
        for (j, v) in gains.enumerated() where v > best.gain { best = (v, j) }
        return best
    }

    /// Takes a level's best split unless it gains nothing: adds its gain to its layer's, appends
    /// it to `splits` and moves the rows down (`descend`). False when the tree stops growing.
    static func takeSplit(
        _ d: Data, _ best: (gain: Double, layer: Int, bin: Int), gain: inout [Double], splits: inout [(layer: Int, bin: Int)],
        leaf: inout [UInt8]
    ) -> Bool {
        guard best.layer >= 0, best.gain > 1e-12 else { return false }
        gain[best.layer] += best.gain
        splits.append((best.layer, best.bin))
        descend(d, layer: best.layer, bin: best.bin, leaf: &leaf)
        return true
    }

    /// Moves every row one level down: `leaf = 2·leaf + (bin > j)`.
    static func descend(_ d: Data, layer: Int, bin: Int, leaf: inout [UInt8]) {
        let column = d.binned[layer]
        let j = UInt8(bin)
        for i in 0..<d.rows { leaf[i] = leaf[i] &* 2 &+ (column[i] > j ? 1 : 0) }
    }

    /// A complete tree in `Tree` form: level ℓ splits on `splits[ℓ]` (x ≤ edge goes left);
    /// internal values are cover-weighted means of their children.
    static func obliviousTree(_ d: Data, splits: [(layer: Int, bin: Int)], leaves: [Double], cover: [Double]) -> Tree {
        let depth = splits.count
        let internalCount = (1 << depth) - 1
        let total = internalCount + leaves.count
        var value = [Double](repeating: 0, count: total)
        var weight = [Double](repeating: 0, count: total)
        var feature = [Int32](repeating: -1, count: total)
        var threshold = [Double](repeating: 0, count: total)
        var left = [Int32](repeating: -1, count: total)
        var right = [Int32](repeating: -1, count: total)
        for j in 0..<leaves.count {
            value[internalCount + j] = leaves[j]
            weight[internalCount + j] = cover[j]
        }
        for i in stride(from: internalCount - 1, through: 0, by: -1) {
            var level = 0
            while (1 << (level + 1)) - 1 <= i { level += 1 }
            let (l, r) = (2 * i + 1, 2 * i + 2)
            feature[i] = Int32(splits[level].layer)
            threshold[i] = Double(d.bins.edges[splits[level].layer][splits[level].bin])
            left[i] = Int32(l)
            right[i] = Int32(r)
            weight[i] = weight[l] + weight[r]
            value[i] = weight[i] > 0 ? (weight[l] * value[l] + weight[r] * value[r]) / weight[i] : (value[l] + value[r]) / 2
        }
        return Tree(
            feature: feature, threshold: threshold, left: left, right: right,
            missingLeft: [Bool](repeating: true, count: total), value: value, cover: weight)
    }

    /// `count` distinct layers of `0..<k`, drawn with `rng` (partial Fisher–Yates).
    static func chooseLayers(_ k: Int, count: Int, _ rng: inout SplitMix64) -> [Int] {
        guard count < k else { return Array(0..<k) }
        var all = Array(0..<k)
        for i in 0..<count { all.swapAt(i, i + Int(rng.next() % UInt64(k - i))) }
        return Array(all[0..<count]).sorted()
    }

    /// The seed of tree `t`: SplitMix64's output for (seed, t), so trees draw independent streams.
    static func treeSeed(_ seed: UInt64, _ t: Int) -> UInt64 {
        var r = SplitMix64(seed: seed ^ (UInt64(t) &* 0x9E37_79B9_7F4A_7C15))
        return r.next()
    }

    /// ROC AUC of `scores` for positives against negatives, ties counted half (Mann–Whitney).
    public static func auc(scores: [Double], labels: [Bool]) -> Double {
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0
        var positives = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let rank = Double(i + j) / 2 + 1
            for m in i...j where labels[order[m]] {
                rankSum += rank
                positives += 1
            }
            i = j + 1
        }
        let negatives = Double(order.count) - positives
        guard positives > 0, negatives > 0 else { return .nan }
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives)
    }

    /// Runs `body` over `threads` contiguous ranges of `0..<n` (one range when threads ≤ 1).
    static func parallelRanges(_ n: Int, threads: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let workers = max(1, min(threads, n / 4096 + 1))
        if workers == 1 {
            body(0..<n)
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { w in body((n * w / workers)..<(n * (w + 1) / workers)) }
    }

    /// `(0..<count).map(body)` on up to `threads` workers; results in index order.
    static func parallelMap<T: Sendable>(_ count: Int, threads: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let workers = max(1, min(threads, count))
        if workers == 1 { return (0..<count).map(body) }
        let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        let shared = UnsafeTransfer(results)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for i in (count * w / workers)..<(count * (w + 1) / workers) { shared.value[i] = body(i) }
        }
        return results.map { $0! }
    }
}
