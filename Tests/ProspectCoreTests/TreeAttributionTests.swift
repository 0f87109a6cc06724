import Foundation
import Testing

@testable import ProspectCore

@Suite("TreeSHAP against the Shapley values by enumeration")
struct TreeAttributionTests {
    /// `tree` with a random cover per leaf (0 for about `zeroShare` of them) and internal covers
    /// the sums of their children's, as training leaves them.
    static func withCover(_ tree: Tree, _ rng: inout SplitMix64, zeroShare: Double = 0) -> Tree {
        var t = tree
        var cover = [Double](repeating: 0, count: t.nodeCount)
        func fill(_ i: Int) -> Double {
            if t.feature[i] < 0 {
                cover[i] = rng.nextUnit() < zeroShare ? 0 : Double(1 + rng.next() % 100)
            } else {
                cover[i] = fill(Int(t.left[i])) + fill(Int(t.right[i]))
            }
            return cover[i]
        }
        _ = fill(0)
        t.cover = cover
        return t
    }

    /// Small random ensembles of every shape: general and oblivious trees (layers repeat along a
    /// path), without cover, with cover, and with empty leaves.
    static func ensembles() -> [(String, TreeEnsemble)] {
        var out: [(String, TreeEnsemble)] = []
        var rng = SplitMix64(seed: 77)
        for output in [TreeEnsemble.Output.logistic, .average] {
            let general = SyntheticTrees.general(trees: 12, depth: 6, layers: 5, output: output, seed: 31)
            let oblivious = SyntheticTrees.oblivious(trees: 12, depth: 5, layers: 4, output: output, seed: 32)
            out.append(("general \(output), no cover", general))
            out.append(("oblivious \(output), no cover", oblivious))
            for (name, e) in [("general", general), ("oblivious", oblivious)] {
                var covered = e
                covered.trees = e.trees.map { withCover($0, &rng) }
                out.append(("\(name) \(output), cover", covered))
                var empty = e
                empty.trees = e.trees.map { withCover($0, &rng, zeroShare: 0.3) }
                out.append(("\(name) \(output), empty leaves", empty))
            }
        }
        return out
    }

    static func cells(_ count: Int, layers: Int, seed: UInt64) -> [[Float]] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in (0..<layers).map { _ in Float(rng.nextUnit()) } }
    }

    @Test("TreeSHAP equals the exponential-time Shapley values, tree by tree")
    func againstReference() {
        var worst = 0.0
        var compared = 0
        for (name, ensemble) in Self.ensembles() {
            for values in Self.cells(20, layers: ensemble.featureCount, seed: 5) {
                for tree in ensemble.trees {
                    let goesLeft = { (i: Int) in ensemble.goesLeft(tree, node: i, Double(values[Int(tree.feature[i])])) }
                    var fast = [Double](repeating: 0, count: ensemble.featureCount)
                    TreeAttribution.shap(tree, goesLeft: goesLeft, into: &fast)
                    let slow = TreeAttribution.reference(tree, featureCount: ensemble.featureCount, goesLeft: goesLeft)
                    for k in fast.indices {
                        let d = abs(fast[k] - slow[k])
                        worst = max(worst, d)
                        #expect(d <= 1e-12 * max(1, abs(slow[k])), "\(name): layer \(k) \(fast[k]) against \(slow[k])")
                    }
                    compared += 1
                }
            }
        }
        #expect(compared == Self.ensembles().count * 20 * 12)
        #expect(worst <= 1e-12)
    }

    @Test("one tree's values add up to its output minus its expected value")
    func efficiencyPerTree() {
        for (name, ensemble) in Self.ensembles() {
            for values in Self.cells(10, layers: ensemble.featureCount, seed: 6) {
                for tree in ensemble.trees {
                    var phi = [Double](repeating: 0, count: ensemble.featureCount)
                    TreeAttribution.shap(
                        tree, goesLeft: { ensemble.goesLeft(tree, node: $0, Double(values[Int(tree.feature[$0])])) }, into: &phi)
                    let output = tree.value[ensemble.leaf(of: tree) { Double(values[$0]) }]
                    let sum = phi.reduce(TreeAttribution.expectedValue(tree), +)
                    #expect(abs(sum - output) <= 1e-12, "\(name)")
                }
            }
        }
    }

    @Test("a layer no tree splits on gets nothing; one split alone takes the whole difference")
    func dummyAndSingleSplit() {
        // One split on layer 1 at 0.5, cover 3 left and 1 right: expected value 0.75·2 + 0.25·10.
        let tree = Tree(
            feature: [1, -1, -1], threshold: [0.5, 0, 0], left: [1, -1, -1], right: [2, -1, -1],
            missingLeft: [true, true, true], value: [0, 2, 10], cover: [4, 3, 1])
        #expect(TreeAttribution.expectedValue(tree) == 4)
        let ensemble = TreeEnsemble(output: .logistic, comparison: .lessOrEqual, base: -1, featureCount: 3, trees: [tree])
        let a = TreeAttribution(ensemble)
        #expect(a.expectedLogit == 3)
        #expect(a.logitContributions([0.9, 0.2, 0.9]) == [0, -2, 0])
        #expect(a.logitContributions([0.1, 0.7, 0.1]) == [0, 6, 0])
    }

    @Test("ensemble contributions add up to the cell's logit minus the expected logit")
    func sumsToLogit() {
        for (name, ensemble) in Self.ensembles() {
            let a = TreeAttribution(ensemble)
            for values in Self.cells(30, layers: ensemble.featureCount, seed: 7) {
                let c = a.logitContributions(values)
                let m = ensemble.margin(values)
                let logit = ensemble.output == .logistic ? m : log(m / (1 - m))
                #expect(abs(a.logit(values) - logit) <= 1e-12)
                #expect(abs(c.reduce(a.expectedLogit, +) - logit) <= 1e-9, "\(name)")
            }
        }
    }

    @Test("a forest's logit contributions keep the signs of its probability Shapley values and ignore its offset")
    func forestLogit() {
        var forest = SyntheticTrees.oblivious(trees: 25, depth: 4, layers: 4, output: .average, seed: 41)
        let plain = TreeAttribution(forest)
        forest.logitOffset = -2.5
        let shifted = TreeAttribution(forest)
        #expect(shifted.expectedLogit == plain.expectedLogit)
        for values in Self.cells(30, layers: 4, seed: 8) {
            let p = plain.marginContributions(values)
            let c = plain.logitContributions(values)
            #expect(abs(p.reduce(plain.expectedMargin, +) - forest.margin(values)) <= 1e-12)
            for k in 0..<4 { #expect(p[k].sign == c[k].sign || p[k] == 0) }
            #expect(shifted.logitContributions(values) == c)
            // The map's probability has the offset: its logit is the contributions' sum plus
            // the expected logit plus δ.
            let q = forest.probability(values)
            #expect(abs(c.reduce(plain.expectedLogit - 2.5, +) - log(q / (1 - q))) <= 1e-9)
        }
    }

    @Test("remembered values equal computed ones, for oblivious and general trees")
    func memo() {
        for (name, ensemble) in Self.ensembles() {
            let a = TreeAttribution(ensemble)
            var memo = TreeAttribution.Memo(trees: ensemble.trees.count)
            // Repeated cells hit the memo; every answer must equal the direct computation.
            let cells = Self.cells(40, layers: ensemble.featureCount, seed: 9)
            for values in cells + cells {
                let direct = a.logitContributions(values)
                let remembered = a.logitContributions(values, memo: &memo)
                for k in direct.indices { #expect(abs(direct[k] - remembered[k]) <= 1e-12, "\(name)") }
            }
        }
        // An oblivious tree has at most one entry per leaf.
        let oblivious = SyntheticTrees.oblivious(trees: 3, depth: 3, layers: 4, seed: 10)
        var memo = TreeAttribution.Memo(trees: 3)
        let a = TreeAttribution(oblivious)
        for values in Self.cells(500, layers: 4, seed: 11) { _ = a.logitContributions(values, memo: &memo) }
        for table in memo.tables { #expect(!table.isEmpty && table.count <= 8) }
    }

    /// XGBoost's own `pred_contribs=True` (path-dependent TreeSHAP on hessian cover), float32.
    @Test func xgboostTreeSHAP() throws {
        let m = try XGBoostDump.parse(TreeFixtures.data("xgboost_model.json"))
        let (rows, _) = try TreeFixtures.features()
        let expected = try TreeFixtures.table("xgboost_contrib_shap.csv")
        #expect(rows.count == expected.count && rows.count > 500)
        let a = TreeAttribution(m.ensemble)
        var worst = 0.0
        var memo = TreeAttribution.Memo(trees: m.ensemble.trees.count)
        for (row, e) in zip(rows, expected) {
            let c = a.logitContributions(row, memo: &memo)
            for k in 0..<4 { worst = max(worst, abs(c[k] - e[k])) }
            worst = max(worst, abs(a.expectedLogit - e[4]))
        }
        #expect(worst < 2e-5, "largest difference \(worst)")
    }
}
