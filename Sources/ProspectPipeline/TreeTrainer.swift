import Foundation
import ProspectCore
import ProspectGDAL

/// Trains a random forest or gradient-boosted trees on deposit cells against a background sample.
///
/// The training sample is every deposit cell (the cells `Trainer` found valid) and a background
/// of valid non-deposit cells: a seeded reservoir sample of at most `backgroundSample` cells
/// (all of them when 0), drawn either from every such cell or, with `trees.excludeBuffer`, only
/// from cells whose centre lies farther than that many metres from every deposit cell's centre
/// (so cells near known deposits, possibly unrecognised mineralisation, are not taught as
/// barren). The sample's share of that background population enters the prior correction
/// (`TreeLearner`), so the map holds per-cell probabilities relative to it.
///
/// With `trees.holdout` > 0, that fraction of the deposit cells and of the background sample is
/// kept out of training (`TreeLearner.holdoutRows`, seeded by `seed`); the summary's sample
/// sizes count the cells trained on, and `heldOutAUC` is the model's ROC AUC on the others.
enum TreeTrainer {
    static func train(stack: EvidenceStack, deposits: [Int: [Float]], options: TrainingOptions,
                      summary: TrainingSummary, parameters: [String: String], warnings: [String],
                      modelPath: String, legend: [String: [String: String]], depositsPath: String,
                      progress: Progress?) throws -> TrainingResult {
        let grid = stack.grid
        let k = stack.layers.count
        let tree = options.trees
        let method: TreeLearner.Method = options.method == .rf ? .randomForest : .gradientBoosting
        var summary = summary, parameters = parameters, warnings = warnings
        let depositCells = deposits.keys.sorted()
        let excluded = try tree.excludeBuffer.map { try bufferMask(around: depositCells, grid: grid, metres: $0) }

        // Background: a seeded reservoir sample of the eligible valid non-deposit cells.
        var rng = SplitMix64(seed: options.sampling.seed)
        let limit = options.sampling.size > 0 ? options.sampling.size : Int.max
        var background = [[Float]](repeating: [], count: k)
        var kept = 0, eligible = 0
        let isDeposit = Set(depositCells)
        let valid = try Trainer.streamValidCells(stack: stack, progress: progress) { _, _ in } sample: { cell in
            guard !isDeposit.contains(cell.index) else { return }
            if let excluded, excluded[cell.index >> 6] & (1 << UInt64(cell.index & 63)) != 0 { return }
            eligible += 1
            if kept < limit {
                for j in 0..<k { background[j].append(cell.buffers[j][cell.offset]) }
                kept += 1
            } else {
                let r = Int(rng.next() % UInt64(eligible))
                if r < limit { for j in 0..<k { background[j][r] = cell.buffers[j][cell.offset] } }
            }
        }
        summary.validCells = valid
        guard kept > 0 else {
            let why = tree.excludeBuffer.map { " farther than \(format($0)) m from every deposit" } ?? ""
            throw PipelineError(depositsPath, "no valid background cell\(why) is left to train against")
        }
        var columns = (0..<k).map { j in depositCells.map { deposits[$0]![j] } }
        for j in 0..<k { columns[j] += background[j] }
        let labels = [Bool](repeating: true, count: depositCells.count) + [Bool](repeating: false, count: kept)

        var learner = tree
        learner.threads = max(1, tree.threads)
        let fit = TreeLearner.fit(method, columns: columns, labels: labels, options: learner,
                                  backgroundFraction: Double(kept) / Double(eligible), seed: options.sampling.seed)

        let names = stack.layers.map(\.name)
        let total = fit.gain.reduce(0, +)
        let importance = zip(names, fit.gain)
            .map { TreeTrainingSummary.Importance(layer: $0.0, gain: $0.1, share: total > 0 ? $0.1 / total : 0) }
            .sorted { ($0.gain, $1.layer) > ($1.gain, $0.layer) }
        let backgroundText = tree.excludeBuffer.map { "random, excluding \(format($0)) m around deposits" } ?? "random"
        let held = fit.heldOut
        let trainedBackground = kept - (held?.background ?? 0)
        summary.backgroundCells = trainedBackground
        summary.layerRanking = importance.map(\.layer)
        summary.trees = TreeTrainingSummary(method: options.method.rawValue, trees: fit.ensemble.trees.count, depth: fit.depth,
                                            depositCells: depositCells.count - (held?.deposits ?? 0), backgroundCells: trainedBackground,
                                            background: backgroundText, depositWeight: fit.depositWeight, auc: fit.auc,
                                            aucKind: fit.aucKind, importance: importance, holdout: held.map { _ in tree.holdout },
                                            heldOutDepositCells: held?.deposits, heldOutBackgroundCells: held?.background,
                                            heldOutAUC: held?.auc)
        parameters["trees"] = String(tree.trees)
        parameters["depth"] = String(tree.depth)
        parameters["seed"] = String(options.sampling.seed)
        parameters["backgroundSample"] = String(options.sampling.size)
        parameters["background"] = backgroundText
        parameters["depositWeight"] = String(fit.depositWeight)
        parameters["minSamplesLeaf"] = String(tree.minSamplesLeaf)
        parameters["maxBins"] = String(tree.maxBins)
        parameters["treeShape"] = "oblivious"
        if let b = tree.excludeBuffer { parameters["excludeBufferMetres"] = String(b) }
        if method == .gradientBoosting {
            parameters["learningRate"] = String(tree.learningRate)
            parameters["l2"] = String(tree.l2)
            parameters["rowSample"] = String(tree.rowSample)
        }
        if let f = tree.layerFraction { parameters["layerFraction"] = String(f) }
        parameters["holdout"] = String(tree.holdout)
        if tree.holdout > 0, held == nil {
            warnings.append("too few deposit cells (\(depositCells.count)) to hold \(TreeTrainer.format(100 * tree.holdout)) % out: trained on all of them, no held-out AUC")
        }
        if depositCells.count < 10 {
            warnings.append("only \(depositCells.count) deposit cells: the trees' splits rest on very few examples")
        }
        if approximateMetres(grid), tree.excludeBuffer != nil {
            warnings.append("the grid is in degrees; the exclusion buffer uses the cell size at each deposit's latitude")
        }

        let modelDir = URL(fileURLWithPath: modelPath).deletingLastPathComponent().path
        let layers = stack.layers.map {
            ModelLayer(name: $0.name, path: RelativePath.make($0.path, from: modelDir), kind: $0.kind,
                       transforms: $0.transforms, legend: legend[$0.name])
        }
        let file = ModelFile(tool: ProspectVersion.tool, created: ISO8601DateFormatter().string(from: Date()),
                             layers: layers, payload: .trees(fit.ensemble, origin: TreeOrigin(method)),
                             parameters: parameters, training: summary)
        return TrainingResult(model: file, skipped: [], warnings: warnings)
    }

    /// One bit per grid cell, set for cells whose centre lies within `metres` of a deposit
    /// cell's centre (the deposit cells included).
    static func bufferMask(around cells: [Int], grid: Grid, metres: Double) throws -> [UInt64] {
        var mask = [UInt64](repeating: 0, count: (grid.cellCount + 63) / 64)
        let geographic = approximateMetres(grid)
        for cell in cells {
            let (c0, r0) = (cell % grid.columns, cell / grid.columns)
            var cw = abs(grid.transform.cellWidth), ch = abs(grid.transform.cellHeight)
            if geographic {
                let lat = grid.transform.map(column: Double(c0) + 0.5, row: Double(r0) + 0.5).y * Double.pi / 180
                cw *= 111_195 * cos(lat)
                ch *= 111_195
            }
            let rc = Int((metres / max(cw, 1e-12)).rounded(.down)), rr = Int((metres / max(ch, 1e-12)).rounded(.down))
            for r in max(0, r0 - rr)...min(grid.rows - 1, r0 + rr) {
                for c in max(0, c0 - rc)...min(grid.columns - 1, c0 + rc) {
                    let dx = Double(c - c0) * cw, dy = Double(r - r0) * ch
                    if dx * dx + dy * dy <= metres * metres {
                        let i = r * grid.columns + c
                        mask[i >> 6] |= 1 << UInt64(i & 63)
                    }
                }
            }
        }
        return mask
    }

    /// True when the grid's CRS is geographic, so cell sizes are degrees.
    static func approximateMetres(_ grid: Grid) -> Bool {
        guard !grid.crsWKT.isEmpty, let srs = try? SpatialReference(wkt: grid.crsWKT) else { return false }
        return srs.isGeographic
    }

    static func format(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
}
