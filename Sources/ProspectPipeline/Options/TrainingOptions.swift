import ProspectCore

/// Training options, typed per method and complete: what `TrainingSettings.options(layers:)`
/// returns once every value has been checked. `Training` and each method read nothing else.
public struct TrainingOptions: Sendable {
    /// Data-driven methods (wofe, logistic, rf, gbt) fit deposits; knowledge-driven ones
    /// (fuzzy, index) are given by the expert and only evaluated on deposits.
    public enum Method: String, Sendable, CaseIterable {
        case wofe, logistic, rf, gbt, fuzzy, index

        /// Fuzzy and index overlays are built from expert knowledge: deposits are optional and
        /// only evaluate them.
        public var isKnowledgeDriven: Bool { self == .fuzzy || self == .index }
        /// Random forests and gradient-boosted trees.
        public var growsTrees: Bool { self == .rf || self == .gbt }
    }

    public var method: Method
    public var wofe = WofEOptions()
    public var logistic = LogisticOptions()
    /// The background sample of logistic regression and trees.
    public var sampling = BackgroundSampling()
    /// Random forest and gradient boosting.
    public var trees = TreeOptions.pipelineDefault
    /// How random forest and gradient boosting hold `trees.holdout` out.
    public var treeHoldout = TreeHoldout()
    /// Fuzzy and index overlays.
    public var overlay = OverlayOptions()
    /// Worker threads of the passes over the stack and of the fit. Every method's model is the
    /// same for any number.
    public var threads = ProcessInfoCores.active

    public init(method: Method) { self.method = method }
}

/// Weights-of-evidence options.
public struct WofEOptions: Sendable, Equatable {
    /// The unit cell in km² (ArcSDM's "unit cell size").
    public var unitCellKm2: Double = 1
    /// Layers (by name) whose values are classes cumulated upwards (`x <= v`, ascending) or
    /// downwards (`x >= v`, descending) instead of thresholds at the deposits' values.
    public var cumulative: [String: CumulativeTally.Direction] = [:]
    /// The threshold of a cumulative layer's binary pattern, by layer name, instead of the
    /// largest studentized contrast.
    public var thresholds: [String: Float] = [:]
    /// Groups of class codes merged into one class, by categorical layer.
    public var groups: [String: [[Int32]]] = [:]
    /// `.unknown` treats a missing layer as unknown evidence (weight 0, missing-data variance)
    /// instead of leaving the cell out (`MissingDataRule`).
    public var missing: MissingDataRule = .nodata
    /// Deposit points or deposit cells as the deposits of a class.
    public var countDeposits: WofEDepositCount = .cells
    /// The smallest pattern the automatic cut of a continuous or cumulative layer may choose.
    public var minimum = WofEPatternMinimum(deposits: 3, areaPercent: 0)

    public init() {}
}

/// Logistic-regression options.
public struct LogisticOptions: Sendable, Equatable {
    /// L2 penalty on standardized slopes.
    public var l2: Double = 1e-3
    public init() {}
}

/// The background cells data-driven methods other than weights of evidence train against.
public struct BackgroundSampling: Sendable, Equatable {
    /// At most this many background cells (a seeded reservoir sample when there are more;
    /// 0 = all valid cells). The cap bounds memory on large grids.
    public var size: Int = 1_000_000
    /// Seeds the background sample and tree growing.
    public var seed: UInt64 = 1
    public init() {}
}

/// How random forests and gradient-boosted trees hold cells out of training to measure a
/// held-out AUC (`TreeOptions.holdout` of each class).
public struct TreeHoldout: Sendable, Equatable {
    /// `.blocks`: whole square blocks of the map, so held-out deposits are not neighbours of
    /// training ones; `.random`: cells drawn one by one.
    public var scheme: HoldoutScheme = .blocks
    /// The side of the blocks in km; nil: chosen from the deposits' spacing (`SpatialBlocks.choose`).
    public var blockKm: Double?
    public init() {}
}

/// What a knowledge-driven model is made of: the expert's expression, weights and class scores.
public struct OverlayOptions: Sendable, Equatable {
    /// Fuzzy overlay: the expression over layer names, e.g.
    /// `gamma(0.9, and(thorium, magnetics), or(fault_distance, lithology))`.
    public var expression: String?
    /// Index overlay: layer name → weight. Only the layers given a weight enter the model; when
    /// none is given, every layer weighs 1.
    public var weights: [String: Double] = [:]
    /// Layer name → class (a code, or a class name from the layer's legend) → score: the
    /// membership in [0, 1] for a fuzzy overlay, the score for an index overlay. Classes not
    /// listed score 0.
    public var classScores: [String: [String: Double]] = [:]

    public init() {}
}
