import Foundation
import Testing

@testable import ProspectCore

/// Model files that declare or imply absurd sizes are refused before they are allocated.
@Suite("Imported models are bounded")
struct ImportLimitTests {
    func refusal(_ parse: (Data) throws -> ImportedTrees, _ text: String) -> String {
        do {
            _ = try parse(Data(text.utf8))
            return "accepted"
        } catch let e as TreeImportError {
            return e.message
        } catch {
            return "\(error)"
        }
    }

    func lightGBM(featureIndex: Int = 0, tree: String) -> String {
        #"{"version":"v4","max_feature_idx":\#(featureIndex),"objective":"binary sigmoid:1","tree_info":[{"num_leaves":2,"tree_structure":\#(tree)}]}"#
    }

    @Test func featureCountsAboveTheCapAreRefused() {
        let leaf = #"{"leaf_value":0.5}"#
        #expect(refusal(LightGBMDump.parse, lightGBM(featureIndex: 65_534, tree: leaf)) == "accepted")
        #expect(
            refusal(LightGBMDump.parse, lightGBM(featureIndex: 65_535, tree: leaf)).contains(
                "declares max_feature_idx 65535; at most 65535 features"))
        #expect(
            refusal(LightGBMDump.parse, lightGBM(featureIndex: Int.max, tree: leaf)).contains("max_feature_idx \(Int.max); at most 65535"))
    }

    /// A split on feature 0 whose zero band goes right although `0 <= 1`: every such split copies
    /// both subtrees, so 40 nested ones would make 2^40 nodes.
    @Test func zeroAsMissingCopiesAreBoundedAsTheyAreMade() {
        var tree = #"{"leaf_value":0.5}"#
        for _ in 0..<40 {
            tree =
                #"{"split_feature":0,"threshold":1,"decision_type":"<=","default_left":false,"missing_type":"Zero","left_child":\#(tree),"right_child":{"leaf_value":0.1}}"#
        }
        #expect(refusal(LightGBMDump.parse, lightGBM(tree: tree)).contains("would need too many nodes"))
    }

    @Test func treesDeeperThanTheCapAreRefused() {
        var tree = #"{"leaf_value":0.5}"#
        for _ in 0...ImportLimits.maxDepth {
            tree = #"{"split_feature":0,"threshold":1,"left_child":\#(tree),"right_child":{"leaf_value":0.1}}"#
        }
        let message = refusal(LightGBMDump.parse, lightGBM(tree: tree))
        #expect(message.contains("levels deep") || message.contains("not valid JSON"), "\(message)")

        // An XGBoost chain: node i splits into a leaf and node i + 2.
        let n = 2 * (ImportLimits.maxDepth + 1) + 1
        let left = (0..<n).map { $0 % 2 == 0 && $0 + 2 < n ? String($0 + 1) : "-1" }
        let right = (0..<n).map { $0 % 2 == 0 && $0 + 2 < n ? String($0 + 2) : "-1" }
        let zeros = Array(repeating: "0", count: n).joined(separator: ",")
        let xgb = #"""
            {"learner":{"gradient_booster":{"name":"gbtree","model":{"trees":[{"left_children":[\#(left.joined(separator: ","))],"right_children":[\#(right.joined(separator: ","))],"split_indices":[\#(zeros)],"split_conditions":[\#(zeros)],"default_left":[\#(zeros)]}]}},"learner_model_param":{"base_score":"5E-1","num_feature":"1"},"objective":{"name":"binary:logistic"}}}
            """#
        #expect(refusal(XGBoostDump.parse, xgb).contains("levels deep"))
    }
}
