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
