import Foundation
import ProspectCore
import ProspectGDAL

/// Per-layer contributions from the model stored in a map's metadata: the mean of each layer's
/// term (weight or coefficient × value, as `CellScorer.contributions` gives it) over a target's
/// cells, read from the evidence layers the map names.
struct TargetExplainer {
    var model: ModelFile
    var stack: EvidenceStack

    /// - Throws: `PipelineError` when the map carries no model, does not list its inputs, or
    ///   its evidence layers cannot be opened or lie on another grid.
    init(metadata: [String: String], grid: Grid) throws {
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
    }

    /// The mean contribution of each layer over the cells of `window` where `inside` holds,
    /// strongest first.
    /// - Parameters:
    ///   - window: the target's bounding window on the map.
    ///   - inside: one flag per window cell, row-major.
    ///   - cells: how many flags are set.
    func contributions(window: Window, inside: [Bool], cells: Int) throws -> [LayerContribution] {
        precondition(inside.count == window.cellCount, "one flag per window cell")
        var sums = [Double](repeating: 0, count: stack.layers.count)
        // The window of every layer, transformed as the model saw it.
        let reader = try StackReader(stack, window: window)
        let buffers = try reader.readWindow()
        let scorer = model.scorer(nodata: stack.nodata)
        var values = [Float](repeating: 0, count: stack.layers.count)
        for i in inside.indices where inside[i] {
            for k in values.indices { values[k] = buffers[k][i] }
            for (k, v) in scorer.contributions(values: values).enumerated() { sums[k] += v }
        }
        return zip(stack.layers, sums).map { LayerContribution(layer: $0.0.name, logit: $0.1 / Double(cells)) }
            .sorted { $0.logit > $1.logit }
    }
}
