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
        public init(layer: String, gain: Double, share: Double) {
            self.layer = layer
            self.gain = gain
            self.share = share
        }
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

    public init(
        method: String, trees: Int, depth: Int, depositCells: Int, backgroundCells: Int, background: String,
        depositWeight: Double, auc: Double, aucKind: String, importance: [Importance],
        holdout: Double? = nil, heldOutDepositCells: Int? = nil, heldOutBackgroundCells: Int? = nil,
        heldOutAUC: Double? = nil
    ) {
        self.method = method
        self.trees = trees
        self.depth = depth
        self.depositCells = depositCells
        self.backgroundCells = backgroundCells
        self.background = background
        self.depositWeight = depositWeight
        self.auc = auc
        self.aucKind = aucKind
        self.importance = importance
        self.holdout = holdout
        self.heldOutDepositCells = heldOutDepositCells
        self.heldOutBackgroundCells = heldOutBackgroundCells
        self.heldOutAUC = heldOutAUC
    }
}

extension TreeTrainingSummary {
    /// One line on the held-out validation, for the CLI and `run.log`; nil when nothing was held out.
    public static func heldOutText(_ t: TreeTrainingSummary) -> String? {
        guard let auc = t.heldOutAUC, let d = t.heldOutDepositCells, let b = t.heldOutBackgroundCells else { return nil }
        let percent = (t.holdout ?? 0) * 100
        let share = percent == percent.rounded() ? String(Int(percent)) : String(format: "%.1f", percent)
        return
            "held-out ROC AUC \(String(format: "%.4f", auc)) on \(d) deposit and \(b) background cells kept out of training (\(share) % of each)"
    }
}
