import Foundation
import Testing

@testable import ProspectCore

@Suite("Held-out validation of grown trees")
struct TreeHoldoutTests {
    static func options(holdout: Double, threads: Int = 2) -> TreeOptions {
        var o = TreeOptions()
        o.trees = 15
        o.depth = 4
        o.threads = threads
        o.holdout = holdout
        return o
    }

    @Test("the draw: the asked share of each class, seeded, ascending")
    func draw() throws {
        let labels = (0..<1000).map { $0 % 25 == 0 }  // 40 deposits, 960 background
        let rows = try #require(TreeLearner.holdoutRows(labels: labels, fraction: 0.25, seed: 3))
        #expect(rows.filter { labels[$0] }.count == 10)
        #expect(rows.filter { !labels[$0] }.count == 240)
        #expect(rows == rows.sorted() && Set(rows).count == rows.count)
        #expect(TreeLearner.holdoutRows(labels: labels, fraction: 0.25, seed: 3) == rows)
        #expect(TreeLearner.holdoutRows(labels: labels, fraction: 0.25, seed: 4) != rows)
        // Too few deposits to hold one out and keep one in: no draw.
        #expect(TreeLearner.holdoutRows(labels: [true, false, false, false], fraction: 0.25, seed: 1) == nil)
        #expect(TreeLearner.holdoutRows(labels: [true, true, false, false, false], fraction: 0, seed: 1) == nil)
    }

    @Test("the draw by groups: whole groups, about the asked share of each class, seeded")
    func groupDraw() throws {
        // 1000 rows in 50 groups of 20 (a group is a spatial block); deposits in 12 of them.
        let groups = (0..<1000).map { $0 / 20 }
        let labels = (0..<1000).map { $0 / 20 % 4 == 0 && $0 % 20 < 1 + ($0 / 80) % 3 }
        let positives = labels.filter { $0 }.count
        let (rows, count) = try #require(TreeLearner.groupHoldoutRows(labels: labels, groups: groups, fraction: 0.25, seed: 3))
        let held = Set(rows)
        // Every group is held out whole or not at all.
        for g in 0..<50 {
            let members = (0..<1000).filter { groups[$0] == g }
            #expect(members.allSatisfy(held.contains) || !members.contains(where: held.contains), "group \(g) split")
        }
        #expect(Set(rows.map { groups[$0] }).count == count)
        // At least the asked share of each class, and less than one more group's worth.
        let heldPositives = rows.filter { labels[$0] }.count
        let want = Int((0.25 * Double(positives)).rounded())
        #expect(heldPositives >= want && heldPositives < want + 3 && heldPositives < positives)
        let heldNegatives = rows.count - heldPositives
        #expect(heldNegatives >= 240 && heldNegatives < 240 + 20)
        #expect(rows == rows.sorted())
        #expect(TreeLearner.groupHoldoutRows(labels: labels, groups: groups, fraction: 0.25, seed: 3)?.rows == rows)
        #expect(TreeLearner.groupHoldoutRows(labels: labels, groups: groups, fraction: 0.25, seed: 4)?.rows != rows)
        // All deposits in one group: holding it out would leave none to train on.
        let one = (0..<100).map { $0 < 5 }
        #expect(TreeLearner.groupHoldoutRows(labels: one, groups: (0..<100).map { $0 / 10 }, fraction: 0.25, seed: 1) == nil)
    }

    @Test("fit with groups holds out whole groups and says how many", arguments: TreeLearner.Method.allCases)
    func fitWithGroups(method: TreeLearner.Method) throws {
        let (columns, labels) = TreeLearnerTests.interaction(cells: 4000, seed: 8)
        let groups = (0..<4000).map { $0 / 100 }
        let fit = TreeLearner.fit(method, columns: columns, labels: labels, options: Self.options(holdout: 0.25), groups: groups, seed: 5)
        let held = try #require(fit.heldOut)
        let drawn = try #require(TreeLearner.groupHoldoutRows(labels: labels, groups: groups, fraction: 0.25, seed: 5))
        #expect(held.rows == drawn.rows && held.groups == drawn.groups)
        let scores = held.rows.map { r in fit.ensemble.probability(columns.map { $0[r] }) }
        #expect(TreeLearner.auc(scores: scores, labels: held.rows.map { labels[$0] }) == held.auc)
        let summary = TreeTrainingSummary(
            method: method.rawValue, fit: fit, layers: ["a", "b", "c"], depositCells: labels.filter { $0 }.count,
            backgroundCells: labels.filter { !$0 }.count, background: "random", holdout: 0.25, blockKm: 2.5)
        #expect(summary.holdoutScheme == "blocks" && summary.holdoutBlockKm == 2.5 && summary.heldOutBlocks == held.groups)
        #expect(TreeTrainingSummary.heldOutText(summary)?.contains("spatial blocks of 2.5 km") == true)
    }

    @Test("the held-out AUC is measured on cells the trees never saw", arguments: TreeLearner.Method.allCases)
    func heldOutCellsAreNotTrainedOn(method: TreeLearner.Method) throws {
        let (columns, labels) = TreeLearnerTests.interaction(cells: 6000, seed: 21)
        let fit = TreeLearner.fit(method, columns: columns, labels: labels, options: Self.options(holdout: 0.25), seed: 5)
        let held = try #require(fit.heldOut)
        let positives = labels.filter { $0 }.count
        #expect(held.deposits == Int((0.25 * Double(positives)).rounded()))
        #expect(held.background == Int((0.25 * Double(6000 - positives)).rounded()))

        // Scrambling the held-out cells' values and labels leaves the model unchanged.
        var scrambled = columns
        var rng = SplitMix64(seed: 99)
        for r in held.rows {
            for j in scrambled.indices { scrambled[j][r] = Float(rng.nextUnit()) * 1000 }
        }
        let again = TreeLearner.fit(method, columns: scrambled, labels: labels, options: Self.options(holdout: 0.25), seed: 5)
        #expect(again.ensemble == fit.ensemble, "\(method): held-out values reached the trees")
        #expect(again.heldOut?.rows == held.rows)

        // The reported AUC is the ensemble's on exactly those rows.
        let scores = held.rows.map { r in fit.ensemble.probability(columns.map { $0[r] }) }
        #expect(TreeLearner.auc(scores: scores, labels: held.rows.map { labels[$0] }) == held.auc)
        #expect(held.auc > 0.8, "\(method): held-out AUC \(held.auc)")

        // Training on the other rows alone (no holdout) grows the same trees.
        let kept = Set(held.rows)
        let train = labels.indices.filter { !kept.contains($0) }
        let direct = TreeLearner.fit(
            method, columns: columns.map { c in train.map { c[$0] } }, labels: train.map { labels[$0] },
            options: Self.options(holdout: 0),
            backgroundFraction: Double(6000 - positives - held.background) / Double(6000 - positives)
                / (Double(positives - held.deposits) / Double(positives)),
            seed: 5)
        #expect(direct.ensemble == fit.ensemble)
    }

    @Test("held-out results are deterministic for a seed and any thread count", arguments: TreeLearner.Method.allCases)
    func deterministic(method: TreeLearner.Method) throws {
        let (columns, labels) = TreeLearnerTests.interaction(cells: 5000, seed: 22)
        let fits = [1, 2, 3].map {
            TreeLearner.fit(method, columns: columns, labels: labels, options: Self.options(holdout: 0.3, threads: $0), seed: 8)
        }
        let first = try #require(fits[0].heldOut)
        for f in fits.dropFirst() {
            #expect(f.heldOut == first)
            #expect(f.ensemble == fits[0].ensemble)
        }
        let other = try #require(
            TreeLearner.fit(method, columns: columns, labels: labels, options: Self.options(holdout: 0.3), seed: 9).heldOut)
        #expect(other.rows != first.rows)
        // One seed holds out the same rows for both methods.
        let rf = TreeLearner.fit(.randomForest, columns: columns, labels: labels, options: Self.options(holdout: 0.3), seed: 8)
        let gbt = TreeLearner.fit(.gradientBoosting, columns: columns, labels: labels, options: Self.options(holdout: 0.3), seed: 8)
        #expect(rf.heldOut?.rows == gbt.heldOut?.rows)
    }

    @Test("summaries written before held-out validation still decode")
    func oldSummaryDecodes() throws {
        let json = """
            {"method":"gbt","trees":3,"depth":2,"depositCells":5,"backgroundCells":100,"background":"random",
             "depositWeight":20,"auc":0.99,"aucKind":"training","importance":[]}
            """
        let s = try JSONDecoder().decode(TreeTrainingSummary.self, from: Data(json.utf8))
        #expect(s.heldOutAUC == nil && s.heldOutDepositCells == nil && s.holdout == nil)
        #expect(TreeTrainingSummary.heldOutText(s) == nil)
        var t = s
        t.holdout = 0.25
        t.heldOutAUC = 0.875
        t.heldOutDepositCells = 2
        t.heldOutBackgroundCells = 33
        let back = try JSONDecoder().decode(TreeTrainingSummary.self, from: JSONEncoder().encode(t))
        #expect(back == t)
        #expect(
            TreeTrainingSummary.heldOutText(t)
                == "held-out ROC AUC 0.8750 on 2 deposit and 33 background cells kept out of training (25 % of each)")
    }
}
