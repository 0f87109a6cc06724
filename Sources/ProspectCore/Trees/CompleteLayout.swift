/// The complete layout, for any tree of at most 6 levels (LightGBM or XGBoost trees grown with a
/// depth limit, Prospect's own): every tree padded to a complete tree, a leaf above the bottom
/// becoming nodes that always go left down to the bottom level, where it keeps its value.
///
/// Level ℓ of a tree is a table of its 2^ℓ nodes (a layer and a bin threshold byte each), so the
/// AVX2 kernel (`AVX2Kernels.completeIndices`) finds the node of 32 cells at once with byte
/// shuffles, and each cell's bin on that node's layer with byte blends over the layers the level
/// uses; the leaf index is built like the oblivious path's. The values are summed as there.
struct CompleteLayout: Sendable {
    static let maxDepth = 6
    /// Bytes per tree in `nodeLayer` and `nodeByte`: levels 0–4 take 16 bytes each, level 5 32.
    static let tableBytes = 112

    var treeCount: Int
    /// Per tree, its levels (0 for a single leaf).
    var depth: [UInt8]
    /// Per tree 112 bytes: level ℓ's node `n` at `16ℓ + n`.
    var nodeLayer: [UInt8]
    var nodeByte: [Int8]
    /// The distinct layers tested at level ℓ of tree t: `used[usedStart[6t + ℓ] ..< usedStart[6t + ℓ + 1]]`.
    var usedStart: [Int32]
    var used: [UInt8]
    var leaves: QuantizedLeaves
    var search: BinSearch

    /// nil when a tree is deeper than 6 levels, a layer has more than 255 thresholds, there are
    /// more than 255 layers or a leaf is not finite.
    init?(_ ensemble: TreeEnsemble) {
        guard ensemble.featureCount <= 255 else { return nil }
        var thresholds = [Set<Float>](repeating: [], count: ensemble.featureCount)
        for tree in ensemble.trees {
            guard tree.depth <= Self.maxDepth, tree.value.allSatisfy(\.isFinite) else { return nil }
            for i in tree.feature.indices where tree.feature[i] >= 0 {
                thresholds[Int(tree.feature[i])].insert(FloatThreshold.right(of: tree.threshold[i], ensemble.comparison))
            }
        }
        guard let search = BinSearch(thresholds) else { return nil }
        self.search = search
        treeCount = ensemble.trees.count
        depth = []
        nodeLayer = []
        nodeByte = []
        usedStart = [0]
        used = []
        var perTree: [[Double]] = []
        for tree in ensemble.trees {
            let d = tree.depth
            var layer = [UInt8](repeating: 0, count: Self.tableBytes)
            var byte = [Int8](repeating: 127, count: Self.tableBytes)  // bin − 128 ≤ 127: never right
            var levelLayers = [[UInt8]](repeating: [], count: Self.maxDepth)
            var values = [Double](repeating: 0, count: 1 << d)
            func place(_ node: Int, level: Int, position: Int) {
                if tree.feature[node] >= 0 {
                    let f = Int(tree.feature[node])
                    layer[16 * level + position] = UInt8(f)
                    byte[16 * level + position] = search.byte(
                        layer: f, threshold: FloatThreshold.right(of: tree.threshold[node], ensemble.comparison))
                    if !levelLayers[level].contains(UInt8(f)) { levelLayers[level].append(UInt8(f)) }
                    place(Int(tree.left[node]), level: level + 1, position: 2 * position)
                    place(Int(tree.right[node]), level: level + 1, position: 2 * position + 1)
                } else {
                    // Padded levels below go left: the leaf ends at its leftmost bottom descendant.
                    values[position << (d - level)] = tree.value[node]
                }
            }
            place(0, level: 0, position: 0)
            // A padded node's layer is the level's first (any bin compares ≤ 127).
            for level in 0..<d {
                if levelLayers[level].isEmpty { levelLayers[level] = [0] }
                for n in 0..<(1 << level) where byte[16 * level + n] == 127 && layer[16 * level + n] == 0 {
                    layer[16 * level + n] = levelLayers[level][0]
                }
            }
            for level in 0..<Self.maxDepth {
                used += level < d ? levelLayers[level] : []
                usedStart.append(Int32(used.count))
            }
            depth.append(UInt8(d))
            nodeLayer += layer
            nodeByte += byte
            perTree.append(values)
        }
        used.append(0)  // never read; keeps the buffer non-empty when every tree is a leaf
        leaves = QuantizedLeaves(perTree, leafCount: 1 << Self.maxDepth, output: ensemble.output)
    }
}
