import Foundation
import ProspectCore
import ProspectGDAL

extension Workflows {
    /// Makes a knowledge-driven model (fuzzy or index overlay) and writes it atomically.
    ///
    /// Only the layers the expression reads (fuzzy) or that are given a weight (index) enter the
    /// model; transform parameters are taken from those layers' valid cells. Deposits are
    /// optional: when given, the training summary reports the usual deposit counts and the
    /// model's ROC AUC on them (they do not shape the model).
    /// - Throws: `PipelineError` naming the problem: an expression that does not parse, a weight
    ///   or class score naming no layer, a categorical layer without class scores, a fuzzy
    ///   layer whose values fall outside [0, 1] after its transforms.
    public static func trainOverlay(layers: [LayerSpec], deposits depositsSource: VectorSource?, depositsCRS: String? = nil,
                                    options: TrainingOptions, modelPath: String,
                                    legend: [String: [String: String]] = [:]) throws -> TrainingResult {
        let (kept, payload, leftOut) = try OverlayTrainer.select(layers: layers, options: options, legend: legend)
        let resolved = try TransformResolver.resolve(kept)
        let stack = try EvidenceStack.open(resolved)
        let deposits = try depositsSource.map {
            try DepositSet.load($0.path, layer: $0.layer, grid: stack.grid, assumedCRS: depositsCRS)
        }
        var result = try OverlayTrainer.train(stack: stack, payload: payload, deposits: deposits, method: options.method,
                                              modelPath: modelPath, legend: legend, progress: Progress("training"))
        if !leftOut.isEmpty {
            let why = options.method == .fuzzy ? "not in the expression" : "no weight given"
            result.warnings.insert("left out of the model (\(why)): \(leftOut.joined(separator: ", "))", at: 0)
        }
        try ModelStore.save(result.model, to: modelPath)
        return result
    }
}

/// Builds fuzzy and weighted index overlays from the expert's settings and checks them on the data.
public enum OverlayTrainer {
    /// Either payload, before the layers are final.
    public enum Payload: Sendable {
        case fuzzy(FuzzyOverlayModel)
        case index(WeightedIndexModel)
    }

    /// A fuzzy layer's values may overshoot [0, 1] by this much (float rounding of a min–max)
    /// before training refuses it; scoring clamps.
    public static let membershipTolerance: Float = 1e-5

    /// The layers the model reads, in the given order, its payload (class keys turned into
    /// codes), and the names of the layers left out.
    /// - Throws: `PipelineError` for an expression that does not parse, names that are not
    ///   layers, a categorical layer without class scores, a class that is neither a code nor in
    ///   the layer's legend.
    public static func select(layers: [LayerSpec], options: TrainingOptions, legend: [String: [String: String]] = [:])
        throws -> (layers: [LayerSpec], payload: Payload, leftOut: [String]) {
        let names = layers.map(\.name)
        let o = options.overlay
        let used: [Int]
        switch options.method {
        case .fuzzy:
            guard let text = o.expression, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw PipelineError(nil, "a fuzzy model needs an expression, e.g. --expression \"gamma(0.9, and(\(names.prefix(2).joined(separator: ", "))), …)\"")
            }
            guard o.weights.isEmpty else { throw PipelineError(nil, "weights are for --method index; a fuzzy model combines memberships by its expression") }
            let e: FuzzyExpression
            do { e = try FuzzyExpression(parsing: text, layers: names) } catch {
                throw PipelineError(nil, "fuzzy expression \"\(text)\" \(error)")
            }
            used = e.layers.sorted()
        case .index:
            guard o.expression == nil else { throw PipelineError(nil, "an expression is for --method fuzzy; an index model takes --weight NAME=WEIGHT") }
            for name in o.weights.keys.sorted() where !names.contains(name) {
                throw PipelineError(nil, "weight for \(name): no layer is named \(name) (layers: \(names.joined(separator: ", ")))")
            }
            used = o.weights.isEmpty ? Array(layers.indices) : layers.indices.filter { o.weights[names[$0]] != nil }
        default:
            preconditionFailure("\(options.method) is not a knowledge-driven method")
        }
        let kept = used.map { layers[$0] }
        let keptNames = kept.map(\.name)
        // Class scores: known layers, kept, categorical; classes as codes.
        var scores: [String: [String: Double]] = [:]
        for (name, table) in o.classScores.sorted(by: { $0.key < $1.key }) {
            guard let layer = layers.first(where: { $0.name == name }) else {
                throw PipelineError(nil, "class scores for \(name): no layer is named \(name) (layers: \(names.joined(separator: ", ")))")
            }
            guard layer.kind == .categorical else {
                throw PipelineError(nil, "class scores for \(name): \(name) is a continuous layer; give it a transform instead (e.g. --transform \(name)=fuzzy-large)")
            }
            guard keptNames.contains(name) else {
                throw PipelineError(nil, "class scores for \(name): the model does not use \(name) (\(options.method == .fuzzy ? "add it to the expression" : "give it a weight"))")
            }
            for (key, value) in table {
                let code = try classCode(key, layer: name, legend: legend[name])
                guard scores[name]?[code] == nil else { throw PipelineError(nil, "class scores for \(name): class \(key) is scored twice") }
                if options.method == .fuzzy, !(0...1).contains(value) {
                    throw PipelineError(nil, "class scores for \(name): class \(key) has membership \(value); fuzzy memberships lie in [0, 1]")
                }
                scores[name, default: [:]][code] = value
            }
        }
        for layer in kept where layer.kind == .categorical && scores[layer.name] == nil {
            throw PipelineError(layer.path, "categorical layer \(layer.name) needs class scores (--class-score \(layer.name):CLASS=SCORE, or class_scores: in a study file); classes not listed score 0")
        }
        let payload: Payload
        if options.method == .fuzzy {
            let e = try! FuzzyExpression(parsing: o.expression!, layers: keptNames)
            payload = .fuzzy(FuzzyOverlayModel(expression: e.text(layers: keptNames), classScores: scores))
        } else {
            payload = .index(WeightedIndexModel(weights: Dictionary(uniqueKeysWithValues: keptNames.map { ($0, o.weights[$0] ?? 1) }),
                                                classScores: scores))
        }
        let leftOut = layers.filter { !keptNames.contains($0.name) }.map(\.name)
        return (kept, payload, leftOut)
    }

    /// A class key as a code: a whole number, or a class name from the layer's legend.
    static func classCode(_ key: String, layer: String, legend: [String: String]?) throws -> String {
        let trimmed = key.trimmingCharacters(in: .whitespaces)
        if let code = Int32(trimmed) { return String(code) }
        if let legend, let code = legend.first(where: { $0.value == trimmed })?.key { return code }
        let known = legend.map { ": known classes " + $0.sorted { (Int($0.key) ?? 0) < (Int($1.key) ?? 0) }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") }
            ?? " (it carries no legend here, so give class codes; a stack from prepare carries its legends)"
        throw PipelineError(nil, "class scores for \(layer): \"\(key)\" is neither a class code nor a class name of \(layer)\(known)")
    }

    /// Checks the model on the data and summarizes it: the valid cells, a fuzzy layer's values
    /// against [0, 1], and, with deposits, their counts and the model's ROC AUC on them.
    public static func train(stack: EvidenceStack, payload: Payload, deposits: DepositSet?, method: TrainingOptions.Method,
                             modelPath: String, legend: [String: [String: String]] = [:],
                             progress: Progress? = nil) throws -> TrainingResult {
        let grid = stack.grid
        let (cellAreaKm2, approximateArea) = CellArea.km2(of: grid)
        let modelDir = URL(fileURLWithPath: modelPath).deletingLastPathComponent().path
        let layers = stack.layers.map {
            ModelLayer(name: $0.name, path: RelativePath.make($0.path, from: modelDir), kind: $0.kind,
                       transforms: $0.transforms, legend: legend[$0.name])
        }
        var summary = TrainingSummary(validCells: 0, cellAreaKm2: cellAreaKm2, depositsGiven: deposits?.given ?? 0, depositsUsed: 0,
                                      depositsOutsideGrid: deposits?.outside.count ?? 0, depositsOnNodata: 0,
                                      depositsSharingCell: 0, layerRanking: [])
        let created = ISO8601DateFormatter().string(from: Date())
        var file: ModelFile
        var parameters = ["knowledgeDriven": "true"]
        switch payload {
        case let .fuzzy(f):
            parameters["expression"] = f.expression
            file = ModelFile(tool: ProspectVersion.tool, created: created, layers: layers, payload: .fuzzy(f),
                             parameters: parameters, training: summary)
        case let .index(i):
            file = ModelFile(tool: ProspectVersion.tool, created: created, layers: layers, payload: .index(i),
                             parameters: parameters, training: summary)
        }
        do { try file.validateOverlay() } catch let e as OverlayModelError { throw PipelineError(modelPath, e.message) }
        let scorer = file.scorer(nodata: stack.nodata)
        var warnings: [String] = []
        if approximateArea {
            warnings.append("the grid is in degrees (\(grid.crsName.isEmpty ? "geographic CRS" : grid.crsName)); areas use the cell size at its central latitude (\(String(format: "%.4g", cellAreaKm2)) km²)")
        }
        if let assumed = deposits?.assumedCRS {
            warnings.append("\(deposits!.path) declares no CRS; its coordinates were taken to be in \(assumed) as asked")
        }
        if method == .index {
            for layer in stack.layers where layer.kind == .continuous && layer.transforms.isEmpty {
                warnings.append("\(layer.name) enters the index with its raw values; put the layers on one scale (e.g. --transform \(layer.name)=minmax)")
            }
        }

        // Deposits: their cells' values (transformed) and scores.
        var skipped: [(id: String, reason: String)] = deposits?.outside.map { ($0, "outside the evidence grid") } ?? []
        var depositValues: [[Float]] = []
        if let deposits {
            var seen = Set<Int>()
            let datasets = try stack.layers.map { try RasterDataset.open($0.path) }
            for d in deposits.inside {
                guard seen.insert(d.cellIndex).inserted else { summary.depositsSharingCell += 1; continue }
                var values: [Float] = []
                for (k, ds) in datasets.enumerated() {
                    let v = try stack.value(of: k, in: ds, column: d.column, row: d.row)
                    if v.isNaN || v == stack.nodata[k] {
                        skipped.append((d.id, "on a nodata cell of layer \(stack.layers[k].name)"))
                        summary.depositsOnNodata += 1
                        values = []
                        break
                    }
                    values.append(v)
                }
                if !values.isEmpty { depositValues.append(values) }
            }
            for ds in datasets { try ds.close() }
            summary.depositsUsed = depositValues.count
        }
        var depositScores = [Float](repeating: 0, count: depositValues.count)
        if !depositValues.isEmpty {
            let columns = stack.layers.indices.map { k in
                let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: depositValues.count)
                for (i, values) in depositValues.enumerated() { b[i] = values[k] }
                return b
            }
            defer { columns.forEach { $0.deallocate() } }
            depositScores.withUnsafeMutableBufferPointer {
                scorer.score(layers: columns.map { UnsafeBufferPointer($0) }, outputs: [$0], outputNodata: -9999)
            }
        }

        // One pass over the stack: valid cells, fuzzy ranges, scores for the ROC.
        let tiling = stack.tiling
        let reader = try StackReader(stack, tiling: tiling)
        let buffers = stack.layers.map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: reader.tileCells) }
        let scores = UnsafeMutableBufferPointer<Float>.allocate(capacity: reader.tileCells)
        defer { buffers.forEach { $0.deallocate() }; scores.deallocate() }
        let inputs = buffers.map { UnsafeBufferPointer($0) }
        var validity = ValidityCheck(stack)
        var low = [Float](repeating: .infinity, count: stack.layers.count), high = [Float](repeating: -.infinity, count: stack.layers.count)
        var roc = depositScores.isEmpty ? nil : ROCAccumulator(depositScores: depositScores)
        let nodata: Float = -9999
        var valid = 0
        for t in 0..<tiling.count {
            let (window, stride) = try reader.read(tile: t, into: buffers)
            validity.note(buffers, window: window, stride: stride)
            if method == .fuzzy {
                for k in stack.layers.indices where stack.layers[k].kind == .continuous {
                    let nd = stack.nodata[k]
                    for r in 0..<window.rows {
                        for c in 0..<window.columns {
                            let v = buffers[k][r * stride + c]
                            if v.isNaN || v == nd { continue }
                            low[k] = min(low[k], v)
                            high[k] = max(high[k], v)
                        }
                    }
                }
            }
            let n = tiling.blockAligned ? reader.tileCells : window.cellCount
            scorer.score(layers: inputs, outputs: [UnsafeMutableBufferPointer(rebasing: scores[0..<n])], outputNodata: nodata)
            for r in 0..<window.rows {
                let row = UnsafeBufferPointer(rebasing: scores[(r * stride)..<(r * stride + window.columns)])
                for v in row where v != nodata { valid += 1 }
                roc?.add(row) { $0 != nodata && !$0.isNaN }
            }
            progress?.update(t + 1, of: tiling.count)
        }
        progress?.finish()
        try validity.check(stack)
        for k in stack.layers.indices where low[k] <= high[k] {
            if low[k] < -membershipTolerance || high[k] > 1 + membershipTolerance {
                let layer = stack.layers[k]
                let after = layer.transforms.isEmpty ? "" : " after its transforms (\(layer.transforms.map(\.description).joined(separator: ", ")))"
                throw PipelineError(layer.path, "layer \(layer.name) ranges from \(low[k]) to \(high[k])\(after); a fuzzy overlay combines memberships in [0, 1]: give it a fuzzy membership or min–max transform (e.g. --transform \(layer.name)=fuzzy-large)")
            }
        }
        guard valid > 0 else { throw PipelineError(stack.layers[0].path, "no cell has data in every layer of the model") }
        summary.validCells = valid
        summary.depositAUC = roc?.auc

        // Ranking: the mean contribution at the deposit cells, else the weights (index) or the
        // expression's order (fuzzy).
        let names = stack.layers.map(\.name)
        if !depositValues.isEmpty {
            var sums = [Double](repeating: 0, count: names.count)
            for values in depositValues { for (k, c) in scorer.contributions(values: values).enumerated() { sums[k] += c } }
            summary.layerRanking = names.indices.sorted { (sums[$0], -$0) > (sums[$1], -$1) }.map { names[$0] }
        } else if case let .index(i) = payload {
            summary.layerRanking = names.indices.sorted { (i.weights[names[$0]]!, -$0) > (i.weights[names[$1]]!, -$1) }.map { names[$0] }
        } else if case let .fuzzy(f) = payload {
            summary.layerRanking = (try? FuzzyExpression(parsing: f.expression, layers: names))?.layers.map { names[$0] } ?? names
        }
        file.training = summary
        return TrainingResult(model: file, skipped: skipped, warnings: warnings)
    }
}

extension StudyRunner {
    /// What a study's log says about a knowledge-driven model: the expression or the weights,
    /// the class scores, and the ROC AUC on the deposits.
    static func overlayLines(_ model: ModelFile) -> [String] {
        var lines: [String] = []
        if let f = model.fuzzy { lines.append("fuzzy overlay: \(f.expression)") }
        if let i = model.index {
            let total = i.weights.values.reduce(0, +)
            lines.append("index overlay weights: " + model.layers.map { l in
                "\(l.name) \(String(format: "%g", i.weights[l.name] ?? 0)) (\(String(format: "%.0f", 100 * (i.weights[l.name] ?? 0) / total)) %)"
            }.joined(separator: ", "))
        }
        for (name, table) in ((model.fuzzy?.classScores ?? model.index?.classScores) ?? [:]).sorted(by: { $0.key < $1.key }) {
            lines.append("\(name) class scores: " + OverlayTrainer.describe(table) + ", others 0")
        }
        if let auc = model.training.depositAUC {
            lines.append("ROC AUC on the deposits \(String(format: "%.4f", auc)) (they did not shape the model)")
        }
        return lines
    }
}

extension OverlayTrainer {
    /// `4 → 10, 3 → 5`, codes in ascending order.
    public static func describe(_ table: [String: Double]) -> String {
        table.sorted { (Int($0.key) ?? 0) < (Int($1.key) ?? 0) }.map { "\($0.key) → \(String(format: "%g", $0.value))" }.joined(separator: ", ")
    }
}

extension StudyRunner {
    /// Runs `body`, giving an error that names no file the study file's name: the settings at
    /// fault (an expression, a weight, a class) come from its `model:` section.
    static func namingStudy<T>(_ study: StudyFile, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as PipelineError where e.path == nil {
            throw PipelineError(study.path, "model: \(e.message)")
        } catch let e as OptionError {
            throw e.inStudy(study.path) { name in study.layers.firstIndex { $0.name == name } }
        }
    }
}
