import Foundation
import ProspectCore
import ProspectGDAL

/// Random forests and gradient-boosted trees (`TreeLearner`) on the deposit cells against a
/// background sample.
///
/// The background is a seeded reservoir sample of at most `sampling.size` cells (all when 0),
/// drawn from every training cell that is not a deposit cell or, with `excludeBuffer`, only
/// from cells whose centre lies farther than that many metres from every deposit cell's centre
/// (so cells near known deposits, possibly unrecognised mineralisation, are not taught as
/// barren). The sample's share of that background population enters the prior correction, so
/// the map holds per-cell probabilities relative to it.
///
/// With `holdout` > 0, about that fraction of the deposit cells and of the background sample is
/// kept out of training, seeded: by default in whole square blocks of the map
/// (`TreeLearner.groupHoldoutRows`, blocks sized as cross-validation's by `SpatialBlocks.choose`),
/// so held-out deposits are not neighbours of training ones; with the random scheme cell by cell
/// (`TreeLearner.holdoutRows`). The summary's sample sizes count the cells trained on, and
/// `heldOutAUC` is the model's ROC AUC on the others.
enum TreeMethod {
    static func fit(
        _ data: TrainingData, deposits: [TrainingData.DepositCell], area: TrainingArea, method: TrainingOptions.Method,
        options tree: TreeOptions, holdout: TreeHoldout, sampling: BackgroundSampling, threads: Int, progress: Progress?
    ) throws -> FittedModel {
        precondition(method.growsTrees)
        let stack = data.stack
        let grid = stack.grid
        var summary = data.summary
        var warnings: [String] = []
        let learnerMethod: TreeLearner.Method = method == .rf ? .randomForest : .gradientBoosting
        let depositCells = deposits.map(\.cell)
        let excluded = tree.excludeBuffer.map { bufferMask(around: depositCells, grid: grid, geographic: data.geographic, metres: $0) }
        let (background, valid) = try BackgroundSampler.sample(
            data, area: area, deposits: depositCells, excluded: excluded,
            size: sampling.size, seed: sampling.seed, threads: threads, progress: progress)
        summary.validCells = valid
        guard background.kept > 0 else {
            let why = tree.excludeBuffer.map { " farther than \(format($0)) m from every deposit" } ?? ""
            throw PipelineError(data.depositsPath, "no valid background cell\(why) is left to train against")
        }
        let columns = stack.layers.indices.map { j in deposits.map { $0.values[j] } + background.columns[j] }
        let labels = [Bool](repeating: true, count: deposits.count) + [Bool](repeating: false, count: background.kept)
        var learner = tree
        learner.threads = max(1, threads)
        // A spatial holdout keeps whole blocks out: each row's group is its block.
        var block: BlockSize?
        var groups: [Int]?
        if tree.holdout > 0, holdout.scheme == .blocks {
            let size = try SpatialBlocks.choose(
                km: holdout.blockKm, option: .holdoutBlockKm, grid: grid, cellKm: data.summary.cellAreaKm2.squareRoot(),
                depositCells: depositCells, minimumBlocks: max(2, Int((1 / tree.holdout).rounded())))
            let across = SpatialBlocks.count(side: size.cells, grid: grid).across
            groups = (depositCells + background.cells).map { ($0 / grid.columns / size.cells) * across + ($0 % grid.columns) / size.cells }
            block = size
        }
        var fit = TreeLearner.fit(
            learnerMethod, columns: columns, labels: labels, options: learner,
            backgroundFraction: Double(background.kept) / Double(background.eligible), groups: groups, seed: sampling.seed)
        let calibration = try calibrateInTheLarge(
            &fit.ensemble, stack: stack, area: area, depositCells: deposits.count, threads: threads, progress: progress)
        summary.expectedDeposits = calibration.after

        let backgroundText = tree.excludeBuffer.map { "random, excluding \(format($0)) m around deposits" } ?? "random"
        let trees = TreeTrainingSummary(
            method: method.rawValue, fit: fit, layers: stack.layers.map(\.name), depositCells: deposits.count,
            backgroundCells: background.kept, background: backgroundText, holdout: tree.holdout, blockKm: block?.km)
        summary.backgroundCells = trees.backgroundCells
        summary.layerRanking = trees.importance.map(\.layer)
        summary.trees = trees
        var parameters: [String: String] = [
            "trees": String(tree.trees), "depth": String(tree.depth), "seed": String(sampling.seed),
            "backgroundSample": String(sampling.size), "background": backgroundText, "depositWeight": String(fit.depositWeight),
            "minSamplesLeaf": String(tree.minSamplesLeaf), "maxBins": String(tree.maxBins), "treeShape": "oblivious",
            "holdout": String(tree.holdout),
        ]
        if tree.holdout > 0 {
            parameters["holdoutScheme"] = holdout.scheme.rawValue
            if let block { parameters["holdoutBlockKm"] = String(block.km) }
        }
        parameters["calibration"] = calibration.method
        parameters["priorCorrection"] = String(fit.priorCorrection)
        parameters["expectedDepositsPriorCorrected"] = String(calibration.before)
        if let offset = calibration.offset { parameters["calibrationOffset"] = String(offset) }
        if let b = tree.excludeBuffer { parameters["excludeBufferMetres"] = String(b) }
        if learnerMethod == .gradientBoosting {
            parameters["learningRate"] = String(tree.learningRate)
            parameters["l2"] = String(tree.l2)
            parameters["rowSample"] = String(tree.rowSample)
        }
        if let f = tree.layerFraction { parameters["layerFraction"] = String(f) }
        if tree.holdout > 0, fit.heldOut == nil {
            let how = block.map { " in blocks of \(SpatialBlocks.show($0.km)) km" } ?? ""
            warnings.append(
                "too few deposit cells (\(deposits.count)) to hold \(format(100 * tree.holdout)) % out\(how): trained on all of them, no held-out AUC"
            )
        }
        if deposits.count < 10 {
            warnings.append("only \(deposits.count) deposit cells: the trees' splits rest on very few examples")
        }
        if data.geographic, tree.excludeBuffer != nil {
            warnings.append("the grid is in degrees; the exclusion buffer uses the cell size at each deposit's latitude")
        }
        let origin: TreeOrigin = method == .rf ? .randomForest : .gradientBoosting
        return FittedModel(payload: .trees(fit.ensemble, origin: origin), parameters: parameters, summary: summary, warnings: warnings)
    }

    /// What calibration did to an ensemble: the deposits it expected over the training area
    /// before and after, the logit shift, and the method in words for the model file.
    struct Calibration {
        var before: Double
        var after: Double
        var offset: Double?
        var method: String
    }

    /// Calibration in the large: shifts the ensemble's logit by δ so its probabilities sum to
    /// the deposit cells over the training area (one streaming pass, `TrainingAreaScores`).
    ///
    /// The learner's prior correction (King & Zeng 2001) already undoes the class weights and
    /// the background sampling, which is exact for a model that fits the weighted sample's
    /// log-odds. A forest nearly does (each tree's leaves hold their in-bag deposit fractions,
    /// so each tree sums to its bag's deposits), but boosting stops short of it: 100 trees with
    /// shrinkage 0.1 from a balanced base score leave the logits too close to that base, and on
    /// the demo region the prior-corrected gbt map summed to 4.9 for 61 deposit cells. The one
    /// intercept δ fixes the total and changes no ranking (AUC, success rate): boosting adds it
    /// to the base score, a forest keeps it as `logitOffset` on its mean.
    static func calibrateInTheLarge(
        _ ensemble: inout TreeEnsemble, stack: EvidenceStack, area: TrainingArea, depositCells: Int, threads: Int,
        progress: Progress?
    ) throws -> Calibration {
        let prior = "prior correction (King & Zeng 2001)"
        let measured = try TrainingAreaScores.measure(
            CompiledTrees(ensemble, nodata: stack.nodata), stack: stack, area: area, threads: threads, progress: progress)
        guard let offset = measured.histogram.offset(target: Double(depositCells)) else {
            return Calibration(before: measured.sum, after: measured.sum, offset: nil, method: prior)
        }
        switch ensemble.output {
        case .logistic: ensemble.base += offset
        case .average: ensemble.logitOffset = offset + (ensemble.logitOffset ?? 0)
        }
        return Calibration(
            before: measured.sum, after: measured.histogram.expected(offset: offset), offset: offset,
            method:
                "\(prior), then calibration in the large: a logit offset so that the probabilities sum to the deposit cells over the training area"
        )
    }

    /// One bit per grid cell, set for cells whose centre lies within `metres` of a deposit
    /// cell's centre (the deposit cells included); `geographic`: the cell sizes are degrees.
    static func bufferMask(around cells: [Int], grid: Grid, geographic: Bool, metres: Double) -> [UInt64] {
        var mask = [UInt64](repeating: 0, count: (grid.cellCount + 63) / 64)
        for cell in cells {
            let (c0, r0) = (cell % grid.columns, cell / grid.columns)
            var cw = abs(grid.transform.cellWidth)
            var ch = abs(grid.transform.cellHeight)
            if geographic {
                let lat = grid.transform.map(column: Double(c0) + 0.5, row: Double(r0) + 0.5).y * Double.pi / 180
                cw *= 111_195 * cos(lat)
                ch *= 111_195
            }
            // At most the grid: a buffer wider than the grid covers it.
            let rc = Int(min(Double(grid.columns), (metres / max(cw, 1e-12)).rounded(.down)))
            let rr = Int(min(Double(grid.rows), (metres / max(ch, 1e-12)).rounded(.down)))
            for r in max(0, r0 - rr)...min(grid.rows - 1, r0 + rr) {
                for c in max(0, c0 - rc)...min(grid.columns - 1, c0 + rc) {
                    let dx = Double(c - c0) * cw
                    let dy = Double(r - r0) * ch
                    if dx * dx + dy * dy <= metres * metres {
                        let i = r * grid.columns + c
                        mask[i >> 6] |= 1 << UInt64(i & 63)
                    }
                }
            }
        }
        return mask
    }

    static func format(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
}
