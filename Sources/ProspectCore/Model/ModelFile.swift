import Foundation

/// One evidence layer as a model records it.
public struct ModelLayer: Codable, Sendable, Equatable {
    public var name: String
    /// Path of the raster, relative to the model file's folder when it was written.
    public var path: String
    public var kind: LayerKind
    /// Transforms applied to the layer's cells before its model term, in order, with every
    /// parameter resolved at training time. Each is stored in its text form (`"zscore:mean=…"`,
    /// see `LayerTransform.init(parsing:)`). Empty in format version 1 files.
    public var transforms: [LayerTransform]
    /// Class code → label, for categorical layers that carry a legend.
    public var legend: [String: String]?

    public init(name: String, path: String, kind: LayerKind, transforms: [LayerTransform] = [], legend: [String: String]? = nil) {
        self.name = name
        self.path = path
        self.kind = kind
        self.transforms = transforms
        self.legend = legend
    }
}

/// What training saw and decided, kept with the model for reports.
public struct TrainingSummary: Codable, Sendable {
    /// Cells where every layer was valid (the training area); with missing data as unknown,
    /// cells where at least one layer was valid.
    public var validCells: Int
    public var cellAreaKm2: Double
    /// Deposits given, used, and skipped with the reason.
    public var depositsGiven: Int
    public var depositsUsed: Int
    public var depositsOutsideGrid: Int
    public var depositsOnNodata: Int
    /// Deposits that shared a cell with another deposit (counted once).
    public var depositsSharingCell: Int
    /// Weights of evidence: prior probability N(D)/N(T) in unit cells.
    public var priorProbability: Double?
    /// Weights of evidence: what N(D) counted, deposit points or deposit cells (nil in files
    /// written before the choice existed, which counted cells).
    public var countDeposits: WofEDepositCount?
    /// Weights of evidence: N(D), the deposits counted.
    public var depositsCounted: Int?
    /// Weights of evidence: every class row (selected ones enter the model).
    public var weights: [WofEClassRow]?
    /// Weights of evidence: the Agterberg & Cheng (2002) conditional independence test.
    public var conditionalIndependence: WofEConditionalIndependence?
    /// Weights of evidence: chi-square tests of independence between pairs of generalized
    /// layers, on the deposit cells (Bonham-Carter 1994, p. 312).
    public var pairwiseIndependence: [WofEPairwiseTest]?
    /// Logistic regression: coefficients with standard errors.
    public var coefficients: [LogisticCoefficientRow]?
    /// Logistic regression: the intercept's standard error (the intercept is the model's).
    public var interceptStandardError: Double?
    /// Logistic regression: background cells used and whether IRLS converged.
    public var backgroundCells: Int?
    public var converged: Bool?
    public var iterations: Int?
    /// Tree ensembles: trees, depth, sample, class weights, AUC and importance per layer.
    public var trees: TreeTrainingSummary?
    /// Knowledge-driven models (fuzzy, index) given deposits: ROC AUC of the model's scores at
    /// the deposit cells against every valid cell. The deposits did not shape the model, so this
    /// measures prediction, not fit.
    public var depositAUC: Double?
    /// Trained models: the deposits the fitted model expects over its training area, the sum
    /// of its probabilities there (per cell; weights of evidence per unit cell, converted to
    /// deposits: Agterberg & Cheng's T), to compare with `depositsUsed`. Nil for overlays and
    /// for files written before it was recorded.
    public var expectedDeposits: Double?
    /// Layer names ordered from strongest to weakest evidence (|studentized contrast| for
    /// weights of evidence, |z| of the strongest term for logistic regression).
    public var layerRanking: [String]

    public init(
        validCells: Int, cellAreaKm2: Double, depositsGiven: Int, depositsUsed: Int,
        depositsOutsideGrid: Int, depositsOnNodata: Int, depositsSharingCell: Int,
        layerRanking: [String]
    ) {
        self.validCells = validCells
        self.cellAreaKm2 = cellAreaKm2
        self.depositsGiven = depositsGiven
        self.depositsUsed = depositsUsed
        self.depositsOutsideGrid = depositsOutsideGrid
        self.depositsOnNodata = depositsOnNodata
        self.depositsSharingCell = depositsSharingCell
        self.layerRanking = layerRanking
    }
}

/// The versioned model file: method, layers, the model, parameters and provenance.
///
/// Format version 3; version 2 added layer transforms, version 3 the other model kinds (tree
/// ensembles `trees`, the knowledge-driven overlays `fuzzy` and `index`) and attachments such as
/// `wofeVariance`. Version 1 and 2 files read unchanged. A reader refuses files whose
/// `formatVersion` is newer than
/// it knows.
public struct ModelFile: Sendable {
    public static let formatName = "prospect-model"
    public static let currentVersion = 3

    public var format: String
    public var formatVersion: Int
    public var tool: String
    public var created: String
    public var layers: [ModelLayer]
    /// The model, exactly one; the file's method follows from it.
    public var payload: ModelPayload
    public var parameters: [String: String]
    public var training: TrainingSummary

    /// A current-format file holding `payload`.
    public init(
        tool: String, created: String, layers: [ModelLayer], payload: ModelPayload,
        parameters: [String: String], training: TrainingSummary
    ) {
        self.format = Self.formatName
        self.formatVersion = Self.currentVersion
        self.tool = tool
        self.created = created
        self.layers = layers
        self.payload = payload
        self.parameters = parameters
        self.training = training
    }

    /// "wofe", "logistic", "rf", "gbt", "fuzzy", "index", or for imported tree ensembles
    /// "lightgbm", "xgboost" (`ModelPayload.method`).
    public var method: String { payload.method }

    /// The additive model (weights of evidence, logistic regression); nil for other model kinds.
    public var additive: AdditiveModel? {
        switch payload {
        case .weightsOfEvidence(let model, _), .logistic(let model): model
        case .trees, .fuzzy, .index: nil
        }
    }

    /// Weights of evidence: the weights' variances, when the file has them.
    public var wofeVariance: WofEVariance? {
        if case .weightsOfEvidence(_, let variance) = payload { return variance }
        return nil
    }

    /// The tree ensemble; nil for other model kinds.
    public var trees: TreeEnsemble? {
        if case .trees(let ensemble, _) = payload { return ensemble }
        return nil
    }

    /// The fuzzy overlay; nil for other model kinds.
    public var fuzzy: FuzzyOverlayModel? {
        if case .fuzzy(let model) = payload { return model }
        return nil
    }

    /// The weighted index overlay; nil for other model kinds.
    public var index: WeightedIndexModel? {
        if case .index(let model) = payload { return model }
        return nil
    }

    /// The model ready for the engine, using `nodata` (one per layer) as the missing values.
    public func scorer(nodata: [Float]) -> any CellScorer {
        switch payload {
        case .weightsOfEvidence(let model, let variance):
            var m = model
            m.nodata = nodata
            if let variance { return WofEScorer(model: m, variance: variance) }
            return CompiledModel(m)
        case .logistic(let model):
            var m = model
            m.nodata = nodata
            return CompiledModel(m)
        case .trees(let ensemble, _):
            return CompiledTrees(ensemble, nodata: nodata)
        case .fuzzy(let fuzzy):
            return Self.checkedOverlay { try fuzzy.overlay(layers: layers, nodata: nodata) }
        case .index(let index):
            return Self.checkedOverlay { try index.overlay(layers: layers, nodata: nodata) }
        }
    }

    /// A problem with a model file's content.
    public struct FormatError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }

    /// Decodes and checks a model file's bytes.
    /// - Throws: `FormatError` naming the problem (`JSONProblem`: the key path and what was
    ///   expected there, or where the JSON breaks): not JSON, not a Prospect model, a newer or
    ///   unknown format version, not exactly one model, a method that is unknown or not the
    ///   model's, a model whose layers and terms disagree, or a number that is not finite or a
    ///   lookup table that is not one value per distinct code (`numericProblem`).
    public static func decode(_ data: Data) throws -> ModelFile {
        struct Header: Decodable {
            var format: String?
            var formatVersion: Int?
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let header: Header
        do { header = try decoder.decode(Header.self, from: data) } catch {
            let problem = JSONProblem.describe(error, in: data) { _ = try decoder.decode(Header.self, from: $0) }
            throw FormatError(message: problem.hasPrefix("not valid JSON") ? problem : "malformed model file: \(problem)")
        }
        guard header.format == formatName else {
            throw FormatError(message: "not a Prospect model file (missing \"format\": \"\(formatName)\")")
        }
        guard let version = header.formatVersion else { throw FormatError(message: "model file has no formatVersion") }
        guard version <= currentVersion else {
            throw FormatError(
                message: "model format version \(version) is newer than this prospect reads (\(currentVersion)); upgrade prospect")
        }
        guard version >= 1 else {
            throw FormatError(message: "malformed model file: formatVersion \(version) is not a format version (1…\(currentVersion))")
        }
        let file: ModelFile
        do { file = try decoder.decode(ModelFile.self, from: data) } catch let e as FormatError {
            throw e
        } catch {
            let problem = JSONProblem.describe(error, in: data) { _ = try decoder.decode(ModelFile.self, from: $0) }
            throw FormatError(message: "malformed model file: \(problem)")
        }
        if let model = file.additive {
            guard file.layers.count == model.terms.count, model.nodata.count == model.terms.count else {
                throw FormatError(message: "malformed model file: \(file.layers.count) layers but \(model.terms.count) model terms")
            }
        }
        if let problem = file.treeProblem { throw FormatError(message: "malformed model file: \(problem)") }
        if case .weightsOfEvidence(let model, let variance?) = file.payload {
            guard variance.terms.count == model.terms.count else {
                throw FormatError(message: "malformed model file: wofeVariance needs an additive model with one term per variance term")
            }
            if let classes = variance.missingClasses,
                classes.count != model.terms.count || classes.contains(where: { $0.weights.count != $0.fractions.count })
            {
                throw FormatError(
                    message: "malformed model file: wofeVariance.missingClasses needs one entry per layer, with one fraction per weight")
            }
        }
        if let problem = file.numericProblem { throw FormatError(message: "malformed model file: \(problem)") }
        try file.checkOverlayPayloads()
        return file
    }
}
