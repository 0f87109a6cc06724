import Foundation

extension TreeLearner {
    /// What a held-out part of the training sample says about a grown ensemble.
    public struct HeldOut: Sendable, Equatable {
        /// Rows of the given sample kept out of training, ascending.
        public var rows: [Int]
        public var deposits: Int
        public var background: Int
        /// ROC AUC of the ensemble's probability on `rows` (ties count half).
        public var auc: Double
    }

    /// The rows to keep out of training: `fraction` of the deposit rows and `fraction` of the
    /// background rows (each rounded to the nearest whole row), drawn without replacement by
    /// a partial Fisher–Yates shuffle seeded by `seed` (a stream of its own, apart from the
    /// trees'). Stratifying by class keeps the deposits' share the same on both sides.
    ///
    /// The draw depends only on the labels, the fraction and the seed: a forest and a boosted
    /// ensemble trained with one seed on one sample hold out the same rows, so their held-out
    /// AUCs compare like with like.
    /// - Returns: the held-out rows, ascending; nil when either class would be left with no
    ///   row on one side (too few deposits to hold any out).
    public static func holdoutRows(labels: [Bool], fraction: Double, seed: UInt64) -> [Int]? {
        guard fraction > 0, fraction < 1 else { return nil }
        var rng = SplitMix64(seed: seed ^ 0x486F_6C64_4F75_7421)
        var held: [Int] = []
        for positive in [true, false] {
            var rows = labels.indices.filter { labels[$0] == positive }
            let count = Int((fraction * Double(rows.count)).rounded())
            guard count >= 1, count < rows.count else { return nil }
            for i in 0..<count { rows.swapAt(i, i + Int(rng.next() % UInt64(rows.count - i))) }
            held += rows[0..<count]
        }
        return held.sorted()
    }

    /// `fit` with `options.holdout` of each class kept out (`holdoutRows`): the ensemble grows
    /// (and bins its layers) on the other rows only, then scores the held-out rows with
    /// `TreeEnsemble.probability`. The ensemble returned is the one measured, trained without
    /// the held-out rows. The prior correction counts the rows held out of both classes, so the
    /// probabilities stay per cell. When there are too few deposits to hold any out, the fit
    /// uses every row and `heldOut` is nil.
    static func fitHoldingOut(
        _ method: Method, columns: [[Float]], labels: [Bool], options: TreeOptions,
        backgroundFraction: Double, seed: UInt64
    ) -> Fit {
        var inner = options
        inner.holdout = 0
        guard let held = holdoutRows(labels: labels, fraction: options.holdout, seed: seed) else {
            return fit(method, columns: columns, labels: labels, options: inner, backgroundFraction: backgroundFraction, seed: seed)
        }
        var isHeld = [Bool](repeating: false, count: labels.count)
        for r in held { isHeld[r] = true }
        let train = labels.indices.filter { !isHeld[$0] }
        let positives = labels.filter { $0 }.count
        let negatives = labels.count - positives
        let trainPositives = train.filter { labels[$0] }.count
        let trainNegatives = train.count - trainPositives
        // The training rows hold a share of each class's population: of the background,
        // backgroundFraction · trainNegatives / negatives; of the deposits, trainPositives / positives.
        let fraction = backgroundFraction * (Double(trainNegatives) / Double(negatives)) / (Double(trainPositives) / Double(positives))
        var result = fit(
            method, columns: columns.map { c in train.map { c[$0] } }, labels: train.map { labels[$0] },
            options: inner, backgroundFraction: fraction, seed: seed)
        let ensemble = result.ensemble
        let scores = parallelMap(held.count, threads: options.threads) { j in
            ensemble.probability(columns.map { $0[held[j]] })
        }
        let heldLabels = held.map { labels[$0] }
        let deposits = heldLabels.filter { $0 }.count
        result.heldOut = HeldOut(
            rows: held, deposits: deposits, background: held.count - deposits,
            auc: auc(scores: scores, labels: heldLabels))
        return result
    }
}
