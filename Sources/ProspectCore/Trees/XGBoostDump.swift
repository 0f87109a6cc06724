import Foundation

/// Reads the JSON model that XGBoost's `Booster.save_model("model.json")` writes into a
/// `TreeEnsemble` that predicts what `Booster.predict` does.
///
/// This is the format read, not the `get_dump(dump_format="json")` text dump, which leaves out
/// `base_score` and so cannot reproduce predictions (it is refused with a hint).
///
/// Supported: objectives `binary:logistic` and `reg:logistic` (`p = sigmoid(margin)`), the
/// `gbtree` booster with any `num_parallel_tree` (every tree is summed), numerical splits
/// (`x < split_condition` goes left: `.less`; conditions are float32 and compared with the
/// float32 input exactly), missing values (NaN) sent to `default_left`. `base_score` is a
/// probability for these objectives, stored as `"5E-1"` or, since XGBoost 3.1, `"[5E-1]"`; the
/// ensemble's `base` is its logit, computed in float32 as XGBoost does. Refused with one line:
/// multiclass and multi-target models, other objectives, `dart` and `gblinear` boosters,
/// categorical splits.
///
/// Internal node values (for path contributions) are the leaf values' means weighted by
/// `sum_hessian` (the cover), the node means XGBoost's own `pred_contribs=True,
/// approx_contribs=True` uses: `TreeEnsemble.contributions` then equals XGBoost's approximate
/// (Saabas) contributions.
public enum XGBoostDump {
    /// Parses a `save_model` JSON.
    /// - Throws: `TreeImportError`: not JSON, not an XGBoost JSON model, or a model it cannot
    ///   represent.
    public static func parse(_ data: Data) throws -> ImportedTrees {
        let top = try ImportJSON.topLevel(data)
        if let array = top as? [Any] {
            let looksLikeDump = array.first.map { ($0 as? [String: Any])?["nodeid"] != nil || $0 is String } ?? false
            throw TreeImportError(
                looksLikeDump
                    ? "this is an XGBoost get_dump() text dump, which has no base_score; write the model with booster.save_model(\"model.json\")"
                    : "not an XGBoost JSON model (a JSON array)")
        }
        guard let object = top as? [String: Any] else { throw TreeImportError("not an XGBoost JSON model (not a JSON object)") }
        if object["tree_info"] != nil {
            throw TreeImportError("this is a LightGBM dump (it has \"tree_info\"); import it with --from lightgbm")
        }
        guard object["learner"] != nil else {
            throw TreeImportError("not an XGBoost JSON model (no \"learner\"); write it with booster.save_model(\"model.json\")")
        }
        let file = try ImportJSON.decode(File.self, from: data, what: "XGBoost model")
        let learner = file.learner
        let objective = learner.objective.name
        let numClass = Int(learner.learnerModelParam.numClass ?? "0") ?? 0
        let numTarget = Int(learner.learnerModelParam.numTarget ?? "1") ?? 1
        guard !objective.hasPrefix("multi:"), numClass <= 1 else {
            throw TreeImportError(
                "multiclass models (objective \"\(objective)\", \(numClass) classes) are not supported: prospect maps one probability; train a binary:logistic model"
            )
        }
        guard numTarget <= 1 else { throw TreeImportError("multi-target models (\(numTarget) targets) are not supported") }
        guard objective == "binary:logistic" || objective == "reg:logistic" else {
            throw TreeImportError("objective \"\(objective)\" is not supported (only binary:logistic and reg:logistic: a probability)")
        }
        let booster = learner.gradientBooster
        guard booster.name == "gbtree", let model = booster.model else {
            throw TreeImportError("booster \"\(booster.name)\" is not supported (only gbtree)")
        }
        guard let featureCount = Int(learner.learnerModelParam.numFeature), featureCount > 0 else {
            throw TreeImportError("malformed XGBoost model: num_feature \"\(learner.learnerModelParam.numFeature)\"")
        }
        try ImportLimits.checkFeatures(featureCount <= ImportLimits.maxFeatures, declared: "num_feature \(featureCount)")
        guard !model.trees.isEmpty else { throw TreeImportError("the model has no trees") }
        if let info = model.treeInfo, info.contains(where: { $0 != 0 }) {
            throw TreeImportError("the model has trees for more than one output group; only one probability is supported")
        }
        let text = learner.learnerModelParam.baseScore.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
        guard !text.contains(","), let baseScore = Float(text), baseScore > 0, baseScore < 1 else {
            throw TreeImportError("base_score \"\(learner.learnerModelParam.baseScore)\" is not one probability between 0 and 1")
        }
        // XGBoost's ProbToMargin, in float32.
        let base = Double(-Foundation.log(1 / baseScore - 1))

        var gain = [Double](repeating: 0, count: featureCount)
        var trees: [Tree] = []
        for (t, tree) in model.trees.enumerated() {
            trees.append(try convert(tree, index: t, featureCount: featureCount, gain: &gain))
        }
        let defaultNames = (0..<featureCount).map { "f\($0)" }
        let given = learner.featureNames ?? []
        guard given.isEmpty || given.count == featureCount else {
            throw TreeImportError("malformed XGBoost model: \(given.count) feature_names for \(featureCount) features")
        }
        let ensemble = TreeEnsemble(output: .logistic, comparison: .less, base: base, featureCount: featureCount, trees: trees)
        if let problem = ensemble.structuralProblem { throw TreeImportError("malformed XGBoost model: \(problem)") }
        var warnings: [String] = []
        if let best = learner.attributes?["best_iteration"] {
            warnings.append("the model records best_iteration \(best); all \(trees.count) trees are used, as Booster.predict does")
        }
        return ImportedTrees(
            library: "xgboost", ensemble: ensemble, featureNames: given.isEmpty ? defaultNames : given,
            hasFeatureNames: !given.isEmpty, gain: gain, objective: objective,
            version: file.version?.map(String.init).joined(separator: ".") ?? "", warnings: warnings)
    }

    /// One tree in Prospect's form: reachable nodes only, in depth-first order.
    static func convert(_ t: JSONTree, index: Int, featureCount: Int, gain: inout [Double]) throws -> Tree {
        let n = t.leftChildren.count
        guard n > 0, t.rightChildren.count == n, t.splitIndices.count == n, t.splitConditions.count == n,
            t.defaultLeft.count == n, t.sumHessian.map({ $0.count == n }) ?? true,
            t.lossChanges.map({ $0.count == n }) ?? true, t.splitType.map({ $0.count == n || $0.isEmpty }) ?? true
        else {
            throw TreeImportError("malformed XGBoost model: tree \(index)'s node arrays differ in length")
        }
        if let leafSize = t.treeParam?.sizeLeafVector, let s = Int(leafSize), s > 1 {
            throw TreeImportError("tree \(index) has vector leaves (size_leaf_vector \(s)), which are not supported")
        }
        if let types = t.splitType, let i = types.indices.first(where: { types[$0] != 0 && t.leftChildren[$0] != -1 }) {
            throw TreeImportError(
                "tree \(index) has a categorical split (node \(i)), which is not supported; retrain with the layer as numeric codes (no enable_categorical)"
            )
        }
        func isLeaf(_ i: Int) -> Bool { t.leftChildren[i] == -1 }
        func child(_ c: Int) throws -> Int {
            guard c > 0, c < n else { throw TreeImportError("malformed XGBoost model: tree \(index) has a child \(c) out of range") }
            return c
        }
        // Cover-weighted leaf means, bottom up.
        var mean = [Double](repeating: 0, count: n)
        var weight = [Double](repeating: 0, count: n)
        var visits = 0
        func fill(_ i: Int, depth: Int) throws {
            visits += 1
            guard visits <= n else { throw TreeImportError("malformed XGBoost model: tree \(index) is not a tree") }
            try ImportLimits.checkDepth(depth, tree: index)
            let h = max(t.sumHessian?[i] ?? 1, 0)
            if isLeaf(i) {
                mean[i] = Double(Float(t.splitConditions[i]))
                weight[i] = h
                return
            }
            let l = try child(t.leftChildren[i])
            let r = try child(t.rightChildren[i])
            try fill(l, depth: depth + 1)
            try fill(r, depth: depth + 1)
            let w = weight[l] + weight[r]
            mean[i] = w > 0 ? (mean[l] * weight[l] + mean[r] * weight[r]) / w : (mean[l] + mean[r]) / 2
            weight[i] = w
        }
        try fill(0, depth: 0)
        var b = TreeBuilder()
        func emit(_ i: Int) throws -> Int32 {
            if isLeaf(i) { return b.leaf(mean[i], cover: weight[i]) }
            let f = t.splitIndices[i]
            guard f >= 0, f < featureCount else {
                throw TreeImportError("malformed XGBoost model: tree \(index) splits on feature \(f), but the model has \(featureCount)")
            }
            gain[f] += t.lossChanges?[i] ?? 0
            let node = b.split(
                feature: f, threshold: Double(Float(t.splitConditions[i])), missingLeft: t.defaultLeft[i],
                value: mean[i], cover: weight[i])
            b.link(node, left: try emit(t.leftChildren[i]), right: try emit(t.rightChildren[i]))
            return node
        }
        _ = try emit(0)
        return b.tree
    }

    struct File: Decodable {
        var learner: Learner
        var version: [Int]?
    }

    struct Learner: Decodable {
        var attributes: [String: String]?
        var featureNames: [String]?
        var gradientBooster: Booster
        var learnerModelParam: ModelParam
        var objective: Objective

        enum CodingKeys: String, CodingKey {
            case attributes, objective
            case featureNames = "feature_names", gradientBooster = "gradient_booster", learnerModelParam = "learner_model_param"
        }
    }

    struct Booster: Decodable {
        var name: String
        /// Read only for `gbtree`: other boosters store other things.
        var model: Model?

        enum CodingKeys: String, CodingKey { case name, model }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            model = name == "gbtree" ? try c.decode(Model.self, forKey: .model) : nil
        }
    }

    struct Model: Decodable {
        var treeInfo: [Int]?
        var trees: [JSONTree]

        enum CodingKeys: String, CodingKey { case trees, treeInfo = "tree_info" }
    }

    struct ModelParam: Decodable {
        var baseScore: String
        var numClass: String?
        var numFeature: String
        var numTarget: String?

        enum CodingKeys: String, CodingKey {
            case baseScore = "base_score", numClass = "num_class", numFeature = "num_feature", numTarget = "num_target"
        }
    }

    struct Objective: Decodable { var name: String }

    struct TreeParam: Decodable {
        var sizeLeafVector: String?
        enum CodingKeys: String, CodingKey { case sizeLeafVector = "size_leaf_vector" }
    }

    struct JSONTree: Decodable {
        var leftChildren: [Int]
        var rightChildren: [Int]
        var splitIndices: [Int]
        var splitConditions: [Double]
        var defaultLeft: [Bool]
        var sumHessian: [Double]?
        var lossChanges: [Double]?
        var splitType: [Int]?
        var treeParam: TreeParam?

        enum CodingKeys: String, CodingKey {
            case leftChildren = "left_children", rightChildren = "right_children", splitIndices = "split_indices"
            case splitConditions = "split_conditions", defaultLeft = "default_left", sumHessian = "sum_hessian"
            case lossChanges = "loss_changes", splitType = "split_type", treeParam = "tree_param"
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            leftChildren = try c.decode([Int].self, forKey: .leftChildren)
            rightChildren = try c.decode([Int].self, forKey: .rightChildren)
            splitIndices = try c.decode([Int].self, forKey: .splitIndices)
            splitConditions = try c.decode([Double].self, forKey: .splitConditions)
            // 0/1 in current versions, true/false in some older ones: a probe of the first shape;
            // the second's failure is reported.
            if let ints = try? c.decode([Int].self, forKey: .defaultLeft) {
                defaultLeft = ints.map { $0 != 0 }
            } else {
                defaultLeft = try c.decode([Bool].self, forKey: .defaultLeft)
            }
            sumHessian = try c.decodeIfPresent([Double].self, forKey: .sumHessian)
            lossChanges = try c.decodeIfPresent([Double].self, forKey: .lossChanges)
            splitType = try c.decodeIfPresent([Int].self, forKey: .splitType)
            treeParam = try c.decodeIfPresent(TreeParam.self, forKey: .treeParam)
        }
    }
}
