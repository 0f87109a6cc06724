import Foundation
import ProspectCore

/// Fuzzy and weighted index overlays: models given by the expert, checked on the data and, with
/// deposits, evaluated on them (they do not shape the model).
enum OverlayMethod {
    /// Which layers a knowledge-driven model reads and its payload, class keys turned into codes.
    struct Selection {
        var layers: [LayerSpec]
        var payload: ModelPayload
        /// The layers given but not used, by name.
        var leftOut: [String]
    }

    /// A fuzzy layer's values may overshoot [0, 1] by this much (float rounding of a min–max)
    /// before training refuses it; scoring clamps.
    static let membershipTolerance: Float = 1e-5

    /// The layers the model reads, in the given order: those the expression names (fuzzy) or
    /// given a weight (index; every layer when none is).
    /// - Throws: `PipelineError` for a categorical layer without class scores, class scores for a
    ///   layer the model does not use, a class that is neither a code nor in the layer's legend.
    static func select(
        layers: [LayerSpec], method: TrainingOptions.Method, options o: OverlayOptions,
        legend: [String: [String: String]]
    ) throws -> Selection {
        precondition(method.isKnowledgeDriven)
        let names = layers.map(\.name)
        let used: [Int]
        var fuzzy: FuzzyExpression?
        if method == .fuzzy {
            let e = try FuzzyExpression(parsing: o.expression!, layers: names)  // checked by the options layer
            fuzzy = e
            used = e.layers.sorted()
        } else {
            used = o.weights.isEmpty ? Array(layers.indices) : layers.indices.filter { o.weights[names[$0]] != nil }
        }
        let kept = used.map { layers[$0] }
        let keptNames = kept.map(\.name)
        var scores: [String: [String: Double]] = [:]
        for (name, table) in o.classScores.sorted(by: { $0.key < $1.key }) {
            guard keptNames.contains(name) else {
                throw PipelineError(
                    nil,
                    "class scores for \(name): the model does not use \(name) (\(method == .fuzzy ? "add it to the expression" : "give it a weight"))"
                )
            }
            for (key, value) in table {
                let code = try classCode(key, layer: name, legend: legend[name])
                guard scores[name]?[code] == nil else { throw PipelineError(nil, "class scores for \(name): class \(key) is scored twice") }
                scores[name, default: [:]][code] = value
            }
        }
        for layer in kept where layer.kind == .categorical && scores[layer.name] == nil {
            throw PipelineError(
                layer.path,
                "categorical layer \(layer.name) needs class scores (--class-score \(layer.name):CLASS=SCORE, or class_scores: in a study file); classes not listed score 0"
            )
        }
        let payload: ModelPayload
        if let fuzzy {
            let e = try FuzzyExpression(parsing: fuzzy.text(layers: names), layers: keptNames)
            payload = .fuzzy(FuzzyOverlayModel(expression: e.text(layers: keptNames), classScores: scores))
        } else {
            payload = .index(
                WeightedIndexModel(
                    weights: Dictionary(uniqueKeysWithValues: keptNames.map { ($0, o.weights[$0] ?? 1) }),
                    classScores: scores))
        }
        return Selection(layers: kept, payload: payload, leftOut: names.filter { !keptNames.contains($0) })
    }

    /// A class key as a code: a whole number, or a class name from the layer's legend.
    static func classCode(_ key: String, layer: String, legend: [String: String]?) throws -> String {
        let trimmed = key.trimmingCharacters(in: .whitespaces)
        if let code = Int32(trimmed) { return String(code) }
        if let legend, let code = legend.first(where: { $0.value == trimmed })?.key { return code }
        let known =
            legend.map {
                ": known classes "
                    + $0.sorted { (Int($0.key) ?? 0) < (Int($1.key) ?? 0) }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            }
            ?? " (it carries no legend here, so give class codes; a stack from prepare carries its legends)"
        throw PipelineError(nil, "class scores for \(layer): \"\(key)\" is neither a class code nor a class name of \(layer)\(known)")
    }

    /// Checks the model on the data and summarizes it: the cells with data, a fuzzy layer's
    /// values against [0, 1], and, with deposits, the model's ROC AUC on them.
    static func fit(
        _ data: TrainingData, payload: ModelPayload, deposits: [TrainingData.DepositCell], area: TrainingArea,
        threads: Int, progress: Progress?
    ) throws -> FittedModel {
        let stack = data.stack
        var summary = data.summary
        var warnings: [String] = []
        var parameters = ["knowledgeDriven": "true"]
        let layers = stack.layers.map { ModelLayer(name: $0.name, path: $0.path, kind: $0.kind, transforms: $0.transforms) }
        let scorer: any CellScorer
        do {
            switch payload {
            case .fuzzy(let f): scorer = try f.overlay(layers: layers, nodata: stack.nodata)
            case .index(let i): scorer = try i.overlay(layers: layers, nodata: stack.nodata)
            default: preconditionFailure("an overlay payload")
            }
        } catch let e as OverlayModelError {
            throw PipelineError(nil, e.message)
        }
        if case .fuzzy(let f) = payload { parameters["expression"] = f.expression }
        if case .index = payload {
            for layer in stack.layers where layer.kind == .continuous && layer.transforms.isEmpty {
                warnings.append(
                    "\(layer.name) enters the index with its raw values; put the layers on one scale (e.g. --transform \(layer.name)=minmax)"
                )
            }
        }
        // The deposits' scores.
        var depositScores = [Float](repeating: 0, count: deposits.count)
        if !deposits.isEmpty {
            let columns = stack.layers.indices.map { k in deposits.map { $0.values[k] } }
            columns.withUnsafeBufferPointers { inputs in
                depositScores.withUnsafeMutableBufferPointer {
                    scorer.score(layers: inputs, outputs: [$0], outputNodata: -9999)
                }
            }
        }
        // One pass over the stack: cells with data, fuzzy ranges, scores for the ROC. Each worker
        // keeps its own ranges and counts, which merge alike in any order.
        let isFuzzy: Bool = { if case .fuzzy = payload { return true } else { return false } }()
        let nodata: Float = -9999
        let tiling = stack.tiling
        let grid = stack.grid
        struct Pass {
            var low: [Float]
            var high: [Float]
            var roc: ROCAccumulator?
            var valid = 0
            var scores: [Float]
            var row: [Float]
        }
        let layerCount = stack.layers.count
        let scored = depositScores
        let workers = try CellStream.tiles(of: stack, threads: threads, progress: progress) {
            Pass(
                low: [Float](repeating: .infinity, count: layerCount), high: [Float](repeating: -.infinity, count: layerCount),
                roc: scored.isEmpty ? nil : ROCAccumulator(depositScores: scored),
                scores: [Float](repeating: 0, count: tiling.tileColumns * tiling.tileRows),
                row: [Float](repeating: 0, count: tiling.tileColumns))
        } _: { pass, tile in
            let (window, stride, buffers) = (tile.window, tile.stride, tile.buffers)
            if isFuzzy {
                for k in stack.layers.indices where stack.layers[k].kind == .continuous {
                    let nd = stack.nodata[k]
                    for r in 0..<window.rows {
                        for c in 0..<window.columns where area.contains(column: window.column + c, row: window.row + r, grid: grid) {
                            let v = buffers[k][r * stride + c]
                            if v.isNaN || v == nd { continue }
                            pass.low[k] = min(pass.low[k], v)
                            pass.high[k] = max(pass.high[k], v)
                        }
                    }
                }
            }
            let n = tiling.blockAligned ? pass.scores.count : window.cellCount
            var scores = pass.scores
            var row = pass.row
            scores.withUnsafeMutableBufferPointer { scores in
                scorer.score(
                    layers: buffers.map { UnsafeBufferPointer($0) }, outputs: [UnsafeMutableBufferPointer(rebasing: scores[0..<n])],
                    outputNodata: nodata)
                for r in 0..<window.rows {
                    // The row's scores, nodata outside the training area.
                    var kept = 0
                    for c in 0..<window.columns {
                        let v = scores[r * stride + c]
                        guard v != nodata, !v.isNaN, area.contains(column: window.column + c, row: window.row + r, grid: grid) else {
                            continue
                        }
                        row[kept] = v
                        kept += 1
                    }
                    pass.valid += kept
                    row.withUnsafeBufferPointer { pass.roc?.add(UnsafeBufferPointer(rebasing: $0[0..<kept])) { _ in true } }
                }
            }
            pass.scores = scores
            pass.row = row
        }
        var low = workers[0].low
        var high = workers[0].high
        var roc = depositScores.isEmpty ? nil : ROCAccumulator(depositScores: depositScores)
        var valid = 0
        for w in workers {
            for k in low.indices {
                low[k] = min(low[k], w.low[k])
                high[k] = max(high[k], w.high[k])
            }
            if let other = w.roc { roc?.merge(other) }
            valid += w.valid
        }
        for k in stack.layers.indices where low[k] <= high[k] {
            if low[k] < -membershipTolerance || high[k] > 1 + membershipTolerance {
                let layer = stack.layers[k]
                let after =
                    layer.transforms.isEmpty ? "" : " after its transforms (\(layer.transforms.map(\.description).joined(separator: ", ")))"
                throw PipelineError(
                    layer.path,
                    "layer \(layer.name) ranges from \(low[k]) to \(high[k])\(after); a fuzzy overlay combines memberships in [0, 1]: give it a fuzzy membership or min–max transform (e.g. --transform \(layer.name)=fuzzy-large)"
                )
            }
        }
        guard valid > 0 else { throw PipelineError(stack.layers[0].path, "no cell has data in every layer of the model") }
        summary.validCells = valid
        summary.depositAUC = roc?.auc
        // Ranking: the mean contribution at the deposit cells, else the weights (index) or the
        // expression's order (fuzzy).
        let names = stack.layers.map(\.name)
        switch payload {
        case _ where !deposits.isEmpty:
            var sums = [Double](repeating: 0, count: names.count)
            for d in deposits { for (k, c) in scorer.contributions(values: d.values).enumerated() { sums[k] += c } }
            summary.layerRanking = names.indices.sorted { (sums[$0], -$0) > (sums[$1], -$1) }.map { names[$0] }
        case .index(let i):
            summary.layerRanking = names.indices.sorted { (i.weights[names[$0]]!, -$0) > (i.weights[names[$1]]!, -$1) }.map { names[$0] }
        case .fuzzy(let f):
            summary.layerRanking = try FuzzyExpression(parsing: f.expression, layers: names).layers.map { names[$0] }
        default:
            preconditionFailure("an overlay payload")
        }
        return FittedModel(payload: payload, parameters: parameters, summary: summary, warnings: warnings)
    }
}

extension Array where Element == [Float] {
    /// Runs `body` with a buffer pointer to each inner array.
    func withUnsafeBufferPointers<R>(_ body: ([UnsafeBufferPointer<Float>]) throws -> R) rethrows -> R {
        func nest(_ i: Int, _ acc: [UnsafeBufferPointer<Float>]) throws -> R {
            guard i < count else { return try body(acc) }
            return try self[i].withUnsafeBufferPointer { try nest(i + 1, acc + [$0]) }
        }
        return try nest(0, [])
    }
}
