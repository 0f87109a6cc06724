import Foundation
import ProspectCore
import ProspectGDAL

/// One target explained: each layer's mean contribution over its cells, and its main evidence
/// in words.
public struct TargetExplanation: Sendable, Codable, Equatable {
    /// Mean contribution of each layer over the target's cells, in `unit`, strongest first.
    public var contributions: [LayerContribution]
    /// Up to three layers with a positive mean contribution, in the layer's terms
    /// (`lithology = Graphite paraschist`, `fault_distance ≤ 480 m`, `magnetics 120–480 nT`),
    /// strongest first; empty when no layer raises the score.
    public var evidence: [String]
    /// One line: the evidence with its contributions, or that no layer raises the score.
    public var explanation: String
    /// "logit" (weights of evidence, logistic regression, trees), "membership" (fuzzy),
    /// "index" (index overlay).
    public var unit: String
    /// Where the contributions start: the trees' expected logit, an additive model's intercept
    /// (the prior logit of weights of evidence), 0 for overlays.
    public var baseline: Double
    /// The mean over the target's cells of the model's output in `unit` (for trees the logit
    /// before a forest's calibration offset): the contributions add up to it minus `baseline`.
    public var meanOutput: Double
}

extension LayerContribution: Equatable {
    public static func == (a: LayerContribution, b: LayerContribution) -> Bool { a.layer == b.layer && a.logit == b.logit }
}

/// Explains targets from the model a map carries (`PROSPECT_MODEL_JSON`) and the evidence
/// layers it names (`PROSPECT_INPUTS`).
///
/// Contributions are the model's own: an additive model's terms (weights, coefficient × value),
/// a tree ensemble's path-dependent TreeSHAP values in logit units (`TreeAttribution`), an
/// overlay's shares of the score. Summed over a target's cells and divided by their number, they
/// add up to the target's mean output minus the baseline (`TargetExplanation.meanOutput`,
/// `baseline`). The words (`EvidenceWords`) use each layer's raw values (before transforms),
/// class names from the model's legend or else from the raster (GDAL category names, raster
/// attribute table), and the unit the raster declares.
public final class TargetExplainer {
    let model: ModelFile
    let stack: EvidenceStack
    let datasets: [RasterDataset]
    let legends: [[String: String]?]
    let units: [String?]
    let attribution: TreeAttribution?
    var memo: TreeAttribution.Memo
    let scorer: any CellScorer
    /// The selected row of each weights-of-evidence layer (the binary pattern's cut).
    let patterns: [String: WofEClassRow]

    /// Opens the map's model and its evidence layers.
    /// - Throws: `PipelineError` when the map carries no model or its layers are missing, or
    ///   on another grid; `GDALError` naming a layer that cannot be read.
    public init(metadata: [String: String], grid: Grid) throws {
        guard let json = metadata["PROSPECT_MODEL_JSON"], let data = json.data(using: .utf8) else {
            throw PipelineError(nil, "the map carries no Prospect model")
        }
        model = try ModelFile.decode(data)
        let specs = zip(model.layers, (metadata["PROSPECT_INPUTS"] ?? "").split(separator: "\n").map(String.init)).map {
            LayerSpec(name: $0.0.name, path: $0.1, kind: $0.0.kind, transforms: $0.0.transforms)
        }
        guard specs.count == model.layers.count else { throw PipelineError(nil, "map does not list its inputs") }
        stack = try EvidenceStack.open(specs)
        guard try GridCheck.same(stack.grid, grid) else { throw PipelineError(nil, "its evidence layers are on another grid") }
        datasets = try specs.map { try RasterDataset.open($0.path) }
        legends = zip(model.layers, datasets).map { layer, ds in
            guard layer.kind == .categorical else { return nil }
            if let legend = layer.legend { return legend }
            return layer.transforms.isEmpty ? try? RasterLegend.read(ds.path) : nil
        }
        units = zip(model.layers, datasets).map { $0.0.kind == .categorical ? nil : $0.1.unitType() }
        attribution = model.trees.map(TreeAttribution.init)
        memo = TreeAttribution.Memo(trees: model.trees?.trees.count ?? 0)
        scorer = model.scorer(nodata: stack.nodata)
        var patterns: [String: WofEClassRow] = [:]
        for row in model.training.weights ?? [] where row.selected && row.threshold != nil { patterns[row.layer] = row }
        self.patterns = patterns
    }

    /// The baseline the contributions start from (`TargetExplanation.baseline`).
    var baseline: Double {
        if let attribution { return attribution.expectedLogit }
        if let additive = model.additive { return Double(additive.intercept) }
        return 0
    }

    /// Explains the cells of `window` for which `contains(column, row)` holds (grid coordinates).
    /// - Throws: `GDALError` naming a layer that cannot be read.
    public func explain(window: Window, contains: (_ column: Int, _ row: Int) -> Bool) throws -> TargetExplanation {
        let count = stack.layers.count
        var raw: [[Float]] = []
        var transformed: [[Float]] = []
        for k in 0..<count {
            var buffer = [Float](repeating: 0, count: window.cellCount)
            try buffer.withUnsafeMutableBufferPointer { try datasets[k].read(window: window, into: $0) }
            raw.append(buffer)
            let chain = stack.layers[k].transforms
            if !chain.isEmpty { buffer.withUnsafeMutableBufferPointer { TransformKernel.apply(chain, $0, nodata: stack.fileNodata[k]) } }
            transformed.append(buffer)
        }
        var sums = [Double](repeating: 0, count: count)
        var output = 0.0
        var cells = 0
        var rawValues = [[Float]](repeating: [], count: count)
        var modelValues = [[Float]](repeating: [], count: count)
        var values = [Float](repeating: 0, count: count)
        for r in 0..<window.rows {
            for c in 0..<window.columns where contains(window.column + c, window.row + r) {
                let i = r * window.columns + c
                for k in 0..<count { values[k] = transformed[k][i] }
                let contributions: [Double]
                if let attribution {
                    contributions = attribution.logitContributions(values, memo: &memo)
                    output += attribution.logit(values)
                } else {
                    contributions = scorer.contributions(values: values)
                    output += baseline + contributions.reduce(0, +)
                }
                for k in 0..<count {
                    sums[k] += contributions[k]
                    let v = raw[k][i]
                    if v.isFinite && v != stack.fileNodata[k] {
                        rawValues[k].append(v)
                        modelValues[k].append(values[k])
                    }
                }
                cells += 1
            }
        }
        let n = Double(max(cells, 1))
        let contributions = zip(stack.layers, sums).map { LayerContribution(layer: $0.0.name, logit: $0.1 / n) }
            .sorted { $0.logit > $1.logit }
        var evidence: [String] = []
        var shares: [Double] = []
        for c in contributions.prefix(3) where c.logit > 0 {
            guard let k = stack.layers.firstIndex(where: { $0.name == c.layer }) else { continue }
            evidence.append(words(layer: k, raw: rawValues[k], transformed: modelValues[k]))
            shares.append(c.logit)
        }
        return TargetExplanation(
            contributions: contributions, evidence: evidence,
            explanation: Self.sentence(evidence: evidence, contributions: shares, payload: model.payload),
            unit: scorer.contributionUnit, baseline: baseline, meanOutput: output / n)
    }

    /// Layer `k` in words over a target's cells.
    func words(layer k: Int, raw: [Float], transformed: [Float]) -> String {
        let layer = model.layers[k]
        if layer.kind == .categorical { return EvidenceWords.classes(layer.name, codes: raw, legend: legends[k]) }
        if let term = model.additive?.terms[k],
            let text = EvidenceWords.pattern(
                layer.name, term: term, pattern: patterns[layer.name], transforms: layer.transforms,
                transformed: transformed, raw: raw, unit: units[k])
        {
            return text
        }
        return EvidenceWords.range(layer.name, values: raw, unit: units[k])
    }

    /// The one-line explanation: "Main evidence (logit above the prior): A +1.20; B +0.40",
    /// or, with no layer raising the score, "No layer raises the logit above the prior here".
    public static func sentence(evidence: [String], contributions: [Double], payload: ModelPayload) -> String {
        let reference: String
        switch payload {
        case .weightsOfEvidence: reference = "the prior"
        case .logistic: reference = "the model's baseline"
        case .trees: reference = "the trees' training average"
        case .fuzzy: reference = "membership"
        case .index: reference = "index"
        }
        let overlay: Bool
        switch payload {
        case .fuzzy, .index: overlay = true
        default: overlay = false
        }
        guard !evidence.isEmpty else {
            return overlay ? "No layer adds to the \(reference) here" : "No layer raises the logit above \(reference) here"
        }
        // Two decimals; a contribution below 0.005 keeps one significant digit rather than "+0.00".
        let items = zip(evidence, contributions).map { "\($0.0) \(String(format: abs($0.1) < 0.005 ? "%+.1g" : "%+.2f", $0.1))" }
        let what = overlay ? "share of the \(reference)" : "logit above \(reference)"
        return "Main evidence (\(what)): " + items.joined(separator: "; ")
    }
}
