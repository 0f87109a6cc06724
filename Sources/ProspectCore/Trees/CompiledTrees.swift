import Foundation
import ProspectAVX2

/// A tree ensemble prepared for the engine: oblivious trees in a binned, byte-wide layout,
/// any other trees in a compact breadth-first node layout with `Float` thresholds.
///
/// Two fast paths, both processing a block of `TreeKernel.block` cells per pass over the trees:
/// - **oblivious** (every level of a tree splits on one layer and threshold, as Prospect grows
///   them): each layer's value is first replaced by its bin among the ensemble's thresholds on
///   that layer (a 9-ary search with SIMD compares); then the leaf index of 32 cells at once is
///   `Σ_l (bin[layer_l] > j_l) << (depth − 1 − l)` with byte compares, and the leaf values
///   (quantized to integers, so the sum is exact and in any order) are summed per cell.
/// - **general** (any tree, e.g. imported LightGBM or XGBoost models): nodes breadth-first with
///   siblings adjacent, leaves pointing at themselves, so a cell's walk is a fixed number of
///   branch-free steps `node = child + (x > τ)`; four cells walk each tree at a time.
///
/// `TreeEnsemble.probability` is the scalar definition both are tested against.
public struct CompiledTrees: Sendable {
    public enum Path: String, Sendable, CaseIterable {
        case oblivious, complete, general
    }

    public let ensemble: TreeEnsemble
    /// Per-layer nodata values (NaN means "NaN only").
    public let nodata: [Float]
    public let path: Path
    let oblivious: ObliviousLayout?
    let complete: CompleteLayout?
    let general: GeneralLayout?
    /// How the oblivious path sums leaf values: byte-plane lookups with AVX2 where the processor
    /// has it and trees are at most 6 deep, else the portable kernel.
    let leafSums: LeafSumKernel

    enum LeafSumKernel: Sendable { case portable, avx2 }

    /// Compiles `ensemble`.
    /// - Parameters:
    ///   - nodata: one missing value per layer.
    ///   - path: the layout to use; nil picks the fastest that applies: oblivious, then complete
    ///     (on AVX2 processors), then general. Asking for one that does not apply
    ///     (`problem(_:_:)`) is a programmer error.
    public init(_ ensemble: TreeEnsemble, nodata: [Float], path: Path? = nil) {
        self.init(ensemble, nodata: nodata, path: path, leafSums: nil)
    }

    /// `leafSums`: force the oblivious path's leaf-sum kernel (tests); nil picks the fastest available.
    init(_ ensemble: TreeEnsemble, nodata: [Float], path: Path?, leafSums: LeafSumKernel?) {
        precondition(ensemble.structuralProblem == nil, "compile a sound ensemble")
        precondition(nodata.count == ensemble.featureCount, "one nodata value per layer")
        self.ensemble = ensemble
        self.nodata = nodata
        let avx2 = AVX2Kernels.built && CPUFeatures.avx2
        // Each layout is built at most once: the first that applies is kept.
        var oblivious: ObliviousLayout?
        var complete: CompleteLayout?
        if let path {
            precondition(Self.problem(path, ensemble) == nil, "the \(path) path does not apply: \(Self.problem(path, ensemble)!)")
            self.path = path
            if path == .oblivious { oblivious = ObliviousLayout(ensemble) }
            if path == .complete { complete = CompleteLayout(ensemble) }
        } else if let o = ObliviousLayout(ensemble) {
            self.path = .oblivious
            oblivious = o
        } else if avx2, let c = CompleteLayout(ensemble) {
            self.path = .complete
            complete = c
        } else {
            self.path = .general
        }
        self.oblivious = oblivious
        self.complete = complete
        self.general = self.path == .general ? GeneralLayout(ensemble) : nil
        let planesFit = self.oblivious.map { !$0.leaves.score.planes.isEmpty } ?? (self.path == .complete)
        switch leafSums {
        case .avx2?:
            precondition(planesFit && avx2, "the AVX2 leaf sums need AVX2 and trees of depth ≤ 6")
            self.leafSums = .avx2
        case .portable?:
            precondition(self.path != .complete, "the complete path sums with AVX2")
            self.leafSums = .portable
        case nil:
            self.leafSums = planesFit && avx2 ? .avx2 : .portable
        }
    }

    /// Why `path` does not apply to `ensemble` on this processor, or nil when it does.
    public static func problem(_ path: Path, _ ensemble: TreeEnsemble) -> String? {
        switch path {
        case .oblivious:
            return obliviousProblem(ensemble)
        case .complete:
            guard AVX2Kernels.built && CPUFeatures.avx2 else { return "the complete path needs a processor with AVX2" }
            return CompleteLayout(ensemble) == nil
                ? "deeper than \(CompleteLayout.maxDepth) levels, more than 255 thresholds on one layer or more than 255 layers" : nil
        case .general:
            return nil
        }
    }

    /// Why the oblivious path does not apply to `ensemble`, or nil when it does.
    public static func obliviousProblem(_ ensemble: TreeEnsemble) -> String? {
        if let p = ensemble.obliviousProblem { return p }
        return ObliviousLayout(ensemble) == nil
            ? "deeper than \(ObliviousLayout.maxDepth) levels or more than 255 thresholds on one layer" : nil
    }
}

extension CompiledTrees: CellScorer {
    public var layerCount: Int { ensemble.featureCount }

    /// A forest (averaged trees) can write the trees' standard deviation; a boosted ensemble
    /// writes no extra band (see `TreeEnsemble.spread`).
    public var extraBands: [String] { ensemble.output == .average ? ["ensemble_spread"] : [] }

    /// Logit units, for boosted ensembles and forests alike (`TreeAttribution`).
    public var contributionUnit: String { "logit" }

    public func score(layers: [UnsafeBufferPointer<Float>], outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float) {
        TreeKernel.score(self, layers: layers, outputs: outputs, outputNodata: outputNodata)
    }

    /// The scalar definition, cell by cell: `TreeEnsemble.probability` (and the trees' spread
    /// for a forest's extra band).
    public func scoreReference(layers: [UnsafeBufferPointer<Float>], outputs: [UnsafeMutableBufferPointer<Float>], outputNodata: Float) {
        var values = [Float](repeating: 0, count: layerCount)
        for i in 0..<outputs[0].count {
            var valid = true
            for k in 0..<layerCount {
                let v = layers[k][i]
                if !v.isFinite || v == nodata[k] {
                    valid = false
                    break
                }
                values[k] = v
            }
            outputs[0][i] = valid ? Float(ensemble.probability(values)) : outputNodata
            if outputs.count > 1 { outputs[1][i] = valid ? Float(ensemble.spread(values)) : outputNodata }
        }
    }

    /// Path-dependent TreeSHAP values in logit units (`TreeAttribution`): they add up to the
    /// cell's logit minus the ensemble's expected logit, both before a forest's `logitOffset`.
    public func contributions(values: [Float]) -> [Double] {
        TreeAttribution(ensemble).logitContributions(values)
    }
}

/// The oblivious layout: per (tree, level) a layer and a bin threshold, leaf values quantized.
struct ObliviousLayout: Sendable {
    static let maxDepth = 8

    /// Uniform depth: shallower trees get leading levels that never go right.
    var depth: Int
    var treeCount: Int
    /// `treeCount × depth` layer indices and bin thresholds (`j − 128`: right when bin > j).
    var splitLayer: [Int32]
    var splitByte: [Int8]
    var leaves: QuantizedLeaves
    var search: BinSearch

    init?(_ ensemble: TreeEnsemble) {
        let k = ensemble.featureCount
        var perTree: [(splits: [(feature: Int32, threshold: Float)], leaves: [Double])] = []
        var thresholds = [Set<Float>](repeating: [], count: k)
        for tree in ensemble.trees {
            let o = tree.obliviousLevels()
            guard o.problem == nil, o.splits.count <= Self.maxDepth, o.leaves.allSatisfy(\.isFinite) else { return nil }
            let splits = o.splits.map { ($0.feature, FloatThreshold.right(of: $0.threshold, ensemble.comparison)) }
            for s in splits { thresholds[Int(s.0)].insert(s.1) }
            perTree.append((splits, o.leaves))
        }
        guard let search = BinSearch(thresholds) else { return nil }
        let depth = max(1, perTree.map(\.splits.count).max() ?? 1)
        let t = ensemble.trees.count
        self.depth = depth
        self.treeCount = t
        self.search = search
        let anyLayer = Int32(search.levels.firstIndex(where: { $0 > 0 }) ?? 0)
        var splitLayer = [Int32]()
        var splitByte = [Int8]()
        splitLayer.reserveCapacity(t * depth)
        splitByte.reserveCapacity(t * depth)
        for tree in perTree {
            for _ in tree.splits.count..<depth {
                splitLayer.append(anyLayer)
                splitByte.append(127)  // bin − 128 ≤ 127: never right
            }
            for s in tree.splits {
                splitLayer.append(s.feature)
                splitByte.append(search.byte(layer: Int(s.feature), threshold: s.threshold))
            }
        }
        self.splitLayer = splitLayer
        self.splitByte = splitByte
        // A tree with fewer levels than `depth` goes left first, so its leaf j sits at j.
        leaves = QuantizedLeaves(perTree.map(\.leaves), leafCount: 1 << depth, output: ensemble.output)
    }
}

/// Each layer's thresholds as bins: `bin(x) = #{τ < x}`, found by a 9-ary search tree per
/// layer (level ℓ holds 9^(ℓ−1) nodes of 8 keys, padded with +∞; 1, 2 or 3 levels for up to 8,
/// 80 and 255 thresholds). A split `x > τ_j` is then the byte compare `bin − 128 > j − 128`.
struct BinSearch: Sendable {
    /// Per layer: search levels (0 when no split uses it) and offset of its keys in `keys`.
    var levels: [Int]
    var keyOffset: [Int]
    var keys: [Float]
    /// The AVX2 search (`AVX2Kernels.bin`), per layer with 1 to 80 thresholds (else `second` is
    /// nil): 8 root keys at `8·j` of `roots`; `second[j]` keys per second-level node, stored as
    /// columns at `columnOffset[j]` (key `i` of nodes 0–7 at `8i + n`), then node 8's keys when
    /// `ninth[j]`. See `AVX2Shape`.
    var roots: [Float]
    var second: [Int?]
    var ninth: [Bool]
    var columns: [Float]
    var columnOffset: [Int]
    /// Per layer, its thresholds ascending.
    var sorted: [[Float]]

    /// nil when a layer has more than 255 thresholds (a bin must fit a byte).
    init?(_ thresholds: [Set<Float>]) {
        sorted = thresholds.map { $0.sorted() }
        guard sorted.allSatisfy({ $0.count <= 255 }) else { return nil }
        var keys: [Float] = []
        var levels: [Int] = []
        var offsets: [Int] = []
        for s in sorted {
            offsets.append(keys.count)
            guard !s.isEmpty else {
                levels.append(0)
                continue
            }
            let h = s.count <= 8 ? 1 : (s.count <= 80 ? 2 : 3)
            levels.append(h)
            var span = 1
            for _ in 0..<h { span *= 9 }  // 9^h: positions 0 ..< 9^h − 1
            var nodes = 1
            for _ in 1...h {
                let child = span / 9  // keys of a node at this level are `child` apart
                for n in 0..<nodes {
                    for i in 0..<8 {
                        let p = n * span + (i + 1) * child - 1
                        keys.append(p < s.count ? s[p] : .infinity)
                    }
                }
                nodes *= 9
                span = child
            }
        }
        self.keys = keys
        self.levels = levels
        self.keyOffset = offsets
        var roots: [Float] = []
        var second: [Int?] = []
        var ninth: [Bool] = []
        var columns: [Float] = []
        var columnOffset: [Int] = []
        for s in sorted {
            columnOffset.append(columns.count)
            guard let shape = AVX2Shape(thresholds: s.count) else {
                roots += Array(repeating: .infinity, count: 8)
                second.append(nil)
                ninth.append(false)
                continue
            }
            let width = shape.second + 1
            func key(_ position: Int) -> Float { position < s.count ? s[position] : .infinity }
            roots += (0..<8).map { i in i < shape.rootKeys ? key((i + 1) * width - 1) : .infinity }
            second.append(shape.second)
            ninth.append(shape.rootKeys == 8 && shape.second > 0)
            for i in 0..<shape.second { for n in 0..<8 { columns.append(key(n * width + i)) } }
            if ninth.last! { for i in 0..<shape.second { columns.append(key(8 * width + i)) } }
        }
        columns += Array(repeating: .infinity, count: 8)  // never empty: a base address for any layer
        self.roots = roots
        self.second = second
        self.ninth = ninth
        self.columns = columns
        self.columnOffset = columnOffset
    }

    /// The split byte of threshold `τ` on `layer`: `j − 128` with `τ` the j-th smallest.
    func byte(layer: Int, threshold: Float) -> Int8 {
        Int8(sorted[layer].firstIndex(of: threshold)! - 128)
    }
}

/// The shape of a layer's two-level search in `AVX2Kernels.bin`: `rootKeys` keys (broadcast
/// compares, common to every cell) split the thresholds into `rootKeys + 1` nodes of `second`
/// keys, each looked up per cell with one `vpermps` per key; `bin = n·(second + 1) + #{node
/// keys below x}`. Root key `i` is threshold `(i + 1)·(second + 1) − 1`, key `i` of node `n` is
/// threshold `n·(second + 1) + i`. Seven root keys give 8 nodes, which one `vpermps` indexes
/// directly; the second level is only as wide as the thresholds need (one key per 8 thresholds),
/// since those lookups are the cost.
struct AVX2Shape: Equatable {
    var rootKeys: Int
    var second: Int

    /// nil outside 1…80 thresholds.
    init?(thresholds t: Int) {
        switch t {
        case 1...8: (rootKeys, second) = (8, 0)
        case 9...71: (rootKeys, second) = (7, t / 8)  // 8 nodes × (t/8 + 1) ≥ t + 1 positions
        case 72...80: (rootKeys, second) = (8, 8)
        default: return nil
        }
    }
}

/// One table of leaf values as integers, `value ≈ q · scale`, `leafCount` per tree, with its byte
/// planes for `AVX2Kernels.sumLeafPlanes` when trees have at most 64 leaves (else empty): 256
/// bytes per tree, the low `planeCount` bytes of `q − min_t q` for each tree `t`, so that
/// `Σ_t q = planeOffset + Σ_t (q − min_t q)` in wrapping Int32 arithmetic.
struct LeafTable: Sendable {
    var values: [Int32]
    var scale: Double
    var planes: [UInt8]
    var planeCount: Int
    var planeOffset: Int32

    /// At `scale` (nil: the four-plane scale of `quantize`); three planes when `planeCount` is 3
    /// and every tree's quantized leaves span less than 2^24, else four.
    init(_ trees: [[Double]], leafCount: Int, scale given: Double? = nil, planeCount wanted: Int = 4) {
        if let given {
            (values, scale) = (QuantizedLeaves.quantize(trees, leafCount: leafCount, scale: given), given)
        } else {
            (values, scale) = QuantizedLeaves.quantize(trees, leafCount: leafCount)
        }
        let three = wanted == 3 && QuantizedLeaves.spans(values, leafCount: leafCount).allSatisfy { $0 < 1 << 24 }
        planeCount = three ? 3 : 4
        if leafCount <= 64 {
            (planes, planeOffset) = QuantizedLeaves.bytePlanes(values, leafCount: leafCount, offset: three)
        } else {
            (planes, planeOffset) = ([], 0)
        }
    }
}

/// The leaf tables of an ensemble (forests' leaves divided by the number of trees, so the sum is
/// the mean): the score's and, for forests, the squared tree outputs for the spread band.
///
/// Boosted ensembles use three byte planes when `threePlaneBudget` allows. Forests keep four: their
/// spread subtracts the squared mean from the mean square, two close numbers, so the mean must
/// keep the fine scale, and one table then serves the score and the spread.
struct QuantizedLeaves: Sendable {
    var leafCount: Int
    var score: LeafTable
    /// Forests: squared tree outputs.
    var squares: LeafTable?

    /// The largest error, in probability, that three planes may add to a boosted ensemble's
    /// score: each leaf is then off by at most `scale / 2` with `scale = max span / (2^24 − 2)`,
    /// so a sum of T trees by `T · scale / 2`, and a probability by a quarter of that through the
    /// logistic function. With the logistic's own error (under 1.6e-7, `FastMath`) and the Float
    /// output's rounding, the kernels stay within 1e-6 of the definition.
    static let threePlaneBudget = 7.5e-7

    /// - Parameter trees: each tree's leaf values in leaf-index order, at most `leafCount`
    ///   (missing ones are 0).
    init(_ trees: [[Double]], leafCount: Int, output: TreeEnsemble.Output) {
        self.leafCount = leafCount
        let share = output == .average ? 1 / Double(max(trees.count, 1)) : 1
        let shared = trees.map { $0.map { $0 * share } }
        let fine = LeafTable(shared, leafCount: leafCount)
        score = fine
        if output == .logistic, leafCount <= 64, let coarse = Self.threePlaneScale(shared, leafCount: leafCount, fine: fine.scale) {
            let three = LeafTable(shared, leafCount: leafCount, scale: coarse, planeCount: 3)
            if three.planeCount == 3 { score = three }
        }
        if output == .average { squares = LeafTable(trees.map { $0.map { $0 * $0 } }, leafCount: leafCount) }
    }

    /// Each tree's (at most 64) leaf values, byte `p` of the two's complement at `256·t + 64·p + j`.
    static func bytePlanes(_ values: [Int32], leafCount: Int) -> [UInt8] {
        bytePlanes(values, leafCount: leafCount, offset: false).planes
    }

    /// As above; with `offset`, of each value less its tree's smallest, and the sum of those
    /// smallest values (wrapping).
    static func bytePlanes(_ values: [Int32], leafCount: Int, offset: Bool) -> (planes: [UInt8], offset: Int32) {
        let trees = values.count / leafCount
        var out = [UInt8](repeating: 0, count: trees * 256)
        var total: Int32 = 0
        for t in 0..<trees {
            let leaves = values[(t * leafCount)..<((t + 1) * leafCount)]
            let low = offset ? leaves.min()! : 0
            total &+= low
            for j in 0..<leafCount {
                let u = UInt32(bitPattern: values[t * leafCount + j] &- low)
                for p in 0..<4 { out[t * 256 + 64 * p + j] = UInt8(truncatingIfNeeded: u >> UInt32(8 * p)) }
            }
        }
        return (out, total)
    }

    /// The scale at which every tree's leaves span less than 2^24 (three byte planes), when that
    /// keeps a boosted score's worst-case error within `threePlaneBudget` and the sums exact in Int32; nil
    /// if not. Never finer than `fine`, the four-plane scale.
    static func threePlaneScale(_ trees: [[Double]], leafCount: Int, fine: Double) -> Double? {
        // Missing leaves (trees with fewer levels) are 0 in the tables.
        let span =
            trees.map { t in
                let v = t.count < leafCount ? t + [0] : t
                return (v.max() ?? 0) - (v.min() ?? 0)
            }.max() ?? 0
        guard span > 0, span.isFinite else { return nil }
        let scale = max(span / Double((1 << 24) - 2), fine)
        let error = Double(trees.count) * scale / 2 / 4
        let bound = trees.reduce(0.0) { $0 + ($1.map(abs).max() ?? 0) }
        guard error <= threePlaneBudget, bound / scale < Double((1 << 31) - (1 << 20)) else { return nil }
        return scale
    }

    /// Per tree, its largest quantized leaf less its smallest.
    static func spans(_ q: [Int32], leafCount: Int) -> [Int64] {
        stride(from: 0, to: q.count, by: leafCount).map { start in
            let leaves = q[start..<(start + leafCount)]
            return Int64(leaves.max()!) - Int64(leaves.min()!)
        }
    }

    /// Integers `q` with `value ≈ q · scale` for every tree's leaves, laid out `leafCount` per tree.
    ///
    /// `scale` is a power of two chosen so that the largest possible sum, `Σ_t max |q_t|`, stays
    /// below 2^31 − 2^20: the sum of any cell's leaves is then exact in `Int32`, whatever the
    /// order. Each leaf is off by at most `scale / 2`, so a sum over T trees by `T · scale / 2`
    /// (for 100 trees whose largest leaves sum to 20: 5e-7).
    static func quantize(_ trees: [[Double]], leafCount: Int) -> ([Int32], Double) {
        let bound = trees.reduce(0.0) { $0 + ($1.map(abs).max() ?? 0) }
        var exponent = 0
        if bound > 0 {
            exponent = Int(Foundation.floor(Foundation.log2(Double((1 << 31) - (1 << 20)) / bound)))
            exponent = min(exponent, 60)
        }
        let scale = 1 / Foundation.pow(2.0, Double(exponent))
        return (quantize(trees, leafCount: leafCount, scale: scale), scale)
    }

    /// `q = round(value / scale)`, `leafCount` per tree (missing leaves 0).
    static func quantize(_ trees: [[Double]], leafCount: Int, scale: Double) -> [Int32] {
        var q = [Int32](repeating: 0, count: trees.count * leafCount)
        for (t, leaves) in trees.enumerated() {
            for (j, v) in leaves.enumerated() { q[t * leafCount + j] = Int32((v / scale).rounded()) }
        }
        return q
    }
}

/// A node of the general layout: right when `x > threshold`; children at `child`, `child + 1`.
struct GeneralNode: Sendable {
    var threshold: Float
    var feature: Int32
    var child: Int32
}

/// The general layout: every tree breadth-first with siblings adjacent; a leaf has threshold
/// +∞ and is its own child, so a fixed number of steps reaches it from the root.
struct GeneralLayout: Sendable {
    var nodes: [GeneralNode]
    /// Value of each node (0 for internal nodes); forests: divided by the number of trees.
    var values: [Double]
    /// Forests: each node's raw value, for the spread; else empty.
    var raw: [Double]
    var treeStart: [Int]
    var treeDepth: [Int]

    init(_ ensemble: TreeEnsemble) {
        var nodes: [GeneralNode] = []
        var values: [Double] = []
        var raw: [Double] = []
        var starts: [Int] = []
        var depths: [Int] = []
        let share = ensemble.output == .average ? 1 / Double(max(ensemble.trees.count, 1)) : 1
        for tree in ensemble.trees {
            let start = nodes.count
            starts.append(start)
            depths.append(tree.depth)
            // Breadth-first order: old index of each new slot; children are appended in pairs.
            var order = [0]
            var i = 0
            var local: [GeneralNode] = []
            while i < order.count {
                let old = order[i]
                if tree.feature[old] >= 0 {
                    let child = order.count
                    order.append(Int(tree.left[old]))
                    order.append(Int(tree.right[old]))
                    local.append(
                        GeneralNode(
                            threshold: FloatThreshold.right(of: tree.threshold[old], ensemble.comparison),
                            feature: tree.feature[old], child: Int32(child)))
                    values.append(0)
                    raw.append(0)
                } else {
                    local.append(GeneralNode(threshold: .infinity, feature: 0, child: Int32(i)))
                    values.append(tree.value[old] * share)
                    raw.append(tree.value[old])
                }
                i += 1
            }
            nodes += local
        }
        self.nodes = nodes
        self.values = values
        self.raw = ensemble.output == .average ? raw : []
        self.treeStart = starts
        self.treeDepth = depths
    }
}
