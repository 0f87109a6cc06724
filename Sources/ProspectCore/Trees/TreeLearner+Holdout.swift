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
        /// Groups (spatial blocks) held out whole, when the rows were held out by group.
        public var groups: Int? = nil
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

    /// The rows to keep out of training by whole groups (spatial blocks), so that no held-out
    /// row has a training row of its group beside it: about `fraction` of the deposit rows and
    /// of the background rows.
    ///
    /// Groups holding deposit rows, in a seeded shuffled order, are held out until at least
    /// `round(fraction · deposit rows)` (at least 1) deposit rows are; then other groups, in a
    /// seeded shuffled order, until at least `round(fraction · background rows)` background
    /// rows are (counting those of the deposit groups). The draw depends only on the labels,
    /// the groups, the fraction and the seed.
    /// - Parameter groups: each row's group (any integers).
    /// - Returns: the held-out rows, ascending, and the number of groups held out; nil when
    ///   either class would be left with no row on one side.
    public static func groupHoldoutRows(labels: [Bool], groups: [Int], fraction: Double, seed: UInt64) -> (rows: [Int], groups: Int)? {
        precondition(groups.count == labels.count, "one group per row")
        guard fraction > 0, fraction < 1 else { return nil }
        var rng = SplitMix64(seed: seed ^ 0x426C_6F63_6B48_6F6C)
        var members: [Int: [Int]] = [:]
        for (row, g) in groups.enumerated() { members[g, default: []].append(row) }
        let positives = labels.filter { $0 }.count
        let negatives = labels.count - positives
        let withDeposits = members.keys.filter { g in members[g]!.contains { labels[$0] } }.sorted()
        let without = members.keys.filter { g in !members[g]!.contains { labels[$0] } }.sorted()
        func shuffled(_ a: [Int]) -> [Int] {
            var a = a
            for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            return a
        }
        var held: [Int] = []
        var heldGroups = 0
        var heldPositives = 0
        var heldNegatives = 0
        let wantPositives = max(1, Int((fraction * Double(positives)).rounded()))
        let wantNegatives = max(1, Int((fraction * Double(negatives)).rounded()))
        for g in shuffled(withDeposits) where heldPositives < wantPositives {
            let p = members[g]!.filter { labels[$0] }.count
            guard heldPositives + p < positives else { continue }  // leave deposits to train on
            held += members[g]!
            heldGroups += 1
            heldPositives += p
            heldNegatives += members[g]!.count - p
        }
        for g in shuffled(without) where heldNegatives < wantNegatives {
            held += members[g]!
            heldGroups += 1
            heldNegatives += members[g]!.count
        }
        guard heldPositives >= 1, heldPositives < positives, heldNegatives >= 1, heldNegatives < negatives else { return nil }
        return (held.sorted(), heldGroups)
    }

    /// `fit` with `options.holdout` of each class kept out (`holdoutRows`, or `groupHoldoutRows`
    /// with groups): the ensemble grows
    /// (and bins its layers) on the other rows only, then scores the held-out rows with
    /// `TreeEnsemble.probability`. The ensemble returned is the one measured, trained without
    /// the held-out rows. The prior correction counts the rows held out of both classes, so the
    /// probabilities stay per cell. When there are too few deposits to hold any out, the fit
    /// uses every row and `heldOut` is nil.
    static func fitHoldingOut(
        _ method: Method, columns: [[Float]], labels: [Bool], options: TreeOptions,
        backgroundFraction: Double, groups: [Int]?, seed: UInt64
    ) -> Fit {
        var inner = options
        inner.holdout = 0
        let drawn: (rows: [Int], groups: Int?)? =
            if let groups {
                groupHoldoutRows(labels: labels, groups: groups, fraction: options.holdout, seed: seed).map { ($0.rows, $0.groups) }
            } else {
                holdoutRows(labels: labels, fraction: options.holdout, seed: seed).map { ($0, nil) }
            }
        guard let (held, heldGroups) = drawn else {
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
            auc: auc(scores: scores, labels: heldLabels), groups: heldGroups)
        return result
    }
}
