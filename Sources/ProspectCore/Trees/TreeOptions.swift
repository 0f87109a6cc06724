/// Settings for growing a random forest or gradient-boosted trees.
public struct TreeOptions: Sendable, Equatable {
    public var trees = 100
    /// Levels per tree (oblivious trees: `2^depth` leaves), 1 to 8.
    public var depth = 6
    /// Boosting: shrinkage applied to every tree's leaf values.
    public var learningRate = 0.1
    /// Boosting: L2 penalty on leaf values (the λ of `−G / (H + λ)`).
    public var l2 = 1.0
    /// A split's gain in a leaf counts only when both children get at least this many training
    /// cells (boosting: cells in the row sample; forests: draws of the bootstrap).
    public var minSamplesLeaf = 5
    /// Boosting: … and at least this much hessian (Σ w·p·(1 − p)) on each side.
    public var minHessianLeaf = 1e-3
    /// Boosting: the fraction of cells each tree sees (a seeded Bernoulli sample per tree).
    public var rowSample = 0.8
    /// The fraction of layers a tree (boosting) or a level (forests) may split on; nil means
    /// all layers for boosting and √(layers) of them for forests (Breiman 2001).
    public var layerFraction: Double?
    /// Histogram bins per layer (at most 255).
    public var maxBins = 255
    /// The weight of each deposit cell, each background cell weighing 1; nil means balanced:
    /// `background cells / deposit cells`, so both classes weigh the same in total.
    public var depositWeight: Double?
    /// Worker threads. The result is the same for every thread count.
    public var threads = ProcessInfoCores.active
    /// Pipeline: leave out of the background sample every cell within this many metres of a
    /// deposit; nil draws the background from every valid non-deposit cell.
    public var excludeBuffer: Double?
    /// The fraction of the deposit cells and of the background cells (each class on its own, a
    /// seeded draw) kept out of training to measure a held-out ROC AUC (`TreeLearner.holdoutRows`);
    /// 0 trains on every cell. `TreeLearner.fit` defaults to 0; `prospect train` and study files
    /// to `defaultHoldout`.
    public var holdout = 0.0

    /// The held-out fraction `prospect train --method rf|gbt` and study files use unless told.
    public static let defaultHoldout = 0.25

    /// The options the pipeline starts from: the learner's defaults with `defaultHoldout`.
    public static var pipelineDefault: TreeOptions {
        var o = TreeOptions()
        o.holdout = defaultHoldout
        return o
    }

    public init() {}
}
