import Foundation
import ProspectCore
import Testing

/// The LightGBM and XGBoost fixtures written by Tests/Fixtures/trees/make_fixtures.py.
enum TreeFixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/trees").path

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
    }

    /// Rows of features.csv (float32 values) and their kinds.
    static func features() throws -> (rows: [[Float]], kinds: [String]) {
        let lines = try String(contentsOfFile: folder + "/features.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        var rows: [[Float]] = []
        var kinds: [String] = []
        for line in lines {
            let cells = line.split(separator: ",").map(String.init)
            rows.append(
                try cells.dropLast().map { s in
                    let d = try #require(Double(s), "bad value \(s)")
                    #expect(d.isNaN || Double(Float(d)) == d, "\(s) is not a float32")
                    return Float(d)
                })
            kinds.append(cells.last!)
        }
        return (rows, kinds)
    }

    /// One column of numbers per line (after a header), or every column.
    static func table(_ name: String) throws -> [[Double]] {
        try String(contentsOfFile: folder + "/" + name, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { try $0.split(separator: ",").map { try #require(Double(String($0))) } }
    }

    static func predictions(_ name: String) throws -> [Double] { try table(name).map { $0[0] } }

    /// A JSON file with `edit` applied to its top-level object.
    static func edited(_ name: String, _ edit: (inout [String: Any]) -> Void) throws -> Data {
        var object = try #require(JSONSerialization.jsonObject(with: data(name)) as? [String: Any])
        edit(&object)
        return try JSONSerialization.data(withJSONObject: object)
    }
}

@Suite("import: LightGBM and XGBoost models predict what the libraries predict")
struct ImportTests {
    /// Largest |ours − theirs| over every fixture row.
    func worst(_ imported: ImportedTrees, _ predictions: String) throws -> Double {
        let (rows, _) = try TreeFixtures.features()
        let expected = try TreeFixtures.predictions(predictions)
        #expect(rows.count == expected.count)
        let w = zip(rows, expected).map { abs(imported.ensemble.probability($0.0) - $0.1) }.max() ?? .infinity
        if ProcessInfo.processInfo.environment["PROSPECT_PRINT_IMPORT"] != nil { print("\(predictions): largest difference \(w)") }
        return w
    }

    @Test func lightGBMMatchesItsPredictions() throws {
        let m = try LightGBMDump.parse(TreeFixtures.data("lightgbm_model.json"))
        #expect(m.ensemble.trees.count == 20)
        #expect(m.ensemble.comparison == .lessOrEqual && m.ensemble.output == .logistic)
        #expect(m.featureNames == ["thorium", "magnetics", "fault_distance", "lithology"] && m.hasFeatureNames)
        #expect(m.objective == "binary sigmoid:1")
        let w = try worst(m, "lightgbm_pred.csv")
        #expect(w <= 1e-6, "largest difference \(w)")
    }

    @Test func lightGBMRandomForestModeMatches() throws {
        let m = try LightGBMDump.parse(TreeFixtures.data("lightgbm_rf_model.json"))
        #expect(m.ensemble.trees.count == 5)
        let w = try worst(m, "lightgbm_rf_pred.csv")
        #expect(w <= 1e-6, "largest difference \(w)")
    }

    @Test func lightGBMZeroAsMissingMatches() throws {
        let m = try LightGBMDump.parse(TreeFixtures.data("lightgbm_zero_model.json"))
        let w = try worst(m, "lightgbm_zero_pred.csv")
        #expect(w <= 1e-6, "largest difference \(w)")
        // Some splits needed the zero band carved out (three splits where the dump has one).
        let dumpNodes = 10 * (2 * 7 - 1)
        #expect(m.ensemble.trees.reduce(0) { $0 + $1.nodeCount } > dumpNodes)
    }

    @Test func xgboostMatchesItsPredictions() throws {
        let m = try XGBoostDump.parse(TreeFixtures.data("xgboost_model.json"))
        #expect(m.ensemble.trees.count == 20)
        #expect(m.ensemble.comparison == .less && m.ensemble.output == .logistic)
        #expect(m.featureNames == ["thorium", "magnetics", "fault_distance", "lithology"] && m.hasFeatureNames)
        #expect(m.version == "3.2.0")
        let w = try worst(m, "xgboost_pred.csv")
        #expect(w <= 1e-6, "largest difference \(w)")
    }

    /// The threshold rows decide something. XGBoost's conditions are float32 values and rows sit
    /// on them: scoring with ≤ instead of < changes predictions. LightGBM's thresholds lie
    /// between two float32 values (its bin bounds are doubles nudged upwards), so ≤ and < agree
    /// on float32 input; there each row triple (the nearest float32 and its neighbours)
    /// straddles a threshold, and LightGBM's own predictions differ within most triples.
    @Test func thresholdRowsDecideTheComparison() throws {
        let (rows, kinds) = try TreeFixtures.features()
        var xgb = try XGBoostDump.parse(TreeFixtures.data("xgboost_model.json"))
        let xgbRows = zip(rows, kinds).filter { $0.1 == "xgboost_threshold" }.map(\.0)
        #expect(xgbRows.count >= 30)
        let xgbRight = xgbRows.map { xgb.ensemble.probability($0) }
        xgb.ensemble.comparison = .lessOrEqual
        #expect(zip(xgbRows, xgbRight).filter { xgb.ensemble.probability($0.0) != $0.1 }.count >= 10)

        let lgbPredictions = try TreeFixtures.predictions("lightgbm_pred.csv")
        let triples = kinds.indices.filter { kinds[$0] == "lightgbm_threshold" }
        #expect(triples.count >= 90 && triples.count % 3 == 0)
        let decisive = stride(from: 0, to: triples.count, by: 3).filter { j in
            Set(triples[j..<j + 3].map { lgbPredictions[$0] }).count > 1
        }
        #expect(decisive.count * 3 >= triples.count * 3 / 4)
    }

    /// Node values are XGBoost's cover-weighted means: path contributions equal its approximate
    /// (Saabas) contributions, and the bias is base + Σ root values.
    @Test func xgboostContributionsAreItsApproximateContributions() throws {
        let m = try XGBoostDump.parse(TreeFixtures.data("xgboost_model.json"))
        let (rows, _) = try TreeFixtures.features()
        let expected = try TreeFixtures.table("xgboost_contrib_approx.csv")
        let bias = m.ensemble.base + m.ensemble.trees.reduce(0) { $0 + $1.value[0] }
        var worst = 0.0
        for (row, e) in zip(rows, expected) {
            let c = m.ensemble.contributions(row)
            for k in 0..<4 { worst = max(worst, abs(c[k] - e[k])) }
            worst = max(worst, abs(bias - e[4]))
        }
        #expect(worst < 2e-5, "largest difference \(worst)")
    }

    @Test func lightGBMContributionsAddUpToTheMargin() throws {
        let m = try LightGBMDump.parse(TreeFixtures.data("lightgbm_zero_model.json"))
        let root = m.ensemble.trees.reduce(0) { $0 + $1.value[0] }
        for row in try TreeFixtures.features().rows.prefix(100) {
            let sum = m.ensemble.contributions(row).reduce(root + m.ensemble.base, +)
            #expect(abs(sum - m.ensemble.margin(row)) < 1e-9)
        }
    }

    @Test func baseScoreInEitherForm() throws {
        let plain = try TreeFixtures.edited("xgboost_model.json") { o in
            var learner = o["learner"] as! [String: Any]
            var param = learner["learner_model_param"] as! [String: Any]
            param["base_score"] = "2.86E-1"
            learner["learner_model_param"] = param
            o["learner"] = learner
        }
        let a = try XGBoostDump.parse(plain)
        let b = try XGBoostDump.parse(TreeFixtures.data("xgboost_model.json"))
        #expect(a.ensemble == b.ensemble)
        #expect(abs(b.ensemble.base - Foundation.log(0.286 / 0.714)) < 1e-6)
    }

    @Test func withoutNamesFeaturesGetTheLibraryDefaults() throws {
        let x = try XGBoostDump.parse(
            TreeFixtures.edited("xgboost_model.json") { o in
                var learner = o["learner"] as! [String: Any]
                learner["feature_names"] = [String]()
                o["learner"] = learner
            })
        #expect(x.featureNames == ["f0", "f1", "f2", "f3"] && !x.hasFeatureNames)
        let l = try LightGBMDump.parse(
            TreeFixtures.edited("lightgbm_model.json") { o in
                o["feature_names"] = ["Column_0", "Column_1", "Column_2", "Column_3"]
            })
        #expect(l.featureNames == ["Column_0", "Column_1", "Column_2", "Column_3"] && !l.hasFeatureNames)
    }

    func refusal(_ parse: (Data) throws -> ImportedTrees, _ data: Data) -> String {
        do {
            _ = try parse(data)
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    @Test func refusesWhatItCannotRepresent() throws {
        let lgb = LightGBMDump.parse
        let xgb = XGBoostDump.parse
        let full = try TreeFixtures.data("lightgbm_model.json")
        #expect(refusal(lgb, full.prefix(full.count / 2)).contains("not valid JSON"))
        #expect(refusal(xgb, try TreeFixtures.data("xgboost_model.json").prefix(5000)).contains("not valid JSON"))
        #expect(refusal(lgb, Data("tree\nversion=v4\n".utf8)).contains("not valid JSON"))
        #expect(refusal(lgb, try TreeFixtures.data("lightgbm_multiclass.json")).contains("multiclass"))
        #expect(refusal(xgb, try TreeFixtures.data("xgboost_multiclass.json")).contains("multiclass"))
        #expect(refusal(lgb, try TreeFixtures.data("lightgbm_categorical.json")).contains("categorical split"))
        #expect(refusal(xgb, try TreeFixtures.data("xgboost_categorical.json")).contains("categorical split"))
        #expect(refusal(lgb, try TreeFixtures.data("xgboost_model.json")).contains("--from xgboost"))
        #expect(refusal(xgb, try TreeFixtures.data("lightgbm_model.json")).contains("--from lightgbm"))
        #expect(refusal(xgb, Data(#"[{"nodeid": 0, "leaf": 0.5}]"#.utf8)).contains("get_dump"))
        #expect(refusal(xgb, Data(#"{"something": 1}"#.utf8)).contains("not an XGBoost JSON model"))
        let regression = try TreeFixtures.edited("lightgbm_model.json") { $0["objective"] = "regression" }
        #expect(refusal(lgb, regression).contains("objective \"regression\" is not supported"))
        let hinge = try TreeFixtures.edited("xgboost_model.json") { o in
            var learner = o["learner"] as! [String: Any]
            learner["objective"] = ["name": "binary:hinge"]
            o["learner"] = learner
        }
        #expect(refusal(xgb, hinge).contains("binary:hinge"))
        let noTrees = try TreeFixtures.edited("lightgbm_model.json") { $0["tree_info"] = [Any]() }
        #expect(refusal(lgb, noTrees).contains("no trees"))
        let missingKey = try TreeFixtures.edited("lightgbm_model.json") { $0.removeValue(forKey: "max_feature_idx") }
        #expect(refusal(lgb, missingKey).contains("missing \"max_feature_idx\""))
    }

    /// A sigmoid parameter other than 1 scales the raw score.
    @Test func lightGBMSigmoidParameterScalesTheMargin() throws {
        let one = try LightGBMDump.parse(TreeFixtures.data("lightgbm_model.json"))
        let two = try LightGBMDump.parse(TreeFixtures.edited("lightgbm_model.json") { $0["objective"] = "binary sigmoid:2" })
        let row = try TreeFixtures.features().rows[0]
        #expect(abs(two.ensemble.margin(row) - 2 * one.ensemble.margin(row)) < 1e-12)
    }
}

@Suite("import: matching features to layers")
struct FeatureMatchingTests {
    func model(names: [String], hasNames: Bool, used: [Int]) -> ImportedTrees {
        var trees: [Tree] = used.map { f in
            Tree(
                feature: [Int32(f), -1, -1], threshold: [0, 0, 0], left: [1, -1, -1], right: [2, -1, -1],
                missingLeft: [true, true, true], value: [0, -1, 1])
        }
        if trees.isEmpty { trees = [.leaf(0)] }
        return ImportedTrees(
            library: "lightgbm",
            ensemble: TreeEnsemble(
                output: .logistic, comparison: .lessOrEqual, base: 0,
                featureCount: names.count, trees: trees),
            featureNames: names, hasFeatureNames: hasNames, gain: names.map { _ in 0 }, objective: "binary",
            version: "v4")
    }

    @Test func byNameInTheModelsOrder() throws {
        let m = model(names: ["a", "b", "c"], hasNames: true, used: [0, 2])
        let r = try FeatureMatching.match(model: m, layerNames: ["c", "a", "b"], required: [true, true, true])
        #expect(r.layers == [1, 2, 0] && r.featureToLayer == [0, 1, 2])
        // An unused feature may be left out; a stack's extra layers are ignored.
        let s = try FeatureMatching.match(model: m, layerNames: ["x", "c", "a"], required: [false, false, false])
        #expect(s.layers == [2, 1] && s.featureToLayer == [0, nil, 1])
    }

    @Test func errors() throws {
        let m = model(names: ["a", "b", "c"], hasNames: true, used: [0, 2])
        #expect(throws: TreeImportError.self) { try FeatureMatching.match(model: m, layerNames: ["a", "b"], required: [true, true]) }
        do {
            _ = try FeatureMatching.match(model: m, layerNames: ["a", "c", "d"], required: [true, true, true])
            Issue.record("an extra layer was accepted")
        } catch {
            #expect("\(error)".contains("layer \"d\" is not a feature"))
        }
        let unnamed = model(names: ["f0", "f1"], hasNames: false, used: [0, 1])
        do {
            _ = try FeatureMatching.match(model: unnamed, layerNames: ["x", "y", "z"], required: [true, true, true])
            Issue.record("three layers for two features were accepted")
        } catch {
            #expect("\(error)".contains("2 features but 3 layers"))
        }
    }

    @Test func withoutNamesByPositionOrByDefaultNames() throws {
        let m = model(names: ["f0", "f1"], hasNames: false, used: [0, 1])
        let p = try FeatureMatching.match(model: m, layerNames: ["th", "mag"], required: [true, true])
        #expect(p.layers == [0, 1])
        let n = try FeatureMatching.match(model: m, layerNames: ["f1", "f0"], required: [true, true])
        #expect(n.layers == [1, 0] && n.featureToLayer == [0, 1])
    }
}

@Suite("import: tree models in the model file")
struct TreeModelFileTests {
    func file(_ trees: TreeEnsemble, layers: Int) -> ModelFile {
        ModelFile(
            tool: "test", created: "now",
            layers: (0..<layers).map { ModelLayer(name: "l\($0)", path: "l\($0).tif", kind: .continuous) },
            payload: .trees(trees, origin: .xgboost), parameters: [:],
            training: TrainingSummary(
                validCells: 0, cellAreaKm2: 0, depositsGiven: 0, depositsUsed: 0, depositsOutsideGrid: 0,
                depositsOnNodata: 0, depositsSharingCell: 0, layerRanking: []))
    }

    @Test func roundTripsAndScoresWithNodata() throws {
        let m = try XGBoostDump.parse(TreeFixtures.data("xgboost_model.json"))
        let decoded = try ModelFile.decode(file(m.ensemble, layers: 4).encoded())
        #expect(decoded.formatVersion == 3 && decoded.trees == m.ensemble && decoded.additive == nil)
        let rows = try TreeFixtures.features().rows.filter { !$0.contains { $0.isNaN } }.prefix(9)
        let nodata: [Float] = [-9999, -9999, -9999, -9999]
        let scorer = decoded.scorer(nodata: nodata)
        #expect(scorer.layerCount == 4 && scorer.contributionUnit == "logit")
        // Column-major tiles; cell 4 has a nodata layer, cell 7 a NaN.
        var layers = (0..<4).map { k in rows.map { $0[k] } }
        layers[2][4] = -9999
        layers[0][7] = .nan
        var out = [Float](repeating: 0, count: rows.count)
        layers.withUnsafeBufferPointers { inputs in
            out.withUnsafeMutableBufferPointer { scorer.score(layers: inputs, outputs: [$0], outputNodata: -1) }
        }
        for (i, row) in rows.enumerated() {
            // The engine's fast tree kernel sums in single precision: within 1e-6 of the definition.
            if i == 4 || i == 7 {
                #expect(out[i] == -1)
            } else {
                #expect(abs(Double(out[i]) - m.ensemble.probability(row)) <= 1e-6)
            }
        }
        // Explanations: path-dependent TreeSHAP in logit units.
        #expect(scorer.contributions(values: rows[0]) == TreeAttribution(m.ensemble).logitContributions(rows[0]))
    }

    @Test func version2FilesStillRead() throws {
        let additive = ModelFileTransformTests.file(transforms: [])
        let text = String(decoding: try additive.encoded(), as: UTF8.self)
            .replacingOccurrences(of: "\"formatVersion\" : \(ModelFile.currentVersion)", with: "\"formatVersion\" : 2")
        let old = try ModelFile.decode(Data(text.utf8))
        #expect(old.formatVersion == 2 && old.trees == nil && old.additive != nil)
    }

    @Test func refusesTreesThatDoNotFitTheLayers() throws {
        let m = try XGBoostDump.parse(TreeFixtures.data("xgboost_model.json"))
        #expect(throws: ModelFile.FormatError.self) { try ModelFile.decode(file(m.ensemble, layers: 3).encoded()) }
        let additive = AdditiveModel(
            intercept: 0, terms: (0..<4).map { _ in .linear(coefficient: 0, center: 0) },
            nodata: [0, 0, 0, 0])
        let both = try ModelPayloadTests.edited(file(m.ensemble, layers: 4)) { $0["model"] = try ModelPayloadTests.jsonObject(additive) }
        #expect(throws: ModelFile.FormatError.self) { try ModelFile.decode(both) }
    }
}
