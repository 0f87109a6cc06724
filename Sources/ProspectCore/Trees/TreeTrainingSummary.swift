/// What training a tree ensemble saw and decided, kept in the model file.
public struct TreeTrainingSummary: Codable, Sendable, Equatable {
    /// One layer's share of the ensemble's total split gain.
    public struct Importance: Codable, Sendable, Equatable {
        public var layer: String
        /// Total gain of the splits on this layer (loss reduction for boosting, class-weighted
        /// Gini decrease for forests).
        public var gain: Double
        /// `gain` as a fraction of all layers' gain.
        public var share: Double
    }

    /// "rf" or "gbt".
    public var method: String
    public var trees: Int
    /// Deepest tree, in levels (oblivious trees: every leaf at that depth).
    public var depth: Int
    /// Training sample: the deposit cells and background cells the trees grew on (held-out
    /// cells not included).
    public var depositCells: Int
    public var backgroundCells: Int
    /// How the background was drawn ("random", or "random, excluding 500 m around deposits").
    public var background: String
    /// Weight of each deposit cell (each background cell weighs 1).
    public var depositWeight: Double
    /// ROC AUC on the training sample: out of bag for forests (each cell scored by the trees
    /// that did not see it), in sample for boosting.
    public var auc: Double
    /// "out-of-bag" or "training".
    public var aucKind: String
    /// Layers, strongest first.
    public var importance: [Importance]
    /// The fraction of each class held out of training (`TreeOptions.holdout`); nil in files
    /// written before held-out validation, and when nothing was held out.
    public var holdout: Double?
    /// Cells held out of training, by class; nil when none were.
    public var heldOutDepositCells: Int?
    public var heldOutBackgroundCells: Int?
    /// ROC AUC of the model on the held-out cells, which it never saw; nil when none were held out.
    public var heldOutAUC: Double?
    /// How cells were held out: "blocks" (whole square blocks of the map) or "random" (cell by
    /// cell); nil when none were, and in files written before spatial holdouts (random).
    public var holdoutScheme: String?
    /// The side of the blocks held out, in km, and how many were.
    public var holdoutBlockKm: Double?
    public var heldOutBlocks: Int?
}

extension TreeTrainingSummary {
    /// The summary of an ensemble grown by `TreeLearner.fit`.
    ///
    /// The sample sizes count the cells trained on (held-out cells left out); the layers are
    /// ranked by total split gain, ties by name.
    /// - Parameters:
    ///   - method: "rf" or "gbt".
    ///   - layers: the layer names, in the order of `fit.gain`.
    ///   - depositCells: the deposit cells given to `fit`, held-out ones included.
    ///   - backgroundCells: the background cells given to `fit`, held-out ones included.
    ///   - background: how the background was drawn.
    ///   - holdout: `TreeOptions.holdout`, kept when cells were held out.
    ///   - blockKm: the side of the blocks held out in km, when `fit` held out groups.
    public init(
        method: String, fit: TreeLearner.Fit, layers: [String], depositCells: Int, backgroundCells: Int, background: String,
        holdout: Double, blockKm: Double? = nil
    ) {
        let total = fit.gain.reduce(0, +)
        let importance = zip(layers, fit.gain)
            .map { Importance(layer: $0.0, gain: $0.1, share: total > 0 ? $0.1 / total : 0) }
            .sorted { ($0.gain, $1.layer) > ($1.gain, $0.layer) }
        let held = fit.heldOut
        self.init(
            method: method, trees: fit.ensemble.trees.count, depth: fit.depth,
            depositCells: depositCells - (held?.deposits ?? 0), backgroundCells: backgroundCells - (held?.background ?? 0),
            background: background, depositWeight: fit.depositWeight, auc: fit.auc, aucKind: fit.aucKind,
            importance: importance, holdout: held.map { _ in holdout }, heldOutDepositCells: held?.deposits,
            heldOutBackgroundCells: held?.background, heldOutAUC: held?.auc,
            holdoutScheme: held.map { $0.groups == nil ? "random" : "blocks" },
            holdoutBlockKm: held?.groups == nil ? nil : blockKm, heldOutBlocks: held?.groups)
    }

    /// One line on the held-out validation, for the CLI and `run.log`; nil when nothing was held out.
    public static func heldOutText(_ t: TreeTrainingSummary) -> String? {
        guard let auc = t.heldOutAUC, let d = t.heldOutDepositCells, let b = t.heldOutBackgroundCells else { return nil }
        let percent = (t.holdout ?? 0) * 100
        let share = percent == percent.rounded() ? String(Int(percent)) : String(format: "%.1f", percent)
        if t.holdoutScheme == "blocks", let blocks = t.heldOutBlocks {
            let km = t.holdoutBlockKm.map { String(format: "%g", ($0 * 1000).rounded() / 1000) } ?? "?"
            return
                "held-out ROC AUC \(String(format: "%.4f", auc)) on \(d) deposit and \(b) background cells in \(blocks) spatial blocks of \(km) km kept out of training (about \(share) % of each)"
        }
        return
            "held-out ROC AUC \(String(format: "%.4f", auc)) on \(d) deposit and \(b) background cells kept out of training (\(share) % of each)"
    }
}
