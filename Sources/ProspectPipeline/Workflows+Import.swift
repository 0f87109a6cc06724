import Foundation
import ProspectCore

/// A library whose tree models `prospect import` reads.
public enum ImportSource: String, Sendable, CaseIterable {
    /// `Booster.dump_model()` JSON.
    case lightgbm
    /// `Booster.save_model("model.json")` JSON.
    case xgboost

    /// Parses the file's bytes.
    /// - Throws: `TreeImportError`.
    public func parse(_ data: Data) throws -> ImportedTrees {
        switch self {
        case .lightgbm: return try LightGBMDump.parse(data)
        case .xgboost: return try XGBoostDump.parse(data)
        }
    }

    /// The origin the model file records for the ensemble read.
    public var origin: TreeOrigin {
        switch self {
        case .lightgbm: .lightgbm
        case .xgboost: .xgboost
        }
    }
}

/// What an import did.
public struct ImportResult: Sendable {
    public var model: ModelFile
    public var imported: ImportedTrees
    /// The layers the model reads, in its order, with the feature each stands for.
    public var layers: [(feature: String, spec: LayerSpec)]
    /// Features no split uses that were given no layer (left out of the model).
    public var unusedFeatures: [String]
    public var warnings: [String]
}

extension Workflows {
    /// Turns a LightGBM or XGBoost model file into a Prospect model over evidence layers.
    ///
    /// Features are matched to layers by name (`FeatureMatching`); the layers must share one
    /// grid. The model file (method "lightgbm" or "xgboost") holds the trees with their features
    /// renumbered to its layers, and is written atomically.
    /// - Parameters:
    ///   - layers: candidate layers: a stack's, then those named on the command line.
    ///   - required: per layer, whether it must be a feature of the model (named on the command
    ///     line) or may be left out (from a stack).
    ///   - created: the model's `created` stamp (nil: the time of writing).
    /// - Throws: `PipelineError` naming the model file and the problem (not JSON, another
    ///   format, an unsupported model, a feature with no layer), or a layer's file (missing,
    ///   on another grid); or, before anything is written, naming `modelPath` when it would
    ///   overwrite the model being imported, a layer or one of `otherInputs` (a stack's manifest).
    public static func importTrees(
        from source: ImportSource, dumpPath: String, layers: [LayerSpec], required: [Bool],
        modelPath: String, legend: [String: [String: String]] = [:], otherInputs: [OutputGuard.Input] = [],
        created: CreationTime? = nil
    ) throws -> ImportResult {
        precondition(layers.count == required.count)
        var paths = OutputGuard()
        paths.input(dumpPath, "the model being imported")
        for layer in layers { paths.input(layer.path, "evidence layer \(layer.name)") }
        for input in otherInputs { paths.input(input.path, input.role) }
        paths.output(modelPath, "--out", format: .model)
        try paths.claim()
        guard FileManager.default.fileExists(atPath: dumpPath) else { throw PipelineError(dumpPath, "no such file") }
        guard let data = FileManager.default.contents(atPath: dumpPath) else { throw PipelineError(dumpPath, "cannot be read") }
        let imported: ImportedTrees
        let match: FeatureMatching.Result
        do {
            imported = try source.parse(data)
            match = try FeatureMatching.match(model: imported, layerNames: layers.map(\.name), required: required)
        } catch let e as TreeImportError {
            throw PipelineError(dumpPath, e.message)
        }
        let chosen = match.layers.map { layers[$0] }
        let stack = try EvidenceStack.open(chosen)
        try stack.checkCategoricalCodes()
        let ensemble = imported.ensemble.remappingFeatures(match.featureToLayer, count: chosen.count)

        var featureOfLayer = [String](repeating: "", count: chosen.count)
        var gainOfLayer = [Double](repeating: 0, count: chosen.count)
        for (f, k) in match.featureToLayer.enumerated() {
            guard let k else { continue }
            featureOfLayer[k] = imported.featureNames[f]
            gainOfLayer[k] = imported.gain[f]
        }
        let unused = imported.featureNames.indices.filter { match.featureToLayer[$0] == nil }.map { imported.featureNames[$0] }
        let modelDir = URL(fileURLWithPath: modelPath).deletingLastPathComponent().path
        let modelLayers = chosen.map {
            ModelLayer(name: $0.name, path: RelativePath.make($0.path, from: modelDir), kind: $0.kind, legend: legend[$0.name])
        }
        let parameters: [String: String] = [
            "source": RelativePath.make(dumpPath, from: modelDir),
            "objective": imported.objective,
            "version": imported.version,
            "trees": String(ensemble.trees.count),
            "features": featureOfLayer.joined(separator: ","),
        ]
        let ranking = chosen.indices.sorted { gainOfLayer[$0] > gainOfLayer[$1] }.map { chosen[$0].name }
        let summary = TrainingSummary(
            validCells: 0, cellAreaKm2: try CellArea.km2(of: stack.grid, file: chosen[0].path).area, depositsGiven: 0,
            depositsUsed: 0, depositsOutsideGrid: 0, depositsOnNodata: 0, depositsSharingCell: 0,
            layerRanking: ranking)
        let file = ModelFile(
            tool: ProspectVersion.tool, created: created.stamp,
            layers: modelLayers, payload: .trees(ensemble, origin: source.origin), parameters: parameters,
            training: summary)
        try ModelStore.save(file, to: modelPath)
        var warnings = imported.warnings
        if !unused.isEmpty {
            warnings.append(
                "no split uses feature\(unused.count == 1 ? "" : "s") \(unused.joined(separator: ", ")); "
                    + "left out of the model (no layer given)")
        }
        return ImportResult(
            model: file, imported: imported, layers: Array(zip(featureOfLayer, chosen)),
            unusedFeatures: unused, warnings: warnings)
    }
}
