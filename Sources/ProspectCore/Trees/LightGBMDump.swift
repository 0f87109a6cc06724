import Foundation

/// Reads the JSON that LightGBM's `Booster.dump_model()` returns (written with `json.dump`)
/// into a `TreeEnsemble` that predicts exactly what `Booster.predict` does.
///
/// Supported: objective `binary` (probability `1 / (1 + exp(−sigmoid · raw))`; a `sigmoid:`
/// other than 1 scales the leaves), gradient boosting and random-forest mode
/// (`average_output`, `boosting=rf`: the raw score is the trees' mean, so every leaf is divided
/// by the number of trees), numerical splits `<=` (`.lessOrEqual`, compared in double
/// precision, as LightGBM does), and every `missing_type`. Refused with one line: multiclass
/// and other objectives, categorical splits (`==`), linear trees.
///
/// Missing values and zeros follow LightGBM's `Tree::NumericalDecision` and its dense-row
/// reader: a value with `|x| ≤ 1e-35f` (`kZeroThreshold`) is read as 0; NaN is 0 unless the
/// split's `missing_type` is `NaN`; with `missing_type` `Zero` (training with
/// `zero_as_missing`), zero and NaN go the split's default side, and with `NaN`, NaN does. When
/// the zero band would go a side that `x <= threshold` cannot express, the split becomes three
/// splits on the same feature (the subtrees below it are copied), so the ensemble keeps the
/// plain `Tree` form.
///
/// Internal node values (for path contributions) are the leaf values' means weighted by
/// `leaf_count` (training rows), not LightGBM's `internal_value`, so that they are what
/// `Tree.value` promises: the tree's expected output at the node.
public enum LightGBMDump {
    /// LightGBM's `kZeroThreshold` (`1e-35f`, a float widened to double).
    public static let zeroThreshold = Double(Float(1e-35))

    /// Parses a `dump_model()` JSON.
    /// - Throws: `TreeImportError`: not JSON, not a LightGBM dump, or a model it cannot represent.
    public static func parse(_ data: Data) throws -> ImportedTrees {
        let top = try ImportJSON.topLevel(data)
        guard let object = top as? [String: Any] else {
            if top is [Any] { throw TreeImportError("not a LightGBM dump_model() JSON (a JSON array; an XGBoost get_dump()?)") }
            throw TreeImportError("not a LightGBM dump_model() JSON (not a JSON object)")
        }
        if object["learner"] != nil {
            throw TreeImportError("this is an XGBoost model (it has \"learner\"); import it with --from xgboost")
        }
        guard object["tree_info"] != nil else {
            throw TreeImportError("not a LightGBM dump_model() JSON (no \"tree_info\"); write it with json.dump(booster.dump_model(), f)")
        }
        let dump = try ImportJSON.decode(Dump.self, from: data, what: "LightGBM dump")
        let objective = dump.objective ?? ""
        let words = objective.split(separator: " ").map(String.init)
        guard let name = words.first, name == "binary" else {
            let multi = words.first.map { $0.hasPrefix("multiclass") } ?? false
            throw TreeImportError(
                multi
                    ? "multiclass models (objective \"\(objective)\") are not supported: prospect maps one probability; train a binary model"
                    : "objective \"\(objective)\" is not supported (only \"binary\": a probability)")
        }
        guard (dump.numClass ?? 1) == 1, (dump.numTreePerIteration ?? 1) == 1 else {
            throw TreeImportError(
                "models with \(dump.numClass ?? 1) classes (\(dump.numTreePerIteration ?? 1) trees per iteration) are not supported")
        }
        var sigmoid = 1.0
        for w in words.dropFirst() where w.hasPrefix("sigmoid:") {
            guard let s = Double(w.dropFirst("sigmoid:".count)), s > 0, s.isFinite else {
                throw TreeImportError("objective \"\(objective)\": bad sigmoid parameter")
            }
            sigmoid = s
        }
        guard dump.maxFeatureIdx >= 0 else {
            throw TreeImportError("the model has no features (max_feature_idx \(dump.maxFeatureIdx))")
        }
        try ImportLimits.checkFeatures(dump.maxFeatureIdx < ImportLimits.maxFeatures, declared: "max_feature_idx \(dump.maxFeatureIdx)")
        let featureCount = dump.maxFeatureIdx + 1
        guard !dump.treeInfo.isEmpty else { throw TreeImportError("the model has no trees") }
        let average = dump.averageOutput ?? false
        let scale = sigmoid / (average ? Double(dump.treeInfo.count) : 1)

        // The nodes the file holds (not its num_leaves, which it may overstate), depth checked.
        var originalNodes = 0
        for (t, info) in dump.treeInfo.enumerated() { originalNodes += try info.treeStructure.nodeCount(tree: t) }
        // Copies made for zero-as-missing splits: refuse rather than grow without bound. Each
        // such split copies two subtrees, so nested ones double per level: the budget is
        // checked as nodes are made, not after a tree is done.
        var context = Context(featureCount: featureCount, scale: scale, nodeBudget: 8 * originalNodes + 10_000)
        var trees: [Tree] = []
        for (t, info) in dump.treeInfo.enumerated() {
            context.start(tree: t)
            _ = try context.emit(info.treeStructure)
            trees.append(context.builder.tree)
        }
        let gain = context.gain
        let defaultNames = (0..<featureCount).map { "Column_\($0)" }
        var names = dump.featureNames ?? defaultNames
        guard names.count == featureCount else {
            throw TreeImportError("malformed LightGBM dump: \(names.count) feature_names for \(featureCount) features")
        }
        let hasNames = dump.featureNames != nil && names != defaultNames
        if !hasNames { names = defaultNames }
        let ensemble = TreeEnsemble(output: .logistic, comparison: .lessOrEqual, base: 0, featureCount: featureCount, trees: trees)
        if let problem = ensemble.structuralProblem { throw TreeImportError("malformed LightGBM dump: \(problem)") }
        return ImportedTrees(
            library: "lightgbm", ensemble: ensemble, featureNames: names, hasFeatureNames: hasNames,
            gain: gain, objective: objective + (average ? " (average_output)" : ""),
            version: dump.version ?? "")
    }

    /// Emits one tree, node 0 first.
    struct Context {
        var tree = 0
        var featureCount: Int
        var scale: Double
        var builder = TreeBuilder()
        var gain: [Double]
        /// Nodes still allowed over all trees.
        var nodeBudget: Int

        init(featureCount: Int, scale: Double, nodeBudget: Int) {
            self.featureCount = featureCount
            self.scale = scale
            self.nodeBudget = nodeBudget
            gain = [Double](repeating: 0, count: featureCount)
        }

        /// Starts tree `t` with an empty builder.
        mutating func start(tree t: Int) {
            tree = t
            builder = TreeBuilder()
        }

        /// Takes `n` nodes from the budget.
        mutating func spend(_ n: Int) throws {
            nodeBudget -= n
            guard nodeBudget >= 0 else {
                throw TreeImportError(
                    "the zero-as-missing splits (missing_type Zero) would need too many nodes (tree \(tree)); retrain with zero_as_missing=false"
                )
            }
        }

        /// The subtree's leaf mean and row count, computed from the dump.
        func stats(_ node: Node) -> (value: Double, count: Double) {
            if let v = node.leafValue { return (v * scale, Double(node.count ?? 1)) }
            guard let l = node.leftChild, let r = node.rightChild else { return (0, 0) }
            let a = stats(l)
            let b = stats(r)
            let n = a.count + b.count
            return (n > 0 ? (a.value * a.count + b.value * b.count) / n : (a.value + b.value) / 2, n)
        }

        /// Emits `node` and its subtree; returns its index.
        mutating func emit(_ node: Node) throws -> Int32 {
            try spend(1)
            if let v = node.leafValue {
                if let c = node.leafCoeff, !c.isEmpty {
                    throw TreeImportError("tree \(tree): linear trees (linear_tree=true) are not supported")
                }
                return builder.leaf(v * scale, cover: Double(node.count ?? 1))
            }
            guard let f = node.splitFeature, let l = node.leftChild, let r = node.rightChild else {
                throw TreeImportError("malformed LightGBM dump: tree \(tree) has a node that is neither a leaf nor a split")
            }
            guard f >= 0, f < featureCount else {
                throw TreeImportError("malformed LightGBM dump: tree \(tree) splits on feature \(f), but the model has \(featureCount)")
            }
            let decision = node.decisionType ?? "<="
            guard decision == "<=" else {
                throw TreeImportError(
                    decision == "=="
                        ? "tree \(tree) has a categorical split (decision_type \"==\"), which is not supported; retrain with the layer as numeric codes (no categorical_feature)"
                        : "tree \(tree) has a split with decision_type \"\(decision)\", which is not supported")
            }
            guard case .number(let thr)? = node.threshold else {
                throw TreeImportError("malformed LightGBM dump: tree \(tree) has a numerical split without a numeric threshold")
            }
            gain[f] += node.splitGain ?? 0
            let k = LightGBMDump.zeroThreshold
            let defaultLeft = node.defaultLeft ?? true
            let missing = node.missingType ?? "None"
            guard ["None", "Zero", "NaN"].contains(missing) else {
                throw TreeImportError("tree \(tree) has a split with missing_type \"\(missing)\", which is not supported")
            }
            // Where the zero band (read as 0) and NaN go.
            let zeroLeft = missing == "Zero" ? defaultLeft : 0 <= thr
            let nanLeft = missing == "None" ? 0 <= thr : defaultLeft
            let (v, n) = stats(node)
            let below = (-k).nextDown  // x ≤ below ⟺ x < −k
            if thr >= k && !zeroLeft {
                // x ≤ thr goes left except the zero band, which goes right.
                try spend(2)
                let n1 = builder.split(feature: f, threshold: thr, missingLeft: true, value: v, cover: n)
                let (lv, ln) = stats(l)
                let n2 = builder.split(feature: f, threshold: below, missingLeft: false, value: lv, cover: ln)
                let n3 = builder.split(feature: f, threshold: k, missingLeft: true, value: lv, cover: ln)
                builder.link(n1, left: n2, right: try emit(r))
                builder.link(n2, left: try emit(l), right: n3)
                builder.link(n3, left: try emit(r), right: try emit(l))
                return n1
            }
            if thr < -k && zeroLeft {
                // x ≤ thr goes left, and so does the zero band.
                try spend(2)
                let n1 = builder.split(feature: f, threshold: thr, missingLeft: false, value: v, cover: n)
                let (rv, rn) = stats(r)
                let n2 = builder.split(feature: f, threshold: below, missingLeft: false, value: rv, cover: rn)
                let n3 = builder.split(feature: f, threshold: k, missingLeft: true, value: rv, cover: rn)
                builder.link(n1, left: try emit(l), right: n2)
                builder.link(n2, left: try emit(r), right: n3)
                builder.link(n3, left: try emit(l), right: try emit(r))
                return n1
            }
            // A threshold inside the zero band moves to its edge on the side zero goes.
            let t = thr >= k || thr < -k ? thr : (zeroLeft ? k : below)
            let i = builder.split(feature: f, threshold: t, missingLeft: nanLeft, value: v, cover: n)
            builder.link(i, left: try emit(l), right: try emit(r))
            return i
        }
    }

    struct Dump: Decodable {
        var version: String?
        var numClass: Int?
        var numTreePerIteration: Int?
        var maxFeatureIdx: Int
        var objective: String?
        var averageOutput: Bool?
        var featureNames: [String]?
        var treeInfo: [TreeInfo]

        enum CodingKeys: String, CodingKey {
            case version, objective
            case numClass = "num_class", numTreePerIteration = "num_tree_per_iteration", maxFeatureIdx = "max_feature_idx"
            case averageOutput = "average_output", featureNames = "feature_names", treeInfo = "tree_info"
        }
    }

    struct TreeInfo: Decodable {
        var numLeaves: Int?
        var treeStructure: Node

        enum CodingKeys: String, CodingKey { case numLeaves = "num_leaves", treeStructure = "tree_structure" }
    }

    /// A threshold: a number for numerical splits, "1||3||5" for categorical ones.
    enum Threshold: Decodable {
        case number(Double)
        case text(String)

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            // A probe: a number, else the text form (categorical "1||2"), whose failure is reported.
            if let d = try? c.decode(Double.self) { self = .number(d) } else { self = .text(try c.decode(String.self)) }
        }
    }

    final class Node: Decodable {
        var splitFeature: Int?
        var splitGain: Double?
        var threshold: Threshold?
        var decisionType: String?
        var defaultLeft: Bool?
        var missingType: String?
        var leftChild: Node?
        var rightChild: Node?
        var leafValue: Double?
        /// Training rows: `leaf_count` of a leaf, `internal_count` of a split.
        var count: Int?
        var leafCoeff: [Double]?

        enum CodingKeys: String, CodingKey {
            case threshold
            case splitFeature = "split_feature", splitGain = "split_gain", decisionType = "decision_type"
            case defaultLeft = "default_left", missingType = "missing_type", leftChild = "left_child", rightChild = "right_child"
            case leafValue = "leaf_value", leafCount = "leaf_count", internalCount = "internal_count", leafCoeff = "leaf_coeff"
        }

        /// The nodes of this subtree.
        /// - Throws: `TreeImportError` when it is more than `ImportLimits.maxDepth` levels deep.
        func nodeCount(tree: Int, depth: Int = 0) throws -> Int {
            try ImportLimits.checkDepth(depth, tree: tree)
            let l = try leftChild?.nodeCount(tree: tree, depth: depth + 1) ?? 0
            let r = try rightChild?.nodeCount(tree: tree, depth: depth + 1) ?? 0
            return 1 + l + r
        }

        required init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            splitFeature = try c.decodeIfPresent(Int.self, forKey: .splitFeature)
            splitGain = try c.decodeIfPresent(Double.self, forKey: .splitGain)
            threshold = try c.decodeIfPresent(Threshold.self, forKey: .threshold)
            decisionType = try c.decodeIfPresent(String.self, forKey: .decisionType)
            defaultLeft = try c.decodeIfPresent(Bool.self, forKey: .defaultLeft)
            missingType = try c.decodeIfPresent(String.self, forKey: .missingType)
            leftChild = try c.decodeIfPresent(Node.self, forKey: .leftChild)
            rightChild = try c.decodeIfPresent(Node.self, forKey: .rightChild)
            leafValue = try c.decodeIfPresent(Double.self, forKey: .leafValue)
            count = try c.decodeIfPresent(Int.self, forKey: .leafCount) ?? c.decodeIfPresent(Int.self, forKey: .internalCount)
            leafCoeff = try c.decodeIfPresent([Double].self, forKey: .leafCoeff)
        }
    }
}
