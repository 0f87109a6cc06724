import Foundation
import ProspectCore

/// What a method made of the training data: the model and what training saw and decided.
public struct FittedModel: Sendable {
    public var payload: ModelPayload
    /// The settings the model was made with, as the model file records them.
    public var parameters: [String: String]
    public var summary: TrainingSummary
    /// What the user should know about the fit.
    public var warnings: [String]
}

/// The result of training: the model file and the tables to print.
public struct TrainingResult: Sendable {
    public var model: ModelFile
    /// Deposit identifiers skipped, with the reason.
    public var skipped: [(id: String, reason: String)]
    /// Things the user should know about the fit (printed before the tables).
    public var warnings: [String] = []
}

/// The one training path: every method, from data built once.
///
/// `Workflows.train` (the CLI, study files, the demo) reads the layers and deposits into a
/// `TrainingData` and calls `fit` on all of it; cross-validation calls `fit` once per fold on
/// a subset of the deposit cells and a training area. Knowledge-driven overlays are selected
/// first (`OverlayMethod.select`: the layers they read), then checked the same way.
public enum Training {
    /// The fewest usable deposit cells a method needs.
    public static func requiredDeposits(_ method: TrainingOptions.Method) -> Int { method.isKnowledgeDriven ? 0 : 2 }

    /// The passes over the stack that `fit` reports on its `progress`, by method, so that a
    /// step's fraction runs once from 0 to 1 (`--progress json`).
    public static func progressPasses(_ method: TrainingOptions.Method) -> Int {
        switch method {
        case .wofe: 1  // the tallies (the pass counting unique conditions reports none)
        case .logistic: 2  // the background sample, the expected deposits
        case .rf, .gbt: 2  // the background sample, the calibration
        case .fuzzy, .index: 1  // the check of the overlay
        }
    }

    /// Fits `options.method` to `data`.
    /// - Parameters:
    ///   - deposits: indices into `data.depositCells` to train on (nil: all); those outside
    ///     `area` are left out.
    ///   - area: the cells training sees (tallies, background, the training area of the summary).
    ///   - overlay: a knowledge-driven model's payload from `OverlayMethod.select`.
    /// - Throws: `PipelineError` naming the file or setting at fault.
    public static func fit(
        _ data: TrainingData, options: TrainingOptions, deposits subset: [Int]? = nil,
        area: TrainingArea = .all, overlay: ModelPayload? = nil, progress: Progress? = nil
    ) throws -> FittedModel {
        let grid = data.stack.grid
        let deposits = (subset.map { $0.map { data.depositCells[$0] } } ?? data.depositCells).filter { area.contains($0.cell, grid: grid) }
        var summary = data.summary
        if subset != nil || !isAll(area) { summary.depositsUsed = deposits.count }
        var data = data
        data.summary = summary
        let required = requiredDeposits(options.method)
        guard deposits.count >= required else {
            throw PipelineError(
                data.depositsPath, "only \(deposits.count) deposit cell(s) lie in the training area; at least \(required) are needed")
        }
        var fitted: FittedModel
        switch options.method {
        case .wofe:
            fitted = try WofEMethod.fit(
                data, deposits: deposits, area: area, options: options.wofe, threads: options.threads, progress: progress)
        case .logistic:
            fitted = try LogisticMethod.fit(
                data, deposits: deposits, area: area, options: options.logistic, sampling: options.sampling,
                threads: options.threads, progress: progress)
        case .rf, .gbt:
            fitted = try TreeMethod.fit(
                data, deposits: deposits, area: area, method: options.method, options: options.trees,
                holdout: options.treeHoldout, sampling: options.sampling, threads: options.threads, progress: progress)
        case .fuzzy, .index:
            guard let overlay else { preconditionFailure("a knowledge-driven model is selected before it is fitted") }
            fitted = try OverlayMethod.fit(
                data, payload: overlay, deposits: deposits, area: area, threads: options.threads, progress: progress)
        }
        let expectation = try expectedDeposits(
            &fitted, data: data, area: area, deposits: deposits.count, threads: options.threads, progress: progress)
        let infinite = data.stack.infiniteCells.warnings(paths: data.stack.layers.map(\.path))
        let unmapped = data.stack.unmappedCells.warnings(layers: data.stack.layers)
        fitted.warnings = data.warnings + infinite + unmapped + fitted.warnings + expectation
        return fitted
    }

    /// Records the deposits the fitted model expects over its training area
    /// (`TrainingSummary.expectedDeposits`) and returns a warning when they differ from the
    /// deposit cells trained on by more than a factor of 1.5.
    ///
    /// Weights of evidence has the number already (Agterberg & Cheng's T, from the pass that
    /// counts unique conditions); logistic regression takes one more streaming pass; trees
    /// record it when they calibrate (`TreeMethod`). Overlays are not probabilities.
    static func expectedDeposits(
        _ fitted: inout FittedModel, data: TrainingData, area: TrainingArea, deposits: Int, threads: Int, progress: Progress?
    ) throws -> [String] {
        switch fitted.payload {
        case .weightsOfEvidence:
            fitted.summary.expectedDeposits = fitted.summary.conditionalIndependence?.expected
        case .logistic(var model):
            model.nodata = data.stack.nodata
            fitted.summary.expectedDeposits = try TrainingAreaScores.measure(
                CompiledModel(model), stack: data.stack, area: area, histogram: false, threads: threads, progress: progress
            ).sum
        case .trees, .fuzzy, .index:
            break
        }
        guard let expected = fitted.summary.expectedDeposits,
            let ratio = TrainingAreaScores.mismatch(expected: expected, known: deposits)
        else { return [] }
        let unit = fitted.payload.method == "wofe" ? "probability per unit cell × unit cells" : "probability per cell"
        return [
            String(
                format:
                    "the fitted model expects %.1f deposits over its training area (the sum of its %@) against %d deposit cells trained on, %.2f times as many: its probabilities are not calibrated",
                expected, unit, deposits, ratio)
        ]
    }

    static func isAll(_ area: TrainingArea) -> Bool { if case .all = area { return true } else { return false } }

    /// The model file of a fit, its layers' paths relative to the model's folder.
    public static func modelFile(
        _ fitted: FittedModel, data: TrainingData, modelPath: String, created: CreationTime? = nil
    ) -> ModelFile {
        let modelDir = URL(fileURLWithPath: modelPath).deletingLastPathComponent().path
        let layers = data.stack.layers.map {
            ModelLayer(
                name: $0.name, path: RelativePath.make($0.path, from: modelDir), kind: $0.kind,
                transforms: $0.transforms, legend: data.legend[$0.name])
        }
        return ModelFile(
            tool: ProspectVersion.tool, created: created.stamp, layers: layers,
            payload: fitted.payload, parameters: fitted.parameters, training: fitted.summary)
    }
}

extension ModelFile {
    /// What `training.layerRanking` orders the layers by, in words: strength of evidence for
    /// trained models; for knowledge-driven ones the mean contribution at the deposits when
    /// there were some, else the weights (index) or the expression's order (fuzzy).
    public var rankingBasis: String {
        switch payload {
        case .weightsOfEvidence, .logistic, .trees: "strength of evidence"
        case _ where training.depositsUsed > 0: "mean contribution at the deposits"
        case .index: "weight"
        case .fuzzy: "order in the expression"
        }
    }
}

extension Workflows {
    /// Trains any method on evidence files and deposits; writes the model file (and, for
    /// weights of evidence, the weights table) atomically.
    ///
    /// Transform parameters taken from the data are filled first, from each layer's valid
    /// cells. Knowledge-driven models read only the layers their expression names or that have
    /// a weight; deposits are optional for them and only evaluate them.
    /// - Parameters:
    ///   - deposits: the deposits' file and layer (nil only for knowledge-driven models).
    ///   - depositsCRS: the CRS of deposits whose file declares none.
    ///   - depositSelection: which of the file's points are deposits, and the field naming them.
    ///   - otherInputs: files the caller read for this run (a stack's manifest), which the
    ///     outputs must not overwrite either.
    ///   - created: the model's `created` stamp (nil: the time of writing).
    /// - Throws: `PipelineError` before anything is written when an output would overwrite
    ///   an input or the other output.
    public static func train(
        layers: [LayerSpec], deposits: VectorSource?, depositsCRS: String? = nil,
        depositSelection: DepositSelection = DepositSelection(), options: TrainingOptions, modelPath: String,
        weightsTablePath: String? = nil, legend: [String: [String: String]] = [:], otherInputs: [OutputGuard.Input] = [],
        created: CreationTime? = nil
    ) throws -> TrainingResult {
        guard deposits != nil || options.method.isKnowledgeDriven else {
            throw OptionError(.deposits, "give the known deposits (only fuzzy and index models do without)")
        }
        var paths = OutputGuard()
        for input in otherInputs { paths.input(input.path, input.role) }
        for layer in layers { paths.input(layer.path, "evidence layer \(layer.name)") }
        if let deposits { paths.input(deposits.path, "the deposits") }
        paths.output(modelPath, "--out", format: .model)
        if let weightsTablePath { paths.output(weightsTablePath, "--weights-table", format: .csv) }
        try paths.claim()
        // Categorical layers given directly bring their rasters' class names.
        let legend = RasterLegend.filling(legend, for: layers)
        var selected = layers
        var overlay: OverlayMethod.Selection?
        if options.method.isKnowledgeDriven {
            overlay = try OverlayMethod.select(layers: layers, method: options.method, options: options.overlay, legend: legend)
            selected = overlay!.layers
        }
        let data = try TrainingData.load(
            layers: selected, deposits: deposits, depositsCRS: depositsCRS, selection: depositSelection, missing: options.wofe.missing,
            required: Training.requiredDeposits(options.method), legend: legend, threads: options.threads)
        var fitted = try Training.fit(
            data, options: options, overlay: overlay?.payload,
            progress: Progress("training", passes: Training.progressPasses(options.method)))
        if let overlay, !overlay.leftOut.isEmpty {
            let why = options.method == .fuzzy ? "not in the expression" : "no weight given"
            fitted.warnings.insert("left out of the model (\(why)): \(overlay.leftOut.joined(separator: ", "))", at: 0)
        }
        if let clause = depositSelection.filter { fitted.parameters["depositsWhere"] = clause }
        if let field = depositSelection.idField { fitted.parameters["depositsID"] = field }
        let model = Training.modelFile(fitted, data: data, modelPath: modelPath, created: created)
        // The model and its weights table are one set: both are written, then both renamed.
        var staged = [try ModelStore.stage(model, to: modelPath)]
        if let weightsTablePath, let rows = model.training.weights {
            staged.append(try Reports.stageText(Reports.weightsCSV(rows, counting: model.training.countDeposits), to: weightsTablePath))
        }
        try AtomicOutput.commit(staged)
        return TrainingResult(model: model, skipped: data.skipped, warnings: fitted.warnings)
    }
}
