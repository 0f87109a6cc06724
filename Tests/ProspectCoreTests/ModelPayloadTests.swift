import Foundation
import Testing

@testable import ProspectCore

/// The model payload against model files written before it was one enum (Tests/Fixtures/model-files).
@Suite("Model payload: one model of one kind, files as before")
struct ModelPayloadTests {
    // MARK: The fixtures' models, built with today's API

    static let layers = [
        ModelLayer(name: "a", path: "a.tif", kind: .continuous, transforms: [.zScore(mean: 1.5, std: 0.25)]),
        ModelLayer(name: "lith", path: "../lith.tif", kind: .categorical, legend: ["1": "granite", "2": "shale"]),
    ]
    static let summary = TrainingSummary(
        validCells: 100, cellAreaKm2: 0.01, depositsGiven: 3, depositsUsed: 2, depositsOutsideGrid: 1,
        depositsOnNodata: 0, depositsSharingCell: 0, layerRanking: ["lith", "a"])
    static let additive = AdditiveModel(
        intercept: -4.6051702,
        terms: [
            .step(threshold: 2.5, above: 0.7, below: -0.3),
            .lookup(codes: [1, 2], values: [0.9, -1.1], otherwise: 0),
        ],
        nodata: [-9999, .nan])
    static let variance = WofEVariance(
        priorVariance: 0.5,
        terms: [
            .step(threshold: 2.5, above: 0.25, below: 0.1),
            .lookup(codes: [1, 2], values: [0.3, 0.2], otherwise: 0),
        ])
    static let logistic = AdditiveModel(
        intercept: -3.25,
        terms: [
            .linear(coefficient: 0.8, center: 1.5),
            .lookup(codes: [1, 2], values: [0.5, 0], otherwise: -0.125),
        ],
        nodata: [-9999, 0])
    static let tree = Tree(
        feature: [0, -1, 1, -1, -1], threshold: [2.5, 0, 1.5, 0, 0], left: [1, -1, 3, -1, -1], right: [2, -1, 4, -1, -1],
        missingLeft: [true, true, false, true, true], value: [0.25, 0.1, 0.4, 0.3, 0.5], cover: [10, 5, 5, 2, 3])
    static let created = "2024-05-01T10:00:00Z"

    static func wofeSummary() -> TrainingSummary {
        var s = summary
        s.priorProbability = 0.02
        return s
    }

    static func logisticSummary() -> TrainingSummary {
        var s = summary
        s.backgroundCells = 50
        s.converged = true
        s.iterations = 6
        return s
    }

    static func treeSummary(_ method: String) -> TrainingSummary {
        var s = summary
        s.trees = TreeTrainingSummary(
            method: method, trees: 1, depth: 2, depositCells: 2, backgroundCells: 8,
            background: "random", depositWeight: 4, auc: 0.75, aucKind: "training",
            importance: [.init(layer: "a", gain: 3, share: 0.75), .init(layer: "lith", gain: 1, share: 0.25)])
        return s
    }

    static func overlaySummary() -> TrainingSummary {
        var s = summary
        s.depositAUC = 0.8125
        return s
    }

    /// The model file each fixture holds, by fixture name.
    static func sample(_ name: String) -> ModelFile {
        func file(_ payload: ModelPayload, created: String = created, parameters: [String: String], training: TrainingSummary) -> ModelFile
        {
            ModelFile(tool: "prospect 0.9", created: created, layers: layers, payload: payload, parameters: parameters, training: training)
        }
        switch name {
        case "wofe":
            return file(.weightsOfEvidence(additive, variance: variance), parameters: ["unitCellKm2": "1"], training: wofeSummary())
        case "wofe-unknown":
            var model = additive
            model.missing = .unknown
            var v = variance
            v.missingClasses = [
                WofEMissingClasses(weights: [0.7, -0.3], fractions: [0.4, 0.6]),
                WofEMissingClasses(weights: [0.9, -1.1], fractions: [0.25, 0.75]),
            ]
            return file(.weightsOfEvidence(model, variance: v), parameters: ["missing": "unknown"], training: wofeSummary())
        case "wofe-no-variance":
            return file(.weightsOfEvidence(additive, variance: nil), created: "", parameters: [:], training: summary)
        case "logistic":
            return file(.logistic(logistic), parameters: ["l2": "0.01"], training: logisticSummary())
        case "gbt":
            let e = TreeEnsemble(output: .logistic, comparison: .lessOrEqual, base: -2, featureCount: 2, trees: [tree])
            return file(
                .trees(e, origin: .gradientBoosting), parameters: ["trees": "1", "learningRate": "0.1"], training: treeSummary("gbt"))
        case "rf":
            let e = TreeEnsemble(output: .average, comparison: .lessOrEqual, base: 0, featureCount: 2, trees: [tree, .leaf(0.2)])
            return file(.trees(e, origin: .randomForest), parameters: ["trees": "2"], training: treeSummary("rf"))
        case "lightgbm":
            let e = TreeEnsemble(output: .logistic, comparison: .lessOrEqual, base: 0, featureCount: 2, trees: [tree])
            return file(.trees(e, origin: .lightgbm), parameters: ["source": "model.txt", "objective": "binary"], training: summary)
        case "xgboost":
            var bare = tree
            bare.cover = nil
            let e = TreeEnsemble(output: .logistic, comparison: .less, base: -0.5, featureCount: 2, trees: [bare])
            return file(
                .trees(e, origin: .xgboost), parameters: ["source": "model.json", "objective": "binary:logistic"], training: summary)
        case "fuzzy":
            let f = FuzzyOverlayModel(expression: "gamma(0.9, a, lith)", classScores: ["lith": ["1": 1, "2": 0.25]])
            return file(
                .fuzzy(f), parameters: ["knowledgeDriven": "true", "expression": "gamma(0.9, a, lith)"], training: overlaySummary())
        case "index":
            let i = WeightedIndexModel(weights: ["a": 2, "lith": 0.5], classScores: ["lith": ["1": 10, "2": 4]])
            return file(.index(i), parameters: ["knowledgeDriven": "true"], training: overlaySummary())
        default:
            preconditionFailure("no fixture \(name)")
        }
    }

    // MARK: Helpers

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/model-files")

    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: fixtures.appendingPathComponent(name + ".json"))
    }

    /// A model file's JSON as an object, to edit.
    static func object(_ file: ModelFile) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: file.encoded()) as? [String: Any])
    }

    /// Any encodable value as the JSON object a model file would hold.
    static func jsonObject(_ value: some Encodable) throws -> Any {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try JSONSerialization.jsonObject(with: encoder.encode(value))
    }

    /// A model file's JSON changed by `change`: how files that the API cannot build are made.
    static func edited(_ file: ModelFile, _ change: (inout [String: Any]) throws -> Void) throws -> Data {
        var o = try object(file)
        try change(&o)
        return try JSONSerialization.data(withJSONObject: o)
    }

    /// The message `decode` refuses `data` with; nil when it reads it.
    static func refusal(_ data: Data) -> String? {
        do {
            _ = try ModelFile.decode(data)
            return nil
        } catch let e as ModelFile.FormatError {
            return e.message
        } catch {
            return "not a FormatError: \(error)"
        }
    }

    /// Equal payloads, a NaN nodata value equal to itself (`==` says NaN ≠ NaN).
    static func same(_ a: ModelPayload, _ b: ModelPayload) -> Bool {
        a == b || String(describing: a) == String(describing: b)
    }

    // MARK: Tests

    static let kinds: [(fixture: String, method: String, scorer: String)] = [
        ("wofe", "wofe", "WofEScorer"), ("wofe-unknown", "wofe", "WofEScorer"), ("wofe-no-variance", "wofe", "CompiledModel"),
        ("logistic", "logistic", "CompiledModel"), ("gbt", "gbt", "CompiledTrees"), ("rf", "rf", "CompiledTrees"),
        ("lightgbm", "lightgbm", "CompiledTrees"), ("xgboost", "xgboost", "CompiledTrees"),
        ("fuzzy", "fuzzy", "FuzzyOverlay"), ("index", "index", "WeightedIndexOverlay"),
    ]

    @Test("every payload kind is written byte for byte as before, and reads back the same", arguments: kinds)
    func sameBytes(fixture name: String, method: String, scorer: String) throws {
        let old = try Self.fixture(name)
        let file = Self.sample(name)
        #expect(file.method == method)
        #expect(try file.encoded() == old, "\(name): the encoding changed")
        let back = try ModelFile.decode(old)
        #expect(Self.same(back.payload, file.payload) && back.method == method && back.formatVersion == 3)
        #expect(try back.encoded() == old)
        #expect("\(type(of: back.scorer(nodata: [-9999, 0])))" == scorer)
    }

    @Test("format version 1 and 2 files read unchanged: weights of evidence without a variance, logistic regression")
    func oldVersions() throws {
        let v1 = try ModelFile.decode(Self.fixture("v1-wofe"))
        #expect(v1.formatVersion == 1 && v1.method == "wofe" && v1.wofeVariance == nil)
        #expect(Self.same(v1.payload, .weightsOfEvidence(Self.additive, variance: nil)))
        #expect(v1.layers.allSatisfy { $0.transforms.isEmpty })
        #expect(v1.scorer(nodata: [-9999, .nan]) is CompiledModel)
        #expect(try v1.encoded() == Self.fixture("v1-wofe"), "written back as read")

        let v2 = try ModelFile.decode(Self.fixture("v2-logistic"))
        #expect(v2.formatVersion == 2 && v2.method == "logistic" && v2.payload == .logistic(Self.logistic))
        #expect(v2.layers[0].transforms == [.zScore(mean: 1.5, std: 0.25)])
        #expect(try v2.encoded() == Self.fixture("v2-logistic"))
    }

    @Test("logistic coefficients without standard errors or z still read; today's files write them")
    func coefficientsWithoutErrors() throws {
        var o = try #require(JSONSerialization.jsonObject(with: Self.fixture("logistic")) as? [String: Any])
        var training = try #require(o["training"] as? [String: Any])
        training["coefficients"] = [["layer": "a", "term": "slope", "coefficient": 0.5, "standardized": 0.25]]
        o["training"] = training
        let old = try ModelFile.decode(try JSONSerialization.data(withJSONObject: o))
        let row = try #require(old.training.coefficients?.first)
        #expect(row.coefficient == 0.5 && row.standardError == nil && row.z == nil)
        #expect(old.training.interceptStandardError == nil)
        var file = old
        file.training.coefficients = [
            LogisticCoefficientRow(layer: "a", term: "slope", coefficient: 0.5, standardized: 0.25, standardError: 0.2, z: 1.25)
        ]
        file.training.interceptStandardError = 0.125
        let written = try #require(try JSONSerialization.jsonObject(with: file.encoded()) as? [String: Any])
        let summary = try #require(written["training"] as? [String: Any])
        let entry = try #require((summary["coefficients"] as? [[String: Any]])?.first)
        #expect(entry["standardError"] as? Double == 0.2 && entry["z"] as? Double == 1.25)
        #expect(summary["interceptStandardError"] as? Double == 0.125)
        let back = try ModelFile.decode(try file.encoded())
        #expect(back.training.coefficients?.first?.standardError == 0.2 && back.training.interceptStandardError == 0.125)
    }

    /// A file the API cannot build: a fixture with `method` replaced, keys removed, and keys
    /// copied from other fixtures.
    struct Impossible: Sendable, CustomTestStringConvertible {
        var fixture: String
        var method: String?
        var remove: [String] = []
        /// Key → the fixture to copy it from.
        var copy: [String: String] = [:]
        var problem: String
        var testDescription: String { problem }
    }

    static let impossible: [Impossible] = [
        Impossible(
            fixture: "logistic", copy: ["wofeVariance": "wofe"],
            problem: "wofeVariance belongs to a weights-of-evidence model, not to method \"logistic\""),
        Impossible(
            fixture: "fuzzy", copy: ["wofeVariance": "wofe"],
            problem: "wofeVariance belongs to a weights-of-evidence model, not to method \"fuzzy\""),
        Impossible(
            fixture: "logistic", method: "svm",
            problem: "unknown method \"svm\" (one of wofe, logistic, rf, gbt, lightgbm, xgboost, fuzzy, index)"),
        Impossible(
            fixture: "gbt", method: "trees",
            problem: "unknown method \"trees\" (one of wofe, logistic, rf, gbt, lightgbm, xgboost, fuzzy, index)"),
        Impossible(
            fixture: "logistic", method: "fuzzy", problem: "method \"fuzzy\" keeps its model under \"fuzzy\", but the file holds \"model\""),
        Impossible(
            fixture: "wofe", method: "index", remove: ["wofeVariance"],
            problem: "method \"index\" keeps its model under \"index\", but the file holds \"model\""),
        Impossible(
            fixture: "gbt", method: "wofe", problem: "method \"wofe\" keeps its model under \"model\", but the file holds \"trees\""),
        Impossible(fixture: "fuzzy", method: "rf", problem: "method \"rf\" keeps its model under \"trees\", but the file holds \"fuzzy\""),
        Impossible(
            fixture: "index", method: "logistic",
            problem: "method \"logistic\" keeps its model under \"model\", but the file holds \"index\""),
        Impossible(fixture: "fuzzy", copy: ["index": "index"], problem: "it must hold exactly one model (found 2)"),
        Impossible(fixture: "wofe", copy: ["trees": "gbt", "fuzzy": "fuzzy"], problem: "it must hold exactly one model (found 3)"),
        Impossible(fixture: "logistic", remove: ["model"], problem: "it must hold exactly one model (found 0)"),
        Impossible(fixture: "wofe", remove: ["model"], problem: "it must hold exactly one model (found 0)"),
        Impossible(fixture: "logistic", remove: ["method"], problem: "missing \"method\""),
    ]

    @Test("files no payload can describe are refused, the problem named", arguments: impossible)
    func refused(_ edit: Impossible) throws {
        let data = try Self.edited(Self.sample(edit.fixture)) { o in
            if let method = edit.method { o["method"] = method }
            for key in edit.remove { o[key] = nil }
            for (key, source) in edit.copy { o[key] = try Self.object(Self.sample(source))[key] }
        }
        #expect(Self.refusal(data) == "malformed model file: " + edit.problem)
    }

    @Test("the method follows from the payload; the accessors see only the payload's own parts")
    func derived() {
        let e = TreeEnsemble(output: .logistic, comparison: .less, base: 0, featureCount: 2, trees: [Self.tree])
        let payloads: [ModelPayload] = [
            .weightsOfEvidence(Self.additive, variance: Self.variance), .logistic(Self.logistic),
            .trees(e, origin: .randomForest), .trees(e, origin: .gradientBoosting), .trees(e, origin: .lightgbm),
            .trees(e, origin: .xgboost), .fuzzy(FuzzyOverlayModel(expression: "a")),
            .index(WeightedIndexModel(weights: ["a": 1, "lith": 1])),
        ]
        #expect(payloads.map(\.method) == ModelPayload.methods)
        #expect(ModelPayload.methods == ["wofe", "logistic", "rf", "gbt", "lightgbm", "xgboost", "fuzzy", "index"])
        #expect(TreeOrigin(.randomForest).rawValue == TreeLearner.Method.randomForest.rawValue)
        #expect(TreeOrigin(.gradientBoosting).rawValue == TreeLearner.Method.gradientBoosting.rawValue)

        let files = payloads.map {
            ModelFile(tool: "t", created: "", layers: Self.layers, payload: $0, parameters: [:], training: Self.summary)
        }
        #expect(files.map { $0.additive != nil } == [true, true, false, false, false, false, false, false])
        #expect(files.map { $0.wofeVariance != nil } == [true, false, false, false, false, false, false, false])
        #expect(files.map { $0.trees != nil } == [false, false, true, true, true, true, false, false])
        #expect(files.map { $0.fuzzy != nil } == [false, false, false, false, false, false, true, false])
        #expect(files.map { $0.index != nil } == [false, false, false, false, false, false, false, true])
        #expect(files.map(\.method) == ModelPayload.methods)
    }
}
